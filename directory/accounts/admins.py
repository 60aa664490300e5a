"""Editors' admin tokens: created and revoked from the CLI, checked on every admin request.

A token is printed once by ``dekat admin create-token NAME``; the database keeps its
SHA-256 hash. Requests authenticate with ``Authorization: Bearer <token>``; a revoked or
unknown token gets 401, and so does an owner's edit token (it is not an admin token).
The editor appears in the audit log as ``admin:NAME``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from directory.accounts import audit
from directory.accounts.tokens import ADMIN_PREFIX, hash_token, new_token, token_matches
from directory.errors import Conflict, NotFound, Unauthorized, invalid
from directory.models import AdminToken, utcnow

_NAME: Final = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._@-]{0,99}\Z")
_TOUCH_EVERY: Final = timedelta(minutes=1)
MISSING: Final = "An admin token is required: `Authorization: Bearer <token>`."
REFUSED: Final = "This token is not a valid admin token (unknown or revoked)."


def admin_actor(token: AdminToken) -> str:
    """How an editor appears in the audit log."""
    return f"admin:{token.name}"


def check_name(name: str) -> str:
    """A token name: letters, digits and ``._@-``, at most 100 characters."""
    if not _NAME.match(name):
        raise invalid("name", "use 1–100 letters, digits, '.', '_', '@' or '-'")
    return name


def create_admin_token(session: Session, name: str) -> str:
    """Store a new admin token named ``name``; returns the token (shown only once)."""
    check_name(name)
    token = new_token(ADMIN_PREFIX)
    row = session.scalar(select(AdminToken).where(AdminToken.name == name))
    if row is not None and row.revoked_at is None:
        raise Conflict(detail=f"an active admin token named {name!r} exists; revoke it first")
    if row is None:
        row = AdminToken(name=name, created_at=utcnow())
        session.add(row)
    row.token_hash = hash_token(token)
    row.created_at = utcnow()
    row.revoked_at = None
    row.last_used_at = None
    session.flush()
    audit.record(session, actor="cli", action="create_token", subject_type="admin_token",
                 subject_id=name)  # fmt: skip
    return token


def revoke_admin_token(session: Session, name: str) -> AdminToken:
    """Revoke the token named ``name``; it answers 401 from now on."""
    row = session.scalar(select(AdminToken).where(AdminToken.name == name))
    if row is None:
        raise NotFound(detail=f"no admin token named {name!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, actor="cli", action="revoke_token", subject_type="admin_token",
                     subject_id=name)  # fmt: skip
    return row


def list_admin_tokens(session: Session) -> list[AdminToken]:
    """Every admin token, by name (hashes are not for display)."""
    return list(session.scalars(select(AdminToken).order_by(AdminToken.name)))


def authenticate_admin(session: Session, token: str | None) -> AdminToken:
    """The active admin token ``token`` is, else Unauthorized."""
    if token is None:
        raise Unauthorized(detail=MISSING)
    digest = hash_token(token)
    row = session.scalar(select(AdminToken).where(AdminToken.token_hash == digest))
    if row is None or row.revoked_at is not None or not token_matches(token, row.token_hash):
        raise Unauthorized(detail=REFUSED)
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY:
        row.last_used_at = now
        try:
            session.commit()
        except DBAPIError:  # best effort: a busy database must not lock editors out
            session.rollback()
    return row
