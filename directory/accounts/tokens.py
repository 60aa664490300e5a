"""Secret tokens: made with ``secrets``, stored only as SHA-256 hex, compared in constant time.

A token is shown to its holder once; the database keeps its hash, so a leaked backup does
not hand out edit rights. Tokens carry a readable prefix (``dk_edit_``, ``dk_admin_``) so
that secret scanners and humans can tell them apart; the prefix is part of the hashed text.
They travel only in the ``Authorization: Bearer`` header, never in URLs (which end up in
logs and browser history).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

EDIT_PREFIX: Final = "dk_edit_"
ADMIN_PREFIX: Final = "dk_admin_"
MAX_TOKEN_LEN: Final = 200
_TOKEN_BYTES: Final = 32


def new_token(prefix: str) -> str:
    """A fresh secret: ``prefix`` + 43 URL-safe characters (256 bits)."""
    return prefix + secrets.token_urlsafe(_TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest stored in place of a token.

    >>> len(hash_token("dk_edit_x"))
    64
    """
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    """Whether ``token`` hashes to ``stored_hash``, in time independent of where they differ."""
    return hmac.compare_digest(hash_token(token).encode(), stored_hash.encode())


def new_submission_id() -> str:
    """A random public id for a submission; knowing it grants nothing without the token."""
    return "s_" + secrets.token_urlsafe(15)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None.

    >>> bearer_token("Bearer abc")
    'abc'
    >>> bearer_token("Basic abc") is None
    True
    """
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or len(value) > MAX_TOKEN_LEN:
        return None
    if not value.isascii() or not value.isprintable() or " " in value:
        return None
    return value
