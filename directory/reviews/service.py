"""Posting, listing and hiding reviews while keeping rating aggregates exact.

``business.rating_sum`` / ``rating_count`` = the imported baseline + every *live* review.
They are only ever changed by relative SQL (``rating_sum = rating_sum + :delta``) in the
transaction that writes the review row, never by writing a value computed in Python, so
concurrent reviews cannot overwrite each other's contribution. The first statement of a
review transaction is that UPDATE: it takes the business row's lock (PostgreSQL) or the
write lock (SQLite) before anything is read, so the reviewer's earlier review is read
after any concurrent change to it. Transactions that lose a race anyway (deadlock,
serialization failure, "database is locked") are run again by ``run_in_transaction``.

A reviewer is an anonymous key the client keeps (header ``X-Reviewer-Key`` or cookie
``dekat_reviewer``); only a hash of it is stored. A second review by the same reviewer of
the same business replaces the first (and becomes the newest). A review an editor hid
stays hidden when its author posts again. A review the stuffing screen
(``reviews/abuse.py``) flags is stored as ``held``: not listed and not in the rating
until an editor shows it (a held review stays held when its author posts again).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from directory.accounts import audit
from directory.businesses.service import READER_VISIBLE, get_public_business
from directory.db_retry import run_in_transaction
from directory.errors import NotFound, invalid
from directory.models import Business, Review, utcnow
from directory.search import indexing
from directory.textnorm import TextInputError, clean_user_text

LIVE: Final = "live"
HIDDEN: Final = "hidden"
HELD: Final = "held"
MAX_TEXT_LEN: Final = 2000
REVIEWER_HEADER: Final = "X-Reviewer-Key"
REVIEWER_COOKIE: Final = "dekat_reviewer"
_KEY: Final = re.compile(r"\A[A-Za-z0-9._~-]{8,200}\Z")
_RETRIES: Final = 12  # 20 writers on one SQLite file lose races often; each retry is cheap


def reviewer_hash(key: str) -> str:
    """The stored identity of a reviewer key."""
    return hashlib.sha256(f"dekat-reviewer:{key}".encode()).hexdigest()


def check_reviewer_key(key: str | None) -> str:
    """A usable reviewer key: 8–200 characters of ``A–Z a–z 0–9 . _ ~ -``."""
    if not key:
        raise invalid(
            REVIEWER_HEADER,
            "is required: send a random key of your own (kept by the client) as the "
            f"{REVIEWER_HEADER} header or the {REVIEWER_COOKIE} cookie",
            location="header",
        )
    if not _KEY.match(key):
        raise invalid(
            REVIEWER_HEADER, "must be 8–200 characters of A–Z, a–z, 0–9, '.', '_', '~', '-'",
            location="header",
        )  # fmt: skip
    return key


def clean_review_text(text: str | None) -> str:
    """Review text with HTML and control characters removed; at most 2000 characters."""
    try:
        return clean_user_text(text or "", max_len=MAX_TEXT_LEN, field="text", multiline=True)
    except TextInputError as exc:
        raise invalid("text", str(exc)) from exc


@dataclass(frozen=True, slots=True)
class PostedReview:
    """A stored review and whether it replaced the reviewer's earlier one."""

    review: Review
    replaced: bool
    rating_sum: float
    rating_count: int


def _shift(session: Session, business_id: int, *, delta_sum: int, delta_count: int) -> int:
    """Add to the aggregates relatively; returns rows changed (0: not reviewable)."""
    result = session.execute(
        update(Business)
        .where(Business.id == business_id, Business.status.in_(READER_VISIBLE))
        .values(
            rating_sum=Business.rating_sum + delta_sum,
            rating_count=Business.rating_count + delta_count,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _write_review(
    session: Session, business_id: int, reviewer: str, rating: int, text: str, *, hold: bool
) -> PostedReview:
    # Lock the business row first (a no-op update), then decide what counts.
    if _shift(session, business_id, delta_sum=0, delta_count=0) != 1:
        raise NotFound(detail=f"no business with id {business_id}")
    review = session.scalar(
        select(Review).where(Review.business_id == business_id, Review.reviewer_hash == reviewer)
    )
    now = utcnow()
    replaced = review is not None
    if review is None:
        review = Review(
            business_id=business_id,
            reviewer_hash=reviewer,
            rating=rating,
            text=text,
            status=HELD if hold else LIVE,
            created_at=now,
            updated_at=now,
        )
        session.add(review)
    else:
        # Take back what the old row contributed (a hidden or held one contributes
        # nothing, and the new text stays hidden or held with it).
        if review.status == LIVE:
            _shift(session, business_id, delta_sum=-review.rating, delta_count=-1)
            if hold:
                review.status = HELD
        review.rating, review.text = rating, text
        review.created_at = review.updated_at = now
    if review.status == LIVE:
        _shift(session, business_id, delta_sum=rating, delta_count=1)
    session.flush()
    indexing.index_businesses(session, [business_id])
    total, count = session.execute(
        select(Business.rating_sum, Business.rating_count).where(Business.id == business_id)
    ).one()
    return PostedReview(review, replaced, float(total), int(count))


def post_review(
    sessions: sessionmaker[Session],
    business_id: int,
    *,
    reviewer_key: str | None,
    rating: int,
    text: str | None = None,
    hold: bool = False,
) -> PostedReview:
    """Store a reviewer's review of a business, replacing their earlier one.

    ``hold``: store it for an editor to look at first (status ``held``).
    """
    reviewer = reviewer_hash(check_reviewer_key(reviewer_key))
    if isinstance(rating, bool) or not 1 <= rating <= 5:
        raise invalid("rating", "must be a whole number from 1 to 5")
    clean = clean_review_text(text)
    return run_in_transaction(
        sessions,
        lambda s: _write_review(s, business_id, reviewer, rating, clean, hold=hold),
        retries=_RETRIES,
    )


def encode_cursor(created_at: datetime, review_id: int) -> str:
    """An opaque position in a newest-first list."""
    text = f"{created_at.isoformat()}|{review_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The position a cursor names; InvalidInput when it was not made here."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, review_id = text.split("|", 1)
        at, rid = datetime.fromisoformat(stamp), int(review_id)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise invalid("cursor", "is not a cursor from this list", location="query") from exc
    if at.tzinfo is None:
        raise invalid("cursor", "is not a cursor from this list", location="query")
    return at, rid


def list_reviews(
    session: Session, business_id: int, *, limit: int = 20, cursor: str | None = None
) -> tuple[Business, list[Review], str | None]:
    """Live reviews of a public business, newest first, and the next page's cursor."""
    business = get_public_business(session, business_id)
    stmt = (
        select(Review)
        .where(Review.business_id == business_id, Review.status == LIVE)
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(limit + 1)
    )
    if cursor:
        at, rid = decode_cursor(cursor)
        stmt = stmt.where(
            or_(Review.created_at < at, and_(Review.created_at == at, Review.id < rid))
        )
    rows = list(session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
    return business, rows, next_cursor


def _set_visibility(
    session: Session, review_id: int, *, to: str, actor: str, reason: str | None
) -> Review:
    frm = (HIDDEN, HELD) if to == LIVE else (LIVE, HELD)
    was = session.scalar(select(Review.status).where(Review.id == review_id))
    moved = session.execute(
        update(Review)
        .where(Review.id == review_id, Review.status.in_(frm))
        .values(status=to, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    review = session.get(Review, review_id, populate_existing=True)
    if review is None:
        raise NotFound(detail=f"no review with id {review_id}")
    if getattr(moved, "rowcount", 0) == 1:
        if LIVE in (was, to):  # a held review was never in the aggregates
            sign = 1 if to == LIVE else -1
            session.execute(
                update(Business)
                .where(Business.id == review.business_id)
                .values(
                    rating_sum=Business.rating_sum + sign * review.rating,
                    rating_count=Business.rating_count + sign,
                )
                .execution_options(synchronize_session=False)
            )
            indexing.index_businesses(session, [review.business_id])
        audit.record(
            session, actor=actor, action="hide_review" if to == HIDDEN else "show_review",
            subject_type="review", subject_id=review_id,
            detail={"business_id": review.business_id, "reason": reason, "previous": was},
        )  # fmt: skip
    return review


def hide_review(
    sessions: sessionmaker[Session], review_id: int, *, actor: str, reason: str | None = None
) -> Review:
    """An editor hides a review: it leaves the list and the aggregates (idempotent)."""
    try:
        note = clean_user_text(reason or "", max_len=1000, field="reason") or None
    except TextInputError as exc:
        raise invalid("reason", str(exc)) from exc
    return run_in_transaction(
        sessions,
        lambda s: _set_visibility(s, review_id, to=HIDDEN, actor=actor, reason=note),
        retries=_RETRIES,
    )


def held_reviews(session: Session, *, limit: int = 100) -> list[Review]:
    """Reviews the stuffing screen held for an editor, oldest first."""
    return list(
        session.scalars(
            select(Review).where(Review.status == HELD).order_by(Review.id).limit(limit)
        )
    )


def show_review(sessions: sessionmaker[Session], review_id: int, *, actor: str) -> Review:
    """Undo :func:`hide_review`, or release a held review (idempotent)."""
    return run_in_transaction(
        sessions,
        lambda s: _set_visibility(s, review_id, to=LIVE, actor=actor, reason=None),
        retries=_RETRIES,
    )
