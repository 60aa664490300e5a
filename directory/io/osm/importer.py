"""``dekat import osm FILE``: OpenStreetMap points of interest as listings.

One transaction, like every import. For each node or way with a name and a POI tag
(``data/osm_tags.toml``):

- its external id is ``osm:node/123`` / ``osm:way/45``, kept in ``business.osm_id``;
- a listing already imported from it is updated, but only in the fields nobody changed
  since: a field whose stored value is still what OpenStreetMap gave last time
  (``business.osm_values``), or empty, takes the new value; an owner's or editor's value is
  kept;
- else a listing that the duplicate matcher (``directory/businesses/matching.py``, score ≥
  ``MATCH_THRESHOLD``) finds to be the same place is *matched*: only its empty fields are
  filled (and a "lainnya" category replaced), it remembers the OSM id, its source stays;
- else a listing is created with source ``osm``.

Importing the same file twice changes nothing the second time. Bad optional values (an
unparsable phone or opening_hours) are dropped with a warning; objects without a name, a
POI tag or a position are skipped and counted by reason.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.areas.category_infer import CategoryInferrer
from directory.areas.category_lookup import CategoryLookup
from directory.areas.osm_tags import TagMapping, cuisines, load_mapping
from directory.areas.service import make_locator
from directory.businesses.input import BusinessInput, parse_business_fields
from directory.businesses.matches import area_words, find_candidates
from directory.businesses.matching import MATCH_THRESHOLD, MatchQuery, rank_matches
from directory.businesses.writes import _set_categories, create_business
from directory.errors import InvalidInput
from directory.io.formats import Progress
from directory.io.osm.readers import OsmObject, read_osm
from directory.models import Business, utcnow
from directory.search import indexing

SOURCE: Final = "osm"
# Fields OpenStreetMap provides, as (input field, stored column).
_FIELDS: Final = (
    ("name", "name"),
    ("address", "address"),
    ("phone", "phone"),
    ("website", "website"),
    ("opening_hours", "opening_hours"),
    ("lat", "lat"),
    ("lon", "lon"),
)
_OPTIONAL: Final = frozenset({"address", "phone", "website", "opening_hours", "description"})
MAX_WARNINGS: Final = 1000
INDEX_BATCH: Final = 1000


@dataclass
class OsmImportReport:
    """What ``dekat import osm`` did (or, with ``dry_run``, would do)."""

    objects: int = 0  # tagged nodes and ways read
    imported: int = 0  # new listings
    updated: int = 0  # listings from an earlier import of the same objects, changed
    unchanged: int = 0
    matched: int = 0  # existing listings found to be the same place (empty fields filled)
    skipped: Counter[str] = field(default_factory=Counter)  # reason → objects
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    written: bool = False
    dry_run: bool = False
    seconds: float = 0.0


def _name(tags: Mapping[str, str]) -> str:
    for key in ("name", "name:id", "name:en", "brand"):
        if tags.get(key, "").strip():
            return tags[key].strip()
    return ""


def _first(tags: Mapping[str, str], *keys: str) -> str:
    for key in keys:
        if tags.get(key, "").strip():
            return tags[key].strip()
    return ""


def _address(tags: Mapping[str, str]) -> str:
    """``addr:*`` as an Indonesian address line: street and number, then the places."""
    if tags.get("addr:full", "").strip():
        return tags["addr:full"].strip()
    street = _first(tags, "addr:street", "addr:place")
    number = tags.get("addr:housenumber", "").strip()
    head = f"{street} No. {number}" if street and number else street or number
    parts = [head, *(
        tags.get(k, "").strip()
        for k in ("addr:subdistrict", "addr:suburb", "addr:district", "addr:city")
    )]  # fmt: skip
    text = ", ".join(dict.fromkeys(p for p in parts if p))
    postcode = tags.get("addr:postcode", "").strip()
    return f"{text} {postcode}".strip() if postcode else text


def _phone(tags: Mapping[str, str]) -> str:
    return _first(tags, "phone", "contact:phone", "contact:mobile", "mobile", "contact:whatsapp")


class _OsmImporter:
    def __init__(self, session: Session, mapping: TagMapping, dry_run: bool) -> None:
        self.session = session
        self.mapping = mapping
        self.report = OsmImportReport(dry_run=dry_run)
        self.lookup = CategoryLookup(session)
        self.fallback_id = self.lookup.default_id(None)
        self.inferrer = CategoryInferrer.from_session(session)
        self.locator = make_locator(session)
        self.area_words = area_words(session)
        self.to_index: list[int] = []  # written listings, indexed in batches
        self.by_ref: dict[str, int] = {
            str(ref): bid
            for ref, bid in session.execute(
                select(Business.osm_id, Business.id).where(Business.osm_id.is_not(None))
            ).tuples()
        }

    def index(self) -> None:
        """Search index entries for the listings written since the last call."""
        self.session.flush()
        for start in range(0, len(self.to_index), INDEX_BATCH):
            indexing.index_businesses(self.session, self.to_index[start : start + INDEX_BATCH])
        self.to_index = []

    def warn(self, ref: str, message: str) -> None:
        self.report.warning_count += 1
        if len(self.report.warnings) < MAX_WARNINGS:
            self.report.warnings.append(f"{ref}: {message}")

    def infer(self, name: str, description: str, tags: Mapping[str, str]) -> int | None:
        return self.inferrer.infer(name, description) or self.inferrer.infer(
            " ".join(c.replace("_", " ") for c in cuisines(tags))
        )

    def take(self, obj: OsmObject) -> None:
        self.report.objects += 1
        name = _name(obj.tags)
        if not name:
            self.report.skipped["no name"] += 1
            return
        if self.mapping.poi_tag(obj.tags) is None:
            self.report.skipped["no POI tag (amenity, shop, craft, office, …)"] += 1
            return
        if obj.kind == "relation":
            self.report.skipped["relation (multipolygons are not imported)"] += 1
            return
        if obj.lat is None or obj.lon is None:
            self.report.skipped["no position (way without its nodes)"] += 1
            return
        data = self.validate(obj, name)
        if data is None:
            return
        bid = self.by_ref.get(obj.ref)
        if bid is not None:
            self.update(obj, bid, data)
            return
        match = self.match(data)
        if match is None:
            self.create(obj, data)
        elif match.osm_id is not None:
            # Another OSM object for the same place (a shop node inside its building way)
            self.report.skipped["same place as another OSM object (duplicate)"] += 1
        else:
            self.fill(obj, match, data)

    def validate(self, obj: OsmObject, name: str) -> BusinessInput | None:
        tags = obj.tags
        slug = self.mapping.category(tags)
        raw: dict[str, object] = {
            "name": name,
            "lat": repr(obj.lat),
            "lon": repr(obj.lon),
            "category": slug or "",
            "address": _address(tags),
            "phone": _phone(tags),
            "website": _first(tags, "website", "contact:website", "url"),
            "opening_hours": tags.get("opening_hours", ""),
        }
        for _ in range(2):
            try:
                data = parse_business_fields(
                    raw,
                    resolve_category=self.lookup.resolve,
                    default_category_id=self.fallback_id,
                    infer_category=lambda n, d: self.infer(n, d, tags),
                )
            except InvalidInput as exc:
                optional = [e for e in exc.errors if e.field in _OPTIONAL]
                if len(optional) < len(exc.errors) or not optional:
                    first = next(e for e in exc.errors if e.field not in _OPTIONAL)
                    self.report.skipped[f"invalid {first.field}"] += 1
                    return None
                for error in optional:
                    self.warn(obj.ref, f"{error.field}: {error.message}; left out")
                    raw[error.field] = ""
                continue
            for warning in data.warnings:
                self.warn(obj.ref, f"{warning.field}: {warning.message}")
            return data
        return None

    def values(self, data: BusinessInput) -> dict[str, Any]:
        return {f: getattr(data, f) for f, _ in _FIELDS} | {"category_id": data.category_id}

    def match(self, data: BusinessInput) -> Business | None:
        query = MatchQuery(
            name=data.name, lat=data.lat, lon=data.lon, phone=data.phone, address=data.address
        )
        candidates = find_candidates(self.session, query)
        if not candidates:
            return None
        ranked = rank_matches(
            query, candidates, threshold=MATCH_THRESHOLD, limit=5, area_words=self.area_words
        )
        found = [self.session.get(Business, r.business_id) for r in ranked]
        listings = [b for b in found if b is not None]
        # A listing of our own (not yet tied to OSM) first; else an OSM one, a duplicate.
        return next((b for b in listings if b.osm_id is None), listings[0] if listings else None)

    def create(self, obj: OsmObject, data: BusinessInput) -> None:
        business = create_business(
            self.session, data, source=SOURCE, locator=self.locator, index=False
        )
        self.to_index.append(business.id)
        business.osm_id = obj.ref
        business.osm_values = self.values(data)
        self.by_ref[obj.ref] = business.id
        self.report.imported += 1

    def _apply(self, business: Business, data: BusinessInput, columns: list[str]) -> None:
        for column in columns:
            setattr(business, column, getattr(data, column))
            if column == "opening_hours":
                business.opening_hours_json = data.opening_hours_json
        if "lat" in columns or "lon" in columns:
            business.area_id = self.locator.locate(business.lat, business.lon)

    def fill(self, obj: OsmObject, business: Business, data: BusinessInput) -> None:
        """A listing someone else made: fill only what it lacks."""
        empty = [c for f, c in _FIELDS if f not in ("name", "lat", "lon")
                 and not getattr(business, c) and getattr(data, c)]  # fmt: skip
        self._apply(business, data, empty)
        recategorise = (
            business.primary_category_id == self.fallback_id
            and data.category_id != self.fallback_id
        )
        if recategorise:
            business.primary_category_id = data.category_id
            self.session.flush()
            _set_categories(self.session, business.id, replace(data, extra_category_ids=()))
        business.osm_id = obj.ref
        business.osm_values = self.values(data)
        if empty or recategorise:
            business.updated_at = utcnow()
            self.to_index.append(business.id)
        self.by_ref[obj.ref] = business.id
        self.report.matched += 1

    def update(self, obj: OsmObject, bid: int, data: BusinessInput) -> None:
        """Our own earlier import: take new values where nobody changed the old ones."""
        business = self.session.get(Business, bid)
        assert business is not None
        last: dict[str, Any] = dict(business.osm_values or {})
        columns = []
        for f, column in _FIELDS:
            current, new = getattr(business, column), getattr(data, column)
            if current == new:
                continue
            if current in (None, "") or current == last.get(f):
                columns.append(column)
        recategorise = data.category_id != business.primary_category_id and (
            business.primary_category_id in (last.get("category_id"), self.fallback_id)
        )
        self._apply(business, data, columns)
        if recategorise:
            business.primary_category_id = data.category_id
            self.session.flush()
            _set_categories(self.session, business.id, replace(data, extra_category_ids=()))
        business.osm_values = self.values(data)
        if columns or recategorise:
            business.updated_at = utcnow()
            self.to_index.append(business.id)
            self.report.updated += 1
        else:
            self.report.unchanged += 1


def import_osm(
    session: Session,
    path: Path,
    *,
    dry_run: bool = False,
    mapping: TagMapping | None = None,
    progress: Progress | None = None,
) -> OsmImportReport:
    """Import the POIs of an OpenStreetMap file in one transaction (see module docs)."""
    started = time.perf_counter()
    run = _OsmImporter(session, mapping or load_mapping(), dry_run)
    if progress:
        progress(0, None)
    try:
        for n, obj in enumerate(read_osm(path), 1):
            run.take(obj)
            if len(run.to_index) >= INDEX_BATCH:
                run.index()
            if progress and n % 1000 == 0:
                progress(1000)
        run.index()
    except BaseException:
        session.rollback()
        raise
    if dry_run:
        session.rollback()
    else:
        session.commit()
        run.report.written = True
    run.report.seconds = time.perf_counter() - started
    return run.report
