"""Owners: editing a listing with the edit token, marking it closed, claiming a listing.

An owner token is the edit token of an approved submission (or of an approved claim); it
is linked to its business only by the approval, so the token of a pending or rejected
submission manages nothing. Edits that change what or where the business is (name,
category, coordinates, address) become an ``edit`` submission for an editor — the live
listing keeps its values until then — while everything else applies at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from directory.accounts import audit
from directory.accounts.owners import owned_business, owner_actor
from directory.accounts.tokens import (
    EDIT_PREFIX,
    hash_token,
    new_submission_id,
    new_token,
)
from directory.businesses.input import BusinessInput, parse_business_fields
from directory.businesses.service import READER_VISIBLE
from directory.businesses.writes import touch_updated, update_business
from directory.db_retry import run_in_transaction
from directory.errors import FieldError, Forbidden, InvalidInput, NotFound
from directory.models import Business, BusinessStatus, OwnerToken, Submission, utcnow
from directory.search import indexing
from directory.submissions.fields import (
    REVIEWED_FIELDS,
    as_raw,
    category_resolver,
    category_slug,
    changed_fields,
    clean_email,
    live_input,
    raw_from_business,
    take_fields,
)
from directory.submissions.service import (
    KIND_CLAIM,
    KIND_EDIT,
    PENDING,
    SUPERSEDED,
    duplicates_json,
    find_duplicates,
)
from directory.textnorm import TextInputError, clean_user_text

OWNER_STATUSES: Final = (BusinessStatus.PUBLISHED, BusinessStatus.CLOSED)


def pending_edits(session: Session, business_id: int) -> list[Submission]:
    """Edit submissions of a business that wait for an editor."""
    return list(
        session.scalars(
            select(Submission)
            .where(
                Submission.business_id == business_id,
                Submission.kind == KIND_EDIT,
                Submission.status == PENDING,
            )
            .order_by(Submission.created_at)
        )
    )


@dataclass(frozen=True, slots=True)
class OwnerEdit:
    """What an owner's PATCH did."""

    business: Business
    applied: list[str]
    review: Submission | None


def _validated(
    session: Session, business: Business, changes: Mapping[str, object]
) -> tuple[list[str], BusinessInput, BusinessInput]:
    live = live_input(session, business)
    raw = raw_from_business(business)
    raw.update(as_raw(dict(changes)))
    try:
        edited = parse_business_fields(raw, resolve_category=category_resolver(session))
    except InvalidInput as exc:
        # Only the owner's own fields can be at fault; stored values passed before.
        errors = [e for e in exc.errors if e.field in changes] or exc.errors
        raise InvalidInput(detail=exc.detail, errors=errors) from exc
    return changed_fields(live, edited), live, edited


def _supersede_pending_edits(session: Session, business_id: int, actor: str) -> None:
    for old in pending_edits(session, business_id):
        old.status = SUPERSEDED
        old.decided_at = utcnow()
        old.decided_by = actor
        audit.record(
            session, actor=actor, action="supersede", subject_type="submission",
            subject_id=old.id, detail={"business_id": business_id},
        )  # fmt: skip


def _queue_edit(
    session: Session, business: Business, owner: OwnerToken, edited: BusinessInput, fields: set[str]
) -> Submission:
    actor = owner_actor(owner)
    _supersede_pending_edits(session, business.id, actor)
    payload: dict[str, object] = {}
    for name in sorted(fields):
        value = getattr(edited, "category_id" if name == "category" else name)
        payload[name] = category_slug(session, int(value)) if name == "category" else value
    submission = Submission(
        id=new_submission_id(),
        kind=KIND_EDIT,
        status=PENDING,
        business_id=business.id,
        payload=payload,
        token_hash=owner.token_hash,
        location_approximate=False,
        duplicates=duplicates_json(find_duplicates(session, edited, exclude_ids=(business.id,))),
        created_at=utcnow(),
    )
    session.add(submission)
    session.flush()
    audit.record(
        session, actor=actor, action="submit", subject_type="submission",
        subject_id=submission.id, detail={"kind": KIND_EDIT, "fields": sorted(fields)},
    )  # fmt: skip
    return submission


def _set_status(session: Session, business: Business, status: str, actor: str) -> bool:
    if status == business.status:
        return False
    if business.status not in OWNER_STATUSES:
        raise Forbidden(
            detail=f"This listing is {business.status}; only an editor can change that."
        )
    business.status = status
    touch_updated(business)
    session.flush()
    indexing.index_businesses(session, [business.id])
    audit.record(
        session, actor=actor, action="close" if status == BusinessStatus.CLOSED else "reopen",
        subject_type="business", subject_id=business.id,
    )  # fmt: skip
    return True


def edit_business(
    sessions: sessionmaker[Session],
    business_id: int,
    token: str | None,
    changes: Mapping[str, object],
    *,
    status: str | None = None,
) -> OwnerEdit:
    """Apply an owner's changes: some at once, name/location/category after review."""

    def work(session: Session) -> OwnerEdit:
        owner, business = owned_business(session, business_id, token)
        fields, live, edited = _validated(session, business, changes)
        reviewed = set(fields) & REVIEWED_FIELDS
        immediate = set(fields) - REVIEWED_FIELDS
        actor = owner_actor(owner)
        applied = sorted(immediate, key=fields.index)
        if immediate:
            update_business(
                session, business, take_fields(live, edited, immediate), fields=immediate
            )
            audit.record(
                session, actor=actor, action="edit", subject_type="business",
                subject_id=business.id, detail={"fields": applied},
            )  # fmt: skip
        review = _queue_edit(session, business, owner, edited, reviewed) if reviewed else None
        if status is not None and _set_status(session, business, status, actor):
            applied.append("status")
        return OwnerEdit(business, applied, review)

    return run_in_transaction(sessions, work)


@dataclass(frozen=True, slots=True)
class ClaimReceipt:
    submission: Submission
    edit_token: str


def _clean(value: str | None, field: str, max_len: int, errors: list[FieldError]) -> str:
    try:
        return clean_user_text(value or "", max_len=max_len, field=field, multiline=True)
    except TextInputError as exc:
        errors.append(FieldError(field, str(exc)))
        return ""


def claim_business(
    sessions: sessionmaker[Session],
    business_id: int,
    *,
    contact_name: str,
    contact_email: str,
    contact_phone: str | None = None,
    message: str | None = None,
) -> ClaimReceipt:
    """Ask to manage a listing; the token becomes an owner token if an editor agrees."""
    errors: list[FieldError] = []
    name = _clean(contact_name, "contact_name", 200, errors)
    if not name and not any(e.field == "contact_name" for e in errors):
        errors.append(FieldError("contact_name", "is required"))
    email = clean_email(contact_email, field="contact_email", errors=errors)
    if email is None and not any(e.field == "contact_email" for e in errors):
        errors.append(FieldError("contact_email", "is required"))
    phone = _clean(contact_phone, "contact_phone", 40, errors)
    note = _clean(message, "message", 2000, errors)
    if errors:
        raise InvalidInput(
            detail="; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors
        )
    token = new_token(EDIT_PREFIX)

    def work(session: Session) -> Submission:
        business = session.get(Business, business_id)
        if business is None or business.status not in READER_VISIBLE:
            raise NotFound(detail=f"no business with id {business_id}")
        submission = Submission(
            id=new_submission_id(),
            kind=KIND_CLAIM,
            status=PENDING,
            business_id=business_id,
            payload={"contact_name": name, "contact_phone": phone or None, "message": note},
            contact_email=email,
            token_hash=hash_token(token),
            location_approximate=False,
            duplicates=[],
            created_at=utcnow(),
        )
        session.add(submission)
        session.flush()
        session.add(OwnerToken(token_hash=submission.token_hash, submission_id=submission.id))
        audit.record(
            session, actor="claimant", action="submit", subject_type="submission",
            subject_id=submission.id, detail={"kind": KIND_CLAIM, "business_id": business_id},
        )  # fmt: skip
        return submission

    return ClaimReceipt(run_in_transaction(sessions, work), token)


def revoke_owner_tokens(session: Session, business_id: int) -> int:
    """Revoke every owner token of a business (an editor's remedy for a lost link)."""
    result = session.execute(
        update(OwnerToken)
        .where(OwnerToken.business_id == business_id, OwnerToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)
