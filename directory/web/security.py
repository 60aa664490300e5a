"""Headers and tokens that protect the pages: CSP, referrer policy, CSRF tokens.

Public forms (submission, review) use a double-submit token: a random value in a
``SameSite=Lax`` cookie that the form must echo. Moderation forms use a token derived from
the editor's own admin token (HMAC), so it changes with the login and a page on another
site can neither read nor forge it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final
from urllib.parse import urlsplit

CSRF_COOKIE: Final = "dekat_csrf"
CSRF_FIELD: Final = "csrf_token"
_MODERATION_CSRF_LABEL: Final = b"dekat-moderation-csrf"


def new_csrf_token() -> str:
    """A fresh random token for the double-submit cookie."""
    return secrets.token_urlsafe(32)


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
