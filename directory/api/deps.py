"""The HTTP dependencies every router shares: session, settings, language, tokens, path ids."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from typing import Annotated, Final

from fastapi import Depends, Path, Query, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from directory.accounts.admins import authenticate_admin
from directory.accounts.apikeys import authenticate_key
from directory.accounts.tokens import bearer_token
from directory.api.accept_language import preferred_language
from directory.api.limits import Limit, count_hit
from directory.db_routing import PRIMARY_COOKIE, ReadRouter, ReadTarget, is_connection_error
from directory.errors import RateLimited
from directory.models import AdminToken, ApiKey
from directory.settings import Settings

SUPPORTED_LANGS = ("id", "en")


def get_settings_dep(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """A session on the primary database for the length of one request."""
    session: Session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.close()


def get_read_session(request: Request) -> Iterator[Session]:
    """A session for read-only work: the replica when configured, fresh and not bypassed.

    See ``directory/db_routing.py``: a client that wrote in the last seconds, a lagging
    replica or an unreachable one all send the read to the primary.
    """
    router: ReadRouter = request.app.state.read_router
    target, factory = router.choose_for_cookie(request.cookies.get(PRIMARY_COOKIE))
    request.state.read_target = target
    session: Session = factory()
    try:
        yield session
    except DBAPIError as exc:
        if target is ReadTarget.REPLICA and is_connection_error(exc):
            router.replica_failed()
        raise
    finally:
        session.close()


def negotiate_lang(request: Request, lang: str | None, default: str = "id") -> str:
    """``?lang=`` wins, then the Accept-Language header (by q-value), else the default."""
    if lang in SUPPORTED_LANGS:
        return lang
    header = request.headers.get("accept-language", "")
    return preferred_language(header, SUPPORTED_LANGS) or default


def get_lang(
    request: Request,
    lang: Annotated[
        str | None,
        Query(pattern="^(id|en)$", description="Language of texts: id (default) or en."),
    ] = None,
) -> str:
    """The language for this request."""
    settings: Settings = request.app.state.settings
    return negotiate_lang(request, lang, settings.default_lang)


SessionDep = Annotated[Session, Depends(get_session)]
ReadSessionDep = Annotated[Session, Depends(get_read_session)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
LangDep = Annotated[str, Depends(get_lang)]

_edit_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="EditToken",
    description="The edit token returned once by POST /submissions or a claim.",
)
_admin_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="AdminToken",
    description="An editor's token from `dekat admin create-token NAME`.",
)


def get_sessions(request: Request) -> sessionmaker[Session]:
    """The session factory, for services that run (and retry) their own transaction."""
    sessions: sessionmaker[Session] = request.app.state.sessions
    return sessions


def _token(credentials: HTTPAuthorizationCredentials | None) -> str | None:
    if credentials is None:
        return None
    return bearer_token(f"Bearer {credentials.credentials}")


def get_edit_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_edit_scheme)],
) -> str | None:
    """The edit token sent as ``Authorization: Bearer``, or None."""
    return _token(credentials)


def get_admin(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_admin_scheme)],
) -> AdminToken:
    """The editor making this request; 401 for a missing, unknown or revoked token."""
    return authenticate_admin(session, _token(credentials))


SessionsDep = Annotated[sessionmaker[Session], Depends(get_sessions)]
EditTokenDep = Annotated[str | None, Depends(get_edit_token)]
AdminDep = Annotated[AdminToken, Depends(get_admin)]
SubmissionIdPath = Annotated[
    str,
    Path(min_length=3, max_length=40, pattern=r"^[A-Za-z0-9_-]+$", description="Submission id."),
]
BusinessIdPath = Annotated[int, Path(ge=1, le=2**62)]


# API keys: ``Authorization: Bearer dk_key_…`` or ``X-API-Key``, each key limited to
# ``rate_limit_interactions_per_minute`` through ``api/limits.py`` (shared by all workers).
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
