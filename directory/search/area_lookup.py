"""Turning what a reader typed into an area, and an area into a point filter.

Resolution (:func:`match_area`), all names compared folded (case, accents, punctuation
and "Pd." for "Pondok" do not matter):

1. **exact**: the slug, or an area's name (``how="exact"``), or one of its aliases
   (``how="alias"``). A leading "kecamatan", "kelurahan", "kota", "kabupaten" or "desa"
   narrows the kinds considered ("kelurahan serpong" is the kelurahan, not the kecamatan).
   When several areas carry the name, the most prominent wins: an area inside a *kota*
   (city) before one inside a *kabupaten* (regency), then townships and neighbourhoods,
   kecamatan, cities, kelurahan, provinces; then file order. "Kemang" is the neighbourhood
   in Jakarta Selatan, not the kecamatan of Kabupaten Bogor.
2. **corrected**: a near miss of one name, used only when it is clearly the best and
   close enough. Typos allowed over the whole phrase: none under 5 letters, one from 5,
   two from 9; per word: one from 4 letters (from 3 beside a word typed exactly, as in
   "alm sutera"), two from 9. A query word that
   is itself a word of some area name is never changed ("kebayoran" is a word of
   "Kebayoran Baru", so it is not a typo of "Kemayoran"; "indah" is not a typo of
   "benda"). When two different names are equally close, nothing is chosen.
3. Otherwise None; :func:`resolve_area` raises a 404 whose ``suggestions`` list the areas
   that contain the typed words first ("kebayoran" → Kebayoran Baru, Kebayoran Lama),
   then the closest spellings.

Filtering: an area with a polygon contains the points its polygon covers (boundary
included); any other area is its circle (centroid + radius).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import shapely
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from directory.errors import NotFound
from directory.geo import BBox, bbox_around, distance_m
from directory.search.catalog import AreaInfo, Catalog, area_polygon
from directory.search.text_match import words

SUGGEST_CUTOFF = 50.0
KIND_PREFERENCE = {
    "township": 0, "neighbourhood": 0, "kecamatan": 1, "city": 2, "regency": 2,
    "kelurahan": 3, "desa": 3, "province": 4,
}  # fmt: skip
# Words that say which kind of area follows ("kecamatan serpong").
KIND_WORDS = {
    "kecamatan": ("kecamatan",), "kelurahan": ("kelurahan", "desa"), "desa": ("desa", "kelurahan"),
    "kota": ("city",), "kabupaten": ("regency",), "provinsi": ("province",),
}  # fmt: skip
# Abbreviations common in Indonesian place names only (not in general text).
AREA_ABBREVIATIONS = {"pd": "pondok", "kby": "kebayoran", "jkt": "jakarta", "tng": "tangerang"}
How = Literal["exact", "alias", "corrected"]


@dataclass(frozen=True, slots=True)
class AreaMatch:
    """An area a text resolved to, how (``exact``, ``alias`` or ``corrected``) and how
    sure (1.0 for exact and alias; less for a corrected spelling)."""

    area: AreaInfo
    how: How
    score: float

    def as_dict(self) -> dict[str, str]:
        """The ``area_match`` object of search answers."""
        return {"slug": self.area.slug, "name": self.area.name, "how": self.how}


def _key(text: str) -> str:
    return " ".join(AREA_ABBREVIATIONS.get(w, w) for w in words(text))


def typo_budget(letters: int) -> int:
    """Typos tolerated over a whole area name of this many letters (spaces excluded)."""
    if letters < 5:
        return 0
    return 1 if letters < 9 else 2


def _word_budget(letters: int, *, anchored: bool) -> int:
    """Typos tolerated in one word; a 3-letter word only beside a word typed exactly."""
    if letters < 3 or (letters == 3 and not anchored):
        return 0
    return 1 if letters < 9 else 2


@dataclass(frozen=True, slots=True)
class _Entry:
    key: str  # folded name
    flat: str  # the key without spaces
    area: AreaInfo
    how: How


class _Index:
    """Every folded name, alias and slug of a catalog, plus the words they use."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.entries: list[_Entry] = []
        self.by_key: dict[str, list[_Entry]] = {}
        self.vocabulary: set[str] = set()
        self.rank: dict[int, tuple[int, int, int]] = {}
        for area in catalog.areas.values():
            self.rank[area.id] = (_in_regency(catalog, area), *_preference(area))
            seen: set[str] = set()
            names: list[tuple[str, How]] = [(area.name, "exact"), (area.slug, "exact")]
            names += [(alias, "alias") for alias in area.aliases]
            for text, how in names:
                key = _key(text)
                if not key or key in seen:
                    continue
                seen.add(key)
                entry = _Entry(key, key.replace(" ", ""), area, how)
                self.entries.append(entry)
                self.by_key.setdefault(key, []).append(entry)
                self.vocabulary.update(key.split())
        self.flats = [e.flat for e in self.entries]

    def best(self, entries: Sequence[_Entry]) -> _Entry:
        """The most prominent area among entries (exact names before aliases on a tie)."""
        return min(entries, key=lambda e: (self.rank[e.area.id], e.how != "exact"))


_index_lock = threading.Lock()
_indexes: dict[int, _Index] = {}


def _index(catalog: Catalog) -> _Index:
    with _index_lock:
        found = _indexes.get(id(catalog))
        if found is not None and found.catalog is catalog:
            return found
    built = _Index(catalog)
    with _index_lock:
        if len(_indexes) > 8:
            _indexes.clear()
        _indexes[id(catalog)] = built
    return built


def _preference(area: AreaInfo) -> tuple[int, int]:
    return KIND_PREFERENCE.get(area.kind, 5), area.id


def _in_regency(catalog: Catalog, area: AreaInfo) -> int:
    """1 when the area lies in a kabupaten (regency): readers of a city guide mean the
    urban place of that name first."""
    node: AreaInfo | None = area
    for _ in range(12):
        if node is None:
            return 0
        if node.kind == "regency":
            return 1
        node = catalog.areas.get(node.parent_id) if node.parent_id is not None else None
    return 0


def _split_kind(key: str) -> tuple[str, tuple[str, ...] | None]:
    first, _, rest = key.partition(" ")
    if rest and first in KIND_WORDS:
        return rest, KIND_WORDS[first]
    return key, None


def match_area(catalog: Catalog, text: str) -> AreaMatch | None:
    """The area ``text`` names, with how it matched, or None when no area is clearly meant.

    The query understanding calls this for area phrases inside ``q``; ``find_area`` and
    ``resolve_area`` are built on it, so the API parameter and the words agree.
    """
    raw = text.strip()
    if not raw or len(raw) > 200:
        return None
    index = _index(catalog)
    lowered = raw.lower()
    for area in catalog.areas.values():
        if area.slug == lowered:
            return AreaMatch(area, "exact", 1.0)
    key = _key(raw)
    if not key:
        return None
    found = _exact(index, key)
    if found is None:
        rest, kinds = _split_kind(key)
        if kinds is not None:
            found = _exact(index, rest, kinds) or _exact(index, key)
            key = rest if found is None else key
    if found is not None:
        return found
    return _corrected(index, key)


def _exact(index: _Index, key: str, kinds: tuple[str, ...] | None = None) -> AreaMatch | None:
    entries = [e for e in index.by_key.get(key, ()) if kinds is None or e.area.kind in kinds]
    if not entries:
        return None
    best = index.best(entries)
    return AreaMatch(best.area, best.how, 1.0)


def _corrected(index: _Index, key: str) -> AreaMatch | None:
    flat = key.replace(" ", "")
    budget = typo_budget(len(flat))
    query_words = key.split()
    if budget == 0 and not any(e.flat == flat for e in index.entries):
        return None
    hits = process.extract(
        flat, index.flats, scorer=Levenshtein.distance, processor=None,
        score_cutoff=budget, limit=None,
    )  # fmt: skip
    allowed: list[tuple[int, _Entry]] = []
    for _, dist, i in hits:
        entry = index.entries[i]
        if _acceptable(query_words, entry.key.split(), index.vocabulary, flat == entry.flat):
            allowed.append((int(dist), entry))
    if not allowed:
        return None
    best_dist = min(d for d, _ in allowed)
    closest = [e for d, e in allowed if d == best_dist]
    if len({e.key for e in closest}) > 1:
        return None  # two different names are equally close: not clearly one place
    best = index.best(closest)
    score = 1.0 - best_dist / max(len(flat), len(best.flat), 1)
    return AreaMatch(best.area, "corrected", round(score, 3))


def _acceptable(
    query: list[str], name: list[str], vocabulary: set[str], same_letters: bool
) -> bool:
    """Whether a near miss may stand for ``name``: same letters with other spacing
    ("pondokaren"), or word by word within each word's budget, known words unchanged."""
    if same_letters:
        return True
    if len(query) != len(name):
        return False
    anchored = any(q == n for q, n in zip(query, name, strict=True))
    for q, n in zip(query, name, strict=True):
        if q == n:
            continue
        if q in vocabulary or q.isdigit() or n.isdigit():
            return False
        if Levenshtein.distance(q, n) > _word_budget(len(q), anchored=anchored):
            return False
    return True


def find_area(catalog: Catalog, text: str) -> AreaInfo | None:
    """The area meant by ``text`` (slug, name, alias or a clear near miss), or None."""
    found = match_area(catalog, text)
    return found.area if found is not None else None


def suggest_areas(catalog: Catalog, text: str, *, limit: int = 5) -> list[AreaInfo]:
    """Areas the reader may have meant, best first: the names holding every typed word
    (shortest and most prominent first), or else the closest spellings."""
    index = _index(catalog)
    key = _key(text) or text.strip().lower()
    typed = set(key.split())
    out: list[AreaInfo] = []
    containing = [e for e in index.entries if typed and typed <= set(e.key.split())]
    containing.sort(key=lambda e: (len(e.key.split()), index.rank[e.area.id], e.key))
    for entry in containing:
        if entry.area not in out:
            out.append(entry.area)
    if not out:  # only when no name holds the words: "kebayoran" is not "Kemayoran"
        hits = process.extract(
            key, [e.key for e in index.entries], scorer=fuzz.WRatio, processor=None,
            score_cutoff=SUGGEST_CUTOFF, limit=limit * 6,
        )  # fmt: skip
        ranked = sorted(hits, key=lambda h: (-h[1], index.rank[index.entries[h[2]].area.id]))
        for _, _, i in ranked:
            area = index.entries[i].area
            if area not in out:
                out.append(area)
    return out[:limit]


def resolve_match(catalog: Catalog, text: str) -> AreaMatch:
    """``match_area`` or a 404 carrying ``suggestions`` (slug, name, kind of each)."""
    found = match_area(catalog, text)
    if found is not None:
        return found
    suggestions = suggest_areas(catalog, text)
    shown = text.strip()[:80]
    raise NotFound(
        detail=f"unknown area '{shown}'",
        extra={
            "suggestions": [
                {"slug": a.slug, "name": a.name, "kind": a.kind, "parent": _parent_name(catalog, a)}
                for a in suggestions
            ]
        },
    )


def _parent_name(catalog: Catalog, area: AreaInfo) -> str | None:
    parent = catalog.areas.get(area.parent_id) if area.parent_id is not None else None
    return parent.name if parent is not None else None


def resolve_area(catalog: Catalog, text: str) -> AreaInfo:
    """``find_area`` or a 404 carrying ``suggestions`` (slug, name, kind of each)."""
    return resolve_match(catalog, text).area


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


_geometry_lock = threading.Lock()
_geometries: dict[tuple[object, ...], BaseGeometry | None] = {}
GEOMETRY_CACHE_SIZE = 64


def _prepared_polygon(session: Session, area: AreaInfo) -> BaseGeometry | None:
    """The area's polygon, parsed and prepared once per process (a city's border has
    thousands of vertices; parsing it on every search would cost more than the search)."""
    bind = session.get_bind()
    key = (str(bind.engine.url), area.id, area.slug, area.bbox, area.area_m2)
    with _geometry_lock:
        if key in _geometries:
            return _geometries[key]
    polygon = area_polygon(session, area.id)
    geometry: BaseGeometry | None = None
    if polygon is not None:
        geometry = shape(polygon)
        shapely.prepare(geometry)
    with _geometry_lock:
        if len(_geometries) >= GEOMETRY_CACHE_SIZE:
            _geometries.pop(next(iter(_geometries)))
        _geometries[key] = geometry
    return geometry


def area_filter(session: Session, area: AreaInfo) -> AreaFilter:
    """Build the containment test of an area (its prepared polygon if it has one)."""
    geometry: BaseGeometry | None = None
    if area.has_polygon:
        geometry = _prepared_polygon(session, area)
    if geometry is not None:
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in geometry.bounds)
        box = BBox(min_lon=min_lon, min_lat=min_lat, max_lon=max_lon, max_lat=max_lat)
    elif area.radius_m is not None:
        box = bbox_around(area.lat, area.lon, area.radius_m)
    else:
        box = BBox(*area.bbox)
    return AreaFilter(area=area, geometry=geometry, box=box)
