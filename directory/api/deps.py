"""The HTTP dependencies every router shares: session, settings, language, tokens, path ids."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from directory.accounts.admins import authenticate_admin
from directory.accounts.tokens import bearer_token
from directory.api.accept_language import preferred_language
from directory.db_routing import PRIMARY_COOKIE, ReadRouter, ReadTarget, is_connection_error
from directory.models import AdminToken
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
