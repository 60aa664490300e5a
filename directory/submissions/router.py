"""Public endpoints: submit a business, read a submission, owner edits, claims."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from directory.accounts import owners as owner_access
from directory.api.deps import (
    BusinessIdPath,
    EditTokenDep,
    LangDep,
    SessionDep,
    SessionsDep,
    SettingsDep,
    SubmissionIdPath,
)
from directory.api.limits import SUBMISSIONS, rate_limit
from directory.areas.geocoding import GeocoderDep
from directory.businesses.views import business_detail
from directory.hours import local_now
from directory.photos import service as photo_service
from directory.photos.router import UPLOAD_RESPONSES, UploadDep, read_upload
from directory.photos.schemas import PhotoRead, photo_read
from directory.photos.storage import photo_store
from directory.submissions import owners, service, views
from directory.submissions.fields import EDITABLE_FIELDS
from directory.submissions.schemas import (
    ClaimCreate,
    ClaimCreated,
    OwnerBusinessPatch,
    OwnerBusinessRead,
    OwnerEditResult,
    SubmissionCreate,
    SubmissionCreated,
    SubmissionRead,
)

router = APIRouter(tags=["submissions"])

_NO_STORE = {"Cache-Control": "no-store"}


@router.post(
    "/submissions",
    status_code=201,
    response_model=SubmissionCreated,
    dependencies=[Depends(rate_limit(SUBMISSIONS))],
    responses={
        422: {"description": "Invalid fields, each named"},
        429: {"description": "Too many"},
    },
)
def create_submission(
    body: SubmissionCreate, sessions: SessionsDep, geocoder: GeocoderDep, response: Response
) -> SubmissionCreated:
    """Submit a business profile for free. Keep `edit_token`: it is shown only this once.

    Give `lat`/`lon` (a map pin) or only an `address`, which is then geocoded or placed at
    the centre of the area it names (`location.approximate`). `duplicates` lists existing
    listings that may be the same business. A filled honeypot field gets an answer that
    looks the same, but nothing is stored.
    """
    fields = body.model_dump(include=set(EDITABLE_FIELDS))
    if (body.website_url_confirm or "").strip():
        receipt = service.honeypot_receipt(fields)
    else:
        receipt = service.submit_business(
            sessions, fields, contact_email=body.contact_email, geocoder=geocoder
        )
    response.headers.update(_NO_STORE)
    response.headers["Location"] = f"/api/v1/submissions/{receipt.submission.id}"
    return views.submission_created(receipt)


@router.get(
    "/submissions/{submission_id}",
    response_model=SubmissionRead,
    responses={401: {"description": "No token"}, 404: {"description": "Unknown id or token"}},
)
def read_submission(
    submission_id: SubmissionIdPath, token: EditTokenDep, session: SessionDep, response: Response
) -> SubmissionRead:
    """A submission's status (and the rejection reason), for the holder of its edit token."""
    response.headers.update(_NO_STORE)
    return views.submission_read(service.get_submission(session, submission_id, token))


@router.get(
    "/owner/businesses/{business_id}",
    response_model=OwnerBusinessRead,
    tags=["owners"],
    responses={401: {"description": "No token"}, 403: {"description": "Not this business"}},
)
def read_owned_business(
    business_id: BusinessIdPath,
    token: EditTokenDep,
    session: SessionDep,
    settings: SettingsDep,
    lang: LangDep,
    response: Response,
) -> OwnerBusinessRead:
    """The listing as its owner manages it, with edits that wait for an editor."""
    _, business = owner_access.owned_business(session, business_id, token)
    response.headers.update(_NO_STORE)
    return OwnerBusinessRead(
        business=business_detail(business, at=local_now(settings.timezone), lang=lang),
        pending_edits=[
            views.submission_read(s) for s in owners.pending_edits(session, business_id)
        ],
    )


@router.patch(
    "/owner/businesses/{business_id}",
    response_model=OwnerEditResult,
    tags=["owners"],
    responses={401: {"description": "No token"}, 403: {"description": "Not this business"}},
)
def edit_owned_business(
    business_id: BusinessIdPath,
    body: OwnerBusinessPatch,
    token: EditTokenDep,
    sessions: SessionsDep,
    settings: SettingsDep,
    lang: LangDep,
) -> OwnerEditResult:
    """Change the listing. Name, coordinates, address and category wait for an editor
    (`pending_review`); everything else, and `status: closed`, applies at once."""
    sent = body.model_fields_set
    changes: dict[str, object] = {k: getattr(body, k) for k in EDITABLE_FIELDS if k in sent}
    outcome = owners.edit_business(
        sessions, business_id, token, changes, status=body.status if "status" in sent else None
    )
    return OwnerEditResult(
        business=business_detail(outcome.business, at=local_now(settings.timezone), lang=lang),
        applied=outcome.applied,
        pending_review=views.submission_read(outcome.review) if outcome.review else None,
    )


@router.post(
    "/businesses/{business_id}/claim",
    status_code=201,
    response_model=ClaimCreated,
    tags=["owners"],
    dependencies=[Depends(rate_limit(SUBMISSIONS))],
)
def claim_business(
    business_id: BusinessIdPath, body: ClaimCreate, sessions: SessionsDep, response: Response
) -> ClaimCreated:
    """Ask to manage an (imported) listing. An editor checks the contact details; on
    approval the returned token becomes this business's owner token."""
    response.headers.update(_NO_STORE)
    if (body.website_url_confirm or "").strip():
        fake = service.honeypot_receipt({})
        return ClaimCreated(
            id=fake.submission.id,
            kind=service.KIND_CLAIM,
            status=service.PENDING,
            edit_token=fake.edit_token,
            created_at=fake.submission.created_at,
        )
    receipt = owners.claim_business(
        sessions,
        business_id,
        contact_name=body.contact_name,
        contact_email=body.contact_email,
        contact_phone=body.contact_phone,
        message=body.message,
    )
    response.headers["Location"] = f"/api/v1/submissions/{receipt.submission.id}"
    return ClaimCreated(
        id=receipt.submission.id,
        kind=receipt.submission.kind,
        status=receipt.submission.status,
        edit_token=receipt.edit_token,
        created_at=receipt.submission.created_at,
    )


@router.post(
    "/submissions/{submission_id}/photos",
    status_code=201,
    response_model=PhotoRead,
    tags=["submissions"],
    responses=UPLOAD_RESPONSES,
)
def upload_submission_photo(
    submission_id: SubmissionIdPath,
    file: UploadDep,
    token: EditTokenDep,
    session: SessionDep,
    sessions: SessionsDep,
    settings: SettingsDep,
) -> PhotoRead:
    """Add a photo to your pending submission (edit token); shown once it is approved."""
    service.get_submission(session, submission_id, token)
    session.rollback()
    photo = photo_service.add_submission_photo(
        sessions, store=photo_store(settings), submission_id=submission_id, data=read_upload(file)
    )
    return photo_read(photo)
