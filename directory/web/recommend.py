"""Recommendations for pages, through the recommendation service (bridge to ``recommender``)."""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime

from sqlalchemy.orm import Session

from directory.models import Category
from directory.web.views import ResultView


def recommend_for_place(
    session: Session,
    *,
    lat: float,
    lon: float,
    lang: str,
    at: datetime,
    category: Category | None = None,
    exclude: Set[int] = frozenset(),
    limit: int = 5,
) -> list[ResultView]:
    """Recommended businesses around a point, each with its plain-words explanation."""
    del session, lat, lon, lang, at, category, exclude, limit
    return []
