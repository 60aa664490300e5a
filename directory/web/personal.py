"""The home page's sections for a returning reader: "Terakhir dilihat" and "Untuk Anda".

Both read only this browser's own page events (by its visitor pseudonym); a reader who
is not recorded (DNT, GPC, opted out, no visitor cookie yet) gets neither. "Untuk Anda"
is the recommendation service asked with the visitor's id and no point, so it ranks
around where they usually go (``recommendations/usual_area.py``) and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.businesses.views import business_summary
from directory.errors import InvalidInput
from directory.models import Business, BusinessStatus
from directory.readers.events import recently_viewed
from directory.readers.visitor import visitor_for
from directory.recommendations.service import RecommendationQuery, recommend, weights_for
from directory.web.context import Page
from directory.web.views import ResultView, listed

RECENT_LIMIT: Final = 6
FOR_YOU_LIMIT: Final = 6


@dataclass(frozen=True, slots=True)
class PersonalSections:
    """What the home page shows this reader; both empty for a reader not recorded."""

    recently_viewed: list[ResultView] = field(default_factory=list)
    for_you: list[ResultView] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.recently_viewed or self.for_you)


def _recent(session: Session, user_id: str, *, at: datetime, lang: str) -> list[ResultView]:
    ids = recently_viewed(session, user_id, limit=RECENT_LIMIT)
    if not ids:
        return []
    rows = {
        b.id: b
        for b in session.scalars(
            select(Business).where(
                Business.id.in_(ids), Business.status == BusinessStatus.PUBLISHED
            )
        )
    }
    return [
        ResultView(summary=listed(business_summary(rows[i], at=at, lang=lang)))
        for i in ids
        if i in rows
    ]


def _for_you(
    session: Session, page: Page, user_id: str, *, at: datetime, exclude: set[int]
) -> list[ResultView]:
    try:
        result = recommend(
            session,
            RecommendationQuery(
                user_id=user_id, limit=FOR_YOU_LIMIT + len(exclude), lang=page.lang
            ),
            now=at,
            timezone=page.settings.timezone,
            weights=weights_for(page.settings.new_listing_age_days),
        )
    except InvalidInput:  # no usual area (every place of the history is gone): no section
        return []
    views = [
        ResultView(
            summary=listed(item.business),
            distance_m=item.business.distance_m,
            reason=" · ".join(item.reasons[:3]),
        )
        for item in result.items
        if item.business.id not in exclude
    ]
    return views[:FOR_YOU_LIMIT]


def personal_sections(page: Page, session: Session, *, at: datetime) -> PersonalSections:
    """This reader's sections, or empty ones when they are not recorded or new."""
    user_id = visitor_for(page.request, create=False).user_id
    if user_id is None:
        return PersonalSections()
    recent = _recent(session, user_id, at=at, lang=page.lang)
    if not recent:
        return PersonalSections()
    exclude = {r.summary.id for r in recent}
    return PersonalSections(
        recently_viewed=recent,
        for_you=_for_you(session, page, user_id, at=at, exclude=exclude),
    )
