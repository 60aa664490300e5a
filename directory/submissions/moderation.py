"""Editors' decisions on submissions: approve, reject with a reason, merge into a listing.

Each decision is one transaction that starts by moving the submission out of ``pending``
with a conditional UPDATE, so two editors (or two workers) deciding the same submission at
once cannot both succeed: the second gets 409. Approving a new business calls
``create_business`` inside that transaction, so the listing is searchable the moment the
decision commits; approving an edit lays its fields over the live listing; approving a
claim turns the claimant's token into an owner token. Every decision is audited.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from directory.accounts import audit
from directory.businesses.input import BusinessInput, parse_business_fields
from directory.businesses.writes import create_business, update_business
from directory.db_retry import run_in_transaction
from directory.errors import Conflict, InvalidInput, NotFound, invalid
from directory.models import Business, OwnerToken, Photo, Submission, utcnow
from directory.photos import service as photo_service
from directory.photos import storage
from directory.submissions.fields import (
    REVIEWED_FIELDS,
    as_raw,
    category_resolver,
    live_input,
    raw_from_business,
    take_fields,
)
from directory.submissions.service import (
    APPROVED,
    KIND_CLAIM,
    KIND_EDIT,
    KIND_NEW,
    MERGED,
    PENDING,
    REJECTED,
)
from directory.textnorm import TextInputError, clean_user_text

STATUSES: Final = (PENDING, APPROVED, REJECTED, MERGED, "superseded")
# Fields a merge may fill in on the kept listing, only where it has none.
_FILLABLE: Final = frozenset(
    {"address", "phone", "website", "opening_hours", "price_level", "description"}
)
MAX_REASON_LEN: Final = 1000


def encode_cursor(created_at: datetime, submission_id: str) -> str:
    """An opaque position in the queue (oldest first)."""
    text = f"{created_at.isoformat()}|{submission_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The position a cursor names; InvalidInput when it was not made here."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, submission_id = text.split("|", 1)
        at = datetime.fromisoformat(stamp)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise invalid("cursor", "is not a cursor from this list", location="query") from exc
    if at.tzinfo is None:
        raise invalid("cursor", "is not a cursor from this list", location="query")
    return at, submission_id


def list_submissions(
    session: Session,
    *,
    status: str | None = PENDING,
    kind: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> tuple[list[Submission], str | None]:
    """A page of the queue, oldest first, and the cursor of the next page (or None)."""
    stmt = select(Submission).order_by(Submission.created_at, Submission.id).limit(limit + 1)
    if status:
        stmt = stmt.where(Submission.status == status)
    if kind:
        stmt = stmt.where(Submission.kind == kind)
    if cursor:
        at, last_id = decode_cursor(cursor)
        stmt = stmt.where(
            or_(
                Submission.created_at > at,
                and_(Submission.created_at == at, Submission.id > last_id),
            )
        )
    rows = list(session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
    return rows, next_cursor


def submission_photo_ids(session: Session, submission_ids: Sequence[str]) -> dict[str, list[int]]:
    """Live photos sent with each submission."""
    out: dict[str, list[int]] = {s: [] for s in submission_ids}
    for pid, sid in session.execute(
        select(Photo.id, Photo.submission_id)
        .where(Photo.submission_id.in_(list(submission_ids)), Photo.status == "live")
        .order_by(Photo.id)
    ):
        if sid is not None:
            out[sid].append(pid)
    return out


def _decide(
    session: Session, submission_id: str, *, status: str, actor: str, reason: str | None = None
) -> Submission:
    """Move a pending submission to ``status``; NotFound / Conflict otherwise."""
    moved = session.execute(
        update(Submission)
        .where(Submission.id == submission_id, Submission.status == PENDING)
        .values(status=status, decided_at=utcnow(), decided_by=actor[:100], reason=reason)
        .execution_options(synchronize_session=False)
    )
    submission = session.get(Submission, submission_id, populate_existing=True)
    if submission is None:
        raise NotFound(detail=f"no submission {submission_id!r}")
    if getattr(moved, "rowcount", 0) != 1:
        raise Conflict(detail=f"submission {submission_id} is already {submission.status}")
    return submission


def _input_from_payload(session: Session, submission: Submission) -> BusinessInput:
    try:
        return parse_business_fields(
            as_raw(submission.payload), resolve_category=category_resolver(session)
        )
    except InvalidInput as exc:  # e.g. its category was removed since it was sent
        raise Conflict(
            detail=f"submission no longer valid: {exc.detail}", errors=exc.errors
        ) from exc


def _approve_new(session: Session, submission: Submission, actor: str) -> None:
    data = _input_from_payload(session, submission)
    business = create_business(
        session, data, source="submission", location_approximate=submission.location_approximate
    )
    submission.business_id = business.id
    session.execute(
        update(OwnerToken)
        .where(OwnerToken.submission_id == submission.id, OwnerToken.revoked_at.is_(None))
        .values(business_id=business.id)
    )
    photo_service.attach_submission_photos(
        session, submission_id=submission.id, business_id=business.id
    )
    audit.record(
        session, actor=actor, action="create", subject_type="business", subject_id=business.id,
        detail={"submission": submission.id},
    )  # fmt: skip


def apply_edit(session: Session, business: Business, payload: dict[str, object]) -> list[str]:
    """Lay an edit submission's fields over the live listing; returns the fields changed."""
    live = live_input(session, business)
    raw = raw_from_business(business)
    raw.update(as_raw({k: v for k, v in payload.items() if k in REVIEWED_FIELDS}))
    try:
        edited = parse_business_fields(raw, resolve_category=category_resolver(session))
    except InvalidInput as exc:
        raise Conflict(detail=f"edit no longer valid: {exc.detail}", errors=exc.errors) from exc
    fields = {k for k in payload if k in REVIEWED_FIELDS}
    data = take_fields(live, edited, fields)
    update_business(session, business, data, fields=fields)
    if {"lat", "lon"} & fields:
        business.location_approximate = bool(payload.get("location_approximate", False))
    return sorted(fields)


def _approve_edit(session: Session, submission: Submission, actor: str) -> None:
    business = session.get(Business, submission.business_id) if submission.business_id else None
    if business is None:
        raise Conflict(detail="the business this edit concerns no longer exists")
    changed = apply_edit(session, business, dict(submission.payload))
    audit.record(
        session, actor=actor, action="edit", subject_type="business", subject_id=business.id,
        detail={"submission": submission.id, "fields": changed},
    )  # fmt: skip


def _approve_claim(session: Session, submission: Submission, actor: str) -> None:
    if submission.business_id is None or session.get(Business, submission.business_id) is None:
        raise Conflict(detail="the business this claim concerns no longer exists")
    session.execute(
        update(OwnerToken)
        .where(OwnerToken.submission_id == submission.id, OwnerToken.revoked_at.is_(None))
        .values(business_id=submission.business_id)
    )
    audit.record(
        session, actor=actor, action="grant_owner", subject_type="business",
        subject_id=submission.business_id, detail={"submission": submission.id},
    )  # fmt: skip


def approve_submission(
    sessions: sessionmaker[Session], submission_id: str, *, actor: str
) -> Submission:
    """Publish a new business, apply an edit, or grant a claim — atomically, audited."""

    def work(session: Session) -> Submission:
        submission = _decide(session, submission_id, status=APPROVED, actor=actor)
        if submission.kind == KIND_NEW:
            _approve_new(session, submission, actor)
        elif submission.kind == KIND_EDIT:
            _approve_edit(session, submission, actor)
        elif submission.kind == KIND_CLAIM:
            _approve_claim(session, submission, actor)
        audit.record(
            session, actor=actor, action="approve", subject_type="submission",
            subject_id=submission.id, detail={"kind": submission.kind,
                                               "business_id": submission.business_id},
        )  # fmt: skip
        return submission

    return run_in_transaction(sessions, work)


def clean_reason(reason: str) -> str:
    """The rejection reason as the submitter will read it (HTML and controls removed)."""
    try:
        text = clean_user_text(reason, max_len=MAX_REASON_LEN, field="reason", multiline=True)
    except TextInputError as exc:
        raise invalid("reason", str(exc)) from exc
    if not text:
        raise invalid("reason", "is required: tell the submitter why")
    return text


def reject_submission(
    sessions: sessionmaker[Session],
    submission_id: str,
    *,
    actor: str,
    reason: str,
    store: storage.PhotoStore | None = None,
) -> Submission:
    """Refuse a submission with a reason its submitter sees; its photos are discarded."""
    text = clean_reason(reason)
    discarded: list[str] = []

    def work(session: Session) -> Submission:
        submission = _decide(session, submission_id, status=REJECTED, actor=actor, reason=text)
        discarded[:] = photo_service.discard_submission_photos(session, submission.id)
        audit.record(
            session, actor=actor, action="reject", subject_type="submission",
            subject_id=submission.id, detail={"kind": submission.kind, "reason": text},
        )  # fmt: skip
        return submission

    submission = run_in_transaction(sessions, work)
    if store is not None:
        storage.delete_files(store, discarded)
    return submission


def merge_submission(
    sessions: sessionmaker[Session],
    submission_id: str,
    *,
    actor: str,
    business_id: int,
    grant_ownership: bool = False,
) -> Submission:
    """Close a new-business submission as a duplicate of ``business_id``.

    Fields the kept listing lacks (phone, website, hours, …) are filled from the submission;
    nothing it has is overwritten. Ownership is granted only when the editor says so.
    """

    def work(session: Session) -> Submission:
        submission = _decide(session, submission_id, status=MERGED, actor=actor)
        if submission.kind != KIND_NEW:
            raise Conflict(detail=f"only new-business submissions merge, not {submission.kind}")
        business = session.get(Business, business_id)
        if business is None:
            raise NotFound(detail=f"no business with id {business_id}")
        filled = _fill_missing(session, business, submission)
        submission.business_id = business.id
        if grant_ownership:
            session.execute(
                update(OwnerToken)
                .where(OwnerToken.submission_id == submission.id)
                .values(business_id=business.id)
            )
        audit.record(
            session, actor=actor, action="merge", subject_type="submission",
            subject_id=submission.id,
            detail={"business_id": business.id, "filled": filled,
                    "grant_ownership": grant_ownership},
        )  # fmt: skip
        return submission

    return run_in_transaction(sessions, work)


def _fill_missing(session: Session, business: Business, submission: Submission) -> list[str]:
    offered = _input_from_payload(session, submission)
    live = live_input(session, business)
    fill = {
        name
        for name in _FILLABLE
        if getattr(live, name) in (None, "") and getattr(offered, name) not in (None, "")
    }
    if fill:
        update_business(session, business, take_fields(live, offered, fill), fields=fill)
    return sorted(fill)
