"""Turning the executor's ids into the result objects readers see, in two queries.

Search results are built from selected columns (no ORM objects): one query for the
businesses of the page, one for their categories; category and area names come from the
cached catalog. The shape is ``directory.schemas_search.SearchHit`` (a business summary
plus ``distance_m`` and ``score``), the same fields ``business_summary`` produces.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.hours import from_json, is_open_at
from directory.models import Business, BusinessCategory
from directory.search.catalog import Catalog
from directory.search.executor import Found

_COLUMNS = (
    Business.id, Business.slug, Business.external_id, Business.name,
    Business.primary_category_id, Business.lat, Business.lon, Business.address,
    Business.area_id, Business.rating_sum, Business.rating_count, Business.price_level,
    Business.phone, Business.website, Business.opening_hours, Business.opening_hours_json,
    Business.status,
)  # fmt: skip


def _open_now(hours: object, local_now: datetime) -> bool | None:
    if not hours:
        return None
    return is_open_at(from_json(hours), local_now)


def hydrate(
    session: Session,
    found: Sequence[Found],
    *,
    catalog: Catalog,
    local_now: datetime,
    lang: str,
) -> list[dict[str, Any]]:
    """Result dicts for ``found``, in its order (businesses deleted meanwhile are skipped)."""
    if not found:
        return []
    ids = [f.business_id for f in found]
    rows = {r[0]: r for r in session.execute(select(*_COLUMNS).where(Business.id.in_(ids)))}
    cats: dict[int, list[tuple[bool, int]]] = {}
    for bid, cid, is_primary in session.execute(
        select(
            BusinessCategory.business_id, BusinessCategory.category_id, BusinessCategory.is_primary
        ).where(BusinessCategory.business_id.in_(ids))
    ):
        cats.setdefault(bid, []).append((not is_primary, cid))
    naive_now = local_now.replace(tzinfo=None)
    out: list[dict[str, Any]] = []
    for f in found:
        row = rows.get(f.business_id)
        if row is None:
            continue
        (bid, slug, external_id, name, primary_id, lat, lon, address, area_id, rsum, count,
         price, phone, website, hours_text, hours, status) = row  # fmt: skip
        primary = catalog.categories.get(primary_id)
        slugs = [
            catalog.categories[c].slug
            for _, c in sorted(cats.get(bid, []))
            if c in catalog.categories
        ]
        area = catalog.areas.get(area_id) if area_id is not None else None
        out.append(
            {
                "id": bid,
                "slug": slug,
                "external_id": external_id,
                "name": name,
                "category": primary.slug if primary else "",
                "category_name": (primary.name_en if lang == "en" else primary.name_id)
                if primary
                else "",
                "categories": slugs or ([primary.slug] if primary else []),
                "lat": lat,
                "lon": lon,
                "address": address or "",
                "area": {"id": area.id, "slug": area.slug, "name": area.name, "kind": area.kind}
                if area
                else None,
                "rating": round(rsum / count, 2) if count > 0 else None,
                "rating_count": count,
                "price_level": price,
                "phone": phone,
                "website": website,
                "opening_hours": hours_text,
                "open_now": _open_now(hours, naive_now),
                "status": status,
                "distance_m": round(f.distance_m, 1) if f.distance_m is not None else None,
                "score": round(f.score, 6) if f.score is not None else None,
            }
        )
    return out
