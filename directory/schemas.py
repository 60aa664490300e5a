"""Pydantic models at the HTTP edge (read side shared by several routers).

Feature-specific request/response models live next to their routers' services
(``directory/schemas_*.py``); these are the shapes every feature reuses.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


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
    price_level: int | None
    phone: str | None
    website: str | None
    opening_hours: str | None
    open_now: bool | None = Field(description="Null when opening hours are unknown.")
    status: str


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
