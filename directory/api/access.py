"""Dependencies of the submission, owner, review, photo and moderation routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from directory.accounts.admins import authenticate_admin
from directory.accounts.tokens import bearer_token
from directory.api.deps import SessionDep
from directory.areas.geocoding import Geocoder, make_geocoder
from directory.models import AdminToken
from directory.settings import Settings

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


def get_geocoder(request: Request) -> Geocoder | None:
    """The app's geocoder, made once so that its rate limiter is shared by all requests."""
    state = request.app.state
    if not hasattr(state, "geocoder"):
        settings: Settings = state.settings
        state.geocoder = make_geocoder(settings)
    geocoder: Geocoder | None = state.geocoder
    return geocoder


SessionsDep = Annotated[sessionmaker[Session], Depends(get_sessions)]
EditTokenDep = Annotated[str | None, Depends(get_edit_token)]
AdminDep = Annotated[AdminToken, Depends(get_admin)]
GeocoderDep = Annotated[Geocoder | None, Depends(get_geocoder)]
SubmissionIdPath = Annotated[
    str,
    Path(min_length=3, max_length=40, pattern=r"^[A-Za-z0-9_-]+$", description="Submission id."),
]
BusinessIdPath = Annotated[int, Path(ge=1, le=2**62)]
