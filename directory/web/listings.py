"""Lists of businesses for pages, from the search service (the same one the API uses).

This adapter turns the page's ``SearchForm`` into ``SearchParams``, calls
``search_businesses`` and returns ``ResultView`` rows, each with the reason it is listed
written in the page language. A reader's mistake (an unknown area, a stale cursor) never
becomes an error page: the search runs without the part at fault and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.orm import Session

from directory.api.schemas import BusinessSummary
from directory.errors import InvalidInput, NotFound
from directory.geo import BBox
from directory.models import Area, Category
from directory.search.params import SearchParams, Sort
from directory.search.schemas import Interpretation, SearchHit, SearchPage
from directory.search.service import search_businesses
from directory.web.formatting import format_distance, format_rating
from directory.web.search_form import SearchForm
from directory.web.views import ResultView, listed

Translate = Callable[..., str]
CONFIDENT_RATINGS = 10  # from this many ratings the prior barely moves the average


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    """One page of search results and what the search understood."""

    results: list[ResultView]
    form: SearchForm
    next_cursor: str | None = None
    resolved_area: str | None = None
    area_how: str | None = None
    problems: list[str] = field(default_factory=list)
    area_suggestions: list[dict[str, str]] = field(default_factory=list)
    interpretation: Interpretation | None = None


def to_params(form: SearchForm, *, limit: int) -> SearchParams:
    """The service's parameters for a validated page form."""
    bbox = None
    if form.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = form.bbox
        bbox = BBox(min_lon=min_lon, min_lat=min_lat, max_lon=max_lon, max_lat=max_lat)
    return SearchParams(
        q=form.q or None,
        area=form.area or None,
        lat=form.lat,
        lon=form.lon,
        bbox=bbox,
        categories=form.categories,
        min_rating=form.min_rating,
        prices=form.price_levels,
        open_now=form.open_now,
        sort=Sort(form.sort),
        limit=limit,
        cursor=form.cursor,
        interpret=not form.literal,
    )


def _run(
    session: Session, form: SearchForm, *, lang: str, at: datetime, limit: int
) -> tuple[SearchPage, SearchForm, list[str], list[dict[str, str]]]:
    """Search, dropping the area, categories or cursor the service refuses (at most once each)."""
    problems: list[str] = []
    suggestions: list[dict[str, str]] = []
    for _ in range(4):
        try:
            page = search_businesses(session, to_params(form, limit=limit), now=at, lang=lang)
        except NotFound as exc:
            if not form.area:
                raise
            problems.append("area_unknown")
            suggestions = list(exc.extra.get("suggestions", []))
            form = replace(form, area="", cursor=None)
            continue
        except InvalidInput as exc:
            fields = {e.field for e in exc.errors}
            if "cursor" in fields and form.cursor:
                problems.append("cursor")
                form = replace(form, cursor=None)
            elif "category" in fields and form.categories:
                problems.append("category")
                form = replace(form, categories=(), cursor=None)
            else:
                raise
            continue
        return page, form, problems, suggestions
    raise RuntimeError("search kept failing")  # pragma: no cover - each branch clears a field


def search_listings(
    session: Session,
    form: SearchForm,
    *,
    lang: str,
    at: datetime,
    gettext: Translate,
    limit: int = 20,
) -> SearchOutcome:
    """Run the reader's search and explain each result."""
    page, used, problems, suggestions = _run(session, form, lang=lang, at=at, limit=limit)
    area_name = page.area.name if page.area else None
    # The page lists full matches only: each card's reason ("di BSD City") must hold, so
    # the looser matches the API appends after ``partial_from`` are left to the API.
    cut = page.interpretation.partial_from if page.interpretation else None
    results = [
        ResultView(
            summary=listed(hit),
            distance_m=hit.distance_m,
            reason=explain_hit(hit, used, area_name=area_name, lang=lang, gettext=gettext),
        )
        for hit in page.items[:cut]
    ]
    return SearchOutcome(
        results=results,
        form=used,
        next_cursor=page.next_cursor,
        resolved_area=area_name,
        area_how=page.area_match.how if page.area_match else None,
        problems=problems,
        area_suggestions=suggestions,
        interpretation=page.interpretation,
    )


def explain_hit(
    hit: SearchHit,
    form: SearchForm,
    *,
    area_name: str | None,
    lang: str,
    gettext: Translate,
) -> str:
    """Why a result is on the list, in plain words ("matches “kopi” · in BSD City · ...")."""
    parts: list[str] = []
    if form.q:
        parts.append(gettext("matches “%(q)s”", q=form.q))
    if form.categories:
        parts.append(gettext("in the category %(category)s", category=hit.category_name))
    if area_name:
        parts.append(gettext("in %(area)s", area=area_name))
    if form.bbox is not None:
        parts.append(gettext("inside the map area"))
    if form.has_point and hit.distance_m is not None:
        parts.append(
            gettext("%(distance)s from you", distance=format_distance(hit.distance_m, lang))
        )
    if form.open_now and hit.open_now:
        parts.append(gettext("open now"))
    if form.min_rating is not None and hit.rating is not None:
        parts.append(gettext("rated %(rating)s★", rating=format_rating(hit.rating, lang)))
    if not parts:
        return explain_quality(hit, gettext=gettext)
    return " · ".join(parts)


def explain_quality(hit: BusinessSummary, *, gettext: Translate) -> str:
    """The reason for a listing chosen for its quality alone (best-rated lists).

    The order is the Bayesian average (few ratings count for less), which is what the
    reason says; the rating itself is already on the line above.
    """
    if hit.rating is None or hit.rating_count == 0:
        return gettext("new listing, not rated yet")
    if hit.rating_count < CONFIDENT_RATINGS:
        return gettext("well rated, by only a few people so far")
    return gettext("well rated by many people")


def best_listings(
    session: Session,
    *,
    area: Area | None = None,
    category: Category | None = None,
    lang: str,
    at: datetime,
    gettext: Translate,
    limit: int = 10,
) -> list[ResultView]:
    """The best-rated published businesses of an area and/or a category (and its children)."""
    params = SearchParams(
        area=area.slug if area is not None else None,
        categories=(category.slug,) if category is not None else (),
        sort=Sort.RATING,
        limit=limit,
    )
    page = search_businesses(session, params, now=at, lang=lang)
    return [
        ResultView(
            summary=listed(hit),
            distance_m=None,
            reason=explain_quality(hit, gettext=gettext),
        )
        for hit in page.items
    ]
