"""Editors' inquiry endpoints (admin token): reported inquiries, hide, restore."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from directory.accounts.admins import admin_actor
from directory.api.deps import AdminDep, SessionDep, SessionsDep, get_admin
from directory.errors import NotFound
from directory.inquiries import moderation, views
from directory.inquiries.dependencies import InquiryIdPath
from directory.inquiries.schemas import AdminInquiryRead
from directory.models import Business, Inquiry
from directory.reviews.schemas import HideRequest

router = APIRouter(
    prefix="/admin",
    tags=["moderation"],
    dependencies=[Depends(get_admin)],
    responses={401: {"description": "Missing, unknown or revoked admin token"}},
)


def _read(session: SessionDep, inquiry: Inquiry) -> AdminInquiryRead:
    business = session.get(Business, inquiry.business_id)
    if business is None:  # pragma: no cover - the inquiry goes with its business
        raise NotFound(detail=f"no inquiry {inquiry.id!r}")
    return views.admin_read(inquiry, business)


@router.get("/inquiries", response_model=list[AdminInquiryRead])
def list_inquiries(
    session: SessionDep,
    status: Annotated[
        Literal["reported", "hidden", "new", "answered"], Query(description="Default: reported.")
    ] = "reported",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AdminInquiryRead]:
    """Inquiries owners reported as abuse (or another status), oldest first."""
    return [
        views.admin_read(inquiry, business)
        for inquiry, business in moderation.editor_inquiries(session, status=status, limit=limit)
    ]


@router.post("/inquiries/{inquiry_id}/hide", response_model=AdminInquiryRead)
def hide_inquiry(
    inquiry_id: InquiryIdPath,
    admin: AdminDep,
    sessions: SessionsDep,
    session: SessionDep,
    body: HideRequest | None = None,
) -> AdminInquiryRead:
    """Hide an abusive inquiry: it leaves the owner's list (audited)."""
    inquiry = moderation.hide_inquiry(
        sessions, inquiry_id, actor=admin_actor(admin), reason=body.reason if body else None
    )
    return _read(session, inquiry)


@router.post("/inquiries/{inquiry_id}/restore", response_model=AdminInquiryRead)
def restore_inquiry(
    inquiry_id: InquiryIdPath, admin: AdminDep, sessions: SessionsDep, session: SessionDep
) -> AdminInquiryRead:
    """Not abuse after all: back to the owner's list as new or answered (audited)."""
    inquiry = moderation.restore_inquiry(sessions, inquiry_id, actor=admin_actor(admin))
    return _read(session, inquiry)
