"""What editors' admin tokens and clients' API keys share: named rows holding a token hash.

Both are issued from the CLI under a name, shown once, stored as a SHA-256 hash
(``accounts/tokens.py``), revoked by name and touched (``last_used_at``) at most once a
minute when used. The rules that differ (scopes, error messages, audit actions) stay with
each kind.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from directory.accounts import audit
from directory.accounts.tokens import hash_token, new_token, token_matches
from directory.errors import Conflict, NotFound
from directory.models import AdminToken, ApiKey, utcnow

Credential = TypeVar("Credential", AdminToken, ApiKey)
TOUCH_EVERY: Final = timedelta(minutes=1)


def issue(
    session: Session, model: type[Credential], name: str, *, prefix: str, kind: str
) -> tuple[Credential, str]:
    """A fresh secret for the row named ``name`` (not flushed); returns the row and the
    token to show once. A revoked row is reused, so its id stays that holder's; an active
    one is a Conflict (revoke it first)."""
    token = new_token(prefix)
    row = session.scalar(select(model).where(model.name == name))
    if row is not None and row.revoked_at is None:
        raise Conflict(detail=f"an active {kind} named {name!r} exists; revoke it first")
    if row is None:
        row = model(name=name)
        session.add(row)
    row.token_hash = hash_token(token)
    row.created_at = utcnow()
    row.revoked_at = None
    row.last_used_at = None
    return row, token


def revoke(
    session: Session, model: type[Credential], name: str, *, kind: str, action: str
) -> Credential:
    """Revoke the row named ``name`` (NotFound if none); it answers 401 from now on. Only
    a change is audited (as ``action`` by the CLI): revoking twice records one entry."""
    row = session.scalar(select(model).where(model.name == name))
    if row is None:
        raise NotFound(detail=f"no {kind} named {name!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, actor="cli", action=action, subject_type=model.__tablename__,
                     subject_id=name)  # fmt: skip
    return row


def list_all(session: Session, model: type[Credential]) -> list[Credential]:
    """Every row, by name (hashes are not for display)."""
    return list(session.scalars(select(model).order_by(model.name)))


def find_active(session: Session, model: type[Credential], token: str) -> Credential | None:
    """The unrevoked row whose hash ``token`` matches, else None."""
    row = session.scalar(select(model).where(model.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not token_matches(token, row.token_hash):
        return None
    return row


def touch(session: Session, row: AdminToken | ApiKey) -> None:
    """Record the use, at most once a minute, and commit it; best effort: a busy database
    must not refuse the holder."""
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        row.last_used_at = now
        try:
            session.commit()
        except DBAPIError:
            session.rollback()
