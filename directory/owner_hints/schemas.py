"""The JSON of ``GET /api/v1/owner/businesses/{business_id}/hints``."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from directory.api.schemas import AreaRef, CategoryRef
from directory.api.summary import area_ref, localized_name
from directory.owner_hints.service import RankingHints


class PositionRead(BaseModel):
    context: str = Field(
        description="category_1km, search, recommendations or recommendations_category"
    )
    query: str | None = Field(
        description="The search words, or the category slug of a recommendation list"
    )
    rank: int | None = Field(description="1-based; null when the listing is not in the list")
    out_of: int = Field(description="Places in the list (looked at, when not complete)")
    complete: bool = Field(description="False when the list goes on past out_of")
    message: str


class HintRead(BaseModel):
    field: str = Field(description="opening_hours, price_level or description")
    value: str = Field(description="The value the re-ranking filled the field with")
    context: str
    query: str | None
    at: datetime = Field(description="The local time the ranking was run for")
    before_rank: int | None = Field(description="Rank today (null: not in the list)")
    after_rank: int = Field(description="Rank re-computed with the field filled")
    message: str
    lat: float | None = Field(None, description="The reader's point the ranking was run from")
    lon: float | None = Field(None, description="(null: the area is named in the words)")


class NoteRead(BaseModel):
    field: str = Field(description="photo or phone: re-ranked, the rank does not change")
    message: str


class RankingHintsRead(BaseModel):
    business_id: int
    category: CategoryRef
    area: AreaRef | None
    positions: list[PositionRead]
    hints: list[HintRead]
    notes: list[NoteRead]


def hints_read(result: RankingHints, *, lang: str) -> RankingHintsRead:
    """The service result as the API returns it."""
    cat = result.category
    area = result.area
    return RankingHintsRead(
        business_id=result.business_id,
        category=CategoryRef(slug=cat.slug, name=localized_name(cat, lang)),
        area=area_ref(area),
        positions=[PositionRead.model_validate(p, from_attributes=True) for p in result.positions],
        hints=[HintRead.model_validate(h, from_attributes=True) for h in result.hints],
        notes=[NoteRead.model_validate(n, from_attributes=True) for n in result.notes],
    )
