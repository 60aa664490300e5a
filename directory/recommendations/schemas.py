"""Shapes of ``GET /api/v1/recommendations``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from directory.api.schemas import AreaRef


class RecommendedBusiness(BaseModel):
    id: int
    external_id: str | None
    slug: str
    name: str
    category: str = Field(description="Slug of the primary category.")
    category_name: str
    lat: float
    lon: float
    address: str
    area: AreaRef | None
    rating: float | None
    rating_count: int
    rating_adjusted: float = Field(
        description="Bayesian-adjusted rating: the mean shrunk toward 3.5★ as if 5 more "
        "reviews had given it; what the ranking uses. 3.5 without reviews."
    )
    price_level: int | None
    open_now: bool | None
    distance_m: float


class RecommendationItem(BaseModel):
    business: RecommendedBusiness
    score: float
    reasons: list[str] = Field(description="Why it is here, in the requested language.")
    reason_codes: list[str] = Field(description="Machine codes of the same reasons.")


class RecommendationPage(BaseModel):
    items: list[RecommendationItem]
    point: tuple[float, float] = Field(description="lat, lon the ranking measured from.")
    area: AreaRef | None
    model_fitted: bool = Field(description="Whether a fitted interaction model was used.")
