"""Headers and tokens that protect the pages: CSP, referrer policy, CSRF tokens.

Public forms (submission, review) use a *signed* double-submit token: a random nonce and
its HMAC-SHA256 under the server secret (``server_secret.py``), in an HttpOnly
``SameSite=Lax`` cookie that the form must echo. A cookie that does not carry a valid
signature is ignored and replaced, so a value planted by someone else (a sibling
subdomain can set cookies for the site) is never accepted. Over https the cookie is
named ``__Host-dekat_csrf``: browsers accept such a cookie only when it is Secure, has
``Path=/`` and no ``Domain``, which stops other hosts from setting it at all. Moderation
forms use a token derived from the editor's own admin token (HMAC), so it changes with
the login and a page on another site can neither read nor forge it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final
from urllib.parse import urlsplit

CSRF_COOKIE: Final = "dekat_csrf"
CSRF_FIELD: Final = "csrf_token"
HOST_PREFIX: Final = "__Host-"
_MODERATION_CSRF_LABEL: Final = b"dekat-moderation-csrf"
_CSRF_LABEL: Final = b"dekat-csrf:"
_NONCE_LEN: Final = 43  # token_urlsafe(32)


def csrf_cookie_name(https: bool) -> str:
    """``__Host-dekat_csrf`` on an https site, ``dekat_csrf`` on plain http (local use)."""
    return HOST_PREFIX + CSRF_COOKIE if https else CSRF_COOKIE


def _signature(secret: bytes, nonce: str) -> str:
    return hmac.new(secret, _CSRF_LABEL + nonce.encode(), hashlib.sha256).hexdigest()


def new_csrf_token(secret: bytes | None = None) -> str:
    """A fresh token: ``<nonce>.<hmac>`` with a secret, a bare random nonce without one."""
    nonce = secrets.token_urlsafe(32)
    return f"{nonce}.{_signature(secret, nonce)}" if secret else nonce


def csrf_token_valid(secret: bytes, token: str | None) -> bool:
    """Whether ``token`` was made by :func:`new_csrf_token` with this secret."""
    if not token or len(token) != _NONCE_LEN + 65 or not token.isascii():
        return False
    nonce, _, signature = token.partition(".")
    return hmac.compare_digest(_signature(secret, nonce), signature)


def tokens_match(expected: str | None, submitted: str | None) -> bool:
    """Constant-time comparison that refuses empty or missing values."""
    if not expected or not submitted:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


def moderation_csrf_token(admin_token: str) -> str:
    """The CSRF token bound to one editor's login."""
    return hmac.new(admin_token.encode(), _MODERATION_CSRF_LABEL, hashlib.sha256).hexdigest()


def tile_origin(tile_url: str) -> str | None:
    """The origin map tiles come from, for the CSP (``{s}`` subdomains become ``*``)."""
    parts = urlsplit(tile_url.replace("{s}", "*"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.split("{", 1)[0]
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str, media_origin: str | None = None) -> str:
    """Scripts and styles from this site only; images also from the tile server (and the
    photo store, whose signed URLs the photo links redirect to)."""
    tiles = tile_origin(tile_url)
    img_src = "'self' data: blob:" + (f" {tiles}" if tiles else "")
    img_src += f" {media_origin}" if media_origin else ""
    return "; ".join(
        (
            "default-src 'self'",
            f"img-src {img_src}",
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        )
    )


def hsts_header(max_age_s: int) -> str:
    """The Strict-Transport-Security value (no includeSubDomains: other hosts are not ours)."""
    return f"max-age={max_age_s}"


def page_headers(
    tile_url: str, *, private: bool = False, media_origin: str | None = None
) -> dict[str, str]:
    """Security headers of every HTML page; ``private`` pages carry secrets in their URL."""
    return {
        "Content-Security-Policy": content_security_policy(tile_url, media_origin),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer" if private else "strict-origin-when-cross-origin",
        **({"Cache-Control": "no-store"} if private else {}),
    }
