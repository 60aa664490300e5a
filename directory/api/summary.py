"""The pieces every list of businesses shares: localized names, area refs, summary fields.

A business is listed from three sources (an ORM row, search's selected columns, the
recommender's candidates); each passes its plain values here, so the fields a reader sees
are built, rounded and named one way.
"""

from __future__ import annotations

from typing import Protocol, TypedDict, overload

from directory.api.schemas import AreaRef


class HasNames(Protocol):
    """Anything named in both languages (a category, stored or from the catalog)."""

    @property
    def name_id(self) -> str: ...

    @property
    def name_en(self) -> str: ...


class HasSlugAndNames(HasNames, Protocol):
    @property
    def slug(self) -> str: ...


class AreaLike(Protocol):
    """An area as stored or as the catalog caches it."""

    @property
    def id(self) -> int: ...

    @property
    def slug(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...


def localized_name(item: HasNames, lang: str) -> str:
    """The English name for ``lang == "en"``, else the Indonesian one (the default)."""
    return item.name_en if lang == "en" else item.name_id


@overload
def area_ref(area: AreaLike) -> AreaRef: ...
@overload
def area_ref(area: AreaLike | None) -> AreaRef | None: ...


def area_ref(area: AreaLike | None) -> AreaRef | None:
    """An area as results name it; None for a business outside every area."""
    if area is None:
        return None
    return AreaRef(id=area.id, slug=area.slug, name=area.name, kind=area.kind)


class SummaryFields(TypedDict):
    """The fields every listed business has (``BusinessSummary``, ``SearchHit``,
    ``RecommendedBusiness``); each adds its own on top."""

    id: int
    slug: str
    external_id: str | None
    name: str
    category: str
    category_name: str
    lat: float
    lon: float
    address: str
    area: AreaRef | None
    rating: float | None
    rating_count: int
    price_level: int | None
    open_now: bool | None


def summary_fields(
    *,
    business_id: int,
    slug: str,
    external_id: str | None,
    name: str,
    category: HasSlugAndNames | None,
    lat: float,
    lon: float,
    address: str,
    area: AreaLike | None,
    rating: float | None,
    rating_count: int,
    price_level: int | None,
    open_now: bool | None,
    lang: str,
) -> SummaryFields:
    """The shared list fields of one business: the primary category by slug and in the
    reader's language ("" when unknown), the area as a ref, the mean rating to 2 decimals."""
    return SummaryFields(
        id=business_id,
        slug=slug,
        external_id=external_id,
        name=name,
        category=category.slug if category is not None else "",
        category_name=localized_name(category, lang) if category is not None else "",
        lat=lat,
        lon=lon,
        address=address,
        area=area_ref(area),
        rating=round(rating, 2) if rating is not None else None,
        rating_count=rating_count,
        price_level=price_level,
        open_now=open_now,
    )
