"""Is a request from this site's own pages? For endpoints only our pages may call.

Browsers send ``Sec-Fetch-Site`` and ``Origin`` with every POST (``sendBeacon``
included) and a page on another site cannot forge either. A request is same-origin when
``Sec-Fetch-Site`` (if sent) says ``same-origin`` and ``Origin`` (if sent) names this
host; one of the two must be present. Scripts outside a browser can send anything, which
is why the endpoints behind this check also need the CSRF token and are rate-limited.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request


def same_origin(request: Request) -> bool:
    """Whether the browser says this request comes from a page of this site."""
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    if site is None and origin is None:
        return False
    if site is not None and site.strip().lower() != "same-origin":
        return False
    if origin is not None:
        parts = urlsplit(origin.strip())
        host = request.headers.get("host", "").strip().lower()
        if parts.scheme not in ("http", "https") or not host or parts.netloc.lower() != host:
            return False
    return True
