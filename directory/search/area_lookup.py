"""Turning what a reader typed into an area, and an area into a point filter.

Resolution order: slug, then exact name, then alias (all compared folded: case,
accents and punctuation do not matter), then a fuzzy match on names and aliases ("pamulng",
"serpong utra", "alam sutra"). When several areas share a name, the one readers most
likely mean wins: townships, then kecamatan, cities, kelurahan, provinces; then file
order (Tangerang Selatan first). An unknown area is a 404 whose body lists the closest
names as ``suggestions``.

Filtering: an area with an imported polygon contains the points its polygon covers
(boundary included); any other area is its circle (centroid + radius).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from rapidfuzz import fuzz, process
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from directory.errors import NotFound
from directory.geo import BBox, bbox_around, distance_m
from directory.search.catalog import AreaInfo, Catalog, area_polygon
from directory.search.text_match import words

FUZZY_CUTOFF = 80.0
SUGGEST_CUTOFF = 50.0
KIND_PREFERENCE = {
    "township": 0, "neighbourhood": 1, "kecamatan": 1, "city": 2, "regency": 2,
    "kelurahan": 3, "desa": 3, "province": 4,
}  # fmt: skip


def _key(text: str) -> str:
    return " ".join(words(text))


def _preference(area: AreaInfo) -> tuple[int, int]:
    return KIND_PREFERENCE.get(area.kind, 5), area.id


def _names(catalog: Catalog) -> list[tuple[str, AreaInfo]]:
    out: list[tuple[str, AreaInfo]] = []
    for area in catalog.areas.values():
        for text in (area.name, *area.aliases, area.slug.replace("-", " ")):
            key = _key(text)
            if key:
                out.append((key, area))
    return out


def find_area(catalog: Catalog, text: str) -> AreaInfo | None:
    """The area meant by ``text`` (slug, name, alias or a near miss), or None."""
    raw = text.strip()
    if not raw:
        return None
    for area in catalog.areas.values():
        if area.slug == raw.lower():
            return area
    key = _key(raw)
    if not key:
        return None
    names = _names(catalog)
    exact = [a for k, a in names if k == key and _key(a.name) == key]
    exact = exact or [a for k, a in names if k == key]
    if exact:
        return min(exact, key=_preference)
    hits = process.extract(
        key,
        [k for k, _ in names],
        scorer=fuzz.ratio,
        processor=None,
        score_cutoff=FUZZY_CUTOFF,
        limit=None,
    )
    if not hits:
        return None
    best = max(score for _, score, _ in hits)
    return min((names[i][1] for _, score, i in hits if score == best), key=_preference)


def suggest_areas(catalog: Catalog, text: str, *, limit: int = 5) -> list[AreaInfo]:
    """The areas whose names come closest to ``text``, best first."""
    key = _key(text) or text.strip().lower()
    names = _names(catalog)
    hits = process.extract(
        key,
        [k for k, _ in names],
        scorer=fuzz.WRatio,
        processor=None,
        score_cutoff=SUGGEST_CUTOFF,
        limit=limit * 4,
    )
    out: list[AreaInfo] = []
    for _, _, index in hits:
        area = names[index][1]
        if area not in out:
            out.append(area)
    return out[:limit]


def resolve_area(catalog: Catalog, text: str) -> AreaInfo:
    """``find_area`` or a 404 carrying ``suggestions`` (slug, name, kind of each)."""
    area = find_area(catalog, text)
    if area is not None:
        return area
    suggestions = suggest_areas(catalog, text)
    raise NotFound(
        detail=f"unknown area '{text.strip()}'",
        extra={
            "suggestions": [{"slug": a.slug, "name": a.name, "kind": a.kind} for a in suggestions]
        },
    )


@dataclass(frozen=True, slots=True)
class AreaFilter:
    """Containment test of one area, for single points or whole batches."""

    area: AreaInfo
    geometry: BaseGeometry | None
    box: BBox

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the area holds the point (polygon covers it, or inside the circle)."""
        if not self.box.contains(lat, lon):
            return False
        if self.geometry is not None:
            return bool(shapely.intersects_xy(self.geometry, lon, lat))
        if self.area.radius_m is None:
            return True
        return distance_m(lat, lon, self.area.lat, self.area.lon) <= self.area.radius_m

    def contains_many(self, lats: Sequence[float], lons: Sequence[float]) -> list[bool]:
        """``contains`` for a batch (vectorised for polygons)."""
        if self.geometry is None or not lats:
            return [self.contains(a, b) for a, b in zip(lats, lons, strict=True)]
        inside = shapely.intersects_xy(
            self.geometry, np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
        )
        return [bool(v) for v in inside]

    def max_distance_from(self, lat: float, lon: float) -> float:
        """An upper bound of the distance from a point to anything in the area."""
        if self.geometry is None and self.area.radius_m is not None:
            return distance_m(lat, lon, self.area.lat, self.area.lon) + self.area.radius_m + 1.0
        b = self.box
        corners = ((b.min_lat, b.min_lon), (b.min_lat, b.max_lon), (b.max_lat, b.min_lon),
                   (b.max_lat, b.max_lon))  # fmt: skip
        centre = distance_m(lat, lon, (b.min_lat + b.max_lat) / 2, (b.min_lon + b.max_lon) / 2)
        half_diagonal = max(
            distance_m((b.min_lat + b.max_lat) / 2, (b.min_lon + b.max_lon) / 2, a, o)
            for a, o in corners
        )
        return centre + half_diagonal + 1.0


def area_filter(session: Session, area: AreaInfo) -> AreaFilter:
    """Build the containment test of an area (loads its polygon if it has one)."""
    geometry: BaseGeometry | None = None
    if area.has_polygon:
        polygon = area_polygon(session, area.id)
        if polygon is not None:
            geometry = shape(polygon)
            shapely.prepare(geometry)
    if geometry is not None:
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in geometry.bounds)
        box = BBox(min_lon=min_lon, min_lat=min_lat, max_lon=max_lon, max_lat=max_lat)
    elif area.radius_m is not None:
        box = bbox_around(area.lat, area.lon, area.radius_m)
    else:
        box = BBox(*area.bbox)
    return AreaFilter(area=area, geometry=geometry, box=box)
