"""``GET /api/v1/owner/businesses/{business_id}/insights``: the owner dashboard as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import AfterValidator

from directory.accounts import owners
from directory.api.deps import BusinessIdPath, EditTokenDep, SessionDep, SessionsDep, SettingsDep
from directory.insights.appearances import AppearanceCounter
from directory.insights.schemas import OwnerInsights
from directory.insights.service import DEFAULT_PERIOD, PERIODS, read_insights

router = APIRouter(tags=["owners"])


def _period(days: int) -> int:
    if days not in PERIODS:
        raise ValueError(f"must be one of {', '.join(map(str, PERIODS))}")
    return days


PeriodQuery = Annotated[
    int,
    AfterValidator(_period),
    Query(
        description="Period: the last 7, 30 or 90 days, today included.",
        json_schema_extra={"enum": list(PERIODS)},
    ),
]


@router.get(
    "/owner/businesses/{business_id}/insights",
    response_model=OwnerInsights,
    responses={
        401: {"description": "No token"},
        403: {"description": "Not this business"},
        422: {"description": "days is not 7, 30 or 90"},
    },
)
def read_owner_insights(
    business_id: BusinessIdPath,
    token: EditTokenDep,
    session: SessionDep,
    sessions: SessionsDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
    days: PeriodQuery = DEFAULT_PERIOD,
) -> OwnerInsights:
    """Page views, appearances in search and recommendations, and contact clicks per day.

    Counts only: no reader is identified. Days are in the site's time zone.
    """
    owners.owned_business(session, business_id, token)
    session.close()
    counter: AppearanceCounter = request.app.state.appearances
    response.headers["Cache-Control"] = "no-store"
    return read_insights(sessions, counter, business_id, days=days, timezone=settings.timezone)
