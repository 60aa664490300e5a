"""Editors' admin tokens: created and revoked from the CLI, checked on every admin request.

A token is printed once by ``dekat admin create-token NAME``; the database keeps its
SHA-256 hash. Requests authenticate with ``Authorization: Bearer <token>``; a revoked or
unknown token gets 401, and so does an owner's edit token (it is not an admin token).
The editor appears in the audit log as ``admin:NAME``.
"""

from __future__ import annotations

import re
from typing import Final

from sqlalchemy.orm import Session

from directory.accounts import audit, credentials
from directory.accounts.tokens import ADMIN_PREFIX
from directory.errors import Unauthorized, invalid
from directory.models import AdminToken

_NAME: Final = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._@-]{0,99}\Z")
_KIND: Final = "admin token"
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
    _, token = credentials.issue(session, AdminToken, name, prefix=ADMIN_PREFIX, kind=_KIND)
    session.flush()
    audit.record(session, actor="cli", action="create_token", subject_type="admin_token",
                 subject_id=name)  # fmt: skip
    return token


def revoke_admin_token(session: Session, name: str) -> AdminToken:
    """Revoke the token named ``name``; it answers 401 from now on."""
    return credentials.revoke(session, AdminToken, name, kind=_KIND, action="revoke_token")


def list_admin_tokens(session: Session) -> list[AdminToken]:
    """Every admin token, by name (hashes are not for display)."""
    return credentials.list_all(session, AdminToken)


def authenticate_admin(session: Session, token: str | None) -> AdminToken:
    """The active admin token ``token`` is, else Unauthorized."""
    if token is None:
        raise Unauthorized(detail=MISSING)
    row = credentials.find_active(session, AdminToken, token)
    if row is None:
        raise Unauthorized(detail=REFUSED)
    credentials.touch(session, row)  # best effort: a busy database must not lock editors out
    return row
