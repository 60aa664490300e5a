"""Importing area boundaries from GeoJSON (``dekat import areas FILE.geojson``).

Each Polygon or MultiPolygon feature becomes an area, matched by slug: the ``slug``
property when given, else ``slugify(name)``. Properties: ``name`` and ``kind`` (required;
kind is one of the gazetteer kinds), ``parent`` (optional: the slug or name of an area
already stored or in the same file), ``aliases`` (a list, or text separated by commas)
and ``code``. A matched area keeps its id, so businesses and links keep pointing at it;
its circle is kept as well but a polygon, once present, is what locates points.

After the areas are written every business's area is recomputed (a point belongs to the
smallest polygon containing it, else to the most specific circle), in the same
transaction. Bad features are reported like bad business rows: the file is refused unless
``skip_bad`` is set.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import shapely
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.areas.service import geometry_area_m2, reassign_business_areas
from directory.errors import FieldError
from directory.geo import distance_m
from directory.io.encoding import Utf8Text, has_bad_bytes
from directory.io.errors import FormatError, RowError
from directory.io.formats import FileFormat, Progress, format_for
from directory.io.geojson_stream import iter_features
from directory.models import Area
from directory.shipped_data import AREA_KINDS
from directory.slugs import is_slug, slugify
from directory.textnorm import TextInputError, clean_user_text

NAME_MAX_LEN: Final = 160
SLUG_MAX_LEN: Final = 120
CODE_MAX_LEN: Final = 32
ALIAS_MAX_LEN: Final = 80
MAX_PARENT_DEPTH: Final = 20


@dataclass(frozen=True, slots=True)
class AreaInput:
    """A validated area feature."""

    line: int
    number: int
    slug: str
    name: str
    kind: str
    parent: str | None
    aliases: tuple[str, ...] | None
    code: str | None
    geometry: dict[str, Any]
    lat: float
    lon: float
    radius_m: float
    bbox: tuple[float, float, float, float]
    area_m2: float


@dataclass
class AreaImportReport:
    """What an area import did. ``written`` is False when the file was refused."""

    features: int = 0
    bad_features: int = 0
    created: int = 0
    updated: int = 0
    businesses_reassigned: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False


def _text(props: dict[str, Any], key: str) -> str:
    value = props.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("must be text")
    return str(value).strip()


def _aliases(value: Any, errors: list[FieldError]) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(a, str) for a in items):
        errors.append(FieldError("aliases", "must be a list of names or comma-separated text"))
        return None
    out: list[str] = []
    for alias in items:
        try:
            cleaned = clean_user_text(alias, max_len=ALIAS_MAX_LEN, field="aliases")
        except TextInputError as exc:
            errors.append(FieldError("aliases", str(exc)))
            return None
        if cleaned and cleaned not in out:
            out.append(cleaned)
    return tuple(out)


def _geometry(raw: Any, errors: list[FieldError]) -> BaseGeometry | None:
    kind = raw.get("type") if isinstance(raw, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        shown = kind if isinstance(kind, str) else type(raw).__name__
        errors.append(FieldError("geometry", f"must be a Polygon or MultiPolygon, not {shown}"))
        return None
    try:
        geom = shape(raw)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, ShapelyError):
        errors.append(FieldError("geometry", f"coordinates do not form a {kind}"))
        return None
    min_lon, min_lat, max_lon, max_lat = geom.bounds if not geom.is_empty else (math.nan,) * 4
    if not all(math.isfinite(v) for v in (min_lon, min_lat, max_lon, max_lat)):
        errors.append(FieldError("geometry", "has no finite coordinates"))
        return None
    if min_lon < -180 or max_lon > 180 or min_lat < -90 or max_lat > 90:
        errors.append(FieldError("geometry", "coordinates must be [lon, lat] within range"))
        return None
    if not geom.is_valid:
        errors.append(FieldError("geometry", f"is not a valid polygon: {explain_validity(geom)}"))
        return None
    if geom.area <= 0:
        errors.append(FieldError("geometry", "has no area"))
        return None
    return geom


def validate_area_feature(feature: Any, *, line: int, number: int) -> AreaInput:
    """Check one feature; raises _BadFeature listing every bad field."""
    errors: list[FieldError] = []
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise _BadFeature([FieldError("feature", "is not a GeoJSON Feature object")])
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        raise _BadFeature([FieldError("properties", "must be a JSON object")])
    texts: dict[str, str] = {}
    for key in ("name", "kind", "slug", "parent", "code"):
        try:
            texts[key] = _text(props, key)
        except ValueError as exc:
            errors.append(FieldError(key, str(exc)))
            texts[key] = ""
        if has_bad_bytes(texts[key]):
            errors.append(FieldError(key, "is not valid UTF-8"))
    name = ""
    try:
        name = clean_user_text(texts["name"], max_len=NAME_MAX_LEN, field="name")
    except TextInputError as exc:
        errors.append(FieldError("name", str(exc)))
    if not name and not any(e.field == "name" for e in errors):
        errors.append(FieldError("name", "is required"))
    kind = texts["kind"].lower()
    if kind not in AREA_KINDS:
        errors.append(FieldError("kind", f"must be one of {', '.join(AREA_KINDS)}"))
    slug = texts["slug"] or (slugify(name, max_len=SLUG_MAX_LEN) if name else "")
    if texts["slug"] and (not is_slug(slug) or len(slug) > SLUG_MAX_LEN):
        errors.append(FieldError("slug", "must be lowercase words joined by '-' (a-z, 0-9)"))
    if len(texts["code"]) > CODE_MAX_LEN:
        errors.append(FieldError("code", f"must be at most {CODE_MAX_LEN} characters"))
    aliases = _aliases(props.get("aliases"), errors)
    raw_geometry = feature.get("geometry")
    geom = _geometry(raw_geometry, errors)
    if errors or geom is None or not isinstance(raw_geometry, dict):
        raise _BadFeature(errors)
    centre = geom.centroid
    if not geom.covers(centre):  # a crescent's centroid lies outside it
        centre = geom.representative_point()
    lat, lon = centre.y, centre.x
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    radius_m = max(distance_m(lat, lon, y, x) for x, y in shapely.get_coordinates(geom).tolist())
    return AreaInput(
        line=line,
        number=number,
        slug=slug,
        name=name,
        kind=kind,
        parent=texts["parent"] or None,
        aliases=aliases,
        code=texts["code"] or None,
        geometry={"type": raw_geometry["type"], "coordinates": raw_geometry["coordinates"]},
        lat=lat,
        lon=lon,
        radius_m=radius_m,
        bbox=(min_lon, min_lat, max_lon, max_lat),
        area_m2=geometry_area_m2(geom),
    )


class _BadFeature(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("bad feature")
        self.errors = errors


class _Parents:
    """Resolves ``parent`` (slug or name) against stored areas and the file's own."""

    def __init__(self, stored: Iterable[Area], inputs: list[AreaInput]) -> None:
        self.parent_of: dict[str, str | None] = {}
        ids = {a.id: a.slug for a in stored}
        self._by_name: dict[str, set[str]] = {}
        for area in stored:
            self.parent_of[area.slug] = ids.get(area.parent_id) if area.parent_id else None
            self._by_name.setdefault(area.name.casefold(), set()).add(area.slug)
        for item in inputs:
            self._by_name.setdefault(item.name.casefold(), set()).add(item.slug)
            self.parent_of.setdefault(item.slug, None)

    def resolve(self, text: str) -> str:
        """The slug ``text`` names; ValueError when unknown or ambiguous."""
        if text in self.parent_of:
            return text
        slugs = self._by_name.get(text.casefold(), set())
        if len(slugs) == 1:
            return next(iter(slugs))
        if slugs:
            raise ValueError(f"'{text[:60]}' names several areas; give its slug")
        raise ValueError(f"unknown area '{text[:60]}'")

    def creates_cycle(self, slug: str) -> bool:
        seen = {slug}
        current = self.parent_of.get(slug)
        for _ in range(MAX_PARENT_DEPTH):
            if current is None:
                return False
            if current in seen:
                return True
            seen.add(current)
            current = self.parent_of.get(current)
        return True


def _read_features(
    path: Path, report: AreaImportReport, progress: Progress | None
) -> list[AreaInput]:
    if format_for(path) is not FileFormat.GEOJSON:
        raise FormatError(f"{path.name}: areas are imported from GeoJSON (.geojson or .json)")
    try:
        text = Utf8Text(path, newline="\n")
    except OSError as exc:
        raise FormatError(f"cannot read {path}: {exc.strerror or exc}") from None
    inputs: list[AreaInput] = []
    seen: dict[str, int] = {}
    try:
        for raw in iter_features(text.text):
            report.features += 1
            if progress:
                progress(1)
            try:
                item = validate_area_feature(raw.data, line=raw.line, number=raw.number)
            except _BadFeature as bad:
                _record(report, raw.line, raw.number, bad.errors)
                continue
            if item.slug in seen:
                message = f"'{item.slug}' repeats the feature on line {seen[item.slug]}"
                _record(report, raw.line, raw.number, [FieldError("slug", message)])
                continue
            seen[item.slug] = item.line
            inputs.append(item)
    finally:
        text.close()
    return inputs


def _record(report: AreaImportReport, line: int, number: int, errors: list[FieldError]) -> None:
    report.bad_features += 1
    report.errors.extend(RowError(line, e.field, e.message, feature=number) for e in errors)


def import_areas(
    session: Session,
    path: Path,
    *,
    skip_bad: bool = False,
    progress: Progress | None = None,
) -> AreaImportReport:
    """Upsert the areas of a GeoJSON file, then re-assign every business; one transaction."""
    report = AreaImportReport()
    inputs = _read_features(path, report, progress)
    stored = list(session.scalars(select(Area)))
    parents = _Parents(stored, inputs)
    good: list[tuple[AreaInput, str | None]] = []
    for item in inputs:
        parent: str | None = None
        if item.parent is not None:
            try:
                parent = parents.resolve(item.parent)
            except ValueError as exc:
                _record(report, item.line, item.number, [FieldError("parent", str(exc))])
                continue
            parents.parent_of[item.slug] = parent
        good.append((item, parent))
    cyclic = {item.slug for item, parent in good if parent and parents.creates_cycle(item.slug)}
    for item, _ in good:
        if item.slug in cyclic:
            _record(report, item.line, item.number, [FieldError("parent", "makes a cycle")])
    good = [(item, parent) for item, parent in good if item.slug not in cyclic]
    report.errors.sort(key=lambda e: (e.line, e.feature or 0))
    if report.bad_features and not skip_bad:
        session.rollback()
        return report
    try:
        _write(session, stored, good, report)
        report.businesses_reassigned = reassign_business_areas(session)
    except BaseException:
        session.rollback()
        raise
    session.commit()
    report.written = True
    return report


def _write(
    session: Session,
    stored: list[Area],
    good: list[tuple[AreaInput, str | None]],
    report: AreaImportReport,
) -> None:
    by_slug = {a.slug: a for a in stored}
    for item, _ in good:
        row = by_slug.get(item.slug)
        if row is None:
            row = Area(slug=item.slug, aliases=[], source="import", radius_m=item.radius_m)
            session.add(row)
            by_slug[item.slug] = row
            report.created += 1
        else:
            report.updated += 1
        row.name = item.name
        row.kind = item.kind
        row.polygon = item.geometry
        row.lat, row.lon = item.lat, item.lon
        row.min_lon, row.min_lat, row.max_lon, row.max_lat = item.bbox
        row.area_m2 = item.area_m2
        if row.radius_m is None:
            row.radius_m = item.radius_m
        if item.aliases is not None:
            row.aliases = list(item.aliases)
        if item.code is not None:
            row.code = item.code
    session.flush()
    for item, parent in good:
        if parent is not None:
            by_slug[item.slug].parent_id = by_slug[parent].id
    session.flush()
