"""Static files that browsers may keep for a year when the URL carries a content hash."""

from __future__ import annotations

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=300"


class CachedStaticFiles(StaticFiles):
    """``StaticFiles`` plus Cache-Control: long for hashed URLs (``?v=``), short otherwise."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            hashed = b"v=" in scope.get("query_string", b"")
            response.headers["Cache-Control"] = LONG_CACHE if hashed else SHORT_CACHE
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response
