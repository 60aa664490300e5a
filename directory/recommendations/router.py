"""``GET /api/v1/recommendations``: ranked places near a point or area, each with reasons."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request

from directory.api.deps import LangDep, ReadSessionDep, SettingsDep
from directory.insights.appearances import RECOMMENDATION, count_shown
from directory.recommendations.schemas import RecommendationPage
from directory.recommendations.service import RecommendationQuery, recommend, weights_for
from directory.timerange import check_in_range

router = APIRouter(tags=["recommendations"])


@router.get("/recommendations", response_model=RecommendationPage)
def get_recommendations(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    lang: LangDep,
    lat: Annotated[float | None, Query(ge=-90, le=90, description="Reader's latitude.")] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180, description="Reader's longitude.")] = None,
    area: Annotated[
        str | None, Query(min_length=1, max_length=120, description="Area slug, name or alias.")
    ] = None,
    user_id: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            pattern=r"^[^\x00-\x1f\x7f]+$",
            description="Anonymous reader id whose interactions personalise the ranking.",
        ),
    ] = None,
    at: Annotated[
        datetime | None,
        Query(description="ISO time to rank for (opening hours, habits); Asia/Jakarta if no zone."),
    ] = None,
    category: Annotated[str | None, Query(min_length=1, max_length=120)] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> RecommendationPage:
    """The best places for this reader, each explained (Indonesian by default)."""
    now = datetime.now(ZoneInfo(settings.timezone))
    if at is not None:
        check_in_range(at, "at")
    page = recommend(
        session,
        RecommendationQuery(
            lat=lat,
            lon=lon,
            area=area,
            user_id=user_id,
            at=at,
            category=category,
            q=q,
            limit=limit,
            lang=lang,
        ),
        now=now,
        timezone=settings.timezone,
        weights=weights_for(settings.new_listing_age_days),
    )
    count_shown(request, RECOMMENDATION, (item.business.id for item in page.items))
    return page
