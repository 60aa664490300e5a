"""Request and response shapes of ``POST /api/v1/interactions``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from directory.timerange import out_of_range

MAX_BATCH = 10_000
Kind = Literal["view", "click", "save", "call", "visit"]


class InteractionIn(BaseModel):
    """One event: who did what at which business, when (ISO 8601; local time if no zone)."""

    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")
    business_id: int | None = Field(default=None, ge=1, le=2**62)
    business_external_id: str | None = Field(default=None, min_length=1, max_length=100)
    kind: Kind
    at: datetime | None = Field(default=None, description="Defaults to the time received.")

    @field_validator("at")
    @classmethod
    def _in_range(cls, value: datetime | None) -> datetime | None:
        """Outside 2000–2100 is a mistake, and near year 1 or 9999 zone maths overflows."""
        reason = out_of_range(value) if value is not None else None
        if reason is not None:
            raise ValueError(reason)
        return value

    @model_validator(mode="after")
    def _one_business(self) -> InteractionIn:
        if self.business_id is None and self.business_external_id is None:
            raise ValueError("business_id or business_external_id is required")
        return self


class InteractionBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[InteractionIn] = Field(min_length=1, max_length=MAX_BATCH)


class InteractionsAccepted(BaseModel):
    accepted: int
    ids: list[int] = Field(description="Ids of the stored interactions, in request order.")
