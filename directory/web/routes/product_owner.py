"""The products section of the owner's page (``/pemilik/{submission_id}``): add, change,
remove a product and set its photo.

The routes live under the owner page's path so that its HttpOnly cookie (the edit token)
reaches them; they check the CSRF token and call the same services as the owner API.
Errors re-render the owner page with each bad field marked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Final

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from directory.api.deps import SessionDep, SessionsDep
from directory.errors import DirectoryError, InvalidInput
from directory.models import Submission
from directory.photos.images import MAX_PHOTO_BYTES
from directory.photos.storage import photo_store
from directory.products import photos, service
from directory.products.fields import FIELDS
from directory.web.context import Page, PageDep
from directory.web.field_errors import form_errors
from directory.web.product_messages import PHOTO_REFUSED
from directory.web.routes.owner import OwnerPost, owner_context, owner_done, owner_post

router = APIRouter()
BASE: Final = "/pemilik/{submission_id}/produk"


class ProductForm(BaseModel):
    """The product fields the add and change forms post (validated by the service)."""

    name: str = ""
    description: str = ""
    price_idr: str = ""
    unit: str = ""
    min_order: str = ""
    export_ready: str = ""


def _failed(
    page: Page, session: Session, submission: Submission, token: str, *, form: str,
    errors: dict[str, str], values: dict[str, object], status: int = 422,
) -> HTMLResponse:  # fmt: skip
    session.rollback()
    context = owner_context(page, session, submission, token)
    context.update(product_form=form, product_errors=errors, product_values=values)
    return page.render("owner.html", status_code=status, private=True, missing=False, **context)


def _done(page: Page, submission_id: str, ok: str) -> Response:
    return owner_done(page, submission_id, ok, "#produk")


_Text = Annotated[str, Form()]


def _save(
    page: Page, session: Session, submission_id: str, csrf_token: str, form: ProductForm,
    *, form_id: str, ok: str, save: Callable[[OwnerPost, dict[str, object]], object],
) -> Response:  # fmt: skip
    """Check the owner, save the product's fields; errors re-render that product's form."""
    post = owner_post(page, session, submission_id, csrf_token)
    if isinstance(post, Response):
        return post
    values: dict[str, object] = form.model_dump()
    try:
        save(post, values)
    except InvalidInput as exc:
        errors = form_errors(exc.errors, page.gettext, shown=FIELDS)
        return _failed(page, session, post.submission, post.token, form=form_id, errors=errors,
                       values=values)  # fmt: skip
    return _done(page, submission_id, ok)


@router.post(BASE, response_class=HTMLResponse)
def add_product(
    submission_id: str, page: PageDep, session: SessionDep, sessions: SessionsDep,
    form: Annotated[ProductForm, Form()], csrf_token: _Text = "",
) -> Response:  # fmt: skip
    """Add a product; it waits for an editor."""
    return _save(
        page, session, submission_id, csrf_token, form, form_id="new", ok="produk",
        save=lambda post, values: service.create_product(
            sessions, post.business.id, post.token, values
        ),
    )  # fmt: skip


@router.post(f"{BASE}/{{product_id}}/ubah", response_class=HTMLResponse)
def edit_product(
    submission_id: str, product_id: int, page: PageDep, session: SessionDep,
    sessions: SessionsDep, form: Annotated[ProductForm, Form()], csrf_token: _Text = "",
) -> Response:  # fmt: skip
    """Change a product: text changes of a published one wait for an editor."""
    return _save(
        page, session, submission_id, csrf_token, form, form_id=str(product_id),
        ok="produk-disimpan",
        save=lambda post, values: service.edit_product(
            sessions, post.business.id, post.token, product_id, values
        ),
    )  # fmt: skip


@router.post(f"{BASE}/{{product_id}}/hapus", response_class=HTMLResponse)
def delete_product(
    submission_id: str, product_id: int, page: PageDep, session: SessionDep,
    sessions: SessionsDep, csrf_token: _Text = "",
) -> Response:  # fmt: skip
    """Remove a product for good."""
    from directory.photos import storage

    post = owner_post(page, session, submission_id, csrf_token)
    if isinstance(post, Response):
        return post
    files = service.delete_product(sessions, post.business.id, post.token, product_id)
    storage.delete_files(photo_store(page.settings), files)
    return _done(page, submission_id, "produk-dihapus")


@router.post(f"{BASE}/{{product_id}}/foto", response_class=HTMLResponse)
def product_photo(
    submission_id: str, product_id: int, page: PageDep, session: SessionDep,
    sessions: SessionsDep, csrf_token: _Text = "",
    foto: Annotated[UploadFile | None, File()] = None,
) -> Response:  # fmt: skip
    """Set a product's photo."""
    post = owner_post(page, session, submission_id, csrf_token)
    if isinstance(post, Response):
        return post
    submission, token, business = post.submission, post.token, post.business
    data = foto.file.read(MAX_PHOTO_BYTES + 1) if foto is not None and foto.filename else b""
    try:
        if not data:
            raise InvalidInput(detail="photo: no file")
        photos.set_product_photo(
            sessions, store=photo_store(page.settings), business_id=business.id,
            product_id=product_id, token=token, data=data,
        )  # fmt: skip
    except DirectoryError as exc:
        if exc.status in (401, 403, 404):
            raise
        errors = {"foto": page.gettext(PHOTO_REFUSED)}
        return _failed(page, session, submission, token, form=str(product_id), errors=errors,
                       values={}, status=exc.status)  # fmt: skip
    return _done(page, submission_id, "produk-foto")
