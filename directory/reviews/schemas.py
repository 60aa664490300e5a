"""Shapes of the review endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ReviewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: int = Field(ge=1, le=5, description="1 (bad) … 5 (excellent).")
    text: str | None = Field(
        default=None, max_length=20_000, description="Optional; HTML is removed."
    )
    reviewer: str | None = Field(
        default=None,
        max_length=200,
        description="Reviewer key, for clients that cannot set the X-Reviewer-Key header.",
    )


class ReviewRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    business_id: int
    rating: int
    text: str
    status: str
    created_at: datetime
    updated_at: datetime


class ReviewPosted(BaseModel):
    review: ReviewRead
    replaced: bool = Field(description="True when it replaced this reviewer's earlier review.")
    rating: float | None = Field(description="The business's mean rating now.")
    rating_count: int


class ReviewPage(BaseModel):
    items: list[ReviewRead]
    next_cursor: str | None
    rating: float | None
    rating_count: int


class HideRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=5000)
