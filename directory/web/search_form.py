"""The search form of the pages: reading its GET parameters leniently, writing them back.

A page must never answer 422 to a reader: a parameter that does not parse is dropped and
reported in ``problems`` (shown above the results) while the rest of the search runs.
Parameter names are the form's field names (``q``, ``area``, ``kategori``...), so a plain
HTML form without JavaScript produces exactly these URLs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final
from urllib.parse import urlencode

from directory.geo import valid_coordinates
from directory.slugs import is_slug

SORTS: Final = ("relevance", "distance", "rating", "reviews", "newest")
MIN_RATINGS: Final = ("3", "3.5", "4", "4.5")
PRICE_LEVELS: Final = ("1", "2", "3", "4")
MAX_TEXT: Final = 200
MAX_CATEGORIES: Final = 10
MAX_CURSOR: Final = 512
DEFAULT_RADIUS_M: Final = 5000.0


@dataclass(frozen=True, slots=True)
class SearchForm:
    """What the reader asked for, already validated."""

    q: str = ""
    area: str = ""
    categories: tuple[str, ...] = ()
    min_rating: float | None = None
    price_levels: tuple[int, ...] = ()
    open_now: bool = False
    sort: str = "relevance"
    lat: float | None = None
    lon: float | None = None
    bbox: tuple[float, float, float, float] | None = None
    cursor: str | None = None
    literal: bool = False
    """``teks=1``: take every word of ``q`` as text (no area, intent or filter reading)."""
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def has_point(self) -> bool:
        """Whether the reader shared a location ("Dekat saya")."""
        return self.lat is not None and self.lon is not None

    @property
    def is_empty(self) -> bool:
        """True when nothing narrows the search (the home page shows its intro then)."""
        return not (
            self.q
            or self.area
            or self.categories
            or self.min_rating
            or self.price_levels
            or self.open_now
            or self.has_point
            or self.bbox
        )

    def params(self, *, cursor: str | None = None) -> list[tuple[str, str]]:
        """The query parameters that reproduce this search (for links and the pager)."""
        items: list[tuple[str, str]] = []
        if self.q:
            items.append(("q", self.q))
        if self.literal and self.q:
            items.append(("teks", "1"))
        if self.area:
            items.append(("area", self.area))
        items += [("kategori", c) for c in self.categories]
        if self.min_rating is not None:
            items.append(("rating", _num(self.min_rating)))
        items += [("harga", str(p)) for p in self.price_levels]
        if self.open_now:
            items.append(("buka", "1"))
        if self.sort != "relevance":
            items.append(("urut", self.sort))
        if self.lat is not None and self.lon is not None:
            items += [("lat", _num(self.lat)), ("lon", _num(self.lon))]
        if self.bbox is not None:
            items.append(("bbox", ",".join(_num(v) for v in self.bbox)))
        if cursor:
            items.append(("cursor", cursor))
        return items

    def url(self, path: str = "/cari", *, cursor: str | None = None) -> str:
        """A link to this search (optionally to the page after ``cursor``)."""
        query = urlencode(self.params(cursor=cursor))
        return f"{path}?{query}" if query else path

    def without_cursor(self) -> SearchForm:
        """The same search from its first page."""
        return replace(self, cursor=None)


def _num(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_bbox(text: str) -> tuple[float, float, float, float] | None:
    """``min_lon,min_lat,max_lon,max_lat`` → a tuple, or None when malformed."""
    parts = [_float(p) for p in text.split(",")]
    if len(parts) != 4 or any(p is None for p in parts):
        return None
    min_lon, min_lat, max_lon, max_lat = (float(p) for p in parts if p is not None)
    if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
        return None
    return min_lon, min_lat, max_lon, max_lat


def parse_search_form(params: Mapping[str, Sequence[str]]) -> SearchForm:
    """Read the form from query parameters (name → all values), dropping what is invalid."""

    def one(name: str) -> str:
        values = params.get(name) or [""]
        return values[0].strip()

    problems: list[str] = []
    q = " ".join(one("q").split())[:MAX_TEXT]
    area = " ".join(one("area").split())[:MAX_TEXT]
    categories = tuple(
        dict.fromkeys(c.strip() for c in params.get("kategori", ()) if is_slug(c.strip()))
    )[:MAX_CATEGORIES]
    rating_t = one("rating")
    min_rating = float(rating_t) if rating_t in MIN_RATINGS else None
    prices = tuple(sorted({int(p) for p in params.get("harga", ()) if p in PRICE_LEVELS}))
    sort = one("urut") if one("urut") in SORTS else "relevance"
    lat, lon = _float(one("lat")), _float(one("lon"))
    if (one("lat") or one("lon")) and (
        lat is None or lon is None or not valid_coordinates(lat, lon)
    ):
        problems.append("location")
        lat = lon = None
    bbox = None
    if one("bbox"):
        bbox = parse_bbox(one("bbox"))
        if bbox is None:
            problems.append("bbox")
    if sort == "distance" and lat is None:
        problems.append("distance_needs_point")
        sort = "relevance"
    cursor = one("cursor") or None
    if cursor is not None and (len(cursor) > MAX_CURSOR or not cursor.isprintable()):
        cursor = None
    return SearchForm(
        q=q,
        area=area,
        categories=categories,
        min_rating=min_rating,
        price_levels=prices,
        open_now=one("buka") in ("1", "on", "true"),
        literal=one("teks") in ("1", "on", "true"),
        sort=sort,
        lat=lat,
        lon=lon,
        bbox=bbox,
        cursor=cursor,
        problems=tuple(problems),
    )
