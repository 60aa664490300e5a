"""Home and search (``/`` and ``/cari``): one GET form, results with a map, cursor paging."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from directory.api.deps import ReadSessionDep
from directory.hours import local_now
from directory.insights.appearances import RECOMMENDATION, SEARCH, count_shown
from directory.search.area_lookup import find_area
from directory.search.catalog import get_catalog
from directory.search.schemas import Interpretation
from directory.web.context import Page, PageDep
from directory.web.i18n import N_, SORT_LABELS
from directory.web.jsonld import script_json
from directory.web.listings import search_listings
from directory.web.personal import PersonalSections, personal_sections
from directory.web.routes.places import Link, top_categories
from directory.web.search_form import SearchForm, parse_search_form
from directory.web.views import map_payload, result_markers

router = APIRouter()
PAGE_SIZE = 20
FEATURED_KINDS = ("township", "city")
PROBLEM_MESSAGES = {
    "location": N_("Your location could not be read, so it was not used."),
    "bbox": N_("The map area could not be read, so it was not used."),
    "distance_needs_point": N_("Sorting by distance needs your location (“Near me”)."),
    "area_unknown": N_("No area matches “%(area)s”; showing results everywhere."),
    "cursor": N_("That results page has expired; showing the first page."),
    "category": N_("A category in the link is unknown and was left out."),
}


def area_options(session: Session) -> list[Link]:
    """Every area name for the area picker's suggestions, townships and cities first."""
    order = {"township": 0, "city": 1, "regency": 1, "kecamatan": 2}
    areas = get_catalog(session).areas.values()
    return [
        Link(a.slug, a.name)
        for a in sorted(areas, key=lambda a: (order.get(a.kind, 3), a.name.lower()))
    ]


def area_param(session: Session, area: Mapping[str, str | None]) -> str:
    """The ``area`` value of a link to one area: its name, or its slug when the name
    would resolve to another area of the same name (two kelurahan called "Cipayung")."""
    name, slug = str(area.get("name") or ""), str(area.get("slug") or "")
    found = find_area(get_catalog(session), name) if name else None
    return name if found is not None and found.slug == slug else slug


def featured_areas(session: Session) -> list[Link]:
    """Areas worth a link on the home page: townships and cities."""
    areas = get_catalog(session).areas.values()
    return [
        Link(a.slug, a.name)
        for a in sorted(areas, key=lambda a: a.name)
        if a.kind in FEATURED_KINDS
    ]


def _problems(page: Page, form: SearchForm, extra: list[str], *, area: str) -> list[str]:
    out = []
    for code in (*form.problems, *extra):
        message = PROBLEM_MESSAGES.get(code)
        if message is not None:
            out.append(page.gettext(message, area=area))
    return out


def _start_rank(page: Page) -> int:
    """The rank of the first result on a later page (``dari``; cosmetic, so lenient)."""
    text = page.request.query_params.get("dari", "")
    return int(text) if text.isdigit() and 0 < int(text) <= 100_000 else 1


def _summary(page: Page, form: SearchForm, resolved_area: str | None, how: str | None) -> str:
    """Which area the results are in, and whether the typed name was corrected."""
    if resolved_area and how == "corrected":
        return page.gettext(
            "Showing places in %(area)s (you typed “%(typed)s”).", area=resolved_area,
            typed=form.area,
        )  # fmt: skip
    if resolved_area:
        return page.gettext("Showing places in %(area)s.", area=resolved_area)
    if form.bbox is not None:
        return page.gettext("Showing places within the map area.")
    if form.has_point:
        return page.gettext("Showing places near your location.")
    return ""


@dataclass(frozen=True, slots=True)
class ReadingLine:
    """How the query was read, in words, with a one-click way back to plain text."""

    text: str
    undo_label: str
    undo_url: str
    corrections: str = ""


def _reading_line(
    page: Page, form: SearchForm, reading: Interpretation | None
) -> ReadingLine | None:
    """ "Menampilkan kopi di BSD City — cari 'bsd' sebagai teks" (None: nothing to say)."""
    if form.literal and form.q:
        return ReadingLine(
            text=page.gettext("Every word of “%(q)s” is searched as text.", q=form.q),
            undo_label=page.gettext("read it as a search for places"),
            undo_url=replace(form, literal=False, cursor=None).url(),
        )
    if reading is None:
        return None
    f = reading.filters
    read_any = bool(reading.categories or reading.area and reading.area.phrase or f.price
                    or f.open_now or f.open_24h or f.open_at or f.nearest_first)  # fmt: skip
    fixes = ", ".join(f"{c.word} → {c.to}" for c in reading.corrections)
    if not read_any and not fixes:
        return None
    what = ", ".join(dict.fromkeys(c.phrase for c in reading.categories))
    if reading.text:
        what = " ".join(filter(None, [what, " ".join(reading.text)]))
    parts = [what or page.gettext("places")]
    if f.price:
        parts.append(page.gettext("at low prices"))
    if f.open_24h:
        parts.append(page.gettext("open 24 hours"))
    if f.open_now:
        parts.append(page.gettext("open now"))
    if f.open_at:
        parts.append(page.gettext("open at %(time)s", time=f.open_at))
    if f.nearest_first:
        parts.append(page.gettext("nearest first"))
    text = page.gettext("Showing %(what)s", what=" · ".join(parts))
    if reading.area is not None and reading.area.phrase:
        text = page.gettext("Showing %(what)s in %(area)s", what=" · ".join(parts),
                            area=reading.area.name)  # fmt: skip
    literal_words = reading.area.phrase if reading.area and reading.area.phrase else form.q
    return ReadingLine(
        text=text,
        undo_label=page.gettext("search “%(words)s” as text", words=literal_words),
        undo_url=replace(form, literal=True, cursor=None).url(),
        corrections=page.gettext("Corrected: %(fixes)s", fixes=fixes) if fixes else "",
    )


def render_search(page: Page, session: Session, *, home: bool) -> HTMLResponse:
    """The search page; the home page is the same page with an introduction."""
    form = parse_search_form(
        {k: page.request.query_params.getlist(k) for k in page.request.query_params}
    )
    at = local_now(page.settings.timezone)
    outcome = search_listings(
        session, form, lang=page.lang, at=at, gettext=page.gettext, limit=PAGE_SIZE
    )
    asked_area = form.area
    form = outcome.form
    start = _start_rank(page) if form.cursor else 1
    personal = personal_sections(page, session, at=at) if home else PersonalSections()
    results = outcome.results
    if not home:
        count_shown(page.request, SEARCH, (r.summary.id for r in results))
    count_shown(page.request, RECOMMENDATION, (r.summary.id for r in personal.for_you))
    next_url = ""
    if outcome.next_cursor:
        next_url = form.url(cursor=outcome.next_cursor) + f"&dari={start + len(results)}"
    context: dict[str, Any] = {
        "home": home,
        "form": form,
        "results": results,
        "start_rank": start,
        "summary_line": _summary(page, form, outcome.resolved_area, outcome.area_how)
        if not (
            outcome.interpretation
            and outcome.interpretation.area
            and outcome.interpretation.area.phrase
        )
        else "",
        "reading": _reading_line(page, form, outcome.interpretation),
        "location_message": outcome.interpretation.message
        if outcome.interpretation and outcome.interpretation.message
        else "",
        "problems": _problems(page, form, outcome.problems, area=asked_area),
        "next_url": next_url,
        "first_url": form.without_cursor().url() if form.cursor else "",
        "clear_point_url": replace(form, lat=None, lon=None, cursor=None).url(),
        "bbox_text": ",".join(f"{v:.5f}" for v in form.bbox) if form.bbox else "",
        "area_options": area_options(session),
        "category_chips": top_categories(session, page.lang),
        "sort_options": [(k, page.gettext(v)) for k, v in SORT_LABELS.items()],
        "featured_areas": featured_areas(session) if home else [],
        "area_suggestions": [
            {
                "name": a["name"],
                "parent": a.get("parent") or "",
                "url": replace(form, area=area_param(session, a), cursor=None).url(),
            }
            for a in outcome.area_suggestions
        ],
        "map_json": script_json(map_payload(result_markers(results, start=start), bbox=form.bbox)),
        "recently_viewed": personal.recently_viewed,
        "for_you": personal.for_you,
    }
    # A page with this reader's own places must not be kept by a shared cache.
    headers = {"Cache-Control": "private, no-cache"} if personal.any else None
    return page.render("search.html", headers=headers, **context)


@router.get("/", response_class=HTMLResponse, name="home_page")
def home_page(page: PageDep, session: ReadSessionDep) -> HTMLResponse:
    """The home page: the search form, popular places, areas and categories."""
    return render_search(page, session, home=True)


@router.get("/cari", response_class=HTMLResponse, name="search_page")
def search_page(page: PageDep, session: ReadSessionDep) -> HTMLResponse:
    """Search results for the form's GET parameters."""
    return render_search(page, session, home=False)
