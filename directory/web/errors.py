"""HTML error pages for page URLs; the API keeps its problem+json bodies.

The app registers one handler per error type (``api/problems.py``). For requests to pages
(known page paths, or any non-API path a browser asks HTML for) these wrappers render a
small page in the reader's language instead; everything else goes to the original handler.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from directory.errors import DirectoryError
from directory.web.context import get_page

log = logging.getLogger("dekat.web")

PAGE_PREFIXES: Final = ("/cari", "/area/", "/kategori/", "/b/", "/daftar", "/pemilik/", "/moderasi")
NON_PAGE_PREFIXES: Final = ("/api/", "/static/", "/docs", "/openapi.json", "/redoc", "/healthz")
Handler = Callable[[Request, Any], Response | Awaitable[Response]]


def is_page_request(request: Request) -> bool:
    """Whether an error on this request should be answered with an HTML page."""
    path = request.url.path
    if path == "/" or path.startswith(PAGE_PREFIXES):
        return True
    if path.startswith(NON_PAGE_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_page(request: Request, status: int) -> Response:
    """The error page of a status (404, 405, 4xx, 5xx) in the reader's language."""
    page = get_page(request)
    return page.render("error.html", status_code=status, status=status)


def _wrap(original: Handler | None, status_of: Callable[[Exception], int]) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        if is_page_request(request) or original is None:
            status = status_of(exc)
            if status >= 500:
                log.error("page error", exc_info=exc)
            response = error_page(request, status)
            retry = getattr(exc, "retry_after_s", None)
            if retry is not None:
                response.headers["Retry-After"] = str(retry)
            return response
        result = original(request, exc)
        return await result if inspect.isawaitable(result) else result

    return handler


def install_html_errors(app: FastAPI) -> None:
    """Make page URLs answer errors with HTML; call after the API handlers exist."""
    handlers = app.exception_handlers
    handlers[StarletteHTTPException] = _wrap(
        handlers.get(StarletteHTTPException),
        lambda exc: exc.status_code if isinstance(exc, StarletteHTTPException) else 500,
    )
    handlers[DirectoryError] = _wrap(
        handlers.get(DirectoryError),
        lambda exc: exc.status if isinstance(exc, DirectoryError) else 500,
    )
    if OperationalError in handlers:
        handlers[OperationalError] = _wrap(handlers[OperationalError], lambda _: 503)
    handlers[Exception] = _wrap(handlers.get(Exception), lambda _: 500)
