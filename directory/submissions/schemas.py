"""Request and response shapes of submissions, owners, claims, matching and moderation.

Request models are deliberately loose about *values* (strings, numbers or null) and strict
about *names* (unknown fields are refused): the one validator of business fields,
``services.business_input.parse_business_fields``, decides what a valid value is, so an
import row, a submission and an owner edit get the same messages for the same mistakes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from directory.api.schemas import BusinessRead

# Generous caps against absurd payloads; the real limits are checked with clear messages.
_TEXT = 10_000
_SHORT = 1_000
_UNCAPPED = 1 << 22  # above any request body the API accepts (see class BusinessFieldsIn)

HONEYPOT_FIELD = "website_url_confirm"


class BusinessFieldsIn(BaseModel):
    """The business fields a person may type (all optional here; validated later).

    No real length caps here: the one validator reports every field's real limit together
    (a 5,000-character name must not hide the other errors); the request body size is
    capped by the API's limits. ``_UNCAPPED`` is a cap no field can reach within that
    body: a length constraint is what makes pydantic refuse text that is not valid
    Unicode (lone surrogates) with a 422."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=_UNCAPPED, examples=["Kopi Senja BSD"])
    category: str | None = Field(
        default=None,
        max_length=_UNCAPPED,
        description="Category slug or name.",
        examples=["kafe-kopi"],
    )
    lat: float | None = Field(
        default=None, description="Latitude of the map pin; omit to place the address."
    )
    lon: float | None = Field(default=None, description="Longitude of the map pin.")
    address: str | None = Field(default=None, max_length=_UNCAPPED)
    phone: str | None = Field(default=None, max_length=_UNCAPPED, examples=["0812-3456-7890"])
    website: str | None = Field(default=None, max_length=_UNCAPPED)
    opening_hours: str | None = Field(
        default=None, max_length=_UNCAPPED, examples=["Mo-Fr 08:00-22:00; Sa-Su 09:00-23:00"]
    )
    price_level: int | None = Field(default=None, description="1 (cheap) … 4 (expensive).")
    description: str | None = Field(default=None, max_length=_UNCAPPED)


class SubmissionCreate(BusinessFieldsIn):
    """A new business profile, free for anyone to send."""

    contact_email: str | None = Field(
        default=None, max_length=_SHORT, description="Optional; only editors see it."
    )
    website_url_confirm: str | None = Field(
        default=None,
        max_length=_TEXT,
        description="Leave empty. A form field hidden from people; bots fill it in.",
    )


class MatchEvidenceRead(BaseModel):
    """Why a candidate scored as it did."""

    name_similarity: float = Field(ge=0, le=1)
    distance_m: float | None
    same_phone: bool
    phone_conflict: bool
    address_similarity: float | None


class BusinessRef(BaseModel):
    """A listing shown next to a submission or a match query."""

    id: int
    slug: str
    name: str
    category: str
    address: str
    lat: float
    lon: float
    phone: str | None
    website: str | None
    status: str


class MatchCandidateRead(BaseModel):
    """A listing that may be the same business, with its score in [0, 1]."""

    business: BusinessRef
    score: float = Field(ge=0, le=1)
    is_match: bool = Field(description="Score at or above the match threshold.")
    evidence: MatchEvidenceRead


class MatchList(BaseModel):
    items: list[MatchCandidateRead]
    threshold: float = Field(description="Score from which a candidate counts as the same.")


class LocationRead(BaseModel):
    lat: float
    lon: float
    approximate: bool = Field(description="True when an editor should check the pin.")
    source: Literal["pin", "geocoder", "area"]
    area: str | None = Field(default=None, description="Slug of the area used as fallback.")


class SubmissionCreated(BaseModel):
    """The answer to a submission: keep ``edit_token``, it is shown only this once."""

    id: str
    kind: str
    status: str
    edit_token: str = Field(description="Send as `Authorization: Bearer <token>`.")
    location: LocationRead
    duplicates: list[MatchCandidateRead]
    created_at: datetime


class SubmissionRead(BaseModel):
    """A submission as its submitter (token holder) sees it."""

    id: str
    kind: Literal["new", "edit", "claim"]
    status: str
    reason: str | None = Field(description="Why an editor rejected it.")
    business_id: int | None = Field(description="The listing it created, edits or claims.")
    fields: dict[str, Any]
    location_approximate: bool
    created_at: datetime
    decided_at: datetime | None


class AdminSubmissionRead(SubmissionRead):
    """A submission in the moderation queue, with what an editor needs to decide."""

    contact_email: str | None
    decided_by: str | None
    current: BusinessRef | None = Field(description="The listing an edit or claim concerns.")
    duplicates: list[MatchCandidateRead] = Field(description="Recomputed when listed.")
    photo_ids: list[int]


class AdminSubmissionPage(BaseModel):
    items: list[AdminSubmissionRead]
    next_cursor: str | None


class RejectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=_SHORT, description="Shown to the submitter.")


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    business_id: int = Field(ge=1, le=2**62, description="The existing listing to keep.")
    grant_ownership: bool = Field(
        default=False,
        description="Let the submitter's token edit that listing (only when verified).",
    )


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    detail: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditEntryRead]
    next_before_id: int | None


class OwnerBusinessPatch(BusinessFieldsIn):
    """Changes an owner makes; absent fields stay, null clears an optional field."""

    status: Literal["published", "closed"] | None = Field(
        default=None, description="`closed` marks the business closed; `published` reopens it."
    )


class OwnerBusinessRead(BaseModel):
    business: BusinessRead
    pending_edits: list[SubmissionRead]


class OwnerEditResult(BaseModel):
    business: BusinessRead = Field(description="The live listing after the change.")
    applied: list[str] = Field(description="Fields changed at once.")
    pending_review: SubmissionRead | None = Field(
        description="Name, location or category changes wait here for an editor."
    )


class ClaimCreate(BaseModel):
    """A request to manage an imported listing."""

    model_config = ConfigDict(extra="forbid")

    contact_name: str = Field(min_length=1, max_length=_SHORT)
    contact_email: str = Field(min_length=3, max_length=_SHORT)
    contact_phone: str | None = Field(default=None, max_length=100)
    message: str | None = Field(
        default=None, max_length=_TEXT, description="How the editor can verify you."
    )
    website_url_confirm: str | None = Field(default=None, max_length=_TEXT)


class ClaimCreated(BaseModel):
    id: str
    kind: str
    status: str
    edit_token: str = Field(description="Becomes the owner token once an editor approves.")
    created_at: datetime
