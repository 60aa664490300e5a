"""Read endpoints for single businesses."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from directory.api.deps import LangDep, ReadSessionDep, SettingsDep
from directory.schemas import BusinessRead
from directory.services.business_views import business_detail, local_now
from directory.services.businesses import get_public_business

router = APIRouter(tags=["businesses"])


@router.get("/businesses/{business_id}", response_model=BusinessRead)
def read_business(
    business_id: Annotated[int, Path(ge=1, le=2**62)],
    session: ReadSessionDep,
    settings: SettingsDep,
    lang: LangDep,
) -> BusinessRead:
    """One published business by id."""
    business = get_public_business(session, business_id)
    return business_detail(business, at=local_now(settings.timezone), lang=lang)
