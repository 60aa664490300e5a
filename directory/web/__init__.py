"""Server-rendered pages (Jinja2 + gettext), static files and vendored Leaflet.

``install_web(app)`` is the one entry point: ``create_app`` calls it after the API.
"""

from __future__ import annotations

from fastapi import FastAPI

from directory.api.static_files import CachedStaticFiles
from directory.web.errors import install_html_errors
from directory.web.pages import build_pages_router
from directory.web.templating import STATIC_DIR, STATIC_PREFIX


def install_web(app: FastAPI) -> None:
    """Mount the static files and pages, and answer page errors with HTML."""
    app.mount(STATIC_PREFIX, CachedStaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(build_pages_router())
    install_html_errors(app)
