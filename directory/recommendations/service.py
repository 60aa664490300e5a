"""Recommendations for a reader: candidates from the directory, ranking by ``recommender``.

Candidates are the union of: the nearest published places (category-aware, through the
search's spatial index), the reader's own places (any distance: a favourite 15 km away
can still come first), places the interaction model relates to the reader's recent ones
(co-visits, usual next places), and text matches when ``q`` is given. Everything else
about the ranking — signals, weights, reasons — lives in the ``recommender`` library.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from directory.api.schemas import AreaRef
from directory.api.summary import area_ref, summary_fields
from directory.errors import FieldError, InvalidInput
from directory.geo import distance_m, valid_coordinates
from directory.hours import is_open_at
from directory.models import Category, Interaction
from directory.recommendations.mix_profile import mix_profile
from directory.recommendations.model_store import current_model
from directory.recommendations.place_rows import (
    RankedPlace,
    ShownPlace,
    ranking_rows,
    shown_rows,
)
from directory.recommendations.schemas import (
    RecommendationItem,
    RecommendationPage,
    RecommendedBusiness,
)
from directory.recommendations.usual_area import (
    history_visits,
    usual_area_reasons,
    usual_point,
)
from directory.search import area_lookup
from directory.search.catalog import Catalog, get_catalog
from directory.search.params import SearchParams
from directory.search.rawsql import FastStatement
from directory.search.service import nearest_candidates, search_businesses, text_match
from directory.textnorm import fold
from recommender import (
    DEFAULT_WEIGHTS,
    Candidate,
    Context,
    InteractionModel,
    Origin,
    Ranked,
    RankingWeights,
    build_history,
    rank,
    render_reason,
)
from recommender.ranking import STRONG_TEXT_MATCH
from recommender.scoring import bayesian_rating

NEAREST_K = 300
RELATED_K = 100
TEXT_K = 50
ASKED_TEXT_MATCH = 0.8
"""The text match of a place search found for the query: at least the ranker's
``STRONG_TEXT_MATCH``, so what was asked for is listed first."""
MENTION_TEXT_MATCH = 0.5
"""At most this for a place that only mentions the query's words (below
``STRONG_TEXT_MATCH``): it keeps a "cocok dengan …" reason but follows what was asked for."""
HISTORY_EVENTS = 2_000


@dataclass(frozen=True, slots=True)
class RecommendationQuery:
    """One validated request (the router builds it from query parameters).

    ``origin`` is what the point is, for the distance reason's words: the reader (default
    for ``lat``/``lon``), an area's centre (default for ``area``) or a business whose
    page shows places near it (``"place"``: "650 m dari sini").
    """

    lat: float | None = None
    lon: float | None = None
    area: str | None = None
    user_id: str | None = None
    at: datetime | None = None
    category: str | None = None
    q: str | None = None
    limit: int = 20
    lang: str = "id"
    origin: Origin | None = None
    anchor_id: int | None = None
    """The business whose page asks ("Juga di sekitar sini"): similar and complementary
    places (same family, co-visited with it) come first."""


def weights_for(new_listing_age_days: float) -> RankingWeights:
    """The library's defaults with the operator's settings applied."""
    return dataclasses.replace(DEFAULT_WEIGHTS, new_listing_age_days=new_listing_age_days)


def adjusted_rating(
    mean: float | None, count: int, weights: RankingWeights = DEFAULT_WEIGHTS
) -> float:
    """The Bayesian-adjusted rating the ranking uses: the mean shrunk toward
    ``rating_prior_mean`` as if ``rating_prior_weight`` more reviews had given it (the prior
    itself when there are no reviews)."""
    value = bayesian_rating(
        np.array([mean if mean is not None else weights.rating_prior_mean]),
        np.array([float(count) if mean is not None else 0.0]),
        prior_mean=weights.rating_prior_mean,
        prior_weight=weights.rating_prior_weight,
    )
    return float(value[0])


def _point(catalog: Catalog, query: RecommendationQuery) -> tuple[float, float, AreaRef | None]:
    if query.lat is not None and query.lon is not None:
        if not valid_coordinates(query.lat, query.lon):
            raise InvalidInput(
                detail="lat/lon: not a valid location",
                errors=[FieldError("lat", "not a valid location", "query")],
            )
        return query.lat, query.lon, None
    if (query.lat is None) != (query.lon is None):
        missing = "lon" if query.lon is None else "lat"
        raise InvalidInput(
            detail=f"{missing}: is required with {'lat' if missing == 'lon' else 'lon'}",
            errors=[FieldError(missing, "is required together with the other", "query")],
        )
    if query.area:
        area = area_lookup.resolve_area(catalog, query.area)
        return (
            area.lat,
            area.lon,
            area_ref(area),
        )
    raise InvalidInput(
        detail="give lat and lon, or area (or a user_id with a history)",
        errors=[FieldError("lat", "lat+lon or area is required", "query")],
    )


def _category(catalog: Catalog, text: str | None) -> tuple[str | None, set[int]]:
    if not text:
        return None, set()
    info = catalog.category_by_slug.get(text.strip().lower())
    if info is None:
        key = fold(text)
        info = next(
            (c for c in catalog.categories.values() if key in (fold(c.name_id), fold(c.name_en))),
            None,
        )
    if info is None:
        raise InvalidInput(
            detail=f"category: unknown category '{text[:60]}'",
            errors=[FieldError("category", "unknown category", "query")],
        )
    return info.slug, catalog.descendants(info.id)


_HISTORY = FastStatement(
    select(Interaction.business_id, Interaction.at, Interaction.kind)
    .where(Interaction.user_id == bindparam("user_id"))
    .order_by(Interaction.at.desc(), Interaction.id.desc())
    .limit(bindparam("n"))
)


def _utc(value: object) -> datetime:
    """A stored UTC timestamp as the DBAPI returns it (SQLite: text, PostgreSQL: naive
    datetime), made aware — what ``UTCDateTime`` does, without SQLAlchemy's per-row cost."""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when.replace(tzinfo=UTC)


def _history_rows(session: Session, user_id: str) -> list[tuple[int, datetime, str]]:
    rows = _HISTORY.rows(session, {"user_id": user_id, "n": HISTORY_EVENTS})
    return [(r[0], _utc(r[1]), r[2]) for r in reversed(rows)]


@lru_cache(maxsize=1024)
def _query_words(q: str) -> frozenset[str]:
    return frozenset(fold(q).split())


@dataclass(frozen=True, slots=True)
class _CategoryFacts:
    """What every candidate of one category shares: its slugs (own first, family last),
    the reach class and the category's folded words for a text query."""

    slugs: tuple[str, ...]
    reach: str
    words: frozenset[str]


def _category_facts(catalog: Catalog, reach: dict[int, str], category_id: int) -> _CategoryFacts:
    chain = catalog.ancestors(category_id)
    return _CategoryFacts(
        slugs=tuple(catalog.categories[c].slug for c in chain),
        reach=reach.get(category_id, "local"),
        words=frozenset().union(*(catalog.categories[c].words for c in chain)),
    )


def recommend(
    session: Session,
    query: RecommendationQuery,
    *,
    now: datetime,
    timezone: str,
    weights: RankingWeights = DEFAULT_WEIGHTS,
) -> RecommendationPage:
    """Rank published businesses for the reader; ``now`` is an aware instant."""
    catalog = get_catalog(session)
    history_rows = _history_rows(session, query.user_id) if query.user_id else []
    usual = None
    if history_rows and query.lat is None and query.lon is None and not query.area:
        usual = _usual_point(session, history_rows)  # no point given: where they usually go
    lat, lon, area = (*usual, None) if usual is not None else _point(catalog, query)
    asked_slug, asked_ids = _category(catalog, query.category)
    zone = ZoneInfo(timezone)
    at = query.at or now
    at = (at if at.tzinfo else at.replace(tzinfo=zone)).astimezone(zone)
    near = nearest_candidates(
        session, lat=lat, lon=lon, limit=NEAREST_K, category_ids=asked_ids or None
    )
    model = current_model(session)
    pool = _pool(near, history_rows, model, query.anchor_id)
    found = _Found()
    if query.q:
        found = _text_hits(session, query, lat=lat, lon=lon, asked_slug=asked_slug, at=at)
        pool.extend(found.ids)
    rows = ranking_rows(session, pool, with_text=bool(query.q))
    candidates = _candidates(
        session, catalog, rows, model, lat=lat, lon=lon, at=at, now=now, query=query,
        asked_slug=asked_slug, found=found,
    )  # fmt: skip
    history = None
    if history_rows:
        history = build_history(
            [(b, t.astimezone(zone), k) for b, t, k in history_rows if b in rows],
            user_id=query.user_id,
            categories={c.business_id: c.category for c in candidates},
        )
    context = Context(
        lat=lat, lon=lon, at=at, user_id=query.user_id, text=query.q, category=asked_slug
    )
    by_id = {c.business_id: c for c in candidates}
    anchor = by_id.get(query.anchor_id) if query.anchor_id is not None else None
    ranked = rank(
        context,
        candidates,
        history=history,
        model=model,
        weights=weights,
        limit=query.limit,
        mix=mix_profile(model.family_share if model is not None else None),
        anchor_family=anchor.family if anchor is not None else None,
    )
    lang: Literal["id", "en"] = "en" if query.lang == "en" else "id"
    origin: Origin = query.origin or ("area" if area is not None else "reader")
    shown = shown_rows(session, [r.business_id for r in ranked])
    items = [
        _item(r, shown[r.business_id], rows[r.business_id], by_id[r.business_id], catalog,
              weights=weights, lang=lang, origin=origin, usual=usual is not None)
        for r in ranked
        if r.business_id in shown  # unpublished since the ranking read: not shown
    ]  # fmt: skip
    return RecommendationPage(
        items=items, point=(lat, lon), area=area, model_fitted=model is not None
    )


def _pool(
    near: Iterable[tuple[int, float]],
    history_rows: Sequence[tuple[int, datetime, str]],
    model: InteractionModel | None,
    anchor_id: int | None,
) -> list[int]:
    """The places worth scoring, each once in the order found: the nearest, the reader's
    own, and (with a fitted model) those related to the anchor and to the reader's visits."""
    pool: dict[int, None] = {}
    for bid, _d in near:
        pool[bid] = None
    for bid, _at, _kind in history_rows:
        pool[bid] = None
    if model is not None and anchor_id is not None:
        for bid, _s in model.related_items([anchor_id], limit=RELATED_K // 2):
            pool[bid] = None
    if model is not None and history_rows:
        visits: dict[int, int] = {}
        for bid, _at, _kind in history_rows:
            visits[bid] = visits.get(bid, 0) + 1
        engagement = {bid: math.log1p(n) for bid, n in visits.items()}
        for bid, _s in model.related_items(engagement, limit=RELATED_K):
            pool[bid] = None
        last_place = history_rows[-1][0]
        for bid, _s in model.related_items([last_place], limit=RELATED_K // 2):
            pool[bid] = None
    return list(pool)


def _text_hits(
    session: Session,
    query: RecommendationQuery,
    *,
    lat: float,
    lon: float,
    asked_slug: str | None,
    at: datetime,
) -> _Found:
    """The places a text query finds (search's best matches near the point), those of them
    that match it fully (before ``partial_from``), and the categories it named — read with
    search's rules (word senses, phrases: "kopi" is coffee, not a photocopy shop)."""
    page = search_businesses(
        session,
        SearchParams(
            q=query.q,
            lat=lat,
            lon=lon,
            categories=(asked_slug,) if asked_slug else (),
            limit=TEXT_K,
        ),
        now=at,
        lang=query.lang,
    )
    ids = [item.id for item in page.items]
    reading = page.interpretation
    named = frozenset(c.slug for c in reading.categories) if reading else frozenset()
    if page.relaxed:  # nothing matched every word: no place is clearly what was asked
        return _Found(ids, frozenset(), named)
    cut = reading.partial_from if reading else None
    return _Found(ids, frozenset(ids if cut is None else ids[:cut]), named)


@dataclass(frozen=True)
class _Found:
    """What search made of a recommendation's query text (empty without one)."""

    ids: list[int] = field(default_factory=list)
    full: frozenset[int] = frozenset()
    """The places matching the query fully."""
    categories: frozenset[str] = frozenset()
    """The slugs of the categories the query named."""


def _asked_text_match(
    raw: float, business_id: int, slugs: Sequence[str], word_hit: bool, found: _Found
) -> float:
    """A place's text match for the ranker: at least ``ASKED_TEXT_MATCH`` when it is what
    the reader asked for, otherwise at most ``MENTION_TEXT_MATCH`` (it may still show,
    after what was asked for).

    Search's reading of the query decides: a place of a category the query named is asked
    for; so is one search matched fully, by its name, or by the kind of place the words
    mean when they named no category ("sarapan": warung, bakso, bubur). One that only
    carries a word in its street or description ("masjid" in the address of a seafood
    place), or "kopi" inside "fotokopi", is a mention. When search found nothing, a
    category whose words the query used is what was asked for.
    """
    if not found.full:
        return max(raw, ASKED_TEXT_MATCH) if word_hit else raw
    if not found.categories.isdisjoint(slugs) or (
        business_id in found.full and (raw >= STRONG_TEXT_MATCH or not found.categories)
    ):
        return max(raw, ASKED_TEXT_MATCH)
    return min(raw, MENTION_TEXT_MATCH)


def _candidates(
    session: Session,
    catalog: Catalog,
    rows: dict[int, RankedPlace],
    model: InteractionModel | None,
    *,
    lat: float,
    lon: float,
    at: datetime,
    now: datetime,
    query: RecommendationQuery,
    asked_slug: str | None,
    found: _Found | None = None,
) -> list[Candidate]:
    """The loaded places as the ranker's candidates (places of unknown categories dropped).

    Interactions count toward popularity only through a fitted model, which counts
    distinct visitors (``InteractionModel``): the live ``interaction_count`` counts
    requests, and anyone can send a thousand of those. What candidates share is worked
    out once per request: the facts of each category, and whether each distinct set of
    opening hours is open now (a few hundred places share a handful of them).
    """
    reach = _reach(session)
    local = at.replace(tzinfo=None)
    now_utc = now.astimezone(UTC).replace(tzinfo=None)  # listing dates are naive UTC
    known = catalog.categories
    places = [p for p in rows.values() if p.category_id in known]
    place_ids = np.array([p.id for p in places], dtype=np.int64)
    if model is not None and places:
        activity = model.activity_of(place_ids).tolist()
        visitors = model.visitors_of(place_ids).tolist()
    else:
        activity = visitors = [0.0] * len(places)
    facts: dict[int, _CategoryFacts] = {}
    open_now: dict[int, bool] = {}
    q = query.q
    words = _query_words(q) if q else frozenset()
    asked = found or _Found()
    out: list[Candidate] = []
    for p, a, v in zip(places, activity, visitors, strict=True):
        fact = facts.get(p.category_id)
        if fact is None:
            fact = facts[p.category_id] = _category_facts(catalog, reach, p.category_id)
        slugs = fact.slugs
        is_open = None
        if p.hours is not None:
            is_open = open_now.get(id(p.hours))
            if is_open is None:
                is_open = open_now[id(p.hours)] = is_open_at(p.hours, local)
        tm = 0.0
        if q:
            tm = _asked_text_match(
                text_match(q, name=p.name, address=p.address, description=p.description),
                p.id,
                slugs,
                bool(words & fact.words),
                asked,
            )
        count = p.rating_count
        out.append(
            Candidate(
                business_id=p.id,
                lat=p.lat,
                lon=p.lon,
                distance_m=distance_m(lat, lon, p.lat, p.lon),
                category=slugs[0],
                reach=fact.reach,
                categories=slugs,
                rating_mean=min(5.0, max(1.0, p.rating_sum / count)) if count else None,
                rating_count=count,
                popularity=max(float(a), 0.0),
                is_open=is_open,
                age_days=max(0.0, (now_utc - p.listed_at).total_seconds() / 86400),
                text_match=min(1.0, max(0.0, tm)),
                category_match=asked_slug is not None and asked_slug in slugs,
                family=slugs[-1],
                visitors=int(v),
            )
        )
    return out


def _item(
    r: Ranked,
    p: ShownPlace,
    place: RankedPlace,
    cand: Candidate,
    catalog: Catalog,
    *,
    weights: RankingWeights,
    lang: Literal["id", "en"],
    origin: Origin,
    usual: bool,
) -> RecommendationItem:
    """One ranked place as the API returns it, with its reasons in words and as codes
    (around the reader's usual area, the distance reasons say so)."""
    reasons = [render_reason(reason, lang, origin=origin) for reason in r.reasons]
    codes = [reason.code for reason in r.reasons]
    if usual:
        reasons, codes = usual_area_reasons(r.reasons, lang)
    return RecommendationItem(
        business=RecommendedBusiness(
            **summary_fields(
                business_id=p.id,
                slug=p.slug,
                external_id=p.external_id,
                name=p.name,
                category=catalog.categories[place.category_id],
                lat=place.lat,
                lon=place.lon,
                address=p.address,
                area=catalog.areas.get(p.area_id) if p.area_id is not None else None,
                rating=cand.rating_mean,
                rating_count=cand.rating_count,
                price_level=p.price_level,
                open_now=cand.is_open,
                lang=lang,
            ),
            rating_adjusted=round(adjusted_rating(cand.rating_mean, cand.rating_count, weights), 2),
            distance_m=round(cand.distance_m, 1),
        ),
        score=round(r.score, 6),
        reasons=reasons,
        reason_codes=codes,
    )


def _usual_point(
    session: Session, history_rows: Sequence[tuple[int, datetime, str]]
) -> tuple[float, float] | None:
    """The centre of where the reader usually goes (``usual_area.py``), from their rows."""
    visits = history_visits(bid for bid, _at, _kind in history_rows)
    places = ranking_rows(session, list(visits))
    return usual_point(visits, {b: (p.lat, p.lon) for b, p in places.items()})


_reach_cache: dict[int, dict[int, str]] = {}


def _reach(session: Session) -> dict[int, str]:
    key = id(session.get_bind())
    cached = _reach_cache.get(key)
    if cached is None:
        cached = dict(session.execute(select(Category.id, Category.reach)).tuples().all())
        _reach_cache[key] = cached
    return cached
