"""Response shapes of ``GET /api/v1/businesses`` (search) and ``GET /api/v1/autocomplete``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from directory.schemas import AreaRef, BusinessSummary


class SearchHit(BusinessSummary):
    """One result: the business summary with how far it is and how well it matched."""

    distance_m: float | None = Field(
        description="Metres from lat/lon (great circle); null when no point was given."
    )
    score: float | None = Field(
        description="Relevance score (sort=relevance only); see docs/search.md for the formula."
    )


class AreaMatchRef(BaseModel):
    """The area a search used and how the reader's text named it."""

    slug: str
    name: str
    how: Literal["exact", "alias", "corrected"]


class SearchPage(BaseModel):
    """A page of results and the cursor of the next one."""

    items: list[SearchHit]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= with the same parameters for the next page; null at the end."
    )
    sort: str
    area: AreaRef | None = Field(description="The area the `area` parameter resolved to.")
    area_match: AreaMatchRef | None = Field(
        default=None,
        description="Which area was used and how the text named it: `exact` (slug or name), "
        "`alias`, or `corrected` (a clear near miss of one name).",
    )
    words: list[str] = Field(description="The words matched, after folding and abbreviations.")
    relaxed: bool = Field(
        description="True when no business matched every word and all but one were required."
    )


class AutocompleteArea(BaseModel):
    slug: str
    name: str
    kind: str
    distance_m: float | None


class AutocompleteCategory(BaseModel):
    slug: str
    name: str


class AutocompleteBusiness(BaseModel):
    id: int
    slug: str
    name: str
    category: str
    area: str | None = Field(description="Name of the business's area.")
    distance_m: float | None


class Autocomplete(BaseModel):
    """Suggestions for a prefix: areas, categories and businesses, best first."""

    q: str
    areas: list[AutocompleteArea]
    categories: list[AutocompleteCategory]
    businesses: list[AutocompleteBusiness]
