"""The owner's answers and abuse reports, posted from the owner page (``/pemilik/{id}``).

The owner is recognised as on the rest of that page (the edit token in its cookie, see
``web/routes/owner.py``) and the same services as the owner API do the work, so the page
and the API cannot disagree about who may answer what.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from directory.api.deps import SessionDep, SessionsDep
from directory.errors import Conflict, InvalidInput
from directory.inquiries import notify
from directory.inquiries import service as inquiry_service
from directory.inquiries.dependencies import site_base
from directory.web.context import Page, PageDep
from directory.web.i18n import N_
from directory.web.routes.inquiries import inquiry_errors
from directory.web.routes.owner import OwnerPost, owner_context, owner_done, owner_post

router = APIRouter()

ANCHOR = "#pertanyaan"


def _show_error(
    page: Page, session: Session, post: OwnerPost, inquiry_id: str, draft: str, message: str,
    status: int,
) -> HTMLResponse:  # fmt: skip
    """The owner page again, the message under that inquiry's answer box, the draft kept."""
    context = owner_context(page, session, post.submission, post.token)
    context["inquiry_errors"] = {f"answer-{inquiry_id}": message}
    context["inquiry_drafts"] = {inquiry_id: draft}
    return page.render("owner.html", status_code=status, private=True, missing=False, **context)


@router.post("/pemilik/{submission_id}/pertanyaan/{inquiry_id}/jawab", response_class=HTMLResponse)
def answer(
    submission_id: str,
    inquiry_id: str,
    page: PageDep,
    session: SessionDep,
    sessions: SessionsDep,
    background: BackgroundTasks,
    csrf_token: Annotated[str, Form()] = "",
    answer: Annotated[str, Form()] = "",
) -> Response:
    """Save the owner's answer; the buyer reads it on their receipt page."""
    post = owner_post(page, session, submission_id, csrf_token)
    if isinstance(post, Response):
        return post
    try:
        outcome = inquiry_service.answer_inquiry(
            sessions, post.business.id, inquiry_id, post.token, answer=answer
        )
    except InvalidInput as exc:
        message = inquiry_errors(page, exc.errors).get("inquiry_answer", exc.detail)
        return _show_error(page, session, post, inquiry_id, answer, message, 422)
    except Conflict:
        message = page.gettext(N_("This inquiry was reported and waits for an editor."))
        return _show_error(page, session, post, inquiry_id, answer, message, 409)
    if outcome.changed:
        background.add_task(
            notify.notify_buyer, sessions, page.settings, inquiry_id, site=site_base(page.request)
        )
    return owner_done(page, submission_id, "jawaban", ANCHOR)


@router.post("/pemilik/{submission_id}/pertanyaan/{inquiry_id}/lapor", response_class=HTMLResponse)
def report(
    submission_id: str,
    inquiry_id: str,
    page: PageDep,
    session: SessionDep,
    sessions: SessionsDep,
    csrf_token: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Report an inquiry as abuse; an editor decides whether to hide it."""
    post = owner_post(page, session, submission_id, csrf_token)
    if isinstance(post, Response):
        return post
    inquiry_service.report_inquiry(
        sessions, post.business.id, inquiry_id, post.token, reason=reason
    )
    return owner_done(page, submission_id, "dilaporkan", ANCHOR)
