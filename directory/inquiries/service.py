"""Storing inquiries, the buyer's receipt, and the owner's answers and abuse reports.

An inquiry is committed before its sender gets an answer (``run_in_transaction``
commits, then returns): a 201 or a thank-you page means it is on disk. The buyer gets a
receipt token once (``dk_inquiry_…``, only its SHA-256 is kept) to read the answer; the
owner works with the edit token of the listing (``submissions.owners``). Statuses:
``new`` → ``answered`` (the owner may answer again, replacing the text); ``new`` or
``answered`` → ``reported`` (the owner flags abuse) → ``hidden`` or back (an editor,
``inquiries.moderation``). Hidden inquiries leave the owner's list. Inquiries older than
``inquiry_retention_days`` are deleted when new ones arrive.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session, sessionmaker

from directory.accounts import audit
from directory.accounts.owners import authenticate_owner, owner_actor
from directory.accounts.tokens import hash_token, new_token, token_matches
from directory.db_retry import run_in_transaction
from directory.errors import Conflict, NotFound, Unauthorized, invalid
from directory.inquiries.fields import MAX_ANSWER, MAX_REASON, InquiryFields, clean_note
from directory.inquiries.products import product_snapshot
from directory.models import Business, BusinessStatus, Inquiry, utcnow

NEW: Final = "new"
ANSWERED: Final = "answered"
REPORTED: Final = "reported"
HIDDEN: Final = "hidden"
STATUSES: Final = (NEW, ANSWERED, REPORTED, HIDDEN)
OWNER_VISIBLE: Final = (NEW, ANSWERED, REPORTED)
RECEIPT_PREFIX: Final = "dk_inquiry_"
MISSING_RECEIPT: Final = "Send the receipt token: `Authorization: Bearer <token>`."
UNKNOWN_INQUIRY: Final = "No inquiry with this id and receipt token."


def new_inquiry_id() -> str:
    """A random public id; knowing it grants nothing without the receipt token."""
    return "q_" + secrets.token_urlsafe(15)


def receipt_path(inquiry_id: str, token: str | None = None) -> str:
    """The buyer's page; the token goes in the fragment, which never reaches a server."""
    return f"/pertanyaan/{inquiry_id}" + (f"#token={token}" if token else "")


@dataclass(frozen=True, slots=True)
class InquiryReceipt:
    """A stored inquiry (or a honeypot's look-alike) and its receipt token, shown once."""

    inquiry: Inquiry
    receipt_token: str
    stored: bool


def purge_expired(session: Session, *, retention_days: int) -> None:
    """Delete inquiries older than the retention period (in the caller's transaction)."""
    cutoff = utcnow() - timedelta(days=retention_days)
    session.execute(delete(Inquiry).where(Inquiry.created_at < cutoff))


def create_inquiry(
    sessions: sessionmaker[Session],
    business_id: int,
    fields: InquiryFields,
    *,
    product_id: int | None = None,
    client_hash: str,
    retention_days: int = 365,
) -> InquiryReceipt:
    """Store a buyer's inquiry (cleaned by ``fields.parse_inquiry``) to a published
    business; committed when this returns."""
    token = new_token(RECEIPT_PREFIX)

    def work(session: Session) -> Inquiry:
        business = session.get(Business, business_id)
        if business is None or business.status != BusinessStatus.PUBLISHED:
            raise NotFound(detail=f"no business with id {business_id}")
        product_name = product_snapshot(session, business_id, product_id)
        purge_expired(session, retention_days=retention_days)
        inquiry = Inquiry(
            id=new_inquiry_id(),
            business_id=business_id,
            product_id=product_id,
            product_name=product_name,
            buyer_name=fields.name,
            company=fields.company,
            contact=fields.contact,
            quantity=fields.quantity,
            message=fields.message,
            receipt_token_hash=hash_token(token),
            status=NEW,
            client_hash=client_hash,
            created_at=utcnow(),
        )
        session.add(inquiry)
        session.flush()
        return inquiry

    return InquiryReceipt(run_in_transaction(sessions, work), token, stored=True)


def honeypot_receipt(business_id: int) -> InquiryReceipt:
    """What a bot that filled the hidden field gets: the same shape, nothing stored."""
    fake = Inquiry(id=new_inquiry_id(), business_id=business_id, status=NEW, created_at=utcnow())
    return InquiryReceipt(fake, new_token(RECEIPT_PREFIX), stored=False)


def buyer_inquiry(session: Session, inquiry_id: str, token: str | None) -> Inquiry:
    """The inquiry whose receipt token ``token`` is (the same 404 for an unknown id)."""
    if token is None:
        raise Unauthorized(detail=MISSING_RECEIPT)
    inquiry = session.get(Inquiry, inquiry_id)
    # Hash even when the id is unknown, so both paths take about the same time.
    stored = inquiry.receipt_token_hash if inquiry is not None else "0" * 64
    if not token_matches(token, stored) or inquiry is None:
        raise NotFound(detail=UNKNOWN_INQUIRY)
    return inquiry


def encode_cursor(created_at: datetime, inquiry_id: str) -> str:
    """An opaque position in a newest-first list."""
    text = f"{created_at.isoformat()}|{inquiry_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The position a cursor names; InvalidInput when it was not made here."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, inquiry_id = text.split("|", 1)
        at = datetime.fromisoformat(stamp)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise invalid("cursor", "is not a cursor from this list", location="query") from exc
    if at.tzinfo is None or not inquiry_id:
        raise invalid("cursor", "is not a cursor from this list", location="query")
    return at, inquiry_id


def owner_inquiries(
    session: Session,
    business_id: int,
    token: str | None,
    *,
    status: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[Inquiry], str | None]:
    """The business's inquiries for its owner, newest first (hidden ones left out)."""
    authenticate_owner(session, business_id, token)
    statuses = (status,) if status in OWNER_VISIBLE else OWNER_VISIBLE
    stmt = (
        select(Inquiry)
        .where(Inquiry.business_id == business_id, Inquiry.status.in_(statuses))
        .order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
        .limit(limit + 1)
    )
    if cursor:
        at, last_id = decode_cursor(cursor)
        stmt = stmt.where(
            or_(Inquiry.created_at < at, and_(Inquiry.created_at == at, Inquiry.id < last_id))
        )
    rows = list(session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None


def _owned_inquiry(session: Session, business_id: int, inquiry_id: str) -> Inquiry:
    inquiry = session.get(Inquiry, inquiry_id)
    if inquiry is None or inquiry.business_id != business_id or inquiry.status == HIDDEN:
        raise NotFound(detail=f"no inquiry {inquiry_id!r} for this business")
    return inquiry


@dataclass(frozen=True, slots=True)
class Answered:
    """An answered inquiry and whether its text is new (then the buyer may be told)."""

    inquiry: Inquiry
    changed: bool


def answer_inquiry(
    sessions: sessionmaker[Session],
    business_id: int,
    inquiry_id: str,
    token: str | None,
    *,
    answer: str | None,
) -> Answered:
    """The owner answers (or corrects the answer); a reported inquiry waits for an editor."""

    def work(session: Session) -> Answered:
        owner = authenticate_owner(session, business_id, token)
        text = clean_note(answer, field="answer", max_len=MAX_ANSWER, required=True)
        inquiry = _owned_inquiry(session, business_id, inquiry_id)
        if inquiry.status == REPORTED:
            raise Conflict(detail="this inquiry was reported as abuse and waits for an editor")
        changed = text != inquiry.answer
        if changed:
            inquiry.answer = text
            inquiry.answered_at = utcnow()
            inquiry.status = ANSWERED
            audit.record(
                session, actor=owner_actor(owner), action="answer_inquiry",
                subject_type="inquiry", subject_id=inquiry.id,
                detail={"business_id": business_id},
            )  # fmt: skip
        return Answered(inquiry, changed)

    return run_in_transaction(sessions, work)


def report_inquiry(
    sessions: sessionmaker[Session],
    business_id: int,
    inquiry_id: str,
    token: str | None,
    *,
    reason: str | None,
) -> Inquiry:
    """The owner flags an inquiry as abuse for an editor (idempotent)."""

    def work(session: Session) -> Inquiry:
        owner = authenticate_owner(session, business_id, token)
        note = clean_note(reason, field="reason", max_len=MAX_REASON, required=False)
        inquiry = _owned_inquiry(session, business_id, inquiry_id)
        if inquiry.status != REPORTED:
            inquiry.status = REPORTED
            inquiry.reported_reason = note or None
            inquiry.reported_at = utcnow()
            audit.record(
                session, actor=owner_actor(owner), action="report_inquiry",
                subject_type="inquiry", subject_id=inquiry.id,
                detail={"business_id": business_id, "reason": note or None},
            )  # fmt: skip
        return inquiry

    return run_in_transaction(sessions, work)
