"""Search, autocomplete and nearest-candidate generation: the service other layers call.

``search_businesses`` resolves names (area, categories, words), runs the exact executor of
:mod:`directory.search.executor` and turns its ids into result objects; routers and web
pages call it with validated :class:`~directory.search.params.SearchParams`.
``nearest_candidates`` is the recommender's candidate generator and ``text_match`` (re-
exported from :mod:`directory.search.text_match`) its reusable word-matching score.
"""

from __future__ import annotations

import weakref
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from rapidfuzz import fuzz, process
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from directory.api.summary import area_ref, localized_name
from directory.errors import FieldError, InvalidInput
from directory.geo import distance_m, valid_coordinates
from directory.search import area_lookup
from directory.search.catalog import AreaInfo, Catalog, get_catalog
from directory.search.cursor import CursorState, decode_cursor, encode_cursor, query_fingerprint
from directory.search.executor import Executor, Found, Plan
from directory.search.indexer import spatial_backend
from directory.search.params import SearchParams, Sort, check_params
from directory.search.query_reading import DbVocabulary, Reading, phrase_index, read_query
from directory.search.results import hydrate
from directory.search.schemas import (
    Autocomplete,
    AutocompleteArea,
    AutocompleteBusiness,
    AutocompleteCategory,
    AutocompleteSuggestion,
    Correction,
    Interpretation,
    InterpretedArea,
    InterpretedCategory,
    InterpretedFilters,
    SearchPage,
)
from directory.search.spatial import CellIndex, PostgisIndex, SpatialIndex
from directory.search.tables import SPATIAL_POSTGIS
from directory.search.text_match import (
    CATEGORY_TOKEN,
    QueryWord,
    TextMatch,
    doc_fields,
    required_words,
    split_query,
    text_score,
)
from directory.search.text_match import words as fold_words

__all__ = [
    "SearchParams",
    "Sort",
    "autocomplete",
    "nearest_candidates",
    "search_businesses",
    "text_match",
]

AUTOCOMPLETE_BUDGET = 1500
RELAXED_BUDGET = 1500
"""Candidates a relaxed query ("all words but one") may look at: when no business
matches every word, the best of the first few thousand (best rated first) is answer
enough, and draining every business matching one common word is not."""

FILL_BUDGET = 200
"""Candidates each looser reading of a short first page may score: the fill is a
courtesy after the full matches, good enough from the best-rated or nearest few hundred,
and must not make a name search (one full match) several times slower."""

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
    """Category parameter values → ids: a slug, a name or a synonym (the most specific
    categories it names: ``kopi`` → coffee shops); unknown → 422 with suggestions."""
    ids: set[int] = set()
    phrases = phrase_index(catalog).categories
    for value in values:
        text = value.strip()
        cat = catalog.category_by_slug.get(text.lower())
        if cat is not None:
            ids.add(cat.id)
            continue
        found = phrases.get(tuple(fold_words(text)))
        if found:
            ids.update(found)
            continue
        raise InvalidInput(
            detail=f"category: unknown category '{text}'",
            errors=[FieldError(field="category", message=f"unknown category '{text}'",
                               location="query")],
            extra={"suggestions": _suggest_categories(catalog, text)},
        )  # fmt: skip
    return frozenset(ids)


def _suggest_categories(catalog: Catalog, text: str, limit: int = 5) -> list[dict[str, str]]:
    """The categories whose names or synonyms come closest to ``text``."""
    key = " ".join(fold_words(text)) or text.strip().lower()
    names: list[tuple[str, int]] = []
    for cat in catalog.categories.values():
        for name in (cat.name_id, cat.name_en, *cat.synonyms):
            folded = " ".join(fold_words(name))
            if folded:
                names.append((folded, cat.id))
    hits = process.extract(
        key, [n for n, _ in names], scorer=fuzz.WRatio, processor=None, score_cutoff=60,
        limit=limit * 6,
    )  # fmt: skip
    out: list[dict[str, str]] = []
    for _, _, i in hits:
        cat = catalog.categories[names[i][1]]
        if all(o["slug"] != cat.slug for o in out):
            out.append({"slug": cat.slug, "name": cat.name_id})
    return out[:limit]


def _fingerprint(params: SearchParams, area: AreaInfo | None, tokens: list[str],
                 scopes: frozenset[int], plan: Plan) -> str:  # fmt: skip
    return query_fingerprint(
        {
            "q": tokens,
            "area": area.id if area else None,
            "point": params.point,
            "r": params.radius_m,
            "bbox": params.bbox,
            "cat": sorted(scopes),
            "min": params.min_rating,
            "price": sorted(plan.prices),
            "open": params.open_now,
            "at": [t.isoformat() for t in plan.open_at],
            "24": plan.always_open,
            "sort": plan.sort.value,
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


def _interpretation(
    catalog: Catalog, reading: Reading, *, area: AreaInfo | None, area_how: str | None,
    area_phrase: str | None, plan: Plan, needs_location: bool, lang: str,
    area_relaxed: bool = False, partial_from: int | None = None,
) -> Interpretation:  # fmt: skip
    cats = [
        InterpretedCategory(
            slug=catalog.categories[cid].slug,
            name=localized_name(catalog.categories[cid], lang),
            phrase=c.phrase,
        )
        for c in reading.categories
        for cid in sorted(c.ids)
    ]  # fmt: skip
    message = None
    if needs_location:
        message = (
            "Share your location (lat, lon) to see what is nearest."
            if lang == "en"
            else "Bagikan lokasi Anda (lat, lon) untuk melihat yang terdekat."
        )
    elif area_relaxed and area is not None:
        message = (
            f"Nothing matches in {area.name}; showing results outside it."
            if lang == "en"
            else f"Tidak ada yang cocok di {area.name}; menampilkan hasil di luarnya."
        )
    return Interpretation(
        text=reading.text,
        category=cats[0] if cats else None,
        categories=cats,
        area=InterpretedArea(slug=area.slug, name=area.name, kind=area.kind,
                             how=area_how or "exact", phrase=area_phrase)
        if area else None,
        filters=InterpretedFilters(
            price=sorted(plan.prices) if reading.cheap else [],
            open_now=reading.open_now,
            open_24h=reading.open_24h,
            open_at=reading.meal_time.strftime("%H:%M") if reading.meal_time else None,
            meal=reading.meal,
            nearest_first=reading.near and plan.sort is Sort.DISTANCE,
        ),
        corrections=[Correction(word=a, to=b) for a, b in reading.corrections],
        needs_location=needs_location,
        area_relaxed=area_relaxed,
        partial_from=partial_from,
        message=message,
    )  # fmt: skip


def _sense_scopes(words: Sequence[QueryWord]) -> frozenset[int]:
    """The categories the query's category words name (not the groups they count only
    directly): when the query is loosened, what stays is the kind of place meant."""
    return frozenset(
        int(tok[len(CATEGORY_TOKEN):])
        for w in words for tok in w.categories if tok not in w.direct
    )  # fmt: skip


def _fill_plans(
    catalog: Catalog, plan: Plan, reading: Reading, params: SearchParams, now: datetime
) -> list[tuple[Plan, bool]]:
    """Looser readings of the same query, for a first page the query fills only in part:
    each step drops one more thing that was read from the words, never a parameter the
    caller set — first the area named in ``q`` (what is just outside it), then the
    filters read from intent words (murah, buka, 24 jam, a meal), then the words that are
    not a category ("kopi senja" → other coffee places), then the category words matched
    as plain text, descriptions included, within the families of the categories they
    name ("Cuisines: Korean" of a restaurant filed under another cuisine) — a last
    resort, only when the steps before added nothing."""
    plans: list[tuple[Plan, bool]] = []
    current = replace(plan, scopes=plan.scopes or _sense_scopes(plan.words))
    if current.area is not None and reading.area is not None and not params.area:
        current = replace(current, area=None)
        plans.append((current, False))
    own_times = _open_times(params, now)
    own_prices = frozenset(params.prices)
    if current.open_at != own_times or current.always_open or current.prices != own_prices:
        current = replace(current, open_at=own_times, always_open=False, prices=own_prices)
        plans.append((current, False))
    sense = tuple(w for w in current.words if w.categories)
    if sense and len(sense) < len(current.words) and current.scopes:
        # Every business of those categories matches the category words: the scope
        # alone says it, nearest first from the reader's point — a walk over the
        # category's scope instead of a text query and a relevance merge.
        sort = Sort.DISTANCE if current.point is not None else current.sort
        current = replace(current, words=(), required=0, sort=sort)
        plans.append((current, False))
    if sense and not plan.scopes and not any(w.direct for w in sense):
        # Only inside the families of the categories named: a restaurant whose
        # description lists "Korean" may well serve it, a boarding house "dekat stasiun"
        # is no station. Not when the phrase also names a group whose other children are
        # not that thing (the tea stall serving "teh dan kopi" is no coffee place).
        families = frozenset(
            catalog.ancestors(int(tok[len(CATEGORY_TOKEN):]))[-1]
            for w in sense for tok in w.categories
        )  # fmt: skip
        plain = tuple(replace(w, categories={}, direct={}, conflicts=()) for w in sense)
        plans.append((replace(current, words=plain, required=len(plain), scopes=families), True))
    return plans


def _fill(
    session: Session, plans: Sequence[tuple[Plan, bool]], *, seen: set[int], room: int
) -> list[Found]:
    """Up to ``room`` businesses not in ``seen``, from each looser plan in turn; a plan
    marked last resort runs only when the ones before it added nothing."""
    out: list[Found] = []
    for looser, last_resort in plans:
        if len(out) >= room or (last_resort and out):
            break
        for found in _execute(session, replace(looser, limit=room), budget=FILL_BUDGET):
            if found.business_id not in seen:
                seen.add(found.business_id)
                out.append(found)
                if len(out) >= room:
                    break
    return out


def search_businesses(
    session: Session, params: SearchParams, *, now: datetime, lang: str = "id"
) -> SearchPage:
    """One page of search results (``now`` is the city's local time, aware)."""
    params = check_params(params)
    catalog = get_catalog(session)
    reading = read_query(
        DbVocabulary(session), catalog, params.q or "", interpret=params.interpret,
        detect_area=not params.area,
    )  # fmt: skip
    area: AreaInfo | None = None
    area_match: area_lookup.AreaMatch | None = None
    area_phrase: str | None = None
    if params.area:
        area_match = area_lookup.resolve_match(catalog, params.area)
    elif reading.area is not None and reading.area_how is not None:
        area_match = area_lookup.AreaMatch(reading.area, reading.area_how, 1.0)  # type: ignore[arg-type]
        area_phrase = reading.area_phrase
    area = area_match.area if area_match else None
    area_how = area_match.how if area_match else None
    scopes = _category_ids(catalog, params.categories)
    if not scopes and reading.food_ids:
        scopes = reading.food_ids
    open_at = list(_open_times(params, now))
    if reading.open_now and not params.open_now:
        open_at.append(now.replace(tzinfo=None))
    if reading.meal_time is not None:
        open_at.append(datetime.combine(now.date(), reading.meal_time))
    sort = params.sort
    needs_location = reading.near and params.point is None
    if reading.near and params.point is not None and sort is Sort.RELEVANCE:
        sort = Sort.DISTANCE
    prices = frozenset(params.prices) or (frozenset({1}) if reading.cheap else frozenset())
    tokens = [w.token for w in reading.words]
    plan = Plan(
        sort=sort,
        limit=params.limit,
        required=0,
        point=params.point,
        radius_m=params.radius_m,
        bbox=params.bbox,
        area=area_lookup.area_filter(session, area) if area else None,
        scopes=scopes,
        min_rating=params.min_rating,
        prices=prices,
        open_at=tuple(open_at),
        always_open=reading.open_24h,
    )
    fingerprint = _fingerprint(params, area, tokens, scopes, plan)
    state = decode_cursor(params.cursor, fingerprint=fingerprint) if params.cursor else None
    if state is not None and state.words:
        senses = {w.token: w for w in reading.words}
        words = [
            QueryWord(t, terms, cats, weight=w,
                      conflicts=senses[t].conflicts if t in senses else (),
                      direct=senses[t].direct if t in senses else {})
            for t, terms, cats, w in state.words
        ]  # fmt: skip
    else:
        words = reading.words
    plan = replace(
        plan,
        words=tuple(words),
        required=required_words(len(words), relaxed=bool(state and state.relaxed)),
        after=state.key if state else None,
    )
    in_sense = bool(state and state.in_sense)
    if in_sense:
        plan = replace(plan, scopes=_sense_scopes(words))
    nothing_asked = not (words or area or scopes or params.bbox or plan.prices
                         or plan.open_at or plan.always_open)  # fmt: skip
    found: list[Found] = []
    relaxed_budget = RELAXED_BUDGET if state is not None and state.relaxed else None
    if not (needs_location and nothing_asked):
        found = _execute(session, plan, budget=relaxed_budget)
    area_relaxed = False
    if not found and state is None and reading.area is not None and area is reading.area:
        # An area read from the words, with nothing in it: the words matter more.
        area_relaxed = True
        plan = replace(plan, area=None)
        found = _execute(session, plan)
    relaxed = bool(state and state.relaxed)
    if not found and state is None and len(words) >= 2:
        relaxed = True
        plan = replace(plan, required=required_words(len(words), relaxed=True))
        # A word may go, but not the kind of place the query names: for "warkop pak
        # kumis" with no such warkop, other warkops, not "Warung Pak Kumis" (a food
        # stall). Any match at all only when nothing of that kind matches.
        sense = frozenset() if plan.scopes else _sense_scopes(words)
        if sense:
            found = _execute(session, replace(plan, scopes=sense), budget=RELAXED_BUDGET)
            if found:
                in_sense = True
                plan = replace(plan, scopes=sense)
        if not found:
            found = _execute(session, plan, budget=RELAXED_BUDGET)
    page, more = found[: params.limit], len(found) > params.limit
    partial_from: int | None = None
    if state is None and params.q and params.interpret and not more:
        looser = _fill_plans(catalog, plan, reading, params, now)
        seen = {f.business_id for f in page}
        extra = _fill(session, looser, seen=seen, room=params.limit - len(page))
        if extra:
            partial_from = len(page)
            page = page + extra
    next_cursor = None
    if more and page:
        next_cursor = encode_cursor(
            CursorState(
                fingerprint=fingerprint,
                key=page[-1].key,
                relaxed=relaxed,
                words=tuple((w.token, dict(w.terms), dict(w.categories), w.weight) for w in words),
                in_sense=in_sense,
            )
        )
    interpretation = (
        _interpretation(
            catalog, reading, area=area, area_how=area_how, area_phrase=area_phrase, plan=plan,
            needs_location=needs_location, lang=lang, area_relaxed=area_relaxed,
            partial_from=partial_from,
        )
        if params.q
        else None
    )  # fmt: skip
    return SearchPage.model_validate(
        {
            "items": hydrate(session, page, catalog=catalog, local_now=now, lang=lang),
            "next_cursor": next_cursor,
            "sort": plan.sort.value,
            "area": area_ref(area),
            "area_match": area_match.as_dict() if area_match else None,
            "words": [w.token for w in words],
            "relaxed": relaxed,
            "interpretation": interpretation,
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
        lat, lon, scopes=scopes, max_distance_m=max_distance_m, wanted=limit
    ):
        out.append((bid, d))
        if len(out) >= limit:
            break
    return out


@dataclass(frozen=True)
class _AreaNames:
    """Every area's names folded once per catalogue snapshot: ``matching`` as the typed
    text is compared (stop words dropped), ``ranked`` as suggestions are merged. Folding
    ~700 areas with their aliases on every keystroke was most of a short prefix's time."""

    matching: tuple[tuple[AreaInfo, tuple[str, ...]], ...]
    ranked: dict[str, tuple[str, ...]]
    starts: tuple[tuple[str, int], ...] = ()
    """Every name from each of its word starts, with the area's position in ``matching``,
    sorted: the areas with a word starting with the typed text are one ``bisect`` range,
    instead of a scan of every name on every keystroke."""

    def candidates(self, key: str) -> list[tuple[AreaInfo, tuple[str, ...]]]:
        """The areas one of whose names has a word starting with ``key``."""
        found: set[int] = set()
        starts = self.starts
        i = bisect_left(starts, (key, -1))
        while i < len(starts) and starts[i][0].startswith(key):
            found.add(starts[i][1])
            i += 1
        return [self.matching[j] for j in sorted(found)]


_area_names_cache: dict[int, tuple[float, _AreaNames]] = {}


def _area_names(catalog: Catalog) -> _AreaNames:
    cached = _area_names_cache.get(id(catalog))
    if cached is not None and cached[0] == catalog.loaded_at:
        return cached[1]
    matching: list[tuple[AreaInfo, tuple[str, ...]]] = []
    ranked: dict[str, tuple[str, ...]] = {}
    for area in catalog.areas.values():
        all_names = (area.name, *area.aliases)
        matching.append((area, tuple(" ".join(split_query(n)) for n in all_names)))
        ranked.setdefault(area.slug, tuple(" ".join(fold_words(n)) for n in all_names))
    starts = sorted(
        (name[i:], j)
        for j, (_, folded) in enumerate(matching)
        for name in folded
        for i in range(len(name))
        if name and (i == 0 or name[i - 1] == " ")
    )
    names = _AreaNames(matching=tuple(matching), ranked=ranked, starts=tuple(starts))
    _area_names_cache.clear()
    _area_names_cache[id(catalog)] = (catalog.loaded_at, names)
    return names


def _area_suggestions(
    catalog: Catalog, key: str, point: tuple[float, float] | None, limit: int
) -> list[AutocompleteArea]:
    scored: list[tuple[tuple[float, ...], AreaInfo]] = []
    for area, names in _area_names(catalog).candidates(key):
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


def _match_rank(key: str, names: Sequence[str]) -> int | None:
    """How a typed prefix matches any of ``names`` (folded): 0 exact, 1 a name starts
    with it, 2 a later word starts with it, None not at all."""
    best: int | None = None
    for name in names:
        if name == key:
            return 0
        if name.startswith(key):
            best = 1
        elif best is None and f" {key}" in f" {name}":
            best = 2
    return best


def _category_suggestions(
    catalog: Catalog, key: str, lang: str, limit: int
) -> list[tuple[int, AutocompleteCategory]]:
    """Categories whose name or a synonym starts with (or has a word starting with) the
    typed text: exact first, then names before synonyms, broader before narrower."""
    scored: list[tuple[tuple[int, int, int, str], int, AutocompleteCategory]] = []
    folded = phrase_index(catalog).category_names
    for cat in catalog.categories.values():
        names, synonyms = folded[cat.id]
        by_name = _match_rank(key, names)
        by_synonym = _match_rank(key, synonyms)
        ranks = [r for r in (by_name, by_synonym) if r is not None]
        if not ranks:
            continue
        rank = min(ranks)
        via_name = 0 if by_name == rank else 1
        name = localized_name(cat, lang)
        scored.append(
            ((rank, via_name, cat.path.count("/"), name), rank,
             AutocompleteCategory(slug=cat.slug, name=name))
        )  # fmt: skip
    scored.sort(key=lambda s: s[0])
    return [(rank, c) for _, rank, c in scored[:limit]]


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
    """Areas, categories and businesses for what a reader has typed so far.

    ``suggestions`` merges the three, ranked by match quality (exact, then a name that
    starts with the text, then one that merely contains a word starting with it), then
    areas and categories before businesses, then each list's own order (businesses by
    relevance with the reader's point: popularity and distance).
    """
    catalog = get_catalog(session)
    tokens = split_query(q)
    point = (lat, lon) if lat is not None and lon is not None else None
    if not tokens:
        return Autocomplete(q=q, areas=[], categories=[], businesses=[], suggestions=[])
    key = " ".join(tokens)
    words = read_query(DbVocabulary(session), catalog, q, interpret=False).words
    businesses: list[AutocompleteBusiness] = []
    if len(key) >= 2 and words:
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
                    area=item["area"].name if item["area"] else None,
                    distance_m=item["distance_m"],
                )
            )
    areas = _area_suggestions(catalog, key, point, limit)
    categories = _category_suggestions(catalog, key, lang, limit)
    merged: list[tuple[tuple[int, int, int], AutocompleteSuggestion]] = []
    area_names = _area_names(catalog).ranked
    for i, a in enumerate(areas):
        rank = _match_rank(key, area_names[a.slug])
        merged.append(((2 if rank is None else rank, 0, i), AutocompleteSuggestion(
            kind="area", slug=a.slug, name=a.name, distance_m=a.distance_m)))  # fmt: skip
    for i, (rank, c) in enumerate(categories):
        merged.append(((rank, 1, i), AutocompleteSuggestion(
            kind="category", slug=c.slug, name=c.name, distance_m=None)))  # fmt: skip
    for i, b in enumerate(businesses):
        rank = _match_rank(key, [" ".join(fold_words(b.name))])
        merged.append(((2 if rank is None else rank, 2, i), AutocompleteSuggestion(
            kind="business", slug=b.slug, name=b.name, distance_m=b.distance_m, id=b.id,
        )))  # fmt: skip
    merged.sort(key=lambda m: m[0])
    return Autocomplete(
        q=q,
        areas=areas,
        categories=[c for _, c in categories],
        businesses=businesses,
        suggestions=[m for _, m in merged],
    )
