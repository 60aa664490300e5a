"""Turning the executor's ids into the result objects readers see, in one or two queries.

Search results are built from selected columns (no ORM objects): on SQLite one query for
the businesses of the page and one for their categories; on PostgreSQL one query that
carries each business's categories as an array (a round trip to a database server costs
more than the query itself), its hours as JSON text (parsed once per distinct text, as
on SQLite). Statements are compiled once per page size and run on the DBAPI cursor;
category and area names come from the cached catalog. The shape
is ``directory.search.schemas.SearchHit`` (a business summary plus ``distance_m`` and
``score``), the same fields ``business_summary`` produces.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Text, bindparam, cast, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session
from sqlalchemy.sql import func

from directory.api.summary import summary_fields
from directory.hours import OpeningHours, from_json, is_open_at
from directory.models import Business, BusinessCategory
from directory.search.catalog import Catalog
from directory.search.executor import Found
from directory.search.rawsql import FastStatement

_COLUMNS = (
    Business.id, Business.slug, Business.external_id, Business.name,
    Business.primary_category_id, Business.lat, Business.lon, Business.address,
    Business.area_id, Business.rating_sum, Business.rating_count, Business.price_level,
    Business.phone, Business.website, Business.opening_hours, Business.opening_hours_json,
    Business.status,
)  # fmt: skip


@lru_cache(maxsize=4096)
def _hours_from_text(raw: str) -> OpeningHours | None:
    value = json.loads(raw)
    return from_json(value) if value else None


def _open_now(hours: object, local_now: datetime) -> bool | None:
    """Open at ``local_now``; hours arrive as JSON text (SQLite) or parsed (PostgreSQL);
    null when the business has no hours."""
    if not hours:
        return None
    parsed = _hours_from_text(hours) if isinstance(hours, str) else from_json(hours)
    return None if parsed is None else is_open_at(parsed, local_now)


@lru_cache(maxsize=128)
def _statements(count: int) -> tuple[FastStatement, FastStatement]:
    """The two page queries for ``count`` ids, compiled once per page size."""
    ids: list[Any] = [bindparam(f"i{k}") for k in range(count)]
    return (
        FastStatement(select(*_COLUMNS).where(Business.id.in_(ids))),
        FastStatement(
            select(
                BusinessCategory.business_id,
                BusinessCategory.category_id,
                BusinessCategory.is_primary,
            ).where(BusinessCategory.business_id.in_(ids))
        ),
    )


_PG_COLUMNS = (
    *_COLUMNS[:-2],
    cast(Business.opening_hours_json, Text),
    Business.status,
    select(
        func.array_agg(
            aggregate_order_by(
                BusinessCategory.category_id,
                BusinessCategory.is_primary.desc(),
                BusinessCategory.category_id,
            )
        )
    )
    .where(BusinessCategory.business_id == Business.id)
    .scalar_subquery(),
)
"""``_COLUMNS`` with the hours as text and the category ids, primary first, as an array."""


@lru_cache(maxsize=128)
def _pg_statement(count: int) -> FastStatement:
    """The one PostgreSQL page query for ``count`` ids."""
    ids: list[Any] = [bindparam(f"i{k}") for k in range(count)]
    return FastStatement(select(*_PG_COLUMNS).where(Business.id.in_(ids)))


def _page_rows(
    session: Session, ids: list[int]
) -> tuple[dict[int, Sequence[Any]], dict[int, list[int]]]:
    """The page's business rows (``_COLUMNS``) and category ids, primary first."""
    params = {f"i{k}": bid for k, bid in enumerate(ids)}
    if session.get_bind().dialect.name == "postgresql":
        rows = _pg_statement(len(ids)).rows(session, params)
        return {r[0]: r[:-1] for r in rows}, {r[0]: r[-1] for r in rows if r[-1]}
    business_stmt, category_stmt = _statements(len(ids))
    found = {r[0]: r for r in business_stmt.rows(session, params)}
    pairs: dict[int, list[tuple[bool, int]]] = {}
    for bid, cid, is_primary in category_stmt.rows(session, params):
        pairs.setdefault(bid, []).append((not is_primary, cid))
    return found, {bid: [c for _, c in sorted(p)] for bid, p in pairs.items()}


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
    rows, cats = _page_rows(session, sorted({f.business_id for f in found}))
    naive_now = local_now.replace(tzinfo=None)
    out: list[dict[str, Any]] = []
    for f in found:
        row = rows.get(f.business_id)
        if row is None:
            continue
        (bid, slug, external_id, name, primary_id, lat, lon, address, area_id, rsum, count,
         price, phone, website, hours_text, hours, status) = row  # fmt: skip
        primary = catalog.categories.get(primary_id)
        slugs = [catalog.categories[c].slug for c in cats.get(bid, ()) if c in catalog.categories]
        out.append(
            {
                **summary_fields(
                    business_id=bid,
                    slug=slug,
                    external_id=external_id,
                    name=name,
                    category=primary,
                    lat=lat,
                    lon=lon,
                    address=address or "",
                    area=catalog.areas.get(area_id) if area_id is not None else None,
                    rating=rsum / count if count > 0 else None,
                    rating_count=count,
                    price_level=price,
                    open_now=_open_now(hours, naive_now),
                    lang=lang,
                ),
                "categories": slugs or ([primary.slug] if primary else []),
                "phone": phone,
                "website": website,
                "opening_hours": hours_text,
                "status": status,
                "distance_m": round(f.distance_m, 1) if f.distance_m is not None else None,
                "score": round(f.score, 6) if f.score is not None else None,
            }
        )
    return out
