"""Recording interactions from the API: all-or-nothing per request, aggregates kept exact.

A batch is validated as a whole (every unknown business is reported with its index)
before anything is written; then the rows and the ``interaction_count`` increments go in
one transaction, the counts as ``count = count + n`` so concurrent writers never lose one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from directory.errors import FieldError, InvalidInput
from directory.interactions.schemas import InteractionIn
from directory.models import Business, BusinessStatus, Interaction, utcnow

_CHUNK = 900
FUTURE_SLACK = timedelta(minutes=10)


def _resolve(
    session: Session, items: Sequence[InteractionIn]
) -> tuple[list[int | None], list[FieldError]]:
    ext_ids = sorted({i.business_external_id for i in items if i.business_external_id})
    ids = sorted({i.business_id for i in items if i.business_id is not None})
    by_ext: dict[str, int] = {}
    known: set[int] = set()
    visible = Business.status.in_((BusinessStatus.PUBLISHED, BusinessStatus.CLOSED))
    for start in range(0, len(ext_ids), _CHUNK):
        chunk = ext_ids[start : start + _CHUNK]
        for ext, found_id in session.execute(
            select(Business.external_id, Business.id).where(
                Business.external_id.in_(chunk), visible
            )
        ):
            if ext is not None:
                by_ext[ext] = found_id
    for start in range(0, len(ids), _CHUNK):
        known.update(
            session.scalars(
                select(Business.id).where(Business.id.in_(ids[start : start + _CHUNK]), visible)
            )
        )
    resolved: list[int | None] = []
    errors: list[FieldError] = []
    for n, item in enumerate(items):
        bid: int | None = None
        if item.business_external_id is not None:
            bid = by_ext.get(item.business_external_id)
            if bid is None:
                errors.append(FieldError(f"items[{n}].business_external_id", "no such business"))
            elif item.business_id is not None and item.business_id != bid:
                errors.append(FieldError(f"items[{n}].business_id", "names another business"))
        elif item.business_id is not None:
            bid = item.business_id if item.business_id in known else None
            if bid is None:
                errors.append(FieldError(f"items[{n}].business_id", "no such business"))
        resolved.append(bid)
    return resolved, errors


def _when(item: InteractionIn, zone: ZoneInfo, now: datetime) -> datetime:
    if item.at is None:
        return now
    return item.at if item.at.tzinfo else item.at.replace(tzinfo=zone)


def record_interactions(
    session: Session,
    items: Sequence[InteractionIn],
    *,
    timezone: str,
    source: str,
    field_prefix: str = "items",
) -> list[int]:
    """Validate and store a batch; returns the new ids. Raises InvalidInput naming items.

    ``source`` names the sender (``key:<id>`` for an API key) and is stored on every row,
    so the model can cap what any one sender contributes.
    """
    zone = ZoneInfo(timezone)
    now = utcnow()
    resolved, errors = _resolve(session, items)
    rows: list[dict[str, object]] = []
    for n, (item, bid) in enumerate(zip(items, resolved, strict=True)):
        at = _when(item, zone, now)
        if at > now + FUTURE_SLACK:
            errors.append(FieldError(f"items[{n}].at", "is in the future"))
        if bid is not None:
            rows.append(
                {
                    "user_id": item.user_id,
                    "business_id": bid,
                    "kind": item.kind,
                    "at": at,
                    "created_at": now,
                    "source": source,
                }
            )
    if errors:
        if field_prefix != "items":
            errors = [
                FieldError(e.field.replace("items[0].", "", 1), e.message, e.location)
                for e in errors
            ]
        raise InvalidInput(
            detail=f"{len(errors)} invalid interaction(s); nothing was stored",
            errors=errors[:100],
        )
    table = cast(Table, Interaction.__table__)
    new_ids = [
        r[0]
        for r in session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
        )
    ]
    counts = Counter(cast(int, r["business_id"]) for r in rows)
    btable = cast(Table, Business.__table__)
    session.connection().execute(
        update(btable)
        .where(btable.c.id == bindparam("b_id"))
        .values(interaction_count=btable.c.interaction_count + bindparam("n")),
        [{"b_id": bid, "n": n} for bid, n in sorted(counts.items())],
    )
    return new_ids
