"""Pydantic models at the HTTP edge (read side shared by several routers).

Feature-specific request/response models live next to their routers' services
(``directory/schemas_*.py``); these are the shapes every feature reuses.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from recommender.weights import DEFAULT_WEIGHTS


class AreaRef(BaseModel):
    """The resolved area a business or result belongs to."""

    id: int
    slug: str
    name: str
    kind: str


class AreaRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    name: str
    kind: str
    aliases: list[str]
    parent: str | None = Field(description="Slug of the parent area.")
    code: str | None
    lat: float
    lon: float
    radius_m: float | None
    has_polygon: bool
    bbox: tuple[float, float, float, float] = Field(
        description="min_lon, min_lat, max_lon, max_lat"
    )


class AreaDetail(AreaRead):
    ancestors: list[AreaRef]
    children: list[AreaRef]
    business_count: int
    geometry: dict[str, object] | None = Field(
        description="GeoJSON polygon when boundaries were imported, else null."
    )


class AreaList(BaseModel):
    items: list[AreaRead]


class CategoryNodeRead(BaseModel):
    id: int
    slug: str
    name: str = Field(description="Name in the requested language.")
    name_id: str
    name_en: str
    parent: str | None
    synonyms: list[str]
    reach: str
    children: list[CategoryNodeRead]


class CategoryTree(BaseModel):
    items: list[CategoryNodeRead]


class CategoryRef(BaseModel):
    slug: str
    name: str


class BusinessSummary(BaseModel):
    """What a list of results shows for each business."""

    id: int
    slug: str
    external_id: str | None
    name: str
    category: str = Field(description="Slug of the primary category.")
    category_name: str
    categories: list[str]
    lat: float
    lon: float
    address: str
    area: AreaRef | None
    rating: float | None = Field(description="Mean rating, null without ratings.")
    rating_count: int
    rating_adjusted: float | None = Field(
        default=None,
        description="Bayesian-adjusted rating: the mean shrunk toward 3.5★ as if 5 more "
        "reviews had given it (3.5 without reviews); what rankings use. Always filled in.",
    )
    price_level: int | None
    phone: str | None
    website: str | None
    opening_hours: str | None
    open_now: bool | None = Field(description="Null when opening hours are unknown.")
    status: str

    @model_validator(mode="after")
    def _fill_rating_adjusted(self) -> BusinessSummary:
        """Derive ``rating_adjusted`` from ``rating`` and ``rating_count`` (one formula for
        every response that lists a business: details, lists, search hits)."""
        if self.rating_adjusted is None:
            self.rating_adjusted = adjusted_rating(self.rating, self.rating_count)
        return self


def adjusted_rating(mean: float | None, count: int) -> float:
    """``(mean × count + 3.5 × 5) / (count + 5)`` with the recommender's prior, rounded."""
    w = DEFAULT_WEIGHTS
    if mean is None or count <= 0:
        return round(w.rating_prior_mean, 2)
    shrunk = (mean * count + w.rating_prior_mean * w.rating_prior_weight) / (
        count + w.rating_prior_weight
    )
    return round(shrunk, 2)


class WeekdayHours(BaseModel):
    day: str
    hours: str


class BusinessRead(BusinessSummary):
    """The full profile."""

    description: str
    social: dict[str, str]
    opening_hours_week: list[WeekdayHours]
    location_approximate: bool
    source: str
    osm_id: str | None = Field(
        default=None,
        description="The OpenStreetMap object (`osm:node/123`) this listing was imported "
        "from or matched with; its data is © OpenStreetMap contributors, ODbL.",
    )
    interaction_count: int
    created_at: datetime
    updated_at: datetime


class Health(BaseModel):
    status: str
    database: str
    revision: str | None
    businesses: int
