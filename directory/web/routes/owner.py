"""The owner's private page (``/pemilik/{submission_id}``): status, edits, photos, closing.

The private link carries the edit token in the URL *fragment* (``/pemilik/{id}#token=…``),
which browsers never send to a server, so it reaches no request line, proxy log or
Referer. The page (``static/js/owner-link.js``) takes it out of the address bar and POSTs
it to ``/pemilik/{id}/masuk`` (an owner without JavaScript pastes it into the same form);
the server checks it, moves it into an HttpOnly, SameSite=Strict cookie scoped to this
page's path and redirects to the page. Links from before this change (``?token=``) still
work — the token is checked, moved into the cookie and the browser is redirected to the
URL without it — because owners kept them; new links never put the token in a query.
Every response here sends ``Referrer-Policy: no-referrer`` and ``Cache-Control: no-store``.
The token is checked by the same services the owner API uses (``submissions.service`` and
``submissions.owners``); the page never reveals whether an id exists without its token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from directory.accounts import owners as owner_access
from directory.accounts.tokens import MAX_TOKEN_LEN
from directory.api.deps import SessionDep, SessionsDep
from directory.businesses.views import business_detail
from directory.errors import DirectoryError, Forbidden, InvalidInput, NotFound, Unauthorized
from directory.hours import local_now
from directory.inquiries import service as inquiry_service
from directory.models import Business, Submission
from directory.photos import service as photo_service
from directory.photos.images import MAX_PHOTO_BYTES
from directory.photos.storage import photo_store
from directory.products import service as product_service
from directory.products import views as product_views
from directory.submissions import owners
from directory.submissions import service as submission_service
from directory.submissions.fields import EDITABLE_FIELDS, raw_from_business
from directory.web.business_form import BusinessForm
from directory.web.context import Page, PageDep
from directory.web.field_errors import form_errors
from directory.web.formatting import format_phone
from directory.web.i18n import FIELD_LABELS, N_
from directory.web.owner_hints import hints_section
from directory.web.owner_insights import insights_context
from directory.web.routes.submit import PRICE_LABELS, category_groups, pin_map_json

router = APIRouter()

OWNER_COOKIE: Final = "dekat_owner"
OWNER_COOKIE_MAX_AGE_S: Final = 180 * 24 * 3600
_SUBMISSION_ID: Final = re.compile(r"\A[A-Za-z0-9_-]{3,40}\Z")
STATUS_LABELS: Final = {
    "pending": N_("Waiting for review"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "merged": N_("Merged with an existing listing"),
    "superseded": N_("Replaced by a newer edit"),
}
KIND_LABELS: Final = {
    "new": N_("New listing"),
    "edit": N_("Edit"),
    "claim": N_("Claim"),
}
NOTICES: Final = {
    "disimpan": N_("Saved. Changes to the name, category, address or location wait for an editor."),
    "status": N_("The status of your listing was changed."),
    "foto": N_("Photo added."),
    "foto-dihapus": N_("Photo removed."),
    "produk": N_("Product added. An editor checks it before it is shown."),
    "produk-disimpan": N_(
        "Product saved. Changes to its name, description or unit wait for an editor."
    ),
    "produk-dihapus": N_("Product removed."),
    "produk-foto": N_("Product photo saved."),
    "jawaban": N_("Your answer was saved; the buyer can read it now."),
    "dilaporkan": N_("Reported. An editor will look at this inquiry."),
}


def _path(submission_id: str) -> str:
    return f"/pemilik/{submission_id}"


def _check_id(submission_id: str) -> str:
    if not _SUBMISSION_ID.match(submission_id):
        raise NotFound(detail="no such page")
    return submission_id


def _token(page: Page) -> str | None:
    token = page.request.cookies.get(OWNER_COOKIE)
    if not token or len(token) > MAX_TOKEN_LEN or not token.isascii():
        return None
    return token


def _managed(session: Session, submission: Submission, token: str) -> Business | None:
    """The business this token manages, when an editor has linked it (approved/merged)."""
    if submission.business_id is None:
        return None
    try:
        _, business = owner_access.owned_business(session, submission.business_id, token)
    except (Forbidden, Unauthorized):
        return None
    return business


def owner_values(business: Business) -> dict[str, str]:
    """The edit form's values: the live listing, phone in national form."""
    raw = {k: str(v) for k, v in raw_from_business(business).items() if k in EDITABLE_FIELDS}
    raw["phone"] = format_phone(business.phone)
    return raw


def owner_context(
    page: Page,
    session: Session,
    submission: Submission,
    token: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the owner template shows for this submission and (if linked) its business."""
    business = _managed(session, submission, token)
    context: dict[str, Any] = {
        "sid": submission.id,
        "submission": submission,
        "status_label": STATUS_LABELS.get(submission.status, submission.status),
        "kind_label": KIND_LABELS.get(submission.kind, submission.kind),
        "business": None,
        "errors": errors or {},
        "notice": "",
        "pending_edits": [],
        "photos": [],
        "can_add_photos": False,
        "field_labels": FIELD_LABELS,
        "products": [],
        "product_form": "",
        "product_errors": {},
        "product_values": {},
        "ranking_hints": None,
        "inquiries": [],
        "inquiry_errors": {},
        "inquiry_drafts": {},
    }
    notice = NOTICES.get(page.request.query_params.get("ok", ""))
    if notice:
        context["notice"] = page.gettext(notice)
    if business is None:
        context["can_add_photos"] = submission.status == "pending" and submission.kind == "new"
        return context
    vals = values if values is not None else owner_values(business)
    context.update(
        business=business_detail(business, at=local_now(page.settings.timezone), lang=page.lang),
        business_status=business.status,
        values=vals,
        category_groups=category_groups(session, page.lang),
        price_options=[(p, page.gettext(label)) for p, label in PRICE_LABELS],
        pin_map_json=pin_map_json(vals),
        pending_edits=owners.pending_edits(session, business.id),
        photos=photo_service.list_business_photos(session, business.id),
        can_add_photos=business.status in owners.OWNER_STATUSES,
        products=[
            product_views.owner_product_read(p)
            for p in product_service.list_owner_products(session, business.id)
        ],
        inquiries=inquiry_service.owner_inquiries(session, business.id, token, limit=100)[0],
    )
    context["ranking_hints"] = hints_section(
        session, business, now=local_now(page.settings.timezone), timezone=page.settings.timezone,
        lang=page.lang,
    )  # fmt: skip
    context.update(insights_context(page, business.id))
    return context


def _load(page: Page, session: Session, submission_id: str) -> tuple[Submission, str]:
    token = _token(page)
    submission = submission_service.get_submission(session, _check_id(submission_id), token)
    assert token is not None  # get_submission refuses a missing token
    return submission, token


@dataclass(frozen=True, slots=True)
class OwnerPost:
    """An owner's form post that passed the shared checks (see :func:`owner_post`)."""

    submission: Submission
    token: str
    business: Business


def owner_post(
    page: Page, session: Session, submission_id: str, csrf_token: str
) -> OwnerPost | HTMLResponse:
    """The steps every action on a managed listing starts with: the CSRF check, the token
    from the page's cookie (else the "open your private link" page, returned), the
    business it manages (else 403), and the read transaction ended before the action's
    own session writes."""
    page.require_csrf(csrf_token)
    try:
        submission, token = _load(page, session, submission_id)
    except Unauthorized:
        return _missing_link(page)
    business = _managed(session, submission, token)
    if business is None:
        raise Forbidden(detail="this listing is not managed with this link yet")
    session.rollback()
    return OwnerPost(submission, token, business)


def owner_done(page: Page, submission_id: str, notice: str, anchor: str = "") -> Response:
    """Back to the owner page with the notice of what was done (``NOTICES``)."""
    return page.redirect(f"{_path(submission_id)}?ok={notice}{anchor}", private=True)


def _missing_link(page: Page, *, error: bool = False) -> HTMLResponse:
    sid = page.request.path_params.get("submission_id", "")
    return page.render(
        "owner.html", status_code=401, private=True, missing=True, sid=sid, link_error=error
    )


def _remember(page: Page, session: Session, submission_id: str, token: str) -> Response:
    """Check the token, keep it in the page's HttpOnly cookie and show the page."""
    submission_service.get_submission(session, submission_id, token)
    response = page.redirect(_path(submission_id), private=True)
    response.set_cookie(
        OWNER_COOKIE,
        token,
        max_age=OWNER_COOKIE_MAX_AGE_S,
        path=_path(submission_id),
        httponly=True,
        samesite="strict",
        secure=page.secure_cookies,
    )
    return response


@router.post("/pemilik/{submission_id}/masuk", response_class=HTMLResponse)
def owner_sign_in(
    submission_id: str,
    page: PageDep,
    session: SessionDep,
    csrf_token: Annotated[str, Form()] = "",
    token: Annotated[str, Form(max_length=MAX_TOKEN_LEN)] = "",
) -> Response:
    """Receive the token from the link's fragment (or pasted) and keep it in a cookie."""
    page.require_csrf(csrf_token)
    _check_id(submission_id)
    try:
        return _remember(page, session, submission_id, token.strip())
    except (Unauthorized, Forbidden, NotFound):
        return _missing_link(page, error=True)


@router.get("/pemilik/{submission_id}", response_class=HTMLResponse, name="owner_page")
def owner_page(
    submission_id: str, page: PageDep, session: SessionDep, token: str | None = None
) -> Response:
    """The owner's page; an old ``?token=`` link is stored and dropped from the URL."""
    _check_id(submission_id)
    if token is not None:
        return _remember(page, session, submission_id, token.strip())
    try:
        submission, owner_token = _load(page, session, submission_id)
    except Unauthorized:
        return _missing_link(page)
    context = owner_context(page, session, submission, owner_token)
    return page.render("owner.html", private=True, missing=False, **context)


@router.post("/pemilik/{submission_id}/ubah", response_class=HTMLResponse)
def owner_edit(
    submission_id: str,
    page: PageDep,
    session: SessionDep,
    sessions: SessionsDep,
    form: Annotated[BusinessForm, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Save the owner's edits: some apply at once, the rest wait for an editor."""
    post = owner_post(page, session, submission_id, csrf_token)
    if isinstance(post, Response):
        return post
    changes = form.raw_fields()
    try:
        owners.edit_business(sessions, post.business.id, post.token, changes)
    except InvalidInput as exc:
        errors = form_errors(exc.errors, page.gettext, shown=EDITABLE_FIELDS)
        context = owner_context(
            page, session, post.submission, post.token, values=changes, errors=errors
        )
        return page.render("owner.html", status_code=422, private=True, missing=False, **context)
    return owner_done(page, submission_id, "disimpan")


@router.post("/pemilik/{submission_id}/status", response_class=HTMLResponse)
def owner_status(
    submission_id: str,
    page: PageDep,
    session: SessionDep,
    sessions: SessionsDep,
    csrf_token: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
) -> Response:
    """Mark the business permanently closed, or open again."""
    page.require_csrf(csrf_token)
    if status not in owners.OWNER_STATUSES:
        raise InvalidInput(detail="status must be published or closed")
    try:
        submission, token = _load(page, session, submission_id)
    except Unauthorized:
        return _missing_link(page)
    if submission.business_id is None:
        raise Forbidden(detail="this listing is not managed with this link yet")
    session.rollback()
    owners.edit_business(sessions, submission.business_id, token, {}, status=status)
    return owner_done(page, submission_id, "status")


@router.post("/pemilik/{submission_id}/foto", response_class=HTMLResponse)
def owner_photo(
    submission_id: str,
    page: PageDep,
    session: SessionDep,
    sessions: SessionsDep,
    csrf_token: Annotated[str, Form()] = "",
    foto: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Add a photo to the business (or to the pending submission)."""
    page.require_csrf(csrf_token)
    try:
        submission, token = _load(page, session, submission_id)
    except Unauthorized:
        return _missing_link(page)
    data = foto.file.read(MAX_PHOTO_BYTES + 1) if foto is not None and foto.filename else b""
    business = _managed(session, submission, token)
    session.rollback()
    try:
        if not data:
            raise InvalidInput(detail="photo: no file")
        if business is not None:
            owner = owner_access.authenticate_owner(session, business.id, token)
            session.rollback()
            photo_service.add_business_photo(
                sessions,
                store=photo_store(page.settings),
                business_id=business.id,
                data=data,
                actor=owner_access.owner_actor(owner),
            )
        else:
            photo_service.add_submission_photo(
                sessions, store=photo_store(page.settings), submission_id=submission.id, data=data
            )
    except DirectoryError as exc:
        message = page.gettext(
            N_("This photo could not be used: send a JPEG, PNG or WebP image up to 5 MB.")
        )
        if exc.status == 409:
            message = page.gettext(N_("This listing already has the most photos allowed (5)."))
        context = owner_context(page, session, submission, token, errors={"foto": message})
        return page.render("owner.html", status_code=exc.status, private=True, missing=False,
                           **context)  # fmt: skip
    return owner_done(page, submission_id, "foto")


@router.post("/pemilik/{submission_id}/foto/{photo_id}/hapus", response_class=HTMLResponse)
def owner_photo_delete(
    submission_id: str,
    photo_id: int,
    page: PageDep,
    session: SessionDep,
    sessions: SessionsDep,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Remove one of the business's photos."""
    post = owner_post(page, session, submission_id, csrf_token)
    if isinstance(post, Response):
        return post
    owner = owner_access.authenticate_owner(session, post.business.id, post.token)
    session.rollback()
    photo_service.delete_owner_photo(
        sessions,
        store=photo_store(page.settings),
        business_id=post.business.id,
        photo_id=photo_id,
        actor=owner_access.owner_actor(owner),
    )
    return owner_done(page, submission_id, "foto-dihapus")


@router.post("/pemilik/{submission_id}/keluar", response_class=HTMLResponse)
def owner_forget(
    submission_id: str, page: PageDep, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    """Forget the token on this device (shared phones, internet cafés)."""
    page.require_csrf(csrf_token)
    response = page.redirect("/", private=True)
    response.delete_cookie(OWNER_COOKIE, path=_path(_check_id(submission_id)))
    return response
