"""Products in the editors' moderation pages (``/moderasi/produk``): approve, reject with
a reason, hide a product, hide its photo.

Logged in and CSRF-checked exactly like the rest of ``/moderasi`` (the same cookie and
HMAC token); the decisions call the services the admin API calls, which audit them.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from directory.api.deps import SessionDep, SessionsDep
from directory.errors import InvalidInput, NotFound
from directory.photos import service as photo_service
from directory.photos.storage import photo_store
from directory.products import service, views
from directory.web.context import PageDep
from directory.web.product_messages import MODERATION_NOTICES as NOTICES
from directory.web.product_messages import REASON_NEEDED
from directory.web.routes.moderation import (
    ADMIN_PATH,
    _to_login,
    current_admin,
    decide,
    editor_post,
)
from directory.web.security import moderation_csrf_token

router = APIRouter()
PATH: Final = f"{ADMIN_PATH}/produk"
SHOWN: Final = 50


@router.get(PATH, response_class=HTMLResponse)
def products_queue(page: PageDep, session: SessionDep) -> Response:
    """New products and changed product texts waiting for an editor, oldest first."""
    found = current_admin(page, session)
    if found is None:
        return _to_login()
    rows = service.list_for_review(session, status="pending", limit=SHOWN)
    notice = NOTICES.get(page.request.query_params.get("ok", ""))
    return page.render(
        "moderation_products.html",
        private=True,
        items=[views.owner_product_read(p) for p in rows],
        notice=page.gettext(notice) if notice else "",
        errors={},
        mod_csrf=moderation_csrf_token(found[1]),
    )


_Text = Annotated[str, Form()]


@router.post(f"{PATH}/{{product_id}}/setujui", response_class=HTMLResponse)
def approve(
    product_id: int, page: PageDep, session: SessionDep, sessions: SessionsDep,
    csrf_token: _Text = "",
) -> Response:  # fmt: skip
    """Publish the product or its waiting changes."""
    editor = editor_post(page, session, csrf_token)
    return decide(
        page, PATH, lambda: service.approve_product(sessions, product_id, actor=editor.actor),
        "approved",
    )  # fmt: skip


@router.post(f"{PATH}/{{product_id}}/tolak", response_class=HTMLResponse)
def reject(
    product_id: int, page: PageDep, session: SessionDep, sessions: SessionsDep,
    csrf_token: _Text = "", reason: _Text = "",
) -> Response:  # fmt: skip
    """Refuse with a reason the owner reads on their page."""
    editor = editor_post(page, session, csrf_token)
    try:
        return decide(
            page, PATH,
            lambda: service.reject_product(sessions, product_id, actor=editor.actor, reason=reason),
            "rejected",
        )  # fmt: skip
    except InvalidInput:
        rows = service.list_for_review(session, status="pending", limit=SHOWN)
        return page.render(
            "moderation_products.html",
            status_code=422,
            private=True,
            items=[views.owner_product_read(p) for p in rows],
            notice="",
            errors={product_id: page.gettext(REASON_NEEDED)},
            mod_csrf=moderation_csrf_token(editor.token),
        )


@router.post(f"{PATH}/{{product_id}}/sembunyikan", response_class=HTMLResponse)
def hide(
    product_id: int, page: PageDep, session: SessionDep, sessions: SessionsDep,
    csrf_token: _Text = "", reason: _Text = "",
) -> Response:  # fmt: skip
    """Take a published product away from readers."""
    editor = editor_post(page, session, csrf_token)
    return decide(
        page, PATH,
        lambda: service.hide_product(sessions, product_id, actor=editor.actor, reason=reason),
        "hidden",
    )  # fmt: skip


@router.post(f"{PATH}/{{product_id}}/foto/sembunyikan", response_class=HTMLResponse)
def hide_photo(
    product_id: int, page: PageDep, session: SessionDep, sessions: SessionsDep,
    csrf_token: _Text = "",
) -> Response:  # fmt: skip
    """Hide the product's photo (its files leave the store)."""
    editor = editor_post(page, session, csrf_token)
    product = service.get_any_product(session, product_id)
    if product.photo_id is None:
        raise NotFound(detail="this product has no photo")
    photo_id = product.photo_id
    session.rollback()
    photo_service.hide_photo(
        sessions, photo_id, actor=editor.actor, store=photo_store(page.settings)
    )
    return page.redirect(f"{PATH}?ok=photo-hidden", private=True)
