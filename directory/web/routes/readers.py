"""``POST /events`` (page events from this site's own pages) and ``/privasi`` (what is
recorded about readers, and the opt-out)."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.api.deps import ReadSessionDep, SessionsDep
from directory.businesses.service import READER_VISIBLE
from directory.db_retry import run_in_transaction
from directory.errors import FieldError, Forbidden, InvalidInput, RateLimited, invalid
from directory.models import Business, Interaction
from directory.readers.events import ACTION_KINDS, forget_visitor
from directory.readers.limits import event_wait
from directory.readers.visitor import (
    PAGE_SOURCE,
    cookie_visitor_id,
    forget_visitor_cookie,
    is_automated,
    pseudonym,
    refusal,
    remember_visitor,
    set_opt_out,
    visitor_for,
)
from directory.web.context import PageDep
from directory.web.origin import same_origin
from directory.web.reader_events import store_event

router = APIRouter()
MAX_BUSINESS_ID: Final = 2**62
PRIVACY_STATUSES: Final = ("opted-out", "opted-in")


def _business_id(text: str) -> int:
    value = text.strip()
    if not (value.isascii() and value.isdecimal()) or len(value) > 19:
        raise invalid("business", "must be a business id", location="form")
    if not 1 <= int(value) <= MAX_BUSINESS_ID:
        raise invalid("business", "must be a business id", location="form")
    return int(value)


def _visible(session: Session, business_id: int) -> bool:
    status = session.scalar(select(Business.status).where(Business.id == business_id))
    return status in READER_VISIBLE


@router.post("/events", name="page_event")
def post_event(
    page: PageDep,
    sessions: SessionsDep,
    business: Annotated[str, Form(max_length=40)] = "",
    action: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> JSONResponse:
    """One page event (``action`` on ``business``) from a page of this site.

    403 unless the browser says the request comes from this site (``Sec-Fetch-Site`` /
    ``Origin``) and the CSRF token matches; 422 for an unknown action or business; 429
    over the visitor's limit. A reader who said no (DNT, GPC, opt-out) gets 202 with
    ``recorded: false`` and nothing is stored or set.
    """
    request = page.request
    if not same_origin(request):
        raise Forbidden(
            detail="Events are accepted only from this site's own pages.",
            errors=[FieldError("Origin", "not this site", "header")],
        )
    page.require_csrf(csrf_token)
    if action not in ACTION_KINDS:
        raise InvalidInput(
            detail=f"action: must be one of {', '.join(ACTION_KINDS)}",
            errors=[FieldError("action", f"must be one of {', '.join(ACTION_KINDS)}", "form")],
        )
    business_id = _business_id(business)
    refused = refusal(request)
    if refused is not None or is_automated(request):
        return JSONResponse({"recorded": False, "reason": refused or "automated"}, 202)
    visitor = visitor_for(request, create=True)
    user_id = visitor.user_id
    assert user_id is not None  # not refused, so an id exists or was made
    with sessions() as session:
        if not _visible(session, business_id):
            raise invalid("business", "no such business", location="form")
    wait = event_wait(request, user_id)
    if wait is not None:
        raise RateLimited(
            detail=f"Too many events from this browser. Try again in {wait} s.",
            retry_after_s=wait,
        )
    stored = store_event(sessions, user_id=user_id, business_id=business_id, action=action)
    response = JSONResponse(
        {"recorded": stored, "reason": None if stored else "repeat"}, status_code=202
    )
    remember_visitor(response, request, visitor)
    response.headers["Cache-Control"] = "no-store"
    return response


def _stored_events(session: Session, visitor_id: str | None) -> int:
    if visitor_id is None:
        return 0
    return int(
        session.scalar(
            select(func.count())
            .select_from(Interaction)
            .where(Interaction.user_id == pseudonym(visitor_id), Interaction.source == PAGE_SOURCE)
        )
        or 0
    )


@router.get("/privasi", response_class=HTMLResponse, name="privacy_page")
def privacy_page(page: PageDep, session: ReadSessionDep) -> HTMLResponse:
    """What the site records about readers, why, and the switch to stop it."""
    visitor_id = cookie_visitor_id(page.request)
    status = page.request.query_params.get("status")
    return page.render(
        "privacy.html",
        private=True,
        refused=refusal(page.request),
        has_visitor_id=visitor_id is not None,
        stored_events=_stored_events(session, visitor_id),
        status=status if status in PRIVACY_STATUSES else "",
    )


@router.post("/privasi", name="privacy_choice")
def privacy_choice(
    page: PageDep,
    sessions: SessionsDep,
    choice: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """``choice=opt-out``: stop recording this browser and delete what it recorded;
    ``choice=opt-in``: allow recording again."""
    page.require_csrf(csrf_token)
    request = page.request
    if choice == "opt-out":
        visitor_id = cookie_visitor_id(request)
        if visitor_id is not None:
            user_id = pseudonym(visitor_id)
            run_in_transaction(sessions, lambda session: forget_visitor(session, user_id))
        response = page.redirect("/privasi?status=opted-out", private=True)
        forget_visitor_cookie(response, request)
        set_opt_out(response, request, opted_out=True)
        return response
    if choice == "opt-in":
        response = page.redirect("/privasi?status=opted-in", private=True)
        set_opt_out(response, request, opted_out=False)
        return response
    raise invalid("choice", "must be opt-out or opt-in", location="form")
