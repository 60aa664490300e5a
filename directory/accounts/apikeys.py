"""Clients' API keys: created, listed and revoked from the CLI, checked on every request.

A key is printed once by ``dekat admin create-key NAME --scope interactions:write``; the
database keeps its SHA-256 hash and its scopes, exactly as for editors' admin tokens
(``directory/accounts/tokens.py``). A key proves *which client* sent a write, so that
the write can be limited per key and the recommender can cap any one key's weight; a
scope says *what* the key may write. A key is never an admin token, nor the reverse.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from sqlalchemy.orm import Session

from directory.accounts import audit, credentials
from directory.accounts.admins import check_name
from directory.errors import FieldError, Forbidden, Unauthorized, invalid
from directory.models import ApiKey

KEY_PREFIX: Final = "dk_key_"
INTERACTIONS_WRITE: Final = "interactions:write"
SCOPES: Final = (INTERACTIONS_WRITE,)
"""Every scope a key can hold; asking for another is an error, not a silent no-op."""
_KIND: Final = "API key"
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
    row, token = credentials.issue(session, ApiKey, name, prefix=KEY_PREFIX, kind=_KIND)
    row.scopes = granted
    session.flush()
    audit.record(
        session, actor="cli", action="create_key", subject_type="api_key", subject_id=name,
        detail={"scopes": granted},
    )  # fmt: skip
    return token


def revoke_api_key(session: Session, name: str) -> ApiKey:
    """Revoke the key named ``name``; it answers 401 from now on."""
    return credentials.revoke(session, ApiKey, name, kind=_KIND, action="revoke_key")


def list_api_keys(session: Session) -> list[ApiKey]:
    """Every API key, by name (hashes are not for display)."""
    return credentials.list_all(session, ApiKey)


def _header_error(message: str) -> FieldError:
    return FieldError("Authorization", message, "header")


def authenticate_key(session: Session, token: str | None, *, scope: str) -> ApiKey:
    """The active key ``token`` is, holding ``scope``: else 401 (no or bad key) or 403."""
    if token is None:
        raise Unauthorized(detail=MISSING, errors=[_header_error("is missing")])
    row = credentials.find_active(session, ApiKey, token)
    if row is None:
        raise Unauthorized(detail=REFUSED, errors=[_header_error("unknown or revoked API key")])
    if scope not in (row.scopes or []):
        raise Forbidden(
            detail=f"This API key lacks the scope {scope!r}.",
            errors=[_header_error(f"the key lacks the scope {scope!r}")],
        )
    credentials.touch(session, row)  # best effort: a busy database must not refuse the client
    return row
