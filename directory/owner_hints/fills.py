"""Which fields of a listing are missing or weak, and what filling them would mean.

Only fields some ranking reads get a :class:`Fill` that may become a hint: opening hours
(the open-now, 24-hour and meal-time filters of search; the open-now signal of
recommendations), the price level (the "murah" filter) and the description (text match).
Photo and phone are read by no ranking; they get a fill too, so that the note saying so
is checked by re-ranking like everything else.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.hours import OpeningHours, is_open_at, parse_opening_hours
from directory.models import Business, BusinessStatus, Photo
from directory.search.service import nearest_candidates
from directory.search.text_match import words

DESCRIPTION_WEAK_WORDS = 5
"""A description shorter than this many words counts as weak."""
PEER_SAMPLE = 50
"""Nearest listings of the same category whose hours make the "typical" hours."""
DEFAULT_HOURS = "Mo-Su 08:00-21:00"
"""The example hours when no listing of the category nearby has any (the hint says which
hours it assumed, so this is a stated example, not a claim about the business)."""
SAMPLE_PHONE = "081234567890"
"""A well-formed number for the phone what-if; it is rolled back, never stored."""
FIRST_TRY = time(12, 0)


@dataclass(frozen=True, slots=True)
class Fill:
    """One hypothetical edit: owner-edit ``changes`` (and/or a photo) for ``field``."""

    field: str
    changes: dict[str, object] = dataclasses.field(default_factory=dict)
    add_photo: bool = False
    shown: str = ""
    """What the hint says was filled in: the hours used, or the words to mention."""


def typical_hours(session: Session, business: Business) -> str:
    """The most common hours among the nearest listings of the same category (nearest
    first on ties), else ``DEFAULT_HOURS``."""
    near = nearest_candidates(
        session, lat=business.lat, lon=business.lon, limit=PEER_SAMPLE + 1,
        category_ids=[business.primary_category_id],
    )  # fmt: skip
    ids = [bid for bid, _ in near if bid != business.id]
    if not ids:
        return DEFAULT_HOURS
    rows = dict(
        session.execute(
            select(Business.id, Business.opening_hours).where(
                Business.id.in_(ids), Business.opening_hours.is_not(None),
                Business.opening_hours != "", Business.status == BusinessStatus.PUBLISHED,
            )
        ).tuples().all()
    )  # fmt: skip
    texts = [t for t in (rows.get(i) for i in ids) if t]
    if not texts:
        return DEFAULT_HOURS
    counts = Counter(texts)
    best = max(counts.values())
    return next(t for t in texts if counts[t] == best)


def first_open_time(hours: OpeningHours, now: datetime) -> datetime | None:
    """The first full hour, from noon today on through the week, at which ``hours`` are
    open (aware, in ``now``'s zone); None for hours that never open."""
    start = datetime.combine(now.date(), FIRST_TRY, tzinfo=now.tzinfo)
    for step in range(7 * 24):
        at = start + timedelta(hours=step)
        if is_open_at(hours, at.replace(tzinfo=None)):
            return at
    return None


def has_live_photo(session: Session, business_id: int) -> bool:
    """Whether readers see at least one photo of the listing."""
    count = session.scalar(
        select(func.count())
        .select_from(Photo)
        .where(Photo.business_id == business_id, Photo.status == "live")
    )
    return bool(count)


def description_words(terms: list[str]) -> str:
    """The words a description should mention for the listing's common searches."""
    return ", ".join(terms)


def missing_fills(session: Session, business: Business, *, terms: list[str]) -> list[Fill]:
    """The fills to try for this listing, in the order hints are shown."""
    fills: list[Fill] = []
    if business.opening_hours_json is None:
        hours = typical_hours(session, business)
        fills.append(Fill("opening_hours", {"opening_hours": hours}, shown=hours))
    if business.price_level is None:
        fills.append(Fill("price_level", {"price_level": 1}, shown="1"))
    if len(words(business.description or "")) < DESCRIPTION_WEAK_WORDS and terms:
        mention = description_words(terms)
        text = f"{business.description.strip()} {mention}".strip()
        fills.append(Fill("description", {"description": text}, shown=mention))
    if not has_live_photo(session, business.id):
        fills.append(Fill("photo", add_photo=True))
    if not business.phone:
        fills.append(Fill("phone", {"phone": SAMPLE_PHONE}))
    return fills


def parsed_hours(fill: Fill) -> OpeningHours:
    """The hours an ``opening_hours`` fill writes."""
    return parse_opening_hours(str(fill.changes["opening_hours"]))
