"""Submitting a business profile, free, and reading it back with its edit token.

``submit_business`` validates every field (all errors at once), places an address without
a pin (``directory.areas.geocoding``), looks for duplicates, and stores a pending submission with
a fresh edit token, of which only the hash is kept. The token is returned once.

``get_submission`` answers the same 404 for an unknown id and for a wrong token, so ids
cannot be probed; without any token it answers 401 before looking anything up.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy.orm import Session, sessionmaker

from directory.accounts import audit
from directory.accounts.tokens import (
    EDIT_PREFIX,
    hash_token,
    new_submission_id,
    new_token,
    token_matches,
)
from directory.areas.category_infer import CategoryInferrer, fallback_category_id
from directory.areas.geocoding import Geocoder, PlacedAddress, place_address
from directory.businesses.input import BusinessInput, parse_business_fields
from directory.businesses.matches import BusinessMatch, match_businesses
from directory.businesses.matching import MATCH_THRESHOLD, MatchQuery
from directory.db_retry import run_in_transaction
from directory.errors import FieldError, InvalidInput, NotFound, Unauthorized
from directory.models import OwnerToken, Submission, utcnow
from directory.submissions.fields import (
    as_raw,
    category_resolver,
    category_slug,
    clean_email,
    payload_from_input,
)

log = logging.getLogger("dekat.submissions")

PENDING: Final = "pending"
APPROVED: Final = "approved"
REJECTED: Final = "rejected"
MERGED: Final = "merged"
SUPERSEDED: Final = "superseded"
KIND_NEW: Final = "new"
KIND_EDIT: Final = "edit"
KIND_CLAIM: Final = "claim"
SOURCE_PIN: Final = "pin"
DUPLICATE_LIMIT: Final = 5

NOT_FOUND_DETAIL: Final = "No submission with this id for this token."
MISSING_TOKEN_DETAIL: Final = "Send the edit token: `Authorization: Bearer <token>`."


@dataclass(frozen=True, slots=True)
class Location:
    """Where a submission was placed and how."""

    lat: float
    lon: float
    approximate: bool
    source: str
    area_slug: str | None = None


@dataclass(frozen=True, slots=True)
class SubmissionReceipt:
    """What a submitter gets back: the stored submission and the token, shown once."""

    submission: Submission
    edit_token: str
    location: Location
    duplicates: list[BusinessMatch]


def _present(raw: Mapping[str, object], key: str) -> bool:
    value = raw.get(key)
    if value is None:
        return False
    if isinstance(value, float):
        return True  # NaN and infinities are reported by the validator
    return bool(str(value).strip())


def _place(
    session: Session, raw: dict[str, object], geocoder: Geocoder | None
) -> PlacedAddress | None:
    """Fill lat/lon from the address when neither was given; None when not placed."""
    if _present(raw, "lat") or _present(raw, "lon") or not _present(raw, "address"):
        return None
    address = str(raw["address"])[:600]
    placed = place_address(session, address, geocoder=geocoder)
    if placed is not None:
        raw["lat"], raw["lon"] = placed.lat, placed.lon
    return placed


def validate_submission(
    session: Session,
    fields: Mapping[str, object],
    *,
    contact_email: str | None,
    geocoder: Geocoder | None,
) -> tuple[BusinessInput, Location, str | None]:
    """Validated fields, their location and the contact address; InvalidInput lists all."""
    raw: dict[str, object] = {k: v for k, v in fields.items() if v is not None}
    placed = _place(session, raw, geocoder)
    errors: list[FieldError] = []
    email = clean_email(contact_email, field="contact_email", errors=errors)
    data: BusinessInput | None = None
    try:
        data = parse_business_fields(
            as_raw(raw),
            resolve_category=category_resolver(session),
            infer_category=CategoryInferrer.from_session(session).infer,
            default_category_id=fallback_category_id(session),
        )
    except InvalidInput as exc:
        errors = [_explain_missing_location(e, raw) for e in exc.errors] + errors
    if errors or data is None:
        raise InvalidInput(
            detail="; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors
        )
    if placed is None:
        location = Location(data.lat, data.lon, False, SOURCE_PIN)
    else:
        location = Location(data.lat, data.lon, placed.approximate, placed.source, placed.area_slug)
    return data, location, email


def _explain_missing_location(error: FieldError, raw: Mapping[str, object]) -> FieldError:
    if error.field in ("lat", "lon") and error.message == "is required":
        hint = (
            "is required: we could not find this address; set a pin on the map"
            if _present(raw, "address")
            else "is required: set a pin on the map or give the address"
        )
        return FieldError(error.field, hint, error.location)
    return error


def find_duplicates(
    session: Session, data: BusinessInput, *, exclude_ids: tuple[int, ...] = ()
) -> list[BusinessMatch]:
    """Listings that may be the same business as ``data`` (best first)."""
    query = MatchQuery(
        name=data.name, lat=data.lat, lon=data.lon, phone=data.phone, address=data.address
    )
    return match_businesses(session, query, limit=DUPLICATE_LIMIT, exclude_ids=exclude_ids)


def duplicates_json(matches: list[BusinessMatch]) -> list[dict[str, Any]]:
    """The stored form of duplicate candidates (what the submitter was warned about)."""
    out = []
    for m in matches:
        ev = m.result.evidence
        out.append(
            {
                "business_id": m.business.id,
                "name": m.business.name,
                "score": round(m.result.score, 4),
                "is_match": m.result.score >= MATCH_THRESHOLD,
                "name_similarity": round(ev.name_similarity, 4),
                "distance_m": None if ev.distance_m is None else round(ev.distance_m, 1),
                "same_phone": ev.same_phone,
            }
        )
    return out


def submit_business(
    sessions: sessionmaker[Session],
    fields: Mapping[str, object],
    *,
    contact_email: str | None = None,
    geocoder: Geocoder | None = None,
) -> SubmissionReceipt:
    """Validate and queue a new business profile; returns the edit token once."""
    with sessions() as session:
        data, location, email = validate_submission(
            session, fields, contact_email=contact_email, geocoder=geocoder
        )
        slug = category_slug(session, data.category_id)
        session.rollback()
    token = new_token(EDIT_PREFIX)

    def work(session: Session) -> tuple[Submission, list[BusinessMatch]]:
        duplicates = find_duplicates(session, data)
        submission = Submission(
            id=new_submission_id(),
            kind=KIND_NEW,
            status=PENDING,
            payload=payload_from_input(data, category=slug),
            contact_email=email,
            token_hash=hash_token(token),
            location_approximate=location.approximate,
            duplicates=duplicates_json(duplicates),
            created_at=utcnow(),
        )
        session.add(submission)
        session.flush()
        session.add(OwnerToken(token_hash=submission.token_hash, submission_id=submission.id))
        audit.record(
            session,
            actor="submitter",
            action="submit",
            subject_type="submission",
            subject_id=submission.id,
            detail={"kind": KIND_NEW, "location_source": location.source},
        )
        return submission, duplicates

    submission, duplicates = run_in_transaction(sessions, work)
    log.info("submission %s received", submission.id)
    return SubmissionReceipt(submission, token, location, duplicates)


def honeypot_receipt(fields: Mapping[str, object]) -> SubmissionReceipt:
    """A plausible answer for a bot that filled the honeypot; nothing is stored."""
    now = utcnow()
    lat = _float_or(fields.get("lat"), 0.0)
    lon = _float_or(fields.get("lon"), 0.0)
    fake = Submission(
        id=new_submission_id(),
        kind=KIND_NEW,
        status=PENDING,
        payload={},
        token_hash="",
        location_approximate=False,
        duplicates=[],
        created_at=now,
    )
    log.info("honeypot filled; submission dropped")
    return SubmissionReceipt(
        fake, new_token(EDIT_PREFIX), Location(lat, lon, False, SOURCE_PIN), []
    )


def _float_or(value: object, default: float) -> float:
    try:
        number = float(str(value))
    except ValueError:
        return default
    return number if math.isfinite(number) else default


def get_submission(session: Session, submission_id: str, token: str | None) -> Submission:
    """The submission, if ``token`` is its edit token (same 404 for unknown id or token)."""
    if token is None:
        raise Unauthorized(detail=MISSING_TOKEN_DETAIL)
    submission = session.get(Submission, submission_id)
    # Hash even when the id is unknown, so both paths take about the same time.
    stored = submission.token_hash if submission is not None else "0" * 64
    if not token_matches(token, stored) or submission is None:
        raise NotFound(detail=NOT_FOUND_DETAIL)
    return submission
