"""Owners as actors: checking an edit token against a business, naming owners in the audit log.

Every feature that lets an owner act (edits, photos, products, inquiries, insights) checks
the token here, below all of them, so none has to import another feature for it.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.accounts.tokens import token_matches
from directory.errors import Forbidden, Unauthorized
from directory.models import Business, OwnerToken

MISSING_TOKEN: Final = "Send the edit token: `Authorization: Bearer <token>`."
NOT_OWNER: Final = "This edit token does not manage this business."


def owner_actor(token: OwnerToken) -> str:
    """How an owner appears in the audit log (never the token itself)."""
    return f"owner:{token.id}"


def authenticate_owner(session: Session, business_id: int, token: str | None) -> OwnerToken:
    """The owner token for this business that ``token`` is; 401 without one, 403 otherwise."""
    if token is None:
        raise Unauthorized(detail=MISSING_TOKEN)
    rows = session.scalars(
        select(OwnerToken).where(
            OwnerToken.business_id == business_id, OwnerToken.revoked_at.is_(None)
        )
    )
    for row in rows:
        if token_matches(token, row.token_hash):
            return row
    raise Forbidden(detail=NOT_OWNER)


def owned_business(
    session: Session, business_id: int, token: str | None
) -> tuple[OwnerToken, Business]:
    """The owner token and the business it manages (any status: owners see hidden ones)."""
    owner = authenticate_owner(session, business_id, token)
    business = session.get(Business, business_id)
    if business is None:  # deleted since; the token's link went with it (CASCADE)
        raise Forbidden(detail=NOT_OWNER)
    return owner, business
