"""Response shapes of ``GET /api/v1/businesses`` (search) and ``GET /api/v1/autocomplete``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from directory.api.schemas import AreaRef, BusinessSummary


class SearchHit(BusinessSummary):
    """One result: the business summary with how far it is and how well it matched."""

    distance_m: float | None = Field(
        description="Metres from lat/lon (great circle); null when no point was given."
    )
    score: float | None = Field(
        description="Relevance score (sort=relevance only); see docs/search.md for the formula."
    )


class InterpretedCategory(BaseModel):
    slug: str
    name: str
    phrase: str = Field(description="The words of the query that named it.")


class InterpretedArea(BaseModel):
    slug: str
    name: str
    kind: str
    how: str = Field(description="exact | alias | corrected: how the words matched the area.")
    phrase: str | None = Field(description="The words of the query that named it (null: `area`).")


class Correction(BaseModel):
    word: str = Field(description="The word as typed.")
    to: str = Field(description="The word it was read as.")


class InterpretedFilters(BaseModel):
    price: list[int] = Field(description="Price levels the query asked for (murah → [1]).")
    open_now: bool
    open_24h: bool = Field(description='Open around the clock ("24 jam").')
    open_at: str | None = Field(description="HH:MM a meal word asked for (sarapan → 07:00).")
    meal: str | None
    nearest_first: bool = Field(description='"dekat sini"/"near me": sorted by distance.')


class Interpretation(BaseModel):
    """How the query was read: which words were text, which named a category or an area,
    which became filters, and which were corrected."""

    text: list[str] = Field(description="Words matched as text.")
    category: InterpretedCategory | None = Field(description="The first category named.")
    categories: list[InterpretedCategory]
    area: InterpretedArea | None
    filters: InterpretedFilters
    corrections: list[Correction]
    needs_location: bool = Field(
        description="The query asked for what is near, but no lat/lon was given."
    )
    area_relaxed: bool = Field(
        default=False,
        description="The area named in `q` held no match, so results outside it are shown.",
    )
    partial_from: int | None = Field(
        default=None,
        description="Fewer businesses than the page holds match the query fully; from this "
        "position on, the page shows the closest matches of a looser reading (outside the "
        "area named in `q`, without the filters read from its words, or the same kind of "
        "place under another name). No `next_cursor` follows such a page.",
    )
    message: str | None = Field(description="What the reader should do, when anything.")


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
    interpretation: Interpretation | None = Field(
        default=None, description="How `q` was read; null without `q`."
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


class AutocompleteSuggestion(BaseModel):
    kind: str = Field(description="area | category | business")
    slug: str
    name: str
    distance_m: float | None
    id: int | None = Field(default=None, description="The business id (businesses only).")


class Autocomplete(BaseModel):
    """Suggestions for a prefix: areas, categories and businesses, best first."""

    q: str
    areas: list[AutocompleteArea]
    categories: list[AutocompleteCategory]
    businesses: list[AutocompleteBusiness]
    suggestions: list[AutocompleteSuggestion] = Field(
        default_factory=list,
        description="All three merged: exact, then starts-with, then contains; areas and "
        "categories before businesses of the same match quality.",
    )
