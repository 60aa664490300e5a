"""Clients' API keys: created, listed and revoked from the CLI, checked on every request.

A key is printed once by ``dekat admin create-key NAME --scope interactions:write``; the
database keeps its SHA-256 hash and its scopes, exactly as for editors' admin tokens
(``directory/accounts/tokens.py``). A key proves *which client* sent a write, so that
the write can be limited per key and the recommender can cap any one key's weight; a
scope says *what* the key may write. A key is never an admin token, nor the reverse.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from directory.accounts import audit
from directory.accounts.admins import check_name
from directory.accounts.tokens import hash_token, new_token, token_matches
from directory.errors import Conflict, FieldError, Forbidden, NotFound, Unauthorized, invalid
from directory.models import ApiKey, utcnow

KEY_PREFIX: Final = "dk_key_"
INTERACTIONS_WRITE: Final = "interactions:write"
SCOPES: Final = (INTERACTIONS_WRITE,)
"""Every scope a key can hold; asking for another is an error, not a silent no-op."""
_TOUCH_EVERY: Final = timedelta(minutes=1)
MISSING: Final = (
    "An API key is required: send `Authorization: Bearer <key>` (or `X-API-Key: <key>`)."
)
REFUSED: Final = "This is not a valid API key (unknown or revoked)."


def key_source(key: ApiKey) -> str:
    """How rows written with this key record their sender (``interaction.source``)."""
    return f"key:{key.id}"


def check_scopes(scopes: Sequence[str]) -> list[str]:
    """Known scopes, de-duplicated in the order given; at least one."""
    out: list[str] = []
    for scope in scopes:
        if scope not in SCOPES:
            raise invalid("scope", f"unknown scope {scope[:60]!r}; known: {', '.join(SCOPES)}")
        if scope not in out:
            out.append(scope)
    if not out:
        raise invalid("scope", f"give at least one --scope ({', '.join(SCOPES)})")
    return out


def create_api_key(session: Session, name: str, scopes: Sequence[str]) -> str:
    """Store a new key named ``name`` with ``scopes``; returns the key (shown only once).

    A revoked key's name can be used again: the row is reused with a new secret, so its
    id — what stored interactions point at — stays that client's.
    """
    check_name(name)
    granted = check_scopes(scopes)
    token = new_token(KEY_PREFIX)
    row = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if row is not None and row.revoked_at is None:
        raise Conflict(detail=f"an active API key named {name!r} exists; revoke it first")
    if row is None:
        row = ApiKey(name=name)
        session.add(row)
    row.token_hash = hash_token(token)
    row.scopes = granted
    row.created_at = utcnow()
    row.revoked_at = None
    row.last_used_at = None
    session.flush()
    audit.record(
        session, actor="cli", action="create_key", subject_type="api_key", subject_id=name,
        detail={"scopes": granted},
    )  # fmt: skip
    return token


def revoke_api_key(session: Session, name: str) -> ApiKey:
    """Revoke the key named ``name``; it answers 401 from now on."""
    row = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if row is None:
        raise NotFound(detail=f"no API key named {name!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, actor="cli", action="revoke_key", subject_type="api_key",
                     subject_id=name)  # fmt: skip
    return row


def list_api_keys(session: Session) -> list[ApiKey]:
    """Every API key, by name (hashes are not for display)."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.name)))


def _header_error(message: str) -> FieldError:
    return FieldError("Authorization", message, "header")


def authenticate_key(session: Session, token: str | None, *, scope: str) -> ApiKey:
    """The active key ``token`` is, holding ``scope``: else 401 (no or bad key) or 403."""
    if token is None:
        raise Unauthorized(detail=MISSING, errors=[_header_error("is missing")])
    row = session.scalar(select(ApiKey).where(ApiKey.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not token_matches(token, row.token_hash):
        raise Unauthorized(detail=REFUSED, errors=[_header_error("unknown or revoked API key")])
    if scope not in (row.scopes or []):
        raise Forbidden(
            detail=f"This API key lacks the scope {scope!r}.",
            errors=[_header_error(f"the key lacks the scope {scope!r}")],
        )
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY:
        row.last_used_at = now
        try:
            session.commit()
        except DBAPIError:  # best effort: a busy database must not refuse the client
            session.rollback()
    return row
