"""Recommendations for pages, through the recommendation service (the bridge to the
``recommender`` library), with the library's own plain-words reasons in the page language.

Pages rank around a point that is not the reader (a business, an area's centre), so each
caller says which: the distance reason then reads "650 m dari sini" on a business page and
"650 m dari pusat area" on area and category pages, never "dari Anda".
"""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime

from sqlalchemy.orm import Session

from directory.models import Category
from directory.recommendations.service import RecommendationQuery, recommend, weights_for
from directory.settings import Settings
from directory.web.views import ResultView, listed
from recommender import Origin


def recommend_for_place(
    session: Session,
    *,
    settings: Settings,
    lat: float,
    lon: float,
    lang: str,
    at: datetime,
    origin: Origin,
    category: Category | None = None,
    exclude: Set[int] = frozenset(),
    limit: int = 5,
    anchor_id: int | None = None,
) -> list[ResultView]:
    """Recommended businesses around a point, each with its explanation ("650 m · 4,6★...").

    ``origin`` is what the point is (``"place"`` or ``"area"``), for the distance reason;
    ``anchor_id`` the business whose page this is, so that similar and complementary
    places come first ("Juga di sekitar sini").
    """
    page = recommend(
        session,
        RecommendationQuery(
            lat=lat,
            lon=lon,
            category=category.slug if category is not None else None,
            limit=min(50, limit + len(exclude)),
            lang=lang,
            origin=origin,
            anchor_id=anchor_id,
        ),
        now=at,
        timezone=settings.timezone,
        weights=weights_for(settings.new_listing_age_days),
    )
    results = [
        ResultView(
            summary=listed(item.business),
            distance_m=item.business.distance_m,
            reason=" · ".join(item.reasons),
        )
        for item in page.items
        if item.business.id not in exclude
    ]
    return results[:limit]
