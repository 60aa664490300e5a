"""Photo endpoints: uploads (submission token or owner token), listing, files, hiding."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Request, Response, UploadFile
from fastapi.responses import FileResponse

from directory.accounts import owners
from directory.accounts.admins import admin_actor
from directory.api.deps import (
    AdminDep,
    BusinessIdPath,
    EditTokenDep,
    ReadSessionDep,
    SessionDep,
    SessionsDep,
    SettingsDep,
)
from directory.businesses.service import get_public_business
from directory.models import Photo
from directory.photos import service
from directory.photos.images import MAX_PHOTO_BYTES
from directory.photos.schemas import PhotoList, PhotoRead, photo_read
from directory.photos.serving import photo_response
from directory.photos.storage import photo_store
from directory.settings import Settings

router = APIRouter(tags=["photos"])
admin_router = APIRouter(prefix="/admin", tags=["moderation"])

PhotoIdPath = Annotated[int, Path(ge=1, le=2**62)]
UploadDep = Annotated[UploadFile, File(description="A JPEG, PNG or WebP image, at most 5 MB.")]
UPLOAD_RESPONSES: dict[int | str, dict[str, str]] = {
    409: {"description": "Already 5 photos, or the submission is decided"},
    413: {"description": "Larger than 5 MB"},
    415: {"description": "Not a JPEG, PNG or WebP image"},
    422: {"description": "The image does not decode"},
}


def read_upload(upload: UploadFile) -> bytes:
    """The upload's bytes, at most one over the limit: enough to refuse, never unbounded."""
    return upload.file.read(MAX_PHOTO_BYTES + 1)


@router.post(
    "/owner/businesses/{business_id}/photos",
    status_code=201,
    response_model=PhotoRead,
    tags=["owners"],
    responses=UPLOAD_RESPONSES,
)
def upload_owner_photo(
    business_id: BusinessIdPath,
    file: UploadDep,
    token: EditTokenDep,
    session: SessionDep,
    sessions: SessionsDep,
    settings: SettingsDep,
) -> PhotoRead:
    """Add a photo to your business (owner token); at most 5 photos per business."""
    owner = owners.authenticate_owner(session, business_id, token)
    session.rollback()
    photo = service.add_business_photo(
        sessions,
        store=photo_store(settings),
        business_id=business_id,
        data=read_upload(file),
        actor=owners.owner_actor(owner),
    )
    return photo_read(photo)


@router.delete(
    "/owner/businesses/{business_id}/photos/{photo_id}", status_code=204, tags=["owners"]
)
def delete_owner_photo(
    business_id: BusinessIdPath,
    photo_id: PhotoIdPath,
    token: EditTokenDep,
    session: SessionDep,
    sessions: SessionsDep,
    settings: SettingsDep,
) -> Response:
    """Remove one of your business's photos."""
    owner = owners.authenticate_owner(session, business_id, token)
    session.rollback()
    service.delete_owner_photo(
        sessions,
        store=photo_store(settings),
        business_id=business_id,
        photo_id=photo_id,
        actor=owners.owner_actor(owner),
    )
    return Response(status_code=204)


@router.get("/businesses/{business_id}/photos", response_model=PhotoList)
def list_photos(business_id: BusinessIdPath, session: ReadSessionDep) -> PhotoList:
    """A business's photos, the cover first."""
    get_public_business(session, business_id)
    return PhotoList(
        items=[photo_read(p) for p in service.list_business_photos(session, business_id)]
    )


# Public photos may be kept by browsers and shared caches, but every use is revalidated
# ("no-cache" + ETag: a 304 costs a few bytes). When an editor hides a photo or its owner
# deletes it, the next revalidation gets a 404 with "no-store": no cache can go on
# serving it, which a "max-age=86400" allowed for a day.
PUBLIC_PHOTO_CACHE = "public, no-cache"
PRIVATE_PHOTO_CACHE = "private, no-store"


def photo_etag(photo: Photo, *, thumbnail: bool) -> str:
    """A validator that names this file of this photo in this state."""
    name = photo.thumb_name if thumbnail else photo.file_name
    return f'"p{photo.id}-{name.split(".", 1)[0]}-{photo.status}"'


def serve_photo(
    photo: Photo, settings: Settings, *, thumbnail: bool, public: bool,
    request: Request | None = None,
) -> Response:  # fmt: skip
    """A photo's file (or thumbnail) with the cache and safety headers (products too)."""
    headers = {
        "Cache-Control": PUBLIC_PHOTO_CACHE if public else PRIVATE_PHOTO_CACHE,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'",
        "Content-Disposition": "inline",
    }
    if public:
        etag = photo_etag(photo, thumbnail=thumbnail)
        headers["ETag"] = etag
        sent = request.headers.get("if-none-match", "") if request is not None else ""
        if etag in (tag.strip() for tag in sent.split(",")):
            return Response(status_code=304, headers=headers)
    signed = public and settings.media_signed_urls
    return photo_response(
        photo_store(settings),
        photo.thumb_name if thumbnail else photo.file_name,
        media_type=photo.content_type,
        headers=headers,
        not_found=f"no photo with id {photo.id}",
        signed_ttl_s=settings.media_signed_url_ttl_s if signed else None,
    )


_IMAGE_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}},
        "description": "The image.",
    }
}


@router.get("/photos/{photo_id}", response_class=FileResponse, responses=_IMAGE_RESPONSES)
def photo_file(
    photo_id: PhotoIdPath, session: ReadSessionDep, settings: SettingsDep, request: Request
) -> Response:
    """The photo file, with its content type (revalidate with `If-None-Match`)."""
    photo = service.get_public_photo(session, photo_id)
    return serve_photo(photo, settings, thumbnail=False, public=True, request=request)


@router.get("/photos/{photo_id}/thumbnail", response_class=FileResponse, responses=_IMAGE_RESPONSES)
def photo_thumbnail(
    photo_id: PhotoIdPath, session: ReadSessionDep, settings: SettingsDep, request: Request
) -> Response:
    """The photo's thumbnail (at most 400 px a side)."""
    photo = service.get_public_photo(session, photo_id)
    return serve_photo(photo, settings, thumbnail=True, public=True, request=request)


@admin_router.get("/photos/{photo_id}", response_class=FileResponse, responses=_IMAGE_RESPONSES)
def admin_photo_file(
    photo_id: PhotoIdPath, admin: AdminDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """Any photo, also of a pending submission or hidden, for editors."""
    del admin
    found = service.get_any_photo(session, photo_id)
    return serve_photo(found, settings, thumbnail=False, public=False)


@admin_router.post("/photos/{photo_id}/hide", response_model=PhotoRead)
def hide_photo(
    photo_id: PhotoIdPath, admin: AdminDep, sessions: SessionsDep, settings: SettingsDep
) -> PhotoRead:
    """Hide a photo from readers (audited); its files are removed from the store."""
    hidden = service.hide_photo(
        sessions, photo_id, actor=admin_actor(admin), store=photo_store(settings)
    )
    return photo_read(hidden)
