"""Moderation endpoints for editors (admin bearer token): the queue, decisions, the audit."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from directory.accounts import audit
from directory.accounts.admins import admin_actor
from directory.api.deps import (
    AdminDep,
    SessionDep,
    SessionsDep,
    SettingsDep,
    SubmissionIdPath,
    get_admin,
)
from directory.errors import NotFound
from directory.models import Submission
from directory.photos.storage import photo_store
from directory.submissions import moderation, views
from directory.submissions.schemas import (
    AdminSubmissionPage,
    AdminSubmissionRead,
    AuditEntryRead,
    AuditPage,
    MergeRequest,
    RejectRequest,
)

router = APIRouter(
    prefix="/admin",
    tags=["moderation"],
    dependencies=[Depends(get_admin)],
    responses={401: {"description": "Missing, unknown or revoked admin token"}},
)

StatusFilter = Literal["pending", "approved", "rejected", "merged", "superseded"]
KindFilter = Literal["new", "edit", "claim"]


def _read(session: SessionDep, submission: Submission) -> AdminSubmissionRead:
    photos = moderation.submission_photo_ids(session, [submission.id])
    return views.admin_submission_read(session, submission, photos[submission.id])


@router.get("/submissions", response_model=AdminSubmissionPage)
def list_submissions(
    session: SessionDep,
    status: Annotated[StatusFilter | None, Query(description="Default: pending.")] = "pending",
    kind: Annotated[KindFilter | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> AdminSubmissionPage:
    """The queue, oldest first, each with its duplicate candidates and photos."""
    rows, next_cursor = moderation.list_submissions(
        session, status=status, kind=kind, limit=limit, cursor=cursor
    )
    photos = moderation.submission_photo_ids(session, [s.id for s in rows])
    return AdminSubmissionPage(
        items=[views.admin_submission_read(session, s, photos[s.id]) for s in rows],
        next_cursor=next_cursor,
    )


@router.get("/submissions/{submission_id}", response_model=AdminSubmissionRead)
def read_submission(submission_id: SubmissionIdPath, session: SessionDep) -> AdminSubmissionRead:
    """One submission with everything an editor needs to decide."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound(detail=f"no submission {submission_id!r}")
    return _read(session, submission)


@router.post(
    "/submissions/{submission_id}/approve",
    response_model=AdminSubmissionRead,
    responses={409: {"description": "Already decided"}},
)
def approve(
    submission_id: SubmissionIdPath, admin: AdminDep, sessions: SessionsDep, session: SessionDep
) -> AdminSubmissionRead:
    """Publish a new business (searchable at once), apply an edit, or grant a claim."""
    submission = moderation.approve_submission(sessions, submission_id, actor=admin_actor(admin))
    return _read(session, submission)


@router.post(
    "/submissions/{submission_id}/reject",
    response_model=AdminSubmissionRead,
    responses={409: {"description": "Already decided"}},
)
def reject(
    submission_id: SubmissionIdPath,
    body: RejectRequest,
    admin: AdminDep,
    sessions: SessionsDep,
    session: SessionDep,
    settings: SettingsDep,
) -> AdminSubmissionRead:
    """Refuse with a reason the submitter reads through their token."""
    submission = moderation.reject_submission(
        sessions,
        submission_id,
        actor=admin_actor(admin),
        reason=body.reason,
        store=photo_store(settings),
    )
    return _read(session, submission)


@router.post(
    "/submissions/{submission_id}/merge",
    response_model=AdminSubmissionRead,
    responses={409: {"description": "Already decided or not a new business"}},
)
def merge(
    submission_id: SubmissionIdPath,
    body: MergeRequest,
    admin: AdminDep,
    sessions: SessionsDep,
    session: SessionDep,
) -> AdminSubmissionRead:
    """Close a submission as a duplicate of an existing listing, filling its gaps."""
    submission = moderation.merge_submission(
        sessions,
        submission_id,
        actor=admin_actor(admin),
        business_id=body.business_id,
        grant_ownership=body.grant_ownership,
    )
    return _read(session, submission)


@router.get("/audit", response_model=AuditPage)
def list_audit(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    subject_type: Annotated[str | None, Query(max_length=40)] = None,
    subject_id: Annotated[str | None, Query(max_length=64)] = None,
    actor: Annotated[str | None, Query(max_length=120)] = None,
) -> AuditPage:
    """Who changed what and when, newest first."""
    rows = audit.list_entries(
        session,
        limit=limit,
        before_id=before_id,
        subject_type=subject_type,
        subject_id=subject_id,
        actor=actor,
    )
    return AuditPage(
        items=[AuditEntryRead.model_validate(r) for r in rows],
        next_before_id=rows[-1].id if len(rows) == limit else None,
    )
