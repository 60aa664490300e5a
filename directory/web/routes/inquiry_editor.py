"""The editors' decisions on reported inquiries, posted from the moderation page.

Logged in and CSRF-checked as every other moderation form (``web/routes/moderation.py``);
the work is done by ``inquiries.moderation``, which audits it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from directory.api.deps import SessionDep, SessionsDep
from directory.inquiries import moderation as inquiry_moderation
from directory.web.context import PageDep
from directory.web.routes.moderation import ADMIN_PATH, editor_post

router = APIRouter()


@router.post(f"{ADMIN_PATH}/pertanyaan/{{inquiry_id}}/sembunyikan", response_class=HTMLResponse)
def hide(
    inquiry_id: str,
    page: PageDep,
    session: SessionDep,
    sessions: SessionsDep,
    csrf_token: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Abuse: the inquiry leaves the owner's list (audited)."""
    editor = editor_post(page, session, csrf_token)
    inquiry_moderation.hide_inquiry(sessions, inquiry_id, actor=editor.actor, reason=reason)
    return page.redirect(f"{ADMIN_PATH}?ok=inquiry-hidden#pertanyaan", private=True)


@router.post(f"{ADMIN_PATH}/pertanyaan/{{inquiry_id}}/pulihkan", response_class=HTMLResponse)
def restore(
    inquiry_id: str,
    page: PageDep,
    session: SessionDep,
    sessions: SessionsDep,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Not abuse: back to the owner's list as new or answered (audited)."""
    editor = editor_post(page, session, csrf_token)
    inquiry_moderation.restore_inquiry(sessions, inquiry_id, actor=editor.actor)
    return page.redirect(f"{ADMIN_PATH}?ok=inquiry-restored#pertanyaan", private=True)
