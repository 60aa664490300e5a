"""Creating and updating businesses: one code path for imports, submissions and owners.

Functions here never commit; the caller's service call is the transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from directory.areas.service import AreaLocator, make_locator
from directory.bulk_insert import BulkInsert
from directory.businesses.input import BUSINESS_FIELDS, BusinessInput
from directory.models import Business, BusinessCategory, BusinessStatus, utcnow
from directory.search import indexing
from directory.search.text_match import TextTerms, text_terms
from directory.slugs import slugify

BATCH = 5_000
SLUG_MAX_LEN = 100


@dataclass(frozen=True, slots=True)
class Derived:
    """What a write derives from one input's fields alone: its slug base and the search
    index's folded words. Bulk imports compute it in their validation workers."""

    slug_base: str
    terms: TextTerms


def derive(data: BusinessInput) -> Derived:
    return Derived(
        slug_base=slugify(data.name, max_len=SLUG_MAX_LEN),
        terms=text_terms(data.name, data.address, data.description),
    )


class SlugAllocator:
    """Hands out unique slugs quickly, also for thousands of "warung-makan"s."""

    def __init__(self, taken: Iterable[str]) -> None:
        self._taken = set(taken)
        self._next: dict[str, int] = {}

    @classmethod
    def from_session(cls, session: Session) -> SlugAllocator:
        return cls(session.scalars(select(Business.slug)))

    def allocate(self, name: str, *, base: str | None = None) -> str:
        """A free slug for ``name``; ``base``, if given, is ``derive(...).slug_base``."""
        if base is None:
            base = slugify(name, max_len=SLUG_MAX_LEN)
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
    index: bool = True,
) -> Business:
    """Insert one business with its categories, area and search index entries
    (``index=False``: the caller indexes many at once later, as ``dekat import osm`` does)."""
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
    if index:
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


# Editable field (as forms and edit submissions name it) → the columns it writes.
FIELD_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    f.name: f.columns for f in BUSINESS_FIELDS if f.editable
}


def update_business(
    session: Session,
    business: Business,
    data: BusinessInput,
    *,
    locator: AreaLocator | None = None,
    fields: Collection[str] | None = None,
) -> Business:
    """Replace a business's editable fields; keeps reviews on top of the new baseline.

    With ``fields`` (names of :data:`FIELD_COLUMNS`) only those columns are written: an
    approved edit of the name must leave every other stored value byte for byte as it
    was, even where re-validating it today would spell it differently.
    """
    locator = locator or make_locator(session)
    values = _values(data, locator.locate(data.lat, data.lon))
    if fields is not None:
        columns = {c for name in fields for c in FIELD_COLUMNS[name]}
        for key in columns:
            setattr(business, key, values[key])
        business.updated_at = utcnow()
        session.flush()
        if "category" in fields:
            _set_categories(session, business.id, data)
        indexing.index_businesses(session, [business.id])
        return business
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
    """What a bulk upsert did; ``ids`` are the rows created or changed (not the unchanged)."""

    created: int
    updated: int
    ids: list[int]
    unchanged: int = 0


# Stored columns an input sets, in the order BusinessUpserter builds a new row.
_INPUT_COLUMNS = tuple(
    dict.fromkeys(c for f in BUSINESS_FIELDS if f.name != "external_id" for c in f.columns)
)
# Columns of a new row: the input's, the running totals (the baseline at first), and those
# the same for every row of a batch (_CONSTANT_COLUMNS).
_CONSTANT_COLUMNS = (
    "status",
    "source",
    "location_approximate",
    "interaction_count",
    "social",
    "created_at",
    "updated_at",
    "published_at",
)
_INSERT_COLUMNS = (
    "slug", "external_id", *_INPUT_COLUMNS, "rating_sum", "rating_count", *_CONSTANT_COLUMNS
)  # fmt: skip
# Columns the upserter hands over in driver form: constants and the JSON hours processed
# once, floats already float (the float processor would only call float() again).
_PROCESSED_COLUMNS = (
    "opening_hours_json", "lat", "lon", "base_rating_sum", "rating_sum", *_CONSTANT_COLUMNS
)  # fmt: skip
# Stored columns an import can change; a row equal on all of them is left alone.
# (opening_hours_json is derived from the canonical opening_hours text, so not compared.)
_COMPARED = tuple(c for c in _INPUT_COLUMNS if c != "opening_hours_json")
_IN_CHUNK = 900  # stays under SQLite's bound-parameter limit on old versions
# Which stored columns each input field sets (the field names of an import file).
IMPORT_FIELD_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    f.name: f.columns for f in BUSINESS_FIELDS
}
# How a changed column is reported (per-field counts of an import).
_REPORTED = {
    "primary_category_id": "category",
    "area_id": "",  # follows the location
    "base_rating_sum": "rating",
    "base_rating_count": "rating",
}


def _columns_for(present: frozenset[str] | None) -> tuple[str, ...]:
    """The compared columns an update may change, given the fields the input named."""
    if present is None:
        return _COMPARED
    wanted = {c for f in present for c in IMPORT_FIELD_COLUMNS.get(f, ())}
    return tuple(c for c in _COMPARED if c in wanted)


@dataclass(frozen=True, slots=True)
class _Stored:
    """What the upserter needs to know of an existing row."""

    id: int
    values: tuple[object, ...]  # _COMPARED, in order
    review_sum: float
    review_count: int


class BusinessUpserter:
    """Writes batches of validated businesses into the caller's transaction.

    Rows are matched on ``external_id``: a known id updates that business (keeping its
    reviews on top of the new imported baseline), an unknown or missing one creates a
    business. A row equal to what is stored is not written at all, so re-importing the same
    file is cheap and leaves ``updated_at`` alone. New rows are bound straight through the
    driver (:class:`BulkInsert`); the area locator, slug set and compiled statements are
    built once per upserter, not per batch. Never commits.
    """

    def __init__(
        self, session: Session, *, source: str, status: str = BusinessStatus.PUBLISHED
    ) -> None:
        self._session = session
        self._source = source
        self._status = status
        self._locator = make_locator(session)
        self._sqlite = session.get_bind().dialect.name == "sqlite"
        self._slugs: SlugAllocator | None = None
        table = cast(Table, Business.__table__)
        self._insert = BulkInsert(session, table, _INSERT_COLUMNS)
        self._insert_categories = BulkInsert(
            session,
            cast(Table, BusinessCategory.__table__),
            ("business_id", "category_id", "is_primary"),
        )
        self._hours_json: dict[str | None, object] = {}
        self._categories: dict[int, list[tuple[int, bool]]] = {}
        self.created = 0
        self.updated = 0
        self.unchanged = 0
        self.field_changes: Counter[str] = Counter()  # per input field, over updated rows

    def upsert(
        self, inputs: Sequence[BusinessInput], *, derived: Sequence[Derived | None] = ()
    ) -> list[int]:
        """Write one batch; returns the ids created or changed (the search index's work).

        ``derived``, when given, holds each input's slug base and folded search words,
        computed beforehand (by the import's validation workers).
        """
        ids: list[int] = []
        start = 0
        seen: set[str] = set()
        # A batch that names an external_id twice is written in parts: the later row wins.
        for i, data in enumerate(inputs):
            if data.external_id is not None:
                if data.external_id in seen:
                    ids.extend(self._write(inputs[start:i], derived[start:i]))
                    start, seen = i, set()
                seen.add(data.external_id)
        ids.extend(self._write(inputs[start:], derived[start:]))
        return ids

    def _write(
        self, inputs: Sequence[BusinessInput], derived: Sequence[Derived | None]
    ) -> list[int]:
        if not inputs:
            return []
        if len(derived) != len(inputs):
            derived = [None] * len(inputs)
        stored = self._stored([d.external_id for d in inputs if d.external_id])
        areas = self._locator.locate_many([d.lat for d in inputs], [d.lon for d in inputs])
        new: list[tuple[BusinessInput, int | None, str | None]] = []
        changed: list[tuple[_Stored, BusinessInput, dict[str, object]]] = []
        terms: dict[tuple[str, str, str], TextTerms] = {}
        for data, area_id, extra in zip(inputs, areas, derived, strict=True):
            hit = stored.get(data.external_id) if data.external_id else None
            if extra is not None:
                terms[(data.name, data.address, data.description)] = extra.terms
            if hit is None:
                new.append((data, area_id, extra.slug_base if extra else None))
                continue
            values = _values(data, area_id)
            columns = _columns_for(data.present)
            before = dict(zip(_COMPARED, hit.values, strict=True))
            differ = [k for k in columns if values[k] != before[k]]
            keep_categories = data.present is not None and "category" not in data.present
            same_categories = keep_categories or self._same_categories(hit.id, data)
            if not differ and same_categories:
                self.unchanged += 1
                continue
            for column in differ:
                reported = _REPORTED.get(column, column)
                if reported:
                    self.field_changes[reported] += 1
            if not same_categories and "primary_category_id" not in differ:
                self.field_changes["category"] += 1  # the extra categories changed
            update = {k: values[k] for k in columns}
            if "opening_hours" in update:
                update["opening_hours_json"] = values["opening_hours_json"]
            changed.append((hit, data, update))
        new_ids = self._insert_new(new)
        changed_ids = self._update(changed) if changed else []
        with indexing.precomputed_terms(self._session, terms):
            indexing.index_businesses(self._session, changed_ids)
            if self._status == BusinessStatus.PUBLISHED:
                indexing.index_new_businesses(self._session, _new_rows(new_ids, new, terms))
            else:
                indexing.index_businesses(self._session, new_ids)  # removes any stale entry
        return new_ids + changed_ids

    def _stored(self, external_ids: list[str]) -> dict[str, _Stored]:
        found: dict[str, _Stored] = {}
        if not external_ids:
            return found
        cols = [getattr(Business, k) for k in _COMPARED]
        self._categories = {}
        for start in range(0, len(external_ids), _IN_CHUNK):
            chunk = external_ids[start : start + _IN_CHUNK]
            rows = self._session.execute(
                select(
                    Business.id,
                    Business.external_id,
                    Business.rating_sum - Business.base_rating_sum,
                    Business.rating_count - Business.base_rating_count,
                    *cols,
                ).where(Business.external_id.in_(chunk))
            )
            for row in rows:
                found[row[1]] = _Stored(row[0], tuple(row[4:]), row[2], row[3])
        ids = [s.id for s in found.values()]
        for start in range(0, len(ids), _IN_CHUNK):
            for bid, cid, primary in self._session.execute(
                select(
                    BusinessCategory.business_id,
                    BusinessCategory.category_id,
                    BusinessCategory.is_primary,
                ).where(BusinessCategory.business_id.in_(ids[start : start + _IN_CHUNK]))
            ):
                self._categories.setdefault(bid, []).append((cid, primary))
        return found

    def _same_categories(self, business_id: int, data: BusinessInput) -> bool:
        wanted = _category_ids(data)
        have = self._categories.get(business_id, [])
        primary = [cid for cid, is_primary in have if is_primary]
        return primary == wanted[:1] and {cid for cid, _ in have} == set(wanted)

    def _insert_new(self, new: list[tuple[BusinessInput, int | None, str | None]]) -> list[int]:
        if not new:
            return []
        if self._slugs is None:
            self._slugs = SlugAllocator.from_session(self._session)
        now = utcnow()
        published_at = now if self._status == BusinessStatus.PUBLISHED else None
        raw: tuple[object, ...] = (self._status, self._source, False, 0, {}, now, now, published_at)
        constants = tuple(
            self._insert.process_constant(col, value)
            for col, value in zip(_CONSTANT_COLUMNS, raw, strict=True)
        )
        rows: list[tuple[object, ...]] = []
        slugs: list[str] = []
        for data, area_id, slug_base in new:
            slug = self._slugs.allocate(data.name, base=slug_base)
            slugs.append(slug)
            count = data.rating_count if data.rating is not None else 0
            rating_sum = float(data.rating) * count if data.rating is not None else 0.0
            values = _values(data, area_id)
            values["lat"], values["lon"] = float(data.lat), float(data.lon)
            values["base_rating_sum"], values["base_rating_count"] = rating_sum, count
            values["opening_hours_json"] = self._hours_json_value(data)
            stored = (values[c] for c in _INPUT_COLUMNS)
            rows.append((slug, data.external_id, *stored, rating_sum, count, *constants))
        last = self._max_id() if self._sqlite else None
        self._insert.execute(rows, processed=_PROCESSED_COLUMNS)
        ids = self._sequential_ids(last, len(rows)) or self._ids_of(slugs)
        self._insert_categories.execute(
            [
                (bid, cid, i == 0)
                for bid, (data, _, _) in zip(ids, new, strict=True)
                for i, cid in enumerate(_category_ids(data))
            ],
            processed=("is_primary",),  # a bool: what both drivers take for a boolean
        )
        self.created += len(ids)
        return ids

    def _hours_json_value(self, data: BusinessInput) -> object:
        """The driver value of ``opening_hours_json``: one per distinct hours text."""
        key = data.opening_hours
        value: object = self._hours_json.get(key)
        if value is None and data.opening_hours_json is not None:
            value = self._insert.process_constant("opening_hours_json", data.opening_hours_json)
            self._hours_json[key] = value
        return value

    def _max_id(self) -> int:
        return int(self._session.scalar(select(func.max(Business.id))) or 0)

    def _sequential_ids(self, last: int | None, count: int) -> list[int] | None:
        """On SQLite, ids of rows just inserted after ``last`` when they are last+1… (the
        rowid algorithm gives max+1 to each new row; checked, else None)."""
        if last is None or self._max_id() != last + count:
            return None
        return list(range(last + 1, last + count + 1))

    def _ids_of(self, slugs: list[str]) -> list[int]:
        by_slug: dict[str, int] = {}
        for start in range(0, len(slugs), _IN_CHUNK):
            chunk = slugs[start : start + _IN_CHUNK]
            by_slug.update(
                (slug, bid)
                for bid, slug in self._session.execute(
                    select(Business.id, Business.slug).where(Business.slug.in_(chunk))
                )
            )
        return [by_slug[s] for s in slugs]

    def _update(self, changed: list[tuple[_Stored, BusinessInput, dict[str, object]]]) -> list[int]:
        now = utcnow()
        groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
        for hit, _, values in changed:
            if "base_rating_sum" in values:
                values.update(
                    rating_sum=float(values["base_rating_sum"]) + hit.review_sum,  # type: ignore[arg-type]
                    rating_count=int(values["base_rating_count"]) + hit.review_count,  # type: ignore[call-overload]
                )
            values.update(b_id=hit.id, updated_at=now)
            groups.setdefault(tuple(values), []).append(values)
        for rows in groups.values():  # one statement per set of columns named
            _update_existing(self._session, rows)
        recategorised = [
            (h.id, d) for h, d, _ in changed if d.present is None or "category" in d.present
        ]
        _bulk_set_categories(self._session, recategorised, replace=True)
        self.updated += len(changed)
        return [h.id for h, _, _ in changed]


def _new_rows(
    ids: Sequence[int],
    new: Sequence[tuple[BusinessInput, int | None, str | None]],
    terms: Mapping[tuple[str, str, str], TextTerms],
) -> list[indexing.NewBusiness]:
    """The index's view of rows just inserted (the values ``_insert_new`` stored)."""
    rows: list[indexing.NewBusiness] = []
    for bid, (data, _, _) in zip(ids, new, strict=True):
        count = data.rating_count if data.rating is not None else 0
        rows.append(
            indexing.NewBusiness(
                business_id=bid,
                name=data.name,
                address=data.address,
                description=data.description,
                lat=float(data.lat),
                lon=float(data.lon),
                rating_sum=float(data.rating) * count if data.rating is not None else 0.0,
                rating_count=count,
                category_ids=tuple(_category_ids(data)),
                terms=terms.get((data.name, data.address, data.description)),
            )
        )
    return rows


def bulk_upsert_businesses(
    session: Session,
    inputs: Sequence[BusinessInput],
    *,
    source: str,
    status: str = BusinessStatus.PUBLISHED,
    progress: Callable[[int], None] | None = None,
) -> UpsertReport:
    """Insert or update many businesses, matching on external_id (idempotent imports)."""
    upserter = BusinessUpserter(session, source=source, status=status)
    all_ids: list[int] = []
    for start in range(0, len(inputs), BATCH):
        chunk = inputs[start : start + BATCH]
        all_ids.extend(upserter.upsert(chunk))
        if progress:
            progress(len(chunk))
    return UpsertReport(
        created=upserter.created,
        updated=upserter.updated,
        ids=all_ids,
        unchanged=upserter.unchanged,
    )


def _category_ids(data: BusinessInput) -> list[int]:
    return list(dict.fromkeys([data.category_id, *data.extra_category_ids]))


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
        for start in range(0, len(ids), _IN_CHUNK):
            session.execute(
                delete(BusinessCategory).where(
                    BusinessCategory.business_id.in_(ids[start : start + _IN_CHUNK])
                )
            )
    rows: list[dict[str, object]] = []
    for bid, data in pairs:
        rows.extend(
            {"business_id": bid, "category_id": cid, "is_primary": i == 0}
            for i, cid in enumerate(_category_ids(data))
        )
    session.execute(insert(BusinessCategory), rows)


def touch_updated(business: Business, at: datetime | None = None) -> None:
    """Mark a business as changed (for cursors and caches keyed on updated_at)."""
    business.updated_at = at or utcnow()
