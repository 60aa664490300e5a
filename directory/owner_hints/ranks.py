"""Where one listing stands in a real search or recommendation list.

A :class:`Probe` is one ranking a reader could ask for: search parameters, or a
recommendation query, at a local time. ``run_probe`` runs the real service
(``search_businesses`` pages through with its cursor; ``recommend`` returns its list)
and finds the listing in the answer. Nothing here knows about hints.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from directory.recommendations.service import RecommendationQuery, recommend
from directory.search.params import MAX_LIMIT, SearchParams
from directory.search.service import search_businesses

SEARCH_SCAN_CAP = 100
"""Search results looked through for the listing: a rank beyond it is reported as absent
(nobody pages that far) and ``out_of`` then says "at least this many"."""
RECOMMENDATION_LIMIT = 50
"""The longest recommendation list the API serves."""


@dataclass(frozen=True, slots=True)
class Probe:
    """One ranking to look the listing up in (exactly one of ``search``/``recommendation``).

    ``context`` names what it is for readers of the API: ``category_1km``, ``search``,
    ``recommendations`` or ``recommendations_category``; ``query`` the words a reader
    typed, or the category slug of a recommendation list.
    """

    context: str
    query: str | None
    at: datetime
    search: SearchParams | None = None
    recommendation: RecommendationQuery | None = None

    @property
    def point(self) -> tuple[float | None, float | None]:
        """Where the reader stands in this ranking (None, None: no point, the words say where)."""
        if self.search is not None:
            return self.search.lat, self.search.lon
        assert self.recommendation is not None
        return self.recommendation.lat, self.recommendation.lon


@dataclass(frozen=True, slots=True)
class Standing:
    """The listing's 1-based rank (None: not in the list) among ``out_of`` places;
    ``complete`` is False when the list went on past what was looked at."""

    rank: int | None
    out_of: int
    complete: bool


def search_standing(
    session: Session, params: SearchParams, business_id: int, *, now: datetime
) -> Standing:
    """The listing's place in a search, following cursors up to ``SEARCH_SCAN_CAP``."""
    rank: int | None = None
    seen = 0
    cursor: str | None = None
    while True:
        limit = min(MAX_LIMIT, SEARCH_SCAN_CAP - seen)
        page = search_businesses(session, replace(params, limit=limit, cursor=cursor), now=now)
        # Only full matches count: the looser results a short page is filled with (from
        # ``partial_from`` on) are not what the query asked for, so no hint may rely on them.
        cut = page.interpretation.partial_from if page.interpretation else None
        items = page.items if cut is None else page.items[:cut]
        for i, item in enumerate(items):
            if item.id == business_id and rank is None:
                rank = seen + i + 1
        seen += len(items)
        if page.next_cursor is None:
            return Standing(rank, seen, True)
        if seen >= SEARCH_SCAN_CAP:
            return Standing(rank, seen, False)
        cursor = page.next_cursor


def recommendation_standing(
    session: Session, query: RecommendationQuery, business_id: int, *, now: datetime,
    timezone: str,
) -> Standing:  # fmt: skip
    """The listing's place in a recommendation list of ``RECOMMENDATION_LIMIT`` places."""
    page = recommend(
        session, replace(query, limit=RECOMMENDATION_LIMIT), now=now, timezone=timezone
    )
    ids = [item.business.id for item in page.items]
    rank = ids.index(business_id) + 1 if business_id in ids else None
    return Standing(rank, len(ids), len(ids) < RECOMMENDATION_LIMIT)


def run_probe(session: Session, probe: Probe, business_id: int, *, timezone: str) -> Standing:
    """Run the probe's real ranking at its time and find the listing in it."""
    if probe.search is not None:
        return search_standing(session, probe.search, business_id, now=probe.at)
    assert probe.recommendation is not None
    query = replace(probe.recommendation, at=probe.at)
    return recommendation_standing(session, query, business_id, now=probe.at, timezone=timezone)
