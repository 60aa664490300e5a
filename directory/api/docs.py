"""The API documentation: public schema without editor operations, and a CSP for the docs.

* ``GET /openapi.json`` and the Swagger UI (``/docs``) / ReDoc (``/redoc``) pages exist
  only when ``DEKAT_PUBLIC_API_DOCS`` is on (the default). The public document leaves out
  every ``/api/v1/admin/…`` operation and the schemas only they use: readers, owners and
  integrators need none of them, and an attacker learns nothing from them.
* ``GET /api/v1/admin/openapi.json`` returns the whole document to editors (admin token).
* The pages load Swagger UI and ReDoc from ``/docs/assets/`` (shipped by the
  ``fastapi-offline`` package: MIT; Swagger UI Apache-2.0, ReDoc MIT), so they work offline
  and send nothing to third parties.
* The docs pages get a ``Content-Security-Policy`` built from the page itself: scripts
  only from the origins the page loads them from plus the SHA-256 of its own inline
  script, no frames, no forms, no plugins; ``Referrer-Policy: no-referrer``.

``app.openapi()`` itself stays complete (tests and fuzzers enumerate every operation).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from directory.api.deps import AdminDep
from directory.api.static_files import CachedStaticFiles

ADMIN_PREFIX: Final = "/api/v1/admin"
ASSETS_PREFIX: Final = "/docs/assets"
ASSETS_DIR: Final = Path(str(files("fastapi_offline") / "static"))
# Never ask validator.swagger.io to validate our schema (a third-party request).
SWAGGER_UI_PARAMETERS: Final[dict[str, Any]] = {"validatorUrl": None}
_INLINE_SCRIPT: Final = re.compile(r"<script>(.*?)</script>", re.S)
_SRC: Final = re.compile(r'<(?:script|link)[^>]*?(?:src|href)="([^"]+)"')
_REF: Final = re.compile(r'"#/components/schemas/([^"]+)"')


def public_schema(full: dict[str, Any]) -> dict[str, Any]:
    """``full`` without admin operations and without component schemas only they used."""
    schema = copy.deepcopy(full)
    schema["paths"] = {
        path: item for path, item in schema.get("paths", {}).items()
        if not path.startswith(ADMIN_PREFIX)
    }  # fmt: skip
    components: dict[str, Any] = schema.get("components", {}).get("schemas", {})
    reachable: set[str] = set()
    frontier = set(_REF.findall(json.dumps(schema["paths"])))
    while frontier:
        name = frontier.pop()
        if name in reachable or name not in components:
            continue
        reachable.add(name)
        frontier |= set(_REF.findall(json.dumps(components[name])))
    if components:
        schema["components"]["schemas"] = {k: v for k, v in components.items() if k in reachable}
    return schema


def docs_csp(html: str) -> str:
    """A CSP that allows exactly what a generated docs page loads, and nothing else."""
    origins: set[str] = set()
    for url in _SRC.findall(html):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]
    extra = " ".join(sorted(origins))
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src 'self' {extra} {' '.join(hashes)}".strip(),
            f"style-src 'self' 'unsafe-inline' {extra}".strip(),
            f"img-src 'self' data: {extra}".strip(),
            f"font-src 'self' data: {extra}".strip(),
            "worker-src 'self' blob:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            "object-src 'none'",
        )
    )


def _docs_response(page: HTMLResponse) -> HTMLResponse:
    html = bytes(page.body).decode()
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": docs_csp(html),
            "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY",
        },
    )


def _asset(request: Request, name: str) -> str:
    return f"{request.scope.get('root_path', '')}{ASSETS_PREFIX}/{name}"


def _add_pages(
    app: FastAPI, *, openapi_url: str, docs_url: str | None, redoc_url: str | None,
    oauth2_url: str | None,
) -> None:  # fmt: skip
    """Swagger UI and ReDoc pages that load their assets from this server only."""
    if not (docs_url or redoc_url):
        return
    app.mount(ASSETS_PREFIX, CachedStaticFiles(directory=ASSETS_DIR), name="api-docs-assets")
    title = app.title
    if docs_url:

        async def swagger_ui(request: Request) -> HTMLResponse:
            root = request.scope.get("root_path", "")
            return _docs_response(
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
                return _docs_response(get_swagger_ui_oauth2_redirect_html())

            app.add_route(oauth2_url, oauth2_redirect, include_in_schema=False)
    if redoc_url:

        async def redoc(request: Request) -> HTMLResponse:
            root = request.scope.get("root_path", "")
            return _docs_response(
                get_redoc_html(
                    openapi_url=f"{root}{openapi_url}",
                    title=f"{title} - ReDoc",
                    redoc_js_url=_asset(request, "redoc.standalone.js"),
                    redoc_favicon_url=_asset(request, "favicon.png"),
                    with_google_fonts=False,
                )
            )

        app.add_route(redoc_url, redoc, include_in_schema=False)


def _is_docs_route(route: BaseRoute, paths: set[str]) -> bool:
    return isinstance(route, Route) and route.path in paths


def install_api_docs(app: FastAPI) -> None:
    """Replace the docs pages an app has enabled (``docs_url``, ``redoc_url``) with local ones.

    A page switched off (its URL None) stays off; the URLs do not change.
    """
    docs_url, redoc_url, openapi_url = app.docs_url, app.redoc_url, app.openapi_url
    oauth2_url = app.swagger_ui_oauth2_redirect_url if docs_url else None
    enabled = {url for url in (docs_url, redoc_url, oauth2_url) if url}
    if not enabled or not openapi_url:
        return
    app.router.routes[:] = [r for r in app.router.routes if not _is_docs_route(r, enabled)]
    _add_pages(
        app, openapi_url=openapi_url, docs_url=docs_url, redoc_url=redoc_url,
        oauth2_url=oauth2_url,
    )  # fmt: skip


def install_docs(app: FastAPI, *, public: bool) -> None:
    """Add the documentation routes (create the app with openapi_url/docs_url=None)."""

    @app.get(f"{ADMIN_PREFIX}/openapi.json", tags=["moderation"])
    def admin_openapi(admin: AdminDep) -> JSONResponse:
        """The complete OpenAPI document, admin operations included (editors only)."""
        del admin
        return JSONResponse(app.openapi())

    if not public:
        return

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_json() -> JSONResponse:
        return JSONResponse(public_schema(app.openapi()))

    _add_pages(
        app, openapi_url="/openapi.json", docs_url="/docs", redoc_url="/redoc",
        oauth2_url="/docs/oauth2-redirect",
    )  # fmt: skip
