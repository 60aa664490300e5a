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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.errors import FieldError, InvalidInput
from directory.geo import distance_m, valid_coordinates
from directory.hours import from_json, is_open_at
from directory.models import Area, Business, BusinessStatus, Category, Interaction
from directory.recommendations.model_store import current_model
from directory.recommendations.schemas import (
    RecommendationItem,
    RecommendationPage,
    RecommendedBusiness,
)
from directory.schemas import AreaRef
from directory.search import area_lookup
from directory.search.catalog import Catalog, get_catalog
from directory.search.params import SearchParams
from directory.services.search import nearest_candidates, search_businesses, text_match
from directory.textnorm import fold
from recommender import (
    DEFAULT_WEIGHTS,
    Candidate,
    Context,
    RankingWeights,
    build_history,
    rank,
    render_reason,
)

NEAREST_K = 300
RELATED_K = 100
TEXT_K = 50
HISTORY_EVENTS = 2_000
_CHUNK = 900


@dataclass(frozen=True, slots=True)
class RecommendationQuery:
    """One validated request (the router builds it from query parameters)."""

    lat: float | None = None
    lon: float | None = None
    area: str | None = None
    user_id: str | None = None
    at: datetime | None = None
    category: str | None = None
    q: str | None = None
    limit: int = 20
    lang: str = "id"


def weights_for(new_listing_age_days: float) -> RankingWeights:
    """The library's defaults with the operator's settings applied."""
    return dataclasses.replace(DEFAULT_WEIGHTS, new_listing_age_days=new_listing_age_days)


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
            AreaRef(id=area.id, slug=area.slug, name=area.name, kind=area.kind),
        )
    raise InvalidInput(
        detail="give lat and lon, or area",
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


def _history_rows(session: Session, user_id: str) -> list[tuple[int, datetime, str]]:
    rows = session.connection().execute(
        select(Interaction.business_id, Interaction.at, Interaction.kind)
        .where(Interaction.user_id == user_id)
        .order_by(Interaction.at.desc(), Interaction.id.desc())
        .limit(HISTORY_EVENTS)
    ).all()
    return [(r[0], r[1], r[2]) for r in reversed(rows)]


@lru_cache(maxsize=1024)
def _query_words(q: str) -> frozenset[str]:
    return frozenset(fold(q).split())


@dataclass(frozen=True, slots=True)
class _Place:
    id: int
    external_id: str | None
    slug: str
    name: str
    lat: float
    lon: float
    address: str
    description: str
    category_id: int
    rating_sum: float
    rating_count: int
    interaction_count: int
    hours: list[list[int]] | None
    price_level: int | None
    area_id: int | None
    listed_at: datetime


def _load(session: Session, ids: Sequence[int]) -> dict[int, _Place]:
    out: dict[int, _Place] = {}
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _CHUNK):
        for b in session.connection().execute(
            select(
                Business.id,
                Business.external_id,
                Business.slug,
                Business.name,
                Business.lat,
                Business.lon,
                Business.address,
                Business.description,
                Business.primary_category_id,
                Business.rating_sum,
                Business.rating_count,
                Business.interaction_count,
                Business.opening_hours_json,
                Business.price_level,
                Business.area_id,
                Business.published_at,
                Business.created_at,
            ).where(
                Business.id.in_(ordered[start : start + _CHUNK]),
                Business.status == BusinessStatus.PUBLISHED,
            )
        ):
            out[b.id] = _Place(
                id=b.id,
                external_id=b.external_id,
                slug=b.slug,
                name=b.name,
                lat=b.lat,
                lon=b.lon,
                address=b.address,
                description=b.description,
                category_id=b.primary_category_id,
                rating_sum=b.rating_sum,
                rating_count=b.rating_count,
                interaction_count=b.interaction_count,
                hours=b.opening_hours_json,
                price_level=b.price_level,
                area_id=b.area_id,
                listed_at=b.published_at or b.created_at,
            )
    return out


def _candidate(
    p: _Place,
    *,
    catalog: Catalog,
    reach: dict[int, str],
    lat: float,
    lon: float,
    local: datetime,
    now: datetime,
    q: str | None,
    asked_slug: str | None,
    popularity: float,
) -> Candidate:
    chain = catalog.ancestors(p.category_id)
    slugs = tuple(catalog.categories[c].slug for c in chain)
    mean = p.rating_sum / p.rating_count if p.rating_count else None
    tm = 0.0
    if q:
        tm = text_match(q, name=p.name, address=p.address, description=p.description)
        words = _query_words(q)
        if words and any(words & catalog.categories[c].words for c in chain):
            tm = max(tm, 0.8)
    return Candidate(
        business_id=p.id,
        lat=p.lat,
        lon=p.lon,
        distance_m=distance_m(lat, lon, p.lat, p.lon),
        category=slugs[0],
        reach=reach.get(p.category_id, "local"),
        categories=slugs,
        rating_mean=min(5.0, max(1.0, mean)) if mean is not None else None,
        rating_count=p.rating_count,
        popularity=popularity,
        is_open=is_open_at(from_json(p.hours), local) if p.hours else None,
        age_days=max(0.0, (now - p.listed_at).total_seconds() / 86400),
        text_match=min(1.0, max(0.0, tm)),
        category_match=asked_slug is not None and asked_slug in slugs,
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
    lat, lon, area_ref = _point(catalog, query)
    asked_slug, asked_ids = _category(catalog, query.category)
    zone = ZoneInfo(timezone)
    at = query.at or now
    at = (at if at.tzinfo else at.replace(tzinfo=zone)).astimezone(zone)

    pool: dict[int, None] = {}
    for bid, _d in nearest_candidates(
        session, lat=lat, lon=lon, limit=NEAREST_K, category_ids=asked_ids or None
    ):
        pool[bid] = None
    history_rows = _history_rows(session, query.user_id) if query.user_id else []
    for bid, _at, _kind in history_rows:
        pool[bid] = None
    model = current_model(session)
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
    if query.q:
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
        for item in page.items:
            pool[item.id] = None

    rows = _load(session, list(pool))
    reach = _reach(session)
    local = at.replace(tzinfo=None)
    places = [p for p in rows.values() if p.category_id in catalog.categories]
    activity = (
        model.activity_of(np.array([p.id for p in places], dtype=np.int64)).tolist()
        if model is not None and places
        else [float(p.interaction_count) for p in places]
    )
    candidates = [
        _candidate(
            p,
            catalog=catalog,
            reach=reach,
            lat=lat,
            lon=lon,
            local=local,
            now=now,
            q=query.q,
            asked_slug=asked_slug,
            popularity=max(float(a), 0.0),
        )
        for p, a in zip(places, activity, strict=True)
    ]
    primary_slug = {c.business_id: c.category for c in candidates}
    history = None
    if history_rows:
        history = build_history(
            [(b, t.astimezone(zone), k) for b, t, k in history_rows if b in rows],
            user_id=query.user_id,
            categories=primary_slug,
        )
    context = Context(
        lat=lat, lon=lon, at=at, user_id=query.user_id, text=query.q, category=asked_slug
    )
    ranked = rank(
        context, candidates, history=history, model=model, weights=weights, limit=query.limit
    )
    by_id = {c.business_id: c for c in candidates}
    areas = _areas(session, {rows[r.business_id].area_id for r in ranked})
    lang: Literal["id", "en"] = "en" if query.lang == "en" else "id"
    items = []
    for r in ranked:
        p = rows[r.business_id]
        cand = by_id[r.business_id]
        info = catalog.categories[p.category_id]
        items.append(
            RecommendationItem(
                business=RecommendedBusiness(
                    id=p.id,
                    external_id=p.external_id,
                    slug=p.slug,
                    name=p.name,
                    category=info.slug,
                    category_name=info.name_en if lang == "en" else info.name_id,
                    lat=p.lat,
                    lon=p.lon,
                    address=p.address,
                    area=areas.get(p.area_id) if p.area_id is not None else None,
                    rating=round(cand.rating_mean, 2) if cand.rating_mean is not None else None,
                    rating_count=cand.rating_count,
                    price_level=p.price_level,
                    open_now=cand.is_open,
                    distance_m=round(cand.distance_m, 1),
                ),
                score=round(r.score, 6),
                reasons=[render_reason(reason, lang) for reason in r.reasons],
                reason_codes=[reason.code for reason in r.reasons],
            )
        )
    return RecommendationPage(
        items=items, point=(lat, lon), area=area_ref, model_fitted=model is not None
    )


_reach_cache: dict[int, dict[int, str]] = {}


def _reach(session: Session) -> dict[int, str]:
    key = id(session.get_bind())
    cached = _reach_cache.get(key)
    if cached is None:
        cached = dict(session.execute(select(Category.id, Category.reach)).tuples().all())
        _reach_cache[key] = cached
    return cached


def _areas(session: Session, ids: set[int | None]) -> dict[int, AreaRef]:
    clean = [i for i in ids if i is not None]
    if not clean:
        return {}
    return {
        a.id: AreaRef(id=a.id, slug=a.slug, name=a.name, kind=a.kind)
        for a in session.scalars(select(Area).where(Area.id.in_(clean)))
    }
