"""The editors' side of inquiries: the reported ones, hiding abuse, restoring mistakes.

An owner's report is a request, not a verdict: the inquiry stays in the owner's list
(marked reported) until an editor hides it (it leaves the list for good; the buyer's
receipt says ``hidden``) or restores it (back to ``answered`` or ``new``). Every
decision is audited in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory.accounts import audit
from directory.db_retry import run_in_transaction
from directory.errors import NotFound
from directory.inquiries.fields import MAX_REASON, clean_note
from directory.inquiries.service import ANSWERED, HIDDEN, NEW, REPORTED
from directory.models import Business, Inquiry


def editor_inquiries(
    session: Session, *, status: str = REPORTED, limit: int = 100
) -> list[tuple[Inquiry, Business]]:
    """Inquiries in ``status`` with their business, oldest report (or inquiry) first."""
    return [
        (row[0], row[1])
        for row in session.execute(
            select(Inquiry, Business)
            .join(Business, Business.id == Inquiry.business_id)
            .where(Inquiry.status == status)
            .order_by(Inquiry.reported_at.asc(), Inquiry.created_at.asc(), Inquiry.id)
            .limit(limit)
        )
    ]


def _decide(
    session: Session, inquiry_id: str, *, to: str, actor: str, reason: str | None
) -> Inquiry:
    inquiry = session.get(Inquiry, inquiry_id)
    if inquiry is None:
        raise NotFound(detail=f"no inquiry {inquiry_id!r}")
    if to == NEW:  # restore: where it was before the report
        to = ANSWERED if inquiry.answer else NEW
    if inquiry.status != to:
        previous = inquiry.status
        inquiry.status = to
        audit.record(
            session, actor=actor, action="hide_inquiry" if to == HIDDEN else "restore_inquiry",
            subject_type="inquiry", subject_id=inquiry.id,
            detail={"business_id": inquiry.business_id, "previous": previous, "reason": reason},
        )  # fmt: skip
    return inquiry


def hide_inquiry(
    sessions: sessionmaker[Session], inquiry_id: str, *, actor: str, reason: str | None = None
) -> Inquiry:
    """Hide an abusive inquiry from its owner (idempotent, audited)."""
    note = clean_note(reason, field="reason", max_len=MAX_REASON, required=False) or None
    return run_in_transaction(
        sessions, lambda s: _decide(s, inquiry_id, to=HIDDEN, actor=actor, reason=note)
    )


def restore_inquiry(sessions: sessionmaker[Session], inquiry_id: str, *, actor: str) -> Inquiry:
    """Undo a report or a hiding: back to ``answered`` or ``new`` (idempotent, audited)."""
    return run_in_transaction(
        sessions, lambda s: _decide(s, inquiry_id, to=NEW, actor=actor, reason=None)
    )
