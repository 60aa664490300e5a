"""Categories and areas: the vocabulary readers search with."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import func, select

from directory.api.deps import LangDep, ReadSessionDep
from directory.api.schemas import (
    AreaDetail,
    AreaList,
    AreaRead,
    AreaRef,
    CategoryNodeRead,
    CategoryTree,
)
from directory.api.summary import area_ref, localized_name
from directory.areas.service import get_area, list_areas
from directory.areas.taxonomy import CategoryNode, category_tree
from directory.models import Area, Business, BusinessStatus

router = APIRouter(tags=["catalog"])


def _node(node: CategoryNode, lang: str, parent: str | None) -> CategoryNodeRead:
    c = node.category
    return CategoryNodeRead(
        id=c.id,
        slug=c.slug,
        name=localized_name(c, lang),
        name_id=c.name_id,
        name_en=c.name_en,
        parent=parent,
        synonyms=list(c.synonyms),
        reach=c.reach,
        children=[_node(child, lang, c.slug) for child in node.children],
    )


@router.get("/categories", response_model=CategoryTree)
def read_categories(session: ReadSessionDep, lang: LangDep) -> CategoryTree:
    """The category taxonomy as a tree of top-level groups."""
    return CategoryTree(items=[_node(n, lang, None) for n in category_tree(session)])


def area_read(area: Area, slugs_by_id: dict[int, str]) -> AreaRead:
    """The list view of an area."""
    return AreaRead(
        id=area.id,
        slug=area.slug,
        name=area.name,
        kind=area.kind,
        aliases=list(area.aliases),
        parent=slugs_by_id.get(area.parent_id) if area.parent_id else None,
        code=area.code,
        lat=area.lat,
        lon=area.lon,
        radius_m=area.radius_m,
        has_polygon=area.polygon is not None,
        bbox=(area.min_lon, area.min_lat, area.max_lon, area.max_lat),
    )


@router.get("/areas", response_model=AreaList)
def read_areas(
    session: ReadSessionDep,
    kind: Annotated[
        str | None,
        Query(pattern="^(province|city|regency|kecamatan|kelurahan|desa|township|neighbourhood)$"),
    ] = None,
) -> AreaList:
    """Every area (optionally of one kind), biggest first."""
    areas = list_areas(session, kind=kind)
    slugs = dict(session.execute(select(Area.id, Area.slug)).tuples().all())
    return AreaList(items=[area_read(a, slugs) for a in areas])


@router.get("/areas/{slug}", response_model=AreaDetail)
def read_area(slug: Annotated[str, Path(max_length=120)], session: ReadSessionDep) -> AreaDetail:
    """One area with its ancestors, children and number of published businesses."""
    area = get_area(session, slug)
    slugs = dict(session.execute(select(Area.id, Area.slug)).tuples().all())
    ancestors: list[AreaRef] = []
    parent = area.parent
    while parent is not None and len(ancestors) < 10:
        ancestors.append(area_ref(parent))
        parent = parent.parent
    children = session.scalars(select(Area).where(Area.parent_id == area.id).order_by(Area.name))
    count = session.scalar(
        select(func.count())
        .select_from(Business)
        .where(Business.area_id == area.id, Business.status == BusinessStatus.PUBLISHED)
    )
    return AreaDetail(
        **area_read(area, slugs).model_dump(),
        ancestors=ancestors,
        children=[area_ref(c) for c in children],
        business_count=int(count or 0),
        geometry=area.polygon,
    )
