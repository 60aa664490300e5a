"""``ranking_hints``: a listing's positions, and the fills that would change them.

Positions: its rank among places of its category within 1 km (by rating), in its common
searches (``queries.py``) from its area, and in recommendations from its point with and
without its category. Hints: for each missing or weak field (``fills.py``) the probes that
field can affect are run again with the field filled (``what_if.py``); a hint is made only
where the re-ranked result puts the listing higher, and it states exactly that result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from directory.api.summary import localized_name
from directory.errors import InvalidInput
from directory.models import Business, BusinessStatus
from directory.owner_hints import messages
from directory.owner_hints.fills import Fill, first_open_time, missing_fills, parsed_hours
from directory.owner_hints.queries import category_terms, common_searches
from directory.owner_hints.ranks import Probe, Standing, run_probe
from directory.owner_hints.what_if import filled
from directory.recommendations.service import RecommendationQuery
from directory.search.catalog import AreaInfo, CategoryInfo, get_catalog
from directory.search.params import SearchParams, Sort
from directory.search.text_match import words

NEARBY_RADIUS_M = 1000.0
MAX_DESCRIPTION_HINTS = 2


@dataclass(frozen=True, slots=True)
class Position:
    """Where the listing stands in one ranking (see ``Probe.context``)."""

    context: str
    query: str | None
    rank: int | None
    out_of: int
    complete: bool
    message: str


@dataclass(frozen=True, slots=True)
class Hint:
    """Filling ``field`` moves the listing from ``before_rank`` to ``after_rank`` in the
    ranking named by ``context``/``query`` at local time ``at`` (re-ranked, not guessed)."""

    field: str
    value: str
    context: str
    query: str | None
    at: datetime
    before_rank: int | None
    after_rank: int
    message: str
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class Note:
    """A field that helps readers, re-ranked and found not to move the listing."""

    field: str
    message: str


@dataclass(frozen=True, slots=True)
class RankingHints:
    """Everything the owner's hints section and the hints endpoint show."""

    business_id: int
    category: CategoryInfo
    area: AreaInfo | None
    positions: list[Position]
    hints: list[Hint]
    notes: list[Note]


@dataclass(frozen=True, slots=True)
class _Subject:
    business: Business
    category: CategoryInfo
    area: AreaInfo | None
    terms: list[str]
    now: datetime
    timezone: str
    lang: str

    @property
    def area_words(self) -> str:
        return " ".join(words(self.area.name)) if self.area else ""

    def search(self, q: str, *, at: datetime) -> Probe:
        """A search for ``q`` in the listing's area (its name added to the words), or from
        the listing's point when it has no area."""
        if self.area is not None:
            typed = f"{q} {self.area_words}"
            return Probe("search", typed, at, search=SearchParams(q=typed))
        b = self.business
        return Probe("search", q, at, search=SearchParams(q=q, lat=b.lat, lon=b.lon))

    def common(self, q: str, *, with_area: bool) -> Probe:
        """A common search as ``_positions`` runs it: the area in the words, or a reader
        at the area's centre (the listing's point without an area)."""
        if with_area:
            return Probe("search", q, self.now, search=SearchParams(q=q))
        b = self.business
        lat, lon = (self.area.lat, self.area.lon) if self.area else (b.lat, b.lon)
        return Probe("search", q, self.now, search=SearchParams(q=q, lat=lat, lon=lon))

    def recommendations(self, *, at: datetime, category: bool) -> Probe:
        b = self.business
        query = RecommendationQuery(
            lat=b.lat, lon=b.lon, category=self.category.slug if category else None,
            lang=self.lang, origin="place",
        )  # fmt: skip
        context = "recommendations_category" if category else "recommendations"
        return Probe(context, self.category.slug if category else None, at,
                     recommendation=query)  # fmt: skip

    def standing(self, session: Session, probe: Probe) -> Standing:
        return run_probe(session, probe, self.business.id, timezone=self.timezone)

    @property
    def category_name(self) -> str:
        return localized_name(self.category, self.lang)


_Ran = tuple[Probe, Standing]


def _position(probe: Probe, st: Standing, message: str) -> Position:
    return Position(probe.context, probe.query, st.rank, st.out_of, st.complete, message)


def _positions(session: Session, s: _Subject) -> tuple[list[Position], dict[str, _Ran], list[_Ran]]:
    """Every position; the common searches' probes and standings by their words; the
    recommendation probes and standings."""
    b = s.business
    out: list[Position] = []
    nearby = Probe("category_1km", None, s.now, search=SearchParams(
        lat=b.lat, lon=b.lon, radius_m=NEARBY_RADIUS_M, categories=(s.category.slug,),
        sort=Sort.RATING,
    ))  # fmt: skip
    st = s.standing(session, nearby)
    said = messages.category_nearby(st.out_of, st.rank, s.category_name, s.lang)
    out.append(_position(nearby, st, said))
    by_query: dict[str, _Ran] = {}
    for cs in common_searches(s.terms, s.area.name if s.area else None):
        probe = s.common(cs.q, with_area=cs.with_area)
        st = s.standing(session, probe)
        by_query[cs.q] = (probe, st)
        said = messages.search_position(cs.q, st.rank, st.out_of, st.complete, s.lang)
        out.append(_position(probe, st, said))
    recs: list[_Ran] = []
    for with_category in (False, True):
        probe = s.recommendations(at=s.now, category=with_category)
        st = s.standing(session, probe)
        recs.append((probe, st))
        name = s.category_name if with_category else None
        said = messages.recommendation_position(name, st.rank, st.out_of, s.lang)
        out.append(_position(probe, st, said))
    return out, by_query, recs


_Say = Callable[[Probe, int | None, int], str]


def _improvements(
    session: Session, s: _Subject, fill: Fill, probes: Sequence[tuple[Probe, Standing | None, _Say]]
) -> list[Hint]:
    """Run each probe with ``fill`` applied; a hint for each where the listing rises."""
    befores = [known or s.standing(session, p) for p, known, _ in probes]
    with filled(session, s.business, fill.changes, add_photo=fill.add_photo):
        afters = [s.standing(session, p) for p, _, _ in probes]
    hints: list[Hint] = []
    for (probe, _, say), before, after in zip(probes, befores, afters, strict=True):
        if after.rank is None or (before.rank is not None and after.rank >= before.rank):
            continue
        value = str(fill.changes.get(fill.field, ""))
        lat, lon = probe.point
        hints.append(Hint(fill.field, value, probe.context, probe.query, probe.at, before.rank,
                          after.rank, say(probe, before.rank, after.rank), lat, lon))  # fmt: skip
    return hints


def _unchanged(session: Session, s: _Subject, fill: Fill, probes: list[_Ran]) -> bool:
    """Whether ``fill`` leaves the listing's rank the same in every probe."""
    with filled(session, s.business, fill.changes, add_photo=fill.add_photo):
        return all(s.standing(session, p).rank == before.rank for p, before in probes)


def _hints_for(
    session: Session, s: _Subject, fill: Fill, searches: dict[str, _Ran],
    main: list[_Ran],
) -> tuple[list[Hint], list[Note]]:  # fmt: skip
    lang, term = s.lang, s.terms[0]
    if fill.field == "opening_hours":
        at = first_open_time(parsed_hours(fill), s.now)
        if at is None:
            return [], []
        search = s.search(f"{term} buka sekarang", at=at)
        rec = s.recommendations(at=at, category=True)
        return _improvements(session, s, fill, [
            (search, None, lambda p, b, a: messages.hours_search(
                fill.shown, p.at, str(p.query), b, a, lang)),
            (rec, None, lambda p, b, a: messages.hours_recommendation(
                fill.shown, p.at, s.category_name, b, a, lang)),
        ]), []  # fmt: skip
    if fill.field == "price_level":
        probe = s.search(f"{term} murah", at=s.now)
        return _improvements(session, s, fill, [
            (probe, None, lambda p, b, a: messages.price_search(str(p.query), b, a, lang)),
        ]), []  # fmt: skip
    if fill.field == "description":
        probes = [(p, st, _describe(fill.shown, lang)) for p, st in searches.values()]
        return _improvements(session, s, fill, probes)[:MAX_DESCRIPTION_HINTS], []
    if main and _unchanged(session, s, fill, main):
        return [], [Note(fill.field, messages.no_rank_change(fill.field, lang))]
    return [], []


def _describe(mention: str, lang: str) -> _Say:
    return lambda p, b, a: messages.description_search(mention, str(p.query), b, a, lang)


def ranking_hints(
    session: Session, business: Business, *, now: datetime, timezone: str, lang: str = "id"
) -> RankingHints:
    """Positions, hints and notes for a listing; ``now`` is the city's local time, aware.

    Leaves the database as it found it (every what-if is rolled back); commits nothing.
    """
    catalog = get_catalog(session)
    category = catalog.categories[business.primary_category_id]
    area = catalog.areas.get(business.area_id) if business.area_id is not None else None
    empty = RankingHints(business.id, category, area, [], [], [])
    if business.status != BusinessStatus.PUBLISHED:
        return empty  # readers see no unpublished listing: there is no rank to improve
    terms = category_terms(category.name_id, category.synonyms)
    s = _Subject(business, category, area, terms, now, timezone, lang)
    positions, searches, recs = _positions(session, s)
    if not terms:
        return RankingHints(business.id, category, area, positions, [], [])
    main = [next(iter(searches.values())), *recs]
    hints: list[Hint] = []
    notes: list[Note] = []
    for fill in missing_fills(session, business, terms=terms):
        try:
            found, said = _hints_for(session, s, fill, searches, main)
        except InvalidInput:
            continue  # a value that no longer validates (a peer's old hours): no re-rank, no hint
        hints.extend(found)
        notes.extend(said)
    return RankingHints(business.id, category, area, positions, hints, notes)
