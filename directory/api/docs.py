"""The API documentation: public schema without editor operations, and a CSP for the docs.

* ``GET /openapi.json`` and the Swagger UI (``/docs``) / ReDoc (``/redoc``) pages exist
  only when ``DEKAT_PUBLIC_API_DOCS`` is on (the default). The public document leaves out
  every ``/api/v1/admin/…`` operation and the schemas only they use: readers, owners and
  integrators need none of them, and an attacker learns nothing from them.
* ``GET /api/v1/admin/openapi.json`` returns the whole document to editors (admin token).
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
from typing import Any, Final
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from directory.submissions.dependencies import AdminDep

ADMIN_PREFIX: Final = "/api/v1/admin"
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

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _docs_response(get_swagger_ui_html(openapi_url="/openapi.json", title=app.title))

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _docs_response(get_redoc_html(openapi_url="/openapi.json", title=app.title))
