"""Reading businesses by identity (id, slug, external id)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.errors import NotFound
from directory.models import Business, BusinessStatus

READER_VISIBLE = (BusinessStatus.PUBLISHED, BusinessStatus.CLOSED)


def get_public_business(session: Session, business_id: int) -> Business:
    """A business readers may see (published, or closed with its notice), else NotFound."""
    business = session.get(Business, business_id)
    if business is None or business.status not in READER_VISIBLE:
        raise NotFound(detail=f"no business with id {business_id}")
    return business


def get_public_business_by_slug(session: Session, slug: str) -> Business:
    """As ``get_public_business``, by slug (business pages use slugs)."""
    business = session.scalar(select(Business).where(Business.slug == slug))
    if business is None or business.status not in READER_VISIBLE:
        raise NotFound(detail=f"no business '{slug}'")
    return business
