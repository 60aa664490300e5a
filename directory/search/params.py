"""What a reader may ask of ``GET /api/v1/businesses``, checked before any work is done.

Range checks on single values happen at the HTTP edge (FastAPI ``Query`` constraints);
this module checks what needs several values or parsing, and raises ``InvalidInput``
naming the parameter at fault so that the 422 says which field to fix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from directory.errors import FieldError, InvalidInput
from directory.geo import BBox
from directory.timerange import check_in_range

MAX_LIMIT = 100
MAX_RADIUS_M = 500_000.0
MAX_Q_LEN = 200


class Sort(StrEnum):
    """Result orders; every order ends with the business id, so it is total."""

    RELEVANCE = "relevance"
    DISTANCE = "distance"
    RATING = "rating"
    REVIEWS = "reviews"
    NEWEST = "newest"


@dataclass(frozen=True, slots=True)
class SearchParams:
    """One validated search request (see ``docs/search.md`` for how filters combine)."""

    q: str | None = None
    area: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_m: float | None = None
    bbox: BBox | None = None
    categories: tuple[str, ...] = ()
    min_rating: float | None = None
    prices: tuple[int, ...] = ()
    open_now: bool = False
    open_at: datetime | None = None
    sort: Sort = Sort.RELEVANCE
    limit: int = 20
    cursor: str | None = None
    interpret: bool = True

    @property
    def point(self) -> tuple[float, float] | None:
        if self.lat is None or self.lon is None:
            return None
        return self.lat, self.lon


def _bad(field: str, message: str) -> InvalidInput:
    return InvalidInput(
        detail=f"{field}: {message}",
        errors=[FieldError(field=field, message=message, location="query")],
    )


def parse_bbox(text: str) -> BBox:
    """``min_lon,min_lat,max_lon,max_lat`` (a map view) into a box; 422 names ``bbox``."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 4:
        raise _bad("bbox", "expected four numbers: min_lon,min_lat,max_lon,max_lat")
    try:
        min_lon, min_lat, max_lon, max_lat = (float(p) for p in parts)
    except ValueError:
        raise _bad("bbox", "expected four numbers: min_lon,min_lat,max_lon,max_lat") from None
    values = (min_lon, min_lat, max_lon, max_lat)
    if not all(math.isfinite(v) for v in values):
        raise _bad("bbox", "coordinates must be finite numbers")
    if not (-180.0 <= min_lon <= 180.0 and -180.0 <= max_lon <= 180.0):
        raise _bad("bbox", "longitudes must be within -180..180")
    if not (-90.0 <= min_lat <= 90.0 and -90.0 <= max_lat <= 90.0):
        raise _bad("bbox", "latitudes must be within -90..90")
    if min_lon > max_lon or min_lat > max_lat:
        raise _bad("bbox", "inverted box: min_lon must be <= max_lon and min_lat <= max_lat")
    return BBox(min_lon=min_lon, min_lat=min_lat, max_lon=max_lon, max_lat=max_lat)


def parse_open_at(text: str, *, timezone: str, now: datetime) -> datetime:
    """An ISO datetime or time of day, as local wall-clock time of the city.

    A time without a date means today (in the city); a value with a UTC offset or ``Z``
    is converted to the city's zone; one without is already local. Returns an aware
    datetime in the city's zone; 422 names ``open_at``.
    """
    zone = ZoneInfo(timezone)
    value = text.strip()
    try:
        if "T" in value or "-" in value[:5]:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        else:
            clock = time.fromisoformat(value)
            today = now.astimezone(zone).date()
            parsed = datetime.combine(today, clock.replace(tzinfo=None))
            if clock.tzinfo is not None:
                parsed = parsed.replace(tzinfo=clock.tzinfo)
    except ValueError:
        raise _bad("open_at", "expected an ISO time such as 2026-12-01T19:30 or 19:30") from None
    check_in_range(parsed, "open_at")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=zone)
    return parsed.astimezone(zone)


def check_params(params: SearchParams) -> SearchParams:
    """Cross-field rules; returns the params unchanged when they hold."""
    if (params.lat is None) != (params.lon is None):
        missing = "lon" if params.lon is None else "lat"
        raise _bad(missing, "lat and lon must be given together")
    if params.radius_m is not None:
        if params.point is None:
            raise _bad("radius_m", "a radius needs lat and lon")
        if not (0.0 < params.radius_m <= MAX_RADIUS_M):
            raise _bad("radius_m", f"must be greater than 0 and at most {MAX_RADIUS_M:.0f}")
    if params.sort is Sort.DISTANCE and params.point is None:
        raise _bad("sort", "sort=distance needs lat and lon")
    if not (1 <= params.limit <= MAX_LIMIT):
        raise _bad("limit", f"must be between 1 and {MAX_LIMIT}")
    for price in params.prices:
        if not 1 <= price <= 4:
            raise _bad("price", "price levels are 1 to 4")
    if params.min_rating is not None and not (0.0 <= params.min_rating <= 5.0):
        raise _bad("min_rating", "must be between 0 and 5")
    if params.q is not None and len(params.q) > MAX_Q_LEN:
        raise _bad("q", f"must be at most {MAX_Q_LEN} characters")
    return params
