"""``GET /businesses/match``: is this business already listed? (Yelp's ``/businesses/matches``)

Registered before ``/businesses/{business_id}`` so that "match" is not read as an id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from directory.api.deps import ReadSessionDep
from directory.api.limits import MATCHES, rate_limit
from directory.businesses.matches import match_businesses
from directory.businesses.matching import MATCH_THRESHOLD, POSSIBLE_MATCH_THRESHOLD, MatchQuery
from directory.errors import FieldError, InvalidInput
from directory.submissions.schemas import MatchList
from directory.submissions.views import match_read
from directory.textnorm import TextInputError, clean_user_text

router = APIRouter(tags=["businesses"])


def _clean(value: str | None, field: str, max_len: int, errors: list[FieldError]) -> str | None:
    if value is None:
        return None
    try:
        return clean_user_text(value, max_len=max_len, field=field) or None
    except TextInputError as exc:
        errors.append(FieldError(field, str(exc), "query"))
        return None


def _query(
    name: str, lat: float | None, lon: float | None, phone: str | None, address: str | None
) -> MatchQuery:
    errors: list[FieldError] = []
    clean_name = _clean(name, "name", 200, errors)
    if not clean_name and not errors:
        errors.append(FieldError("name", "is required", "query"))
    clean_phone = _clean(phone, "phone", 40, errors)
    clean_address = _clean(address, "address", 300, errors)
    if (lat is None) != (lon is None):
        missing = "lon" if lon is None else "lat"
        errors.append(FieldError(missing, "give lat and lon together", "query"))
    elif lat is None and not clean_phone:
        errors.append(FieldError("lat", "give lat and lon, or a phone number", "query"))
    if errors:
        raise InvalidInput(
            detail="; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors
        )
    return MatchQuery(
        name=clean_name or "", lat=lat, lon=lon, phone=clean_phone, address=clean_address
    )


@router.get(
    "/businesses/match",
    response_model=MatchList,
    dependencies=[Depends(rate_limit(MATCHES))],
    responses={422: {"description": "Invalid query"}, 429: {"description": "Too many"}},
)
def match_business(
    session: ReadSessionDep,
    name: Annotated[str, Query(min_length=1, max_length=1000, description="Business name.")],
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    phone: Annotated[str | None, Query(max_length=100)] = None,
    address: Annotated[str | None, Query(max_length=1000)] = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
    min_score: Annotated[float, Query(ge=0, le=1)] = POSSIBLE_MATCH_THRESHOLD,
) -> MatchList:
    """Listings that may be this business, best first, each with a score in [0, 1] and the
    evidence: name similarity (after dropping "Warung", "RM", "Toko", "PT", "CV" and branch
    suffixes), distance and same phone. `is_match` marks scores at or above `threshold`.
    Needs `lat`+`lon` or `phone`; candidates are looked for within 500 m and, with a phone,
    anywhere with the same number."""
    query = _query(name, lat, lon, phone, address)
    matches = match_businesses(session, query, min_score=min_score, limit=limit)
    return MatchList(items=[match_read(m) for m in matches], threshold=MATCH_THRESHOLD)
