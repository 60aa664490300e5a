"""Headers every response gets, whatever produced it (API, pages, static files, errors).

* ``X-Content-Type-Options: nosniff`` — a browser must not guess that JSON (which may hold
  user text) is HTML or script;
* ``Cache-Control: no-store`` on every error (4xx/5xx) that does not say otherwise: an
  error is about this moment — a photo hidden a second ago must not be answered from a
  cache, and neither must a 503 from a database hiccup;
* ``Strict-Transport-Security`` when the public base URL is https: browsers then refuse
  plain http to this host for ``max-age`` seconds (a first visit over http, or a proxy
  that forgot to redirect, can no longer be downgraded). Off for http sites, where the
  header is ignored anyway and would only confuse.

uvicorn's own ``server`` header is turned off by ``dekat serve`` (``serving.py``).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class EdgeHeadersMiddleware:
    """Add the headers above to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp, *, hsts: str | None) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if message["status"] >= 400:
                    headers.setdefault("Cache-Control", "no-store")
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", self.hsts)
            await send(message)

        await self.app(scope, receive, send_with_headers)
