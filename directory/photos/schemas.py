"""Shapes of the photo endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from directory.models import Photo

PHOTO_URL = "/api/v1/photos/{id}"


class PhotoRead(BaseModel):
    id: int
    business_id: int | None
    url: str = Field(description="The photo (at most 2048 px a side).")
    thumbnail_url: str = Field(description="At most 400 px a side.")
    content_type: str
    width: int
    height: int
    size_bytes: int
    status: str
    created_at: datetime


class PhotoList(BaseModel):
    items: list[PhotoRead]


def photo_read(photo: Photo) -> PhotoRead:
    """A stored photo with the URLs that serve it."""
    url = PHOTO_URL.format(id=photo.id)
    return PhotoRead(
        id=photo.id,
        business_id=photo.business_id,
        url=url,
        thumbnail_url=f"{url}/thumbnail",
        content_type=photo.content_type,
        width=photo.width,
        height=photo.height,
        size_bytes=photo.size_bytes,
        status=photo.status,
        created_at=photo.created_at,
    )
