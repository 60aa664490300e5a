"""Page events: what a reader looked at and which contact they used, and reading it back.

A page event is an ordinary ``interaction`` row (so the recommender learns from it like
from any other) with ``source = 'page'``, the visitor's pseudonym as ``user_id`` and the
reader's ``action``. Actions map onto the interaction kinds the model already weighs:
a phone or WhatsApp tap is a ``call``, directions or the website a ``click``, a page a
``view``. The same action on the same place repeated within ``REPEAT_WINDOW`` (a reload,
back and forth, a second tap on the number) is one intent and is not stored again.
Nothing else is kept: no IP address, no User-Agent, no referrer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final, cast

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session

from directory.models import Business, BusinessStatus, Interaction
from directory.readers.visitor import PAGE_SOURCE

ACTION_KINDS: Final = {
    "view": "view",
    "phone": "call",
    "whatsapp": "call",
    "directions": "click",
    "website": "click",
}
"""Every action a page records, and the interaction kind the model weighs it as."""
REPEAT_WINDOW: Final = timedelta(minutes=30)
RECENT_SCAN: Final = 200


def record_page_event(
    session: Session, *, user_id: str, business_id: int, action: str, now: datetime
) -> bool:
    """Store one event in the caller's transaction; False when it repeated a recent one.

    Raises ``KeyError`` for an unknown action (callers validate first).
    """
    kind = ACTION_KINDS[action]
    repeat = session.scalar(
        select(Interaction.id)
        .where(
            Interaction.user_id == user_id,
            Interaction.business_id == business_id,
            Interaction.action == action,
            Interaction.at >= now - REPEAT_WINDOW,
        )
        .limit(1)
    )
    if repeat is not None:
        return False
    session.add(
        Interaction(
            user_id=user_id,
            business_id=business_id,
            kind=kind,
            at=now,
            created_at=now,
            source=PAGE_SOURCE,
            action=action,
        )
    )
    btable = cast(Table, Business.__table__)
    session.execute(
        update(btable)
        .where(btable.c.id == business_id)
        .values(interaction_count=btable.c.interaction_count + 1)
    )
    return True


def recently_viewed(session: Session, user_id: str, *, limit: int) -> list[int]:
    """This visitor's businesses, most recently seen first, each once (published only)."""
    rows = session.execute(
        select(Interaction.business_id)
        .join(Business, Business.id == Interaction.business_id)
        .where(
            Interaction.user_id == user_id,
            Interaction.source == PAGE_SOURCE,
            Business.status == BusinessStatus.PUBLISHED,
        )
        .order_by(Interaction.at.desc(), Interaction.id.desc())
        .limit(RECENT_SCAN)
    ).scalars()
    seen: dict[int, None] = {}
    for business_id in rows:
        seen.setdefault(business_id, None)
        if len(seen) >= limit:
            break
    return list(seen)


def has_history(session: Session, user_id: str) -> bool:
    """Whether any interaction is stored under this ``user_id``."""
    return (
        session.scalar(select(Interaction.id).where(Interaction.user_id == user_id).limit(1))
        is not None
    )


def forget_visitor(session: Session, user_id: str) -> int:
    """Delete every page event of this visitor (caller's transaction); how many.

    The businesses' ``interaction_count`` drop by what is deleted, so the counts stay
    the exact number of stored rows.
    """
    counts: Sequence[tuple[int, int]] = (
        session.execute(
            select(Interaction.business_id, func.count())
            .where(Interaction.user_id == user_id, Interaction.source == PAGE_SOURCE)
            .group_by(Interaction.business_id)
        )
        .tuples()
        .all()
    )
    if not counts:
        return 0
    session.execute(
        delete(Interaction).where(Interaction.user_id == user_id, Interaction.source == PAGE_SOURCE)
    )
    btable = cast(Table, Business.__table__)
    for business_id, n in sorted(counts):
        session.execute(
            update(btable)
            .where(btable.c.id == business_id)
            .values(interaction_count=btable.c.interaction_count - n)
        )
    return sum(n for _, n in counts)
