"""The API documentation pages (Swagger UI at /docs, ReDoc at /redoc) with same-origin assets.

FastAPI's own pages load their JavaScript, CSS and favicon from public CDNs, so they are
blank offline and on networks that block those hosts. The same assets ship in the
``fastapi-offline`` package (MIT; Swagger UI is Apache-2.0, ReDoc MIT); we serve them from
``/docs/assets/`` and keep FastAPI's page templates.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any, Final

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route

from directory.web.static import CachedStaticFiles

ASSETS_PREFIX: Final = "/docs/assets"
ASSETS_DIR: Final = Path(str(files("fastapi_offline") / "static"))
# Never ask validator.swagger.io to validate our schema (a third-party request).
SWAGGER_UI_PARAMETERS: Final[dict[str, Any]] = {"validatorUrl": None}
# The pages' own policy: nothing from other origins. ReDoc's bundle hard-codes a remote
# logo image; the browser blocks it and ReDoc hides the broken image by itself. The inline
# script and styles are FastAPI's page template and the UIs' own (styled-components).
DOCS_CSP: Final = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
)


def _asset(request: Request, name: str) -> str:
    return f"{request.scope.get('root_path', '')}{ASSETS_PREFIX}/{name}"


def _own_policy(response: HTMLResponse) -> HTMLResponse:
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


def _is_docs_route(route: BaseRoute, paths: set[str]) -> bool:
    return isinstance(route, Route) and route.path in paths


def install_api_docs(app: FastAPI) -> None:
    """Replace the docs pages the app has enabled (``docs_url``, ``redoc_url``) with local ones.

    A page switched off (its URL None) stays off; the URLs do not change.
    """
    docs_url, redoc_url, openapi_url = app.docs_url, app.redoc_url, app.openapi_url
    oauth2_url = app.swagger_ui_oauth2_redirect_url if docs_url else None
    enabled = {url for url in (docs_url, redoc_url, oauth2_url) if url}
    if not enabled or not openapi_url:
        return
    app.router.routes[:] = [r for r in app.router.routes if not _is_docs_route(r, enabled)]
    app.mount(ASSETS_PREFIX, CachedStaticFiles(directory=ASSETS_DIR), name="api-docs-assets")
    title = app.title

    if docs_url:

        async def swagger_ui(request: Request) -> HTMLResponse:
            root = request.scope.get("root_path", "")
            return _own_policy(
                get_swagger_ui_html(
                    openapi_url=f"{root}{openapi_url}",
                    title=f"{title} - Swagger UI",
                    oauth2_redirect_url=f"{root}{oauth2_url}" if oauth2_url else None,
                    swagger_js_url=_asset(request, "swagger-ui-bundle.js"),
                    swagger_css_url=_asset(request, "swagger-ui.css"),
                    swagger_favicon_url=_asset(request, "favicon.png"),
                    swagger_ui_parameters={
                        **SWAGGER_UI_PARAMETERS,
                        **(app.swagger_ui_parameters or {}),
                    },
                )
            )

        app.add_route(docs_url, swagger_ui, include_in_schema=False)
        if oauth2_url:

            async def oauth2_redirect(_: Request) -> HTMLResponse:
                return _own_policy(get_swagger_ui_oauth2_redirect_html())

            app.add_route(oauth2_url, oauth2_redirect, include_in_schema=False)

    if redoc_url:

        async def redoc(request: Request) -> HTMLResponse:
            root = request.scope.get("root_path", "")
            return _own_policy(
                get_redoc_html(
                    openapi_url=f"{root}{openapi_url}",
                    title=f"{title} - ReDoc",
                    redoc_js_url=_asset(request, "redoc.standalone.js"),
                    redoc_favicon_url=_asset(request, "favicon.png"),
                    with_google_fonts=False,
                )
            )

        app.add_route(redoc_url, redoc, include_in_schema=False)
