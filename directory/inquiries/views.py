"""Inquiry rows → response shapes (one place decides what each audience sees)."""

from __future__ import annotations

from directory.inquiries.fields import is_email
from directory.inquiries.schemas import (
    AdminInquiryRead,
    BusinessBrief,
    InquiryRead,
    OwnerInquiryRead,
)
from directory.models import Business, Inquiry


def buyer_read(inquiry: Inquiry, business: Business) -> InquiryRead:
    """The buyer's view: their question, the answer; no contact details of anyone."""
    return InquiryRead(
        id=inquiry.id,
        business=BusinessBrief(id=business.id, slug=business.slug, name=business.name),
        product_id=inquiry.product_id,
        product_name=inquiry.product_name,
        name=inquiry.buyer_name,
        company=inquiry.company,
        quantity=inquiry.quantity,
        message=inquiry.message,
        status=inquiry.status,
        answer=inquiry.answer,
        answered_at=inquiry.answered_at,
        created_at=inquiry.created_at,
    )


def owner_read(inquiry: Inquiry) -> OwnerInquiryRead:
    """The owner's view, with the buyer's contact (the buyer sent it to be contacted)."""
    return OwnerInquiryRead(
        id=inquiry.id,
        business_id=inquiry.business_id,
        product_id=inquiry.product_id,
        product_name=inquiry.product_name,
        name=inquiry.buyer_name,
        company=inquiry.company,
        contact=inquiry.contact,
        contact_kind="email" if is_email(inquiry.contact) else "phone",
        quantity=inquiry.quantity,
        message=inquiry.message,
        status=inquiry.status,
        answer=inquiry.answer,
        answered_at=inquiry.answered_at,
        reported_reason=inquiry.reported_reason,
        created_at=inquiry.created_at,
    )


def admin_read(inquiry: Inquiry, business: Business) -> AdminInquiryRead:
    """The editor's view."""
    return AdminInquiryRead(
        **owner_read(inquiry).model_dump(),
        business_slug=business.slug,
        business_name=business.name,
        reported_at=inquiry.reported_at,
    )
