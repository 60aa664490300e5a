"""Inquiry endpoints: a buyer asks and reads the answer; the owner lists, answers, reports."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, Response

from directory.api.deps import BusinessIdPath, EditTokenDep, SessionDep, SessionsDep, SettingsDep
from directory.errors import NotFound
from directory.inquiries import notify, service, views
from directory.inquiries.dependencies import InquiryIdPath, ReceiptTokenDep, SiteDep
from directory.inquiries.fields import FORM_FIELDS, parse_inquiry
from directory.inquiries.limits import count_inquiry, count_inquiry_to
from directory.inquiries.schemas import (
    AnswerRequest,
    InquiryCreate,
    InquiryCreated,
    InquiryRead,
    OwnerInquiryPage,
    OwnerInquiryRead,
    ReportRequest,
)
from directory.models import Business

router = APIRouter(tags=["inquiries"])

_NO_STORE = {"Cache-Control": "no-store"}
ClientHashDep = Annotated[str, Depends(count_inquiry)]


def created(receipt: service.InquiryReceipt, site: str) -> InquiryCreated:
    """The 201 body: the receipt link (token in the fragment) and the token itself."""
    inquiry = receipt.inquiry
    return InquiryCreated(
        id=inquiry.id,
        status=inquiry.status,
        receipt_url=site + service.receipt_path(inquiry.id, receipt.receipt_token),
        receipt_token=receipt.receipt_token,
        created_at=inquiry.created_at,
    )


@router.post(
    "/businesses/{business_id}/inquiries",
    status_code=201,
    response_model=InquiryCreated,
    responses={
        404: {"description": "No published business with this id"},
        422: {"description": "Invalid fields, each named"},
        429: {"description": "Too many"},
    },
)
def create_inquiry(
    business_id: BusinessIdPath,
    body: InquiryCreate,
    client_hash: ClientHashDep,
    sessions: SessionsDep,
    settings: SettingsDep,
    site: SiteDep,
    background: BackgroundTasks,
    request: Request,
    response: Response,
) -> InquiryCreated:
    """Ask a business a question (no account). The inquiry is stored before this answers;
    the owner reads it behind their edit link (and gets an e-mail when the server sends
    mail). Keep `receipt_url`: it is shown only this once and shows the answer. A filled
    honeypot field gets an answer that looks the same, but nothing is stored."""
    response.headers.update(_NO_STORE)
    if (body.website_url_confirm or "").strip():
        return created(service.honeypot_receipt(business_id), site)
    fields = parse_inquiry(body.model_dump(include=set(FORM_FIELDS)))
    count_inquiry_to(request, client_hash, business_id)
    receipt = service.create_inquiry(
        sessions, business_id, fields, product_id=body.product_id, client_hash=client_hash,
        retention_days=settings.inquiry_retention_days,
    )  # fmt: skip
    background.add_task(notify.notify_owners, sessions, settings, receipt.inquiry.id, site=site)
    response.headers["Location"] = f"/api/v1/inquiries/{receipt.inquiry.id}"
    return created(receipt, site)


@router.get(
    "/inquiries/{inquiry_id}",
    response_model=InquiryRead,
    responses={401: {"description": "No token"}, 404: {"description": "Unknown id or token"}},
)
def read_inquiry(
    inquiry_id: InquiryIdPath, token: ReceiptTokenDep, session: SessionDep, response: Response
) -> InquiryRead:
    """The buyer's inquiry, its status and the owner's answer (receipt token needed)."""
    response.headers.update(_NO_STORE)
    inquiry = service.buyer_inquiry(session, inquiry_id, token)
    business = session.get(Business, inquiry.business_id)
    if business is None:  # pragma: no cover - the inquiry goes with its business
        raise NotFound(detail=service.UNKNOWN_INQUIRY)
    return views.buyer_read(inquiry, business)


@router.get(
    "/owner/businesses/{business_id}/inquiries",
    response_model=OwnerInquiryPage,
    tags=["owners"],
    responses={401: {"description": "No token"}, 403: {"description": "Not this business"}},
)
def list_owner_inquiries(
    business_id: BusinessIdPath,
    token: EditTokenDep,
    session: SessionDep,
    response: Response,
    status: Annotated[Literal["new", "answered", "reported"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> OwnerInquiryPage:
    """Buyers' inquiries to this business, newest first, with their contact details."""
    response.headers.update(_NO_STORE)
    rows, next_cursor = service.owner_inquiries(
        session, business_id, token, status=status, limit=limit, cursor=cursor
    )
    return OwnerInquiryPage(items=[views.owner_read(r) for r in rows], next_cursor=next_cursor)


@router.post(
    "/owner/businesses/{business_id}/inquiries/{inquiry_id}/answer",
    response_model=OwnerInquiryRead,
    tags=["owners"],
    responses={
        401: {"description": "No token"},
        403: {"description": "Not this business"},
        404: {"description": "No such inquiry for this business"},
        409: {"description": "Reported; waits for an editor"},
    },
)
def answer_inquiry(
    business_id: BusinessIdPath,
    inquiry_id: InquiryIdPath,
    body: AnswerRequest,
    token: EditTokenDep,
    sessions: SessionsDep,
    settings: SettingsDep,
    site: SiteDep,
    background: BackgroundTasks,
) -> OwnerInquiryRead:
    """Answer (or correct the answer); the buyer reads it through their receipt link and
    is told by e-mail when they gave an address."""
    outcome = service.answer_inquiry(sessions, business_id, inquiry_id, token, answer=body.answer)
    if outcome.changed:
        background.add_task(notify.notify_buyer, sessions, settings, inquiry_id, site=site)
    return views.owner_read(outcome.inquiry)


@router.post(
    "/owner/businesses/{business_id}/inquiries/{inquiry_id}/report",
    response_model=OwnerInquiryRead,
    tags=["owners"],
    responses={
        401: {"description": "No token"},
        403: {"description": "Not this business"},
        404: {"description": "No such inquiry for this business"},
    },
)
def report_inquiry(
    business_id: BusinessIdPath,
    inquiry_id: InquiryIdPath,
    token: EditTokenDep,
    sessions: SessionsDep,
    body: ReportRequest | None = None,
) -> OwnerInquiryRead:
    """Report an inquiry as abuse (spam, threats): an editor decides whether to hide it."""
    inquiry = service.report_inquiry(
        sessions, business_id, inquiry_id, token, reason=body.reason if body else None
    )
    return views.owner_read(inquiry)
