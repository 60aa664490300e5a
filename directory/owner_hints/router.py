"""``GET /api/v1/owner/businesses/{business_id}/hints``: ranking hints for the owner."""

from __future__ import annotations

from fastapi import APIRouter, Response

from directory.accounts import owners
from directory.api.deps import BusinessIdPath, EditTokenDep, LangDep, SessionDep, SettingsDep
from directory.hours import local_now
from directory.owner_hints.schemas import RankingHintsRead, hints_read
from directory.owner_hints.service import ranking_hints

router = APIRouter(tags=["owners"])


@router.get(
    "/owner/businesses/{business_id}/hints",
    response_model=RankingHintsRead,
    responses={401: {"description": "No token"}, 403: {"description": "Not this business"}},
)
def read_ranking_hints(
    business_id: BusinessIdPath,
    token: EditTokenDep,
    session: SessionDep,
    settings: SettingsDep,
    lang: LangDep,
    response: Response,
) -> RankingHintsRead:
    """Where the listing ranks for its common searches and nearby recommendations, and
    which missing fields would move it, each re-ranked with the field filled (then rolled
    back). Runs on the primary database: the what-ifs write inside a savepoint."""
    _, business = owners.owned_business(session, business_id, token)
    result = ranking_hints(
        session, business, now=local_now(settings.timezone), timezone=settings.timezone,
        lang=lang,
    )  # fmt: skip
    session.rollback()
    response.headers["Cache-Control"] = "no-store"
    return hints_read(result, lang=lang)
