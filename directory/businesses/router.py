"""Read endpoints for single businesses."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from directory.api.deps import LangDep, ReadSessionDep, SettingsDep
from directory.api.schemas import BusinessRead
from directory.businesses.service import get_public_business
from directory.businesses.views import business_detail
from directory.hours import local_now

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
