"""Search, autocomplete and nearest-candidate generation: the service other layers call.

``search_businesses`` resolves names (area, categories, words), runs the exact executor of
:mod:`directory.search.executor` and turns its ids into result objects; routers and web
pages call it with validated :class:`~directory.search.params.SearchParams`.
``nearest_candidates`` is the recommender's candidate generator and ``text_match`` (re-
exported from :mod:`directory.search.text_match`) its reusable word-matching score.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from directory.errors import FieldError, InvalidInput
from directory.geo import distance_m, valid_coordinates
from directory.schemas import AreaRef
from directory.schemas_search import (
    Autocomplete,
    AutocompleteArea,
    AutocompleteBusiness,
    AutocompleteCategory,
    SearchPage,
)
from directory.search import area_lookup
from directory.search.catalog import AreaInfo, Catalog, get_catalog
from directory.search.cursor import CursorState, decode_cursor, encode_cursor, query_fingerprint
from directory.search.executor import Executor, Found, Plan
from directory.search.indexer import spatial_backend
from directory.search.params import SearchParams, Sort, check_params
from directory.search.results import hydrate
from directory.search.spatial import CellIndex, PostgisIndex, SpatialIndex
from directory.search.tables import SPATIAL_POSTGIS
from directory.search.text_match import (
    QueryWord,
    TextMatch,
    doc_fields,
    required_words,
    split_query,
    text_score,
)
from directory.search.text_match import words as fold_words
from directory.search.vocabulary import expand_query

__all__ = [
    "SearchParams",
    "Sort",
    "autocomplete",
    "nearest_candidates",
    "search_businesses",
    "text_match",
]

AREA_MARKERS = ("di", "dekat", "sekitar", "daerah", "kawasan", "in", "near")
AUTOCOMPLETE_BUDGET = 1500

_backends: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def spatial_index(session: Session) -> SpatialIndex:
    """The spatial backend of this session's database (looked up once per engine)."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    name = _backends.get(engine)
    if name is None:
        name = _backends[engine] = spatial_backend(session)
    return PostgisIndex(session) if name == SPATIAL_POSTGIS else CellIndex(session)


def forget_spatial_backends() -> None:
    """Look the spatial backend up again (after a migration or a test switches it)."""
    _backends.clear()


def text_match(query: str, *, name: str, address: str = "", description: str = "") -> float:
    """How well a text matches a business's words, in [0, 1] (no typo expansion).

    For callers that already hold candidates (the recommender's "cocok dengan 'kopi'"):
    exact and prefix matches of the folded words, weighted by field as in search.
    """
    words = [
        QueryWord(token=t, terms={t: 1.0}, prefix=i == len(tokens) - 1)
        for tokens in [split_query(query)]
        for i, t in enumerate(tokens)
    ]
    if not words:
        return 0.0
    fields = doc_fields(name=name, address=address, description=description, scopes=())
    match: TextMatch = text_score(words, fields)
    return match.score


def _bad(field: str, message: str) -> InvalidInput:
    return InvalidInput(
        detail=f"{field}: {message}",
        errors=[FieldError(field=field, message=message, location="query")],
    )


def _category_ids(catalog: Catalog, values: Sequence[str]) -> frozenset[int]:
    ids: set[int] = set()
    for value in values:
        text = value.strip()
        cat = catalog.category_by_slug.get(text.lower())
        if cat is None:
            folded = " ".join(split_query(text))
            cat = next(
                (
                    c
                    for c in catalog.categories.values()
                    if folded
                    and folded
                    in (" ".join(split_query(c.name_id)), " ".join(split_query(c.name_en)))
                ),
                None,
            )
        if cat is None:
            raise _bad("category", f"unknown category '{text}'")
        ids.add(cat.id)
    return frozenset(ids)


def _area_from_words(
    catalog: Catalog, tokens: list[str]
) -> tuple[area_lookup.AreaMatch | None, list[str]]:
    """ "kopi di bsd" → (BSD City, ["kopi"]); only an exact name or alias after a marker."""
    for i in range(len(tokens) - 2, 0, -1):
        if tokens[i] not in AREA_MARKERS:
            continue
        phrase = " ".join(tokens[i + 1 :])
        found = area_lookup.match_area(catalog, phrase)
        if found is not None and found.how != "corrected":
            return found, tokens[:i]
    return None, tokens


def _fingerprint(params: SearchParams, area: AreaInfo | None, tokens: list[str],
                 scopes: frozenset[int]) -> str:  # fmt: skip
    return query_fingerprint(
        {
            "q": tokens,
            "area": area.id if area else None,
            "point": params.point,
            "r": params.radius_m,
            "bbox": params.bbox,
            "cat": sorted(scopes),
            "min": params.min_rating,
            "price": sorted(params.prices),
            "open": params.open_now,
            "at": params.open_at.isoformat() if params.open_at else None,
            "sort": params.sort.value,
        }
    )


def _open_times(params: SearchParams, now: datetime) -> tuple[datetime, ...]:
    times: list[datetime] = []
    if params.open_now:
        times.append(now.replace(tzinfo=None))
    if params.open_at is not None:
        times.append(params.open_at.replace(tzinfo=None))
    return tuple(times)


def _execute(session: Session, plan: Plan, *, budget: int | None = None) -> list[Found]:
    return Executor(session, plan, spatial_index(session), budget=budget).run()


def search_businesses(
    session: Session, params: SearchParams, *, now: datetime, lang: str = "id"
) -> SearchPage:
    """One page of search results (``now`` is the city's local time, aware)."""
    params = check_params(params)
    catalog = get_catalog(session)
    tokens = list(dict.fromkeys(fold_words(params.q or "")))
    area: AreaInfo | None = None
    area_match: area_lookup.AreaMatch | None = None
    if params.area:
        area_match = area_lookup.resolve_match(catalog, params.area)
        area = area_match.area
    elif tokens:
        area_match, tokens = _area_from_words(catalog, tokens)
        area = area_match.area if area_match else None
    tokens = split_query(" ".join(tokens))
    scopes = _category_ids(catalog, params.categories)
    fingerprint = _fingerprint(params, area, tokens, scopes)
    state = decode_cursor(params.cursor, fingerprint=fingerprint) if params.cursor else None
    if state is not None and state.words:
        words = [QueryWord(t, terms, cats, weight=w) for t, terms, cats, w in state.words]
    else:
        words = expand_query(session, tokens, catalog=catalog) if tokens else []
    plan = Plan(
        sort=params.sort,
        limit=params.limit,
        words=tuple(words),
        required=required_words(len(words), relaxed=bool(state and state.relaxed)),
        point=params.point,
        radius_m=params.radius_m,
        bbox=params.bbox,
        area=area_lookup.area_filter(session, area) if area else None,
        scopes=scopes,
        min_rating=params.min_rating,
        prices=frozenset(params.prices),
        open_at=_open_times(params, now),
        after=state.key if state else None,
    )
    found = _execute(session, plan)
    relaxed = bool(state and state.relaxed)
    if not found and state is None and len(words) >= 2:
        relaxed = True
        plan = replace(plan, required=required_words(len(words), relaxed=True))
        found = _execute(session, plan)
    page, more = found[: params.limit], len(found) > params.limit
    next_cursor = None
    if more and page:
        next_cursor = encode_cursor(
            CursorState(
                fingerprint=fingerprint,
                key=page[-1].key,
                relaxed=relaxed,
                words=tuple((w.token, dict(w.terms), dict(w.categories), w.weight) for w in words),
            )
        )
    return SearchPage.model_validate(
        {
            "items": hydrate(session, page, catalog=catalog, local_now=now, lang=lang),
            "next_cursor": next_cursor,
            "sort": params.sort.value,
            "area": AreaRef(id=area.id, slug=area.slug, name=area.name, kind=area.kind)
            if area
            else None,
            "area_match": area_match.as_dict() if area_match else None,
            "words": [w.token for w in words],
            "relaxed": relaxed,
        }
    )


def nearest_candidates(
    session: Session,
    *,
    lat: float,
    lon: float,
    limit: int,
    category_ids: Iterable[int] | None = None,
    max_distance_m: float | None = None,
) -> list[tuple[int, float]]:
    """Published businesses nearest to a point, as (business_id, distance_m), nearest first.

    ``category_ids`` keeps businesses in any of those categories or below them (a parent
    includes its children); ties in distance are broken by id. Uses the spatial index, so
    the cost depends on ``limit``, not on how many businesses exist.
    """
    if not valid_coordinates(lat, lon) or limit <= 0:
        return []
    scopes = sorted(set(category_ids or ())) or [0]
    out: list[tuple[int, float]] = []
    for d, bid, _, _ in spatial_index(session).nearest(
        lat, lon, scopes=scopes, max_distance_m=max_distance_m
    ):
        out.append((bid, d))
        if len(out) >= limit:
            break
    return out


def _area_suggestions(
    catalog: Catalog, key: str, point: tuple[float, float] | None, limit: int
) -> list[AutocompleteArea]:
    scored: list[tuple[tuple[float, ...], AreaInfo]] = []
    for area in catalog.areas.values():
        names = [" ".join(split_query(n)) for n in (area.name, *area.aliases)]
        if not any(n.startswith(key) or f" {key}" in f" {n}" for n in names if n):
            continue
        exact = 0 if key in names else 1
        starts = 0 if any(n.startswith(key) for n in names) else 1
        dist = distance_m(point[0], point[1], area.lat, area.lon) if point else 0.0
        pref = area_lookup.KIND_PREFERENCE.get(area.kind, 5)
        scored.append(((exact, starts, pref, dist, area.id), area))
    if not scored:
        fuzzy = area_lookup.find_area(catalog, key)
        if fuzzy is not None:
            scored.append(((0.0,), fuzzy))
    scored.sort(key=lambda s: s[0])
    return [
        AutocompleteArea(
            slug=a.slug,
            name=a.name,
            kind=a.kind,
            distance_m=round(distance_m(point[0], point[1], a.lat, a.lon), 1) if point else None,
        )
        for _, a in scored[:limit]
    ]


def _category_suggestions(
    catalog: Catalog, words: Sequence[QueryWord], lang: str, limit: int
) -> list[AutocompleteCategory]:
    scored: list[tuple[float, int, str, str]] = []
    for cat in catalog.categories.values():
        token = f"0c{cat.id}"
        factors = [w.categories.get(token, 0.0) for w in words]
        if factors and all(f > 0 for f in factors):
            name = cat.name_en if lang == "en" else cat.name_id
            scored.append((-sum(factors), cat.path.count("/"), cat.slug, name))
    scored.sort()
    return [AutocompleteCategory(slug=s, name=n) for _, _, s, n in scored[:limit]]


def autocomplete(
    session: Session,
    *,
    q: str,
    lat: float | None = None,
    lon: float | None = None,
    lang: str = "id",
    limit: int = 5,
    now: datetime | None = None,
) -> Autocomplete:
    """Areas, categories and businesses for what a reader has typed so far."""
    catalog = get_catalog(session)
    tokens = split_query(q)
    point = (lat, lon) if lat is not None and lon is not None else None
    if not tokens:
        return Autocomplete(q=q, areas=[], categories=[], businesses=[])
    words = expand_query(session, tokens, catalog=catalog)
    businesses: list[AutocompleteBusiness] = []
    if len(" ".join(tokens)) >= 2:
        plan = Plan(
            sort=Sort.RELEVANCE,
            limit=limit,
            words=tuple(words),
            required=len(words),
            point=point,
        )
        found = _execute(session, plan, budget=AUTOCOMPLETE_BUDGET)[:limit]
        for item in hydrate(
            session, found, catalog=catalog, local_now=now or datetime.now(UTC), lang=lang
        ):
            businesses.append(
                AutocompleteBusiness(
                    id=item["id"],
                    slug=item["slug"],
                    name=item["name"],
                    category=item["category"],
                    area=item["area"]["name"] if item["area"] else None,
                    distance_m=item["distance_m"],
                )
            )
    return Autocomplete(
        q=q,
        areas=_area_suggestions(catalog, " ".join(tokens), point, limit),
        categories=_category_suggestions(catalog, words, lang, limit),
        businesses=businesses,
    )
