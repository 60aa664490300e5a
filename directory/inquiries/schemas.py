"""Request and response shapes of the inquiry endpoints.

Request models cap lengths generously (a cap also makes pydantic refuse text that is not
valid Unicode); the real limits are checked by ``inquiries.fields`` with one message per
field. Buyer-facing shapes carry nothing of the owner's contact details.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

_CAP = 20_000


class InquiryCreate(BaseModel):
    """A buyer's question; no account needed."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=_CAP, description="The buyer's name.")
    company: str | None = Field(default=None, max_length=_CAP, description="Optional.")
    contact: str | None = Field(
        default=None,
        max_length=_CAP,
        description="An e-mail address or a phone number; only the business's owner sees it.",
        examples=["budi@example.id", "0812-3456-7890"],
    )
    quantity: str | int | None = Field(
        default=None, description="How much, in the buyer's words or as a number.",
        examples=["50 kg", 200],
    )  # fmt: skip
    message: str | None = Field(default=None, max_length=_CAP)
    product_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The product asked about (optional)."
    )
    website_url_confirm: str | None = Field(
        default=None,
        max_length=_CAP,
        description="Leave empty. A form field hidden from people; bots fill it in.",
    )


class InquiryCreated(BaseModel):
    """The answer to a new inquiry: keep ``receipt_url``, it is shown only this once."""

    id: str
    status: str
    receipt_url: str = Field(
        description="The buyer's private page; the receipt token is in its #fragment."
    )
    receipt_token: str = Field(
        description="For GET /api/v1/inquiries/{id} (`Authorization: Bearer`); shown once."
    )
    created_at: datetime


class BusinessBrief(BaseModel):
    id: int
    slug: str
    name: str


class InquiryRead(BaseModel):
    """What the buyer reads with the receipt token."""

    id: str
    business: BusinessBrief
    product_id: int | None
    product_name: str | None
    name: str
    company: str
    quantity: str
    message: str
    status: str = Field(description="new, answered, reported or hidden.")
    answer: str | None
    answered_at: datetime | None
    created_at: datetime


class OwnerInquiryRead(BaseModel):
    """An inquiry as the business's owner sees it, with the buyer's contact."""

    id: str
    business_id: int
    product_id: int | None
    product_name: str | None
    name: str
    company: str
    contact: str
    contact_kind: str = Field(description="email or phone.")
    quantity: str
    message: str
    status: str
    answer: str | None
    answered_at: datetime | None
    reported_reason: str | None
    created_at: datetime


class OwnerInquiryPage(BaseModel):
    items: list[OwnerInquiryRead]
    next_cursor: str | None


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: str | None = Field(default=None, max_length=_CAP, description="Plain text.")


class ReportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(
        default=None, max_length=_CAP, description="Why this is abuse (editors read it)."
    )


class AdminInquiryRead(OwnerInquiryRead):
    """An inquiry for an editor: everything the owner sees, and where it was sent."""

    business_slug: str
    business_name: str
    reported_at: datetime | None
