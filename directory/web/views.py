"""Small view models the templates render: plain frozen data, no ORM objects.

Pages turn service results into these so a template never triggers a lazy load and never
depends on the shape of one particular service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from directory.api.schemas import AreaRef


@dataclass(frozen=True, slots=True)
class ListedBusiness:
    """What a list shows of a business, whichever service found it (search, recommender)."""

    id: int
    slug: str
    name: str
    category_name: str
    lat: float
    lon: float
    area: AreaRef | None
    rating: float | None
    rating_count: int
    price_level: int | None
    open_now: bool | None


class _Listable(Protocol):
    id: int
    slug: str
    name: str
    category_name: str
    lat: float
    lon: float
    area: AreaRef | None
    rating: float | None
    rating_count: int
    price_level: int | None
    open_now: bool | None


def listed(item: _Listable) -> ListedBusiness:
    """The list view of a search hit, a business summary or a recommended business."""
    return ListedBusiness(
        id=item.id,
        slug=item.slug,
        name=item.name,
        category_name=item.category_name,
        lat=item.lat,
        lon=item.lon,
        area=item.area,
        rating=item.rating,
        rating_count=item.rating_count,
        price_level=item.price_level,
        open_now=item.open_now,
    )


@dataclass(frozen=True, slots=True)
class ResultView:
    """One business in a list: what to show, its distance when known, why it is listed."""

    summary: ListedBusiness
    distance_m: float | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class WeekRow:
    """One line of the opening hours table."""

    day: str
    hours: str
    today: bool


@dataclass(frozen=True, slots=True)
class PhotoView:
    """A photo as shown on a business page."""

    url: str
    thumb_url: str
    thumb_width: int
    thumb_height: int


@dataclass(frozen=True, slots=True)
class ReviewView:
    """A live review as shown on a business page."""

    rating: int
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MapMarker:
    """A marker on a page map; ``label`` is the number shown in the pin (list rank)."""

    lat: float
    lon: float
    name: str
    url: str
    label: str = ""


def map_payload(
    markers: list[MapMarker],
    *,
    center: tuple[float, float] | None = None,
    zoom: int = 14,
    bbox: tuple[float, float, float, float] | None = None,
) -> dict[str, object]:
    """The JSON the map script reads: markers, and a centre/zoom or a bbox to show."""
    data: dict[str, object] = {
        "markers": [
            {"lat": m.lat, "lon": m.lon, "name": m.name, "url": m.url, "label": m.label}
            for m in markers
        ],
        "zoom": zoom,
    }
    if center is not None:
        data["center"] = [center[0], center[1]]
    if bbox is not None:
        data["bbox"] = list(bbox)
    return data


def result_markers(results: list[ResultView], *, start: int = 1) -> list[MapMarker]:
    """Numbered markers for a result list, numbers matching the list."""
    return [
        MapMarker(
            lat=r.summary.lat,
            lon=r.summary.lon,
            name=r.summary.name,
            url=f"/b/{r.summary.slug}",
            label=str(start + i),
        )
        for i, r in enumerate(results)
    ]
