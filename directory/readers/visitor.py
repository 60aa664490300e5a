"""The visitor id cookie and the reader's choice about being recorded.

A reader is recorded only when nothing says no: a ``DNT: 1`` (Do-Not-Track) or
``Sec-GPC: 1`` (Global Privacy Control) header, or the opt-out cookie set from the
privacy page, each means no cookie is set and nothing is stored. Robots and browser
prefetches are not readers and are not recorded either.

The cookie holds a random id (``v_`` + 128 random bits); no personal data, no IP
address. What is stored with an event is not the cookie itself but a pseudonym derived
from it (``web:`` + a SHA-256 prefix), so the interaction table never holds the value
that identifies the browser, and the pseudonym shown nowhere cannot be replayed as a
cookie.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Final, Literal

from starlette.requests import Request
from starlette.responses import Response

VISITOR_COOKIE: Final = "dekat_vid"
OPTOUT_COOKIE: Final = "dekat_optout"
VISITOR_COOKIE_MAX_AGE_S: Final = 365 * 24 * 3600
OPTOUT_COOKIE_MAX_AGE_S: Final = 5 * 365 * 24 * 3600
PAGE_SOURCE: Final = "page"
"""``interaction.source`` of events recorded by the site's own pages."""
_VISITOR_ID: Final = re.compile(r"\Av_[A-Za-z0-9_-]{22}\Z")
_ROBOT: Final = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|facebookexternalhit|embedly|preview|lighthouse", re.I
)

Refusal = Literal["dnt", "gpc", "opted_out"]


def refusal(request: Request) -> Refusal | None:
    """Why this reader must not be recorded, or None when recording is allowed."""
    if request.headers.get("dnt", "").strip() == "1":
        return "dnt"
    if request.headers.get("sec-gpc", "").strip() == "1":
        return "gpc"
    if request.cookies.get(OPTOUT_COOKIE) == "1":
        return "opted_out"
    return None


def is_automated(request: Request) -> bool:
    """Robots (by User-Agent) and speculative prefetches: not a reader looking."""
    purpose = request.headers.get("sec-purpose", "") + request.headers.get("purpose", "")
    if "prefetch" in purpose.lower():
        return True
    return bool(_ROBOT.search(request.headers.get("user-agent", "")))


def new_visitor_id() -> str:
    """A fresh random visitor id (128 bits)."""
    return "v_" + secrets.token_urlsafe(16)


def cookie_visitor_id(request: Request) -> str | None:
    """The visitor id of the request's cookie, when well-formed."""
    value = request.cookies.get(VISITOR_COOKIE, "")
    return value if _VISITOR_ID.match(value) else None


def pseudonym(visitor_id: str) -> str:
    """The ``user_id`` events of this visitor are stored under.

    >>> pseudonym("v_" + "A" * 22)
    'web:b80ab81d5c674c6cdde6ddd6ff10af68'
    """
    digest = hashlib.sha256(f"dekat-visitor:{visitor_id}".encode()).hexdigest()
    return "web:" + digest[:32]


@dataclass(frozen=True, slots=True)
class Visitor:
    """Who is reading: their id (None when not recorded) and whether it is new here."""

    visitor_id: str | None
    is_new: bool
    refused: Refusal | None

    @property
    def user_id(self) -> str | None:
        """The pseudonym events are stored under (None when not recorded)."""
        return pseudonym(self.visitor_id) if self.visitor_id else None

    @property
    def recorded(self) -> bool:
        return self.visitor_id is not None


def visitor_for(request: Request, *, create: bool) -> Visitor:
    """The request's visitor; a new id only when ``create`` and recording is allowed."""
    refused = refusal(request)
    if refused is not None:
        return Visitor(visitor_id=None, is_new=False, refused=refused)
    existing = cookie_visitor_id(request)
    if existing is not None:
        return Visitor(visitor_id=existing, is_new=False, refused=None)
    if create:
        return Visitor(visitor_id=new_visitor_id(), is_new=True, refused=None)
    return Visitor(visitor_id=None, is_new=False, refused=None)


def _secure(request: Request) -> bool:
    """Secure when the configured public site is https (as every cookie of the site):
    never from the request's scheme, which a proxy on another host may report wrongly."""
    return bool(request.app.state.settings.https)


def remember_visitor(response: Response, request: Request, visitor: Visitor) -> None:
    """Set the cookie of a new visitor: HttpOnly, SameSite=Lax, Secure over https, 1 year."""
    if visitor.is_new and visitor.visitor_id:
        response.set_cookie(
            VISITOR_COOKIE,
            visitor.visitor_id,
            max_age=VISITOR_COOKIE_MAX_AGE_S,
            httponly=True,
            samesite="lax",
            secure=_secure(request),
        )


def forget_visitor_cookie(response: Response, request: Request) -> None:
    """Delete the visitor cookie in the browser."""
    response.delete_cookie(VISITOR_COOKIE, httponly=True, samesite="lax", secure=_secure(request))


def set_opt_out(response: Response, request: Request, *, opted_out: bool) -> None:
    """Set (or clear) the opt-out cookie; while set, nothing about this browser is stored."""
    if opted_out:
        response.set_cookie(
            OPTOUT_COOKIE,
            "1",
            max_age=OPTOUT_COOKIE_MAX_AGE_S,
            httponly=True,
            samesite="lax",
            secure=_secure(request),
        )
    else:
        response.delete_cookie(
            OPTOUT_COOKIE, httponly=True, samesite="lax", secure=_secure(request)
        )
