"""Creating and updating businesses: one code path for imports, submissions and owners.

Functions here never commit; the caller's service call is the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from directory.models import Business, BusinessCategory, BusinessStatus, utcnow
from directory.services import indexing
from directory.services.areas import AreaLocator, make_locator
from directory.services.business_input import BusinessInput
from directory.slugs import slugify

BATCH = 5_000


class SlugAllocator:
    """Hands out unique slugs quickly, also for thousands of "warung-makan"s."""

    def __init__(self, taken: Iterable[str]) -> None:
        self._taken = set(taken)
        self._next: dict[str, int] = {}

    @classmethod
    def from_session(cls, session: Session) -> SlugAllocator:
        return cls(session.scalars(select(Business.slug)))

    def allocate(self, name: str) -> str:
        base = slugify(name, max_len=100)
        if base not in self._taken:
            self._taken.add(base)
            return base
        n = self._next.get(base, 2)
        while f"{base}-{n}" in self._taken:
            n += 1
        slug = f"{base}-{n}"
        self._next[base] = n + 1
        self._taken.add(slug)
        return slug

    def release(self, slug: str) -> None:
        self._taken.discard(slug)


def _values(data: BusinessInput, area_id: int | None) -> dict[str, object]:
    rating_sum = (data.rating or 0.0) * data.rating_count if data.rating is not None else 0.0
    return {
        "name": data.name,
        "external_id": data.external_id,
        "description": data.description,
        "address": data.address,
        "lat": data.lat,
        "lon": data.lon,
        "area_id": area_id,
        "primary_category_id": data.category_id,
        "phone": data.phone,
        "website": data.website,
        "opening_hours": data.opening_hours,
        "opening_hours_json": data.opening_hours_json,
        "price_level": data.price_level,
        "base_rating_sum": rating_sum,
        "base_rating_count": data.rating_count if data.rating is not None else 0,
    }


def create_business(
    session: Session,
    data: BusinessInput,
    *,
    source: str,
    status: str = BusinessStatus.PUBLISHED,
    locator: AreaLocator | None = None,
    location_approximate: bool = False,
) -> Business:
    """Insert one business with its categories, area and search index entries."""
    locator = locator or make_locator(session)
    now = utcnow()
    values = _values(data, locator.locate(data.lat, data.lon))
    slug = SlugAllocator(
        session.scalars(select(Business.slug).where(Business.slug.startswith(slugify(data.name))))
    ).allocate(data.name)
    business = Business(
        slug=slug,
        status=status,
        source=source,
        location_approximate=location_approximate,
        created_at=now,
        updated_at=now,
        published_at=now if status == BusinessStatus.PUBLISHED else None,
        rating_sum=values["base_rating_sum"],
        rating_count=values["base_rating_count"],
        interaction_count=0,
        social={},
        **values,
    )
    session.add(business)
    session.flush()
    _set_categories(session, business.id, data)
    indexing.index_businesses(session, [business.id])
    return business


def _set_categories(session: Session, business_id: int, data: BusinessInput) -> None:
    session.execute(delete(BusinessCategory).where(BusinessCategory.business_id == business_id))
    ids = [data.category_id, *[c for c in data.extra_category_ids if c != data.category_id]]
    session.execute(
        insert(BusinessCategory),
        [
            {"business_id": business_id, "category_id": cid, "is_primary": i == 0}
            for i, cid in enumerate(dict.fromkeys(ids))
        ],
    )


def update_business(
    session: Session,
    business: Business,
    data: BusinessInput,
    *,
    locator: AreaLocator | None = None,
) -> Business:
    """Replace a business's editable fields; keeps reviews on top of the new baseline."""
    locator = locator or make_locator(session)
    values = _values(data, locator.locate(data.lat, data.lon))
    review_sum = business.rating_sum - business.base_rating_sum
    review_count = business.rating_count - business.base_rating_count
    for key, value in values.items():
        setattr(business, key, value)
    business.rating_sum = float(values["base_rating_sum"]) + review_sum  # type: ignore[arg-type]
    business.rating_count = int(values["base_rating_count"]) + review_count  # type: ignore[call-overload]
    business.updated_at = utcnow()
    session.flush()
    _set_categories(session, business.id, data)
    indexing.index_businesses(session, [business.id])
    return business


@dataclass(frozen=True, slots=True)
class UpsertReport:
    """What a bulk upsert did."""

    created: int
    updated: int
    ids: list[int]


def bulk_upsert_businesses(
    session: Session,
    inputs: Sequence[BusinessInput],
    *,
    source: str,
    status: str = BusinessStatus.PUBLISHED,
    progress: Callable[[int], None] | None = None,
) -> UpsertReport:
    """Insert or update many businesses, matching on external_id (idempotent imports)."""
    locator = make_locator(session)
    existing: dict[str, tuple[int, float, int]] = {}
    ext_ids = [d.external_id for d in inputs if d.external_id]
    for start in range(0, len(ext_ids), 900):
        ext_chunk = ext_ids[start : start + 900]
        for bid, ext, rsum, bsum, rcount, bcount in session.execute(
            select(
                Business.id,
                Business.external_id,
                Business.rating_sum,
                Business.base_rating_sum,
                Business.rating_count,
                Business.base_rating_count,
            ).where(Business.external_id.in_(ext_chunk))
        ):
            if ext is not None:
                existing[ext] = (bid, rsum - bsum, rcount - bcount)
    slugs = SlugAllocator.from_session(session) if len(existing) < len(inputs) else None
    now = utcnow()
    created = updated = 0
    all_ids: list[int] = []
    for start in range(0, len(inputs), BATCH):
        chunk = inputs[start : start + BATCH]
        areas = locator.locate_many([d.lat for d in chunk], [d.lon for d in chunk])
        new_rows: list[dict[str, object]] = []
        new_inputs: list[BusinessInput] = []
        upd_rows: list[dict[str, object]] = []
        upd_inputs: list[tuple[int, BusinessInput]] = []
        for data, area_id in zip(chunk, areas, strict=True):
            values = _values(data, area_id)
            hit = existing.get(data.external_id) if data.external_id else None
            if hit is None:
                assert slugs is not None
                values.update(
                    slug=slugs.allocate(data.name),
                    status=status,
                    source=source,
                    location_approximate=False,
                    created_at=now,
                    updated_at=now,
                    published_at=now if status == BusinessStatus.PUBLISHED else None,
                    rating_sum=values["base_rating_sum"],
                    rating_count=values["base_rating_count"],
                    interaction_count=0,
                    social={},
                )
                new_rows.append(values)
                new_inputs.append(data)
            else:
                bid, review_sum, review_count = hit
                values.update(
                    b_id=bid,
                    rating_sum=float(values["base_rating_sum"]) + review_sum,  # type: ignore[arg-type]
                    rating_count=int(values["base_rating_count"]) + review_count,  # type: ignore[call-overload]
                    updated_at=now,
                )
                upd_rows.append(values)
                upd_inputs.append((bid, data))
        ids = _insert_new(session, new_rows)
        for bid, data in zip(ids, new_inputs, strict=True):
            if data.external_id:
                existing[data.external_id] = (bid, 0.0, 0)
        if upd_rows:
            _update_existing(session, upd_rows)
        cat_pairs = list(zip(ids, new_inputs, strict=True)) + upd_inputs
        _bulk_set_categories(session, cat_pairs, replace=bool(upd_inputs))
        batch_ids = ids + [bid for bid, _ in upd_inputs]
        indexing.index_businesses(session, batch_ids)
        all_ids.extend(batch_ids)
        created += len(ids)
        updated += len(upd_rows)
        if progress:
            progress(len(chunk))
    return UpsertReport(created=created, updated=updated, ids=all_ids)


def _insert_new(session: Session, rows: list[dict[str, object]]) -> list[int]:
    if not rows:
        return []
    table = cast(Table, Business.__table__)
    result = session.execute(
        insert(table).returning(table.c.id, table.c.slug, sort_by_parameter_order=True), rows
    )
    return [r[0] for r in result]


def _update_existing(session: Session, rows: list[dict[str, object]]) -> None:
    table = cast(Table, Business.__table__)
    keys = [k for k in rows[0] if k != "b_id"]
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({k: bindparam(f"v_{k}") for k in keys})
    )
    params = [{"b_id": r["b_id"], **{f"v_{k}": r[k] for k in keys}} for r in rows]
    session.connection().execute(stmt, params)


def _bulk_set_categories(
    session: Session, pairs: Sequence[tuple[int, BusinessInput]], *, replace: bool
) -> None:
    if not pairs:
        return
    if replace:
        ids = [bid for bid, _ in pairs]
        for start in range(0, len(ids), 900):
            session.execute(
                delete(BusinessCategory).where(
                    BusinessCategory.business_id.in_(ids[start : start + 900])
                )
            )
    rows: list[dict[str, object]] = []
    for bid, data in pairs:
        cats = dict.fromkeys([data.category_id, *data.extra_category_ids])
        rows.extend(
            {"business_id": bid, "category_id": cid, "is_primary": i == 0}
            for i, cid in enumerate(cats)
        )
    session.execute(insert(BusinessCategory), rows)


def touch_updated(business: Business, at: datetime | None = None) -> None:
    """Mark a business as changed (for cursors and caches keyed on updated_at)."""
    business.updated_at = at or utcnow()
