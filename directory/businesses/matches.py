"""Finding listings that may be the same business as a query (duplicate matching).

Candidates are every reader-visible business inside the bounding box of
``matching.CANDIDATE_RADIUS_M`` around the query point (the ``ix_business_lat_lon`` index
answers the box), plus every business with the same phone number wherever it is; the pure
scorer in :mod:`directory.businesses.matching` ranks them. Area names from the gazetteer are passed
to the scorer so that branch suffixes like "… Pamulang" are recognised as such.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.businesses.matching import (
    CANDIDATE_RADIUS_M,
    POSSIBLE_MATCH_THRESHOLD,
    MatchCandidate,
    MatchQuery,
    MatchResult,
    rank_matches,
)
from directory.businesses.service import READER_VISIBLE
from directory.geo import bbox_around, valid_coordinates
from directory.models import Area, Business
from directory.phones import InvalidPhoneError, normalize_phone

MAX_CANDIDATES = 2000


@dataclass(frozen=True, slots=True)
class BusinessMatch:
    """A scored candidate with the stored listing it refers to."""

    result: MatchResult
    business: Business


def e164_or_none(phone: str | None) -> str | None:
    """The phone in the stored (E.164) form, or None when it is not a valid number."""
    if not phone:
        return None
    try:
        return normalize_phone(phone)
    except InvalidPhoneError:
        return None


def find_candidates(
    session: Session,
    query: MatchQuery,
    *,
    radius_m: float = CANDIDATE_RADIUS_M,
    statuses: Collection[str] = READER_VISIBLE,
    exclude_ids: Collection[int] = (),
) -> list[MatchCandidate]:
    """Businesses near the query point or sharing its phone number."""
    rows: dict[int, Business] = {}
    if query.lat is not None and query.lon is not None and valid_coordinates(query.lat, query.lon):
        box = bbox_around(query.lat, query.lon, radius_m)
        stmt = (
            select(Business)
            .where(
                Business.lat.between(box.min_lat, box.max_lat),
                Business.lon.between(box.min_lon, box.max_lon),
                Business.status.in_(tuple(statuses)),
            )
            .limit(MAX_CANDIDATES)
        )
        rows.update((b.id, b) for b in session.scalars(stmt))
    phone = e164_or_none(query.phone)
    if phone is not None:
        stmt = (
            select(Business)
            .where(Business.phone == phone, Business.status.in_(tuple(statuses)))
            .limit(MAX_CANDIDATES)
        )
        rows.update((b.id, b) for b in session.scalars(stmt))
    return [
        MatchCandidate(
            business_id=b.id, name=b.name, lat=b.lat, lon=b.lon, phone=b.phone, address=b.address
        )
        for b in rows.values()
        if b.id not in exclude_ids
    ]


def area_words(session: Session) -> tuple[str, ...]:
    """Names and aliases of every stored area, for recognising branch suffixes."""
    words: set[str] = set()
    for name, aliases in session.execute(select(Area.name, Area.aliases)):
        words.add(name)
        words.update(a for a in aliases or () if isinstance(a, str))
    return tuple(sorted(words))


def match_businesses(
    session: Session,
    query: MatchQuery,
    *,
    min_score: float = POSSIBLE_MATCH_THRESHOLD,
    limit: int = 5,
    statuses: Collection[str] = READER_VISIBLE,
    exclude_ids: Collection[int] = (),
) -> list[BusinessMatch]:
    """Scored candidates for ``query``, best first, each at least ``min_score``."""
    candidates = find_candidates(session, query, statuses=statuses, exclude_ids=exclude_ids)
    if not candidates:
        return []
    ranked = rank_matches(
        query, candidates, threshold=min_score, limit=limit, area_words=area_words(session)
    )
    return _attach(session, ranked)


def _attach(session: Session, ranked: Sequence[MatchResult]) -> list[BusinessMatch]:
    by_id = {
        b.id: b
        for b in session.scalars(
            select(Business).where(Business.id.in_([r.business_id for r in ranked]))
        )
    }
    return [BusinessMatch(r, by_id[r.business_id]) for r in ranked if r.business_id in by_id]
