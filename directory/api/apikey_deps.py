"""``Depends(require_key(scope))``: the calling client's API key, checked and rate-limited.

A key travels as ``Authorization: Bearer dk_key_…`` (preferred: the same header as every
other token here) or as ``X-API-Key: dk_key_…`` (for clients that reserve
``Authorization`` for their own proxy). Each key has its own sliding-window limit of
``rate_limit_interactions_per_minute`` requests, counted in the database through
``directory.api.limits.count_hit`` so that all workers share it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Annotated, Final

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from directory.accounts.apikeys import authenticate_key
from directory.accounts.tokens import bearer_token
from directory.api.deps import SessionDep
from directory.api.limits import Limit, count_hit
from directory.errors import RateLimited
from directory.models import ApiKey
from directory.settings import Settings

KEY_BUCKET: Final = "api-key"
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from `dekat admin create-key NAME --scope interactions:write`.",
)
_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="ApiKeyHeader",
    description="The same API key, for clients that cannot send `Authorization`.",
)


def key_limit(settings: Settings) -> Limit:
    """Requests one key may make per minute."""
    return Limit(KEY_BUCKET, settings.rate_limit_interactions_per_minute, 60)


def presented_key(
    credentials: HTTPAuthorizationCredentials | None, header_value: str | None
) -> str | None:
    """The key from ``Authorization: Bearer`` or else ``X-API-Key`` (same checks)."""
    if credentials is not None:
        return bearer_token(f"Bearer {credentials.credentials}")
    if header_value:
        return bearer_token(f"Bearer {header_value.strip()}")
    return None


def require_key(scope: str) -> Callable[..., ApiKey]:
    """A dependency returning the caller's key holding ``scope`` (401/403/429 otherwise)."""

    def dependency(
        request: Request,
        session: SessionDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        header_value: Annotated[str | None, Depends(_header)],
    ) -> ApiKey:
        key = authenticate_key(session, presented_key(credentials, header_value), scope=scope)
        settings: Settings = request.app.state.settings
        limit = key_limit(settings)
        wait = count_hit(
            request.app.state.sessions,
            client_key=hashlib.sha256(f"dekat-api-key:{key.id}".encode()).hexdigest(),
            limit=limit,
            now_s=time.time(),
        )
        if wait is not None:
            raise RateLimited(
                detail=f"Too many requests with this API key: at most {limit.max_hits} per "
                f"minute. Try again in {wait} s.",
                retry_after_s=wait,
            )
        return key

    dependency.__name__ = f"require_key_{scope.replace(':', '_')}"
    return dependency
