"""Area pages (``/area/{slug}``) and category pages (``/kategori/{slug}``)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.api.deps import ReadSessionDep
from directory.api.summary import localized_name
from directory.areas.service import get_area
from directory.areas.taxonomy import all_categories, get_category
from directory.errors import NotFound
from directory.hours import local_now
from directory.insights.appearances import RECOMMENDATION, count_shown
from directory.models import Area, Category
from directory.search.area_lookup import find_area
from directory.search.catalog import get_catalog
from directory.slugs import is_slug
from directory.web.context import Page, PageDep
from directory.web.i18n import AREA_KIND_LABELS
from directory.web.jsonld import script_json
from directory.web.listings import best_listings
from directory.web.recommend import recommend_for_place
from directory.web.views import ResultView, map_payload, result_markers

router = APIRouter()
BEST_LIMIT = 10
RECOMMEND_LIMIT = 5


@dataclass(frozen=True, slots=True)
class Link:
    """A named link (chips, breadcrumbs)."""

    slug: str
    name: str
    url: str = ""


def top_categories(session: Session, lang: str) -> list[Link]:
    """The top-level groups of the taxonomy, in taxonomy order (from the cached catalog)."""
    groups = sorted(
        (c for c in get_catalog(session).categories.values() if c.parent_id is None),
        key=lambda c: c.id,  # seeded in taxonomy order
    )
    return [Link(slug=c.slug, name=localized_name(c, lang)) for c in groups]


def area_ancestors(area: Area) -> list[Area]:
    """The area's parents, outermost first (at most ten levels)."""
    chain: list[Area] = []
    parent = area.parent
    while parent is not None and len(chain) < 10:
        chain.append(parent)
        parent = parent.parent
    return chain[::-1]


def _area_param(session: Session, area: Area) -> str:
    """The area's name for search links, or its slug when the name means another area."""
    found = find_area(get_catalog(session), area.name)
    return area.name if found is not None and found.id == area.id else area.slug


def _resolve_slug(slug: str) -> str:
    if not is_slug(slug):
        raise NotFound(detail="no such page")
    return slug


@router.get("/area/{slug}", response_class=HTMLResponse, name="area_page")
def area_page(slug: str, page: PageDep, session: ReadSessionDep) -> HTMLResponse:
    """An area: the best places there, recommendations, and the areas inside it."""
    area = get_area(session, _resolve_slug(slug))
    at = local_now(page.settings.timezone)
    best = best_listings(
        session, area=area, lang=page.lang, at=at, gettext=page.gettext, limit=BEST_LIMIT
    )
    recommended = recommend_for_place(
        session,
        settings=page.settings,
        lat=area.lat,
        lon=area.lon,
        lang=page.lang,
        at=at,
        origin="area",  # around the area's centre: "650 m dari pusat area"
        exclude={r.summary.id for r in best},
        limit=RECOMMEND_LIMIT,
    )
    children = session.scalars(select(Area).where(Area.parent_id == area.id).order_by(Area.name))
    area_value = _area_param(session, area)
    chips = [
        Link(c.slug, c.name, "/cari?" + urlencode({"area": area_value, "kategori": c.slug}))
        for c in top_categories(session, page.lang)
    ]
    count_shown(page.request, RECOMMENDATION, (r.summary.id for r in recommended))
    markers = result_markers(best) + result_markers(recommended, start=len(best) + 1)
    return page.render(
        "area.html",
        area=area,
        kind_label=AREA_KIND_LABELS.get(area.kind, area.kind),
        ancestors=area_ancestors(area),
        children=list(children),
        best=best,
        recommended=recommended,
        category_chips=chips,
        more_url="/cari?" + urlencode({"area": area_value, "urut": "rating"}) if best else "",
        canonical_url=page.absolute(f"/area/{area.slug}"),
        map_json=script_json(
            map_payload(
                markers,
                bbox=None if markers else (area.min_lon, area.min_lat, area.max_lon, area.max_lat),
            )
        ),
    )


@router.get("/kategori/{slug}", response_class=HTMLResponse, name="category_page")
def category_page(
    slug: str, page: PageDep, session: ReadSessionDep, area: str | None = None
) -> HTMLResponse:
    """A category: the best places in it (optionally in one area) and recommendations."""
    category = get_category(session, _resolve_slug(slug))
    in_area = get_area(session, area) if area and is_slug(area) else None
    best, recommended = _category_listings(session, page, category, in_area)
    ancestors = _category_ancestors(category)
    children = [c for c in all_categories(session) if c.parent_id == category.id]
    more = {"kategori": category.slug, "urut": "rating"}
    if in_area is not None:
        more["area"] = _area_param(session, in_area)
    count_shown(page.request, RECOMMENDATION, (r.summary.id for r in recommended))
    markers = result_markers(best) + result_markers(recommended, start=len(best) + 1)
    canonical = page.absolute(f"/kategori/{category.slug}")
    return page.render(
        "category.html",
        category_slug=category.slug,
        category_name=localized_name(category, page.lang),
        area=in_area,
        ancestors=[Link(c.slug, localized_name(c, page.lang)) for c in reversed(ancestors)],
        children=[Link(c.slug, localized_name(c, page.lang)) for c in children],
        area_choices=_area_choices(session),
        best=best,
        recommended=recommended,
        more_url="/cari?" + urlencode(more) if best else "",
        canonical_url=canonical + (f"?area={in_area.slug}" if in_area else ""),
        map_json=script_json(map_payload(markers)),
    )


def _category_listings(
    session: Session, page: Page, category: Category, in_area: Area | None
) -> tuple[list[ResultView], list[ResultView]]:
    """The best places of the category, and (within an area) recommendations around the
    area's centre that are not already among the best."""
    at = local_now(page.settings.timezone)
    best = best_listings(
        session,
        area=in_area,
        category=category,
        lang=page.lang,
        at=at,
        gettext=page.gettext,
        limit=BEST_LIMIT,
    )
    if in_area is None:
        return best, []
    recommended = recommend_for_place(
        session,
        settings=page.settings,
        lat=in_area.lat,
        lon=in_area.lon,
        category=category,
        lang=page.lang,
        at=at,
        origin="area",  # around the area's centre: "650 m dari pusat area"
        exclude={r.summary.id for r in best},
        limit=RECOMMEND_LIMIT,
    )
    return best, recommended


def _category_ancestors(category: Category) -> list[Category]:
    """The category's parents, nearest first (at most 10, against a cycle in bad data)."""
    ancestors: list[Category] = []
    parent = category.parent
    while parent is not None and len(ancestors) < 10:
        ancestors.append(parent)
        parent = parent.parent
    return ancestors


def _area_choices(session: Session) -> list[Link]:
    """The areas a category page can be narrowed to: townships and kecamatan, by name."""
    return [
        Link(a.slug, a.name)
        for a in session.scalars(
            select(Area).where(Area.kind.in_(("township", "kecamatan"))).order_by(Area.name)
        )
    ]
