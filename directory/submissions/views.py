"""Turning submissions, matches and listings into the response shapes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from directory.businesses.matches import BusinessMatch, match_businesses
from directory.businesses.matching import MATCH_THRESHOLD, MatchQuery
from directory.models import Business, Submission
from directory.submissions.schemas import (
    AdminSubmissionRead,
    BusinessRef,
    LocationRead,
    MatchCandidateRead,
    MatchEvidenceRead,
    SubmissionCreated,
    SubmissionRead,
)
from directory.submissions.service import (
    DUPLICATE_LIMIT,
    KIND_CLAIM,
    KIND_EDIT,
    SubmissionReceipt,
)


def business_ref(business: Business) -> BusinessRef:
    """The short form of a listing shown beside a submission or a match."""
    return BusinessRef(
        id=business.id,
        slug=business.slug,
        name=business.name,
        category=business.primary_category.slug,
        address=business.address,
        lat=business.lat,
        lon=business.lon,
        phone=business.phone,
        website=business.website,
        status=business.status,
    )


def match_read(match: BusinessMatch) -> MatchCandidateRead:
    """A scored candidate with its evidence (numbers rounded for reading)."""
    ev = match.result.evidence
    return MatchCandidateRead(
        business=business_ref(match.business),
        score=round(match.result.score, 4),
        is_match=match.result.score >= MATCH_THRESHOLD,
        evidence=MatchEvidenceRead(
            name_similarity=round(ev.name_similarity, 4),
            distance_m=None if ev.distance_m is None else round(ev.distance_m, 1),
            same_phone=ev.same_phone,
            phone_conflict=ev.phone_conflict,
            address_similarity=None
            if ev.address_similarity is None
            else round(ev.address_similarity, 4),
        ),
    )


def submission_created(receipt: SubmissionReceipt) -> SubmissionCreated:
    """The one answer that shows the edit token."""
    loc = receipt.location
    return SubmissionCreated(
        id=receipt.submission.id,
        kind=receipt.submission.kind,
        status=receipt.submission.status,
        edit_token=receipt.edit_token,
        location=LocationRead(
            lat=loc.lat,
            lon=loc.lon,
            approximate=loc.approximate,
            source=loc.source,
            area=loc.area_slug,
        ),
        duplicates=[match_read(m) for m in receipt.duplicates],
        created_at=receipt.submission.created_at,
    )


def submission_read(submission: Submission) -> SubmissionRead:
    """A submission as its token holder sees it (no editor names, no contact e-mail)."""
    return SubmissionRead(
        id=submission.id,
        kind=submission.kind,
        status=submission.status,
        reason=submission.reason,
        business_id=submission.business_id,
        fields=dict(submission.payload),
        location_approximate=submission.location_approximate,
        created_at=submission.created_at,
        decided_at=submission.decided_at,
    )


def _query_for(submission: Submission, current: Business | None) -> MatchQuery | None:
    payload = submission.payload
    if submission.kind == KIND_CLAIM:
        return None

    def pick(key: str) -> object:
        if key in payload:
            return payload[key]
        return getattr(current, key, None) if current is not None else None

    name, lat, lon = pick("name"), pick("lat"), pick("lon")
    if not isinstance(name, str) or not name:
        return None
    phone, address = pick("phone"), pick("address")
    return MatchQuery(
        name=name,
        lat=float(lat) if isinstance(lat, int | float) else None,
        lon=float(lon) if isinstance(lon, int | float) else None,
        phone=phone if isinstance(phone, str) else None,
        address=address if isinstance(address, str) else None,
    )


def admin_submission_read(
    session: Session, submission: Submission, photo_ids: Sequence[int]
) -> AdminSubmissionRead:
    """A queue entry with duplicates recomputed now and the listing it concerns."""
    current = session.get(Business, submission.business_id) if submission.business_id else None
    duplicates: list[MatchCandidateRead] = []
    query = _query_for(submission, current)
    if query is not None and submission.status == "pending":
        exclude = (current.id,) if current is not None and submission.kind == KIND_EDIT else ()
        duplicates = [
            match_read(m)
            for m in match_businesses(session, query, limit=DUPLICATE_LIMIT, exclude_ids=exclude)
        ]
    base = submission_read(submission)
    return AdminSubmissionRead(
        **base.model_dump(),
        contact_email=submission.contact_email,
        decided_by=submission.decided_by,
        current=business_ref(current) if current is not None else None,
        duplicates=duplicates,
        photo_ids=list(photo_ids),
    )
