"""Dependencies shared by routers: the session, settings, language and lookups."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from directory.api.accept_language import preferred_language
from directory.db_routing import PRIMARY_COOKIE, ReadRouter, ReadTarget, is_connection_error
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
