"""Lists of businesses for pages, from the search service (the same one the API uses).

This adapter turns the search service's results into ``ResultView`` rows, with the reason
each one is listed written in the page language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from directory.models import Area, Category
from directory.web.search_form import SearchForm
from directory.web.views import ResultView


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    """One page of search results and what the search understood."""

    results: list[ResultView]
    next_cursor: str | None = None
    resolved_area: str | None = None
    total: int | None = None
    problems: list[str] = field(default_factory=list)


def search_listings(
    session: Session, form: SearchForm, *, lang: str, at: datetime, limit: int = 20
) -> SearchOutcome:
    """Run the reader's search."""
    del session, form, lang, at, limit
    return SearchOutcome(results=[])


def best_in_area(
    session: Session, area: Area, *, lang: str, at: datetime, limit: int = 10
) -> list[ResultView]:
    """The best-rated published businesses in an area."""
    del session, area, lang, at, limit
    return []


def best_in_category(
    session: Session,
    category: Category,
    *,
    area: Area | None,
    lang: str,
    at: datetime,
    limit: int = 10,
) -> list[ResultView]:
    """The best-rated published businesses of a category (and its children)."""
    del session, category, area, lang, at, limit
    return []
