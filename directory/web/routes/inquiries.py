"""Buyer inquiry pages: the form (``/b/{slug}/pertanyaan``), the thank-you page with the
private receipt link, and the buyer's receipt page (``/pertanyaan/{id}``).

The receipt link carries its token in the URL fragment, as the owner's link does
(``web/routes/owner.py``): ``static/js/inquiry-link.js`` POSTs it to
``/pertanyaan/{id}/masuk``, which keeps it in an HttpOnly cookie scoped to that page. The
cookie is SameSite=Lax (not Strict like the owner's) so that the link in the "your inquiry
was answered" e-mail opens the page on the device where the buyer opened it before; it
only reads. The owner's answer and report forms live on the owner page
(``web/routes/inquiry_owner.py``).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Final

from fastapi import APIRouter, BackgroundTasks, Depends, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from directory.accounts.tokens import MAX_TOKEN_LEN
from directory.api.deps import ReadSessionDep, SessionDep, SessionsDep
from directory.businesses.service import get_public_business_by_slug
from directory.errors import FieldError, InvalidInput, NotFound, Unauthorized
from directory.inquiries import notify, service
from directory.inquiries.dependencies import site_base
from directory.inquiries.fields import parse_inquiry
from directory.inquiries.limits import count_inquiry, count_inquiry_to
from directory.inquiries.products import product_snapshot
from directory.models import Business, Inquiry
from directory.slugs import is_slug
from directory.web.context import Page, PageDep
from directory.web.i18n import N_

router = APIRouter()

SENT_PATH: Final = "/pertanyaan/terkirim"
SENT_COOKIE: Final = "dekat_inquiry_sent"
SENT_MAX_AGE_S: Final = 600
RECEIPT_COOKIE: Final = "dekat_inquiry"
RECEIPT_COOKIE_MAX_AGE_S: Final = 180 * 24 * 3600
_INQUIRY_ID: Final = re.compile(r"\A[A-Za-z0-9_-]{3,40}\Z")
INQUIRY_MESSAGES: Final = {
    "name": N_("Enter your name."),
    "company": N_("Check the company name (at most 200 characters)."),
    "contact": N_("Enter an e-mail address or a phone number, for example 0812-3456-7890."),
    "quantity": N_("Check the quantity (at most 100 characters)."),
    "message": N_("Write your question (at most 2000 characters)."),
    "product_id": N_("This product is not offered by this business."),
    "answer": N_("Write an answer (at most 4000 characters)."),
    "reason": N_("Check the reason (at most 1000 characters)."),
}
STATUS_LABELS: Final = {
    "new": N_("Waiting for an answer"),
    "answered": N_("Answered"),
    "reported": N_("Reported to an editor"),
    "hidden": N_("Hidden by an editor"),
}


def inquiry_errors(page: Page, errors: list[FieldError]) -> dict[str, str]:
    """``{"inquiry_<field>": sentence}`` for the form's inputs (ids prefixed, so the form
    can sit on a page with other forms)."""
    out: dict[str, str] = {}
    for error in errors:
        message = INQUIRY_MESSAGES.get(error.field)
        out.setdefault(
            f"inquiry_{error.field}", page.gettext(message) if message else error.message
        )
    return out


def _business(session: Session, slug: str) -> Business:
    if not is_slug(slug):
        raise NotFound(detail="no such business")
    return get_public_business_by_slug(session, slug)


def _product(session: Session, business: Business, raw: str | None) -> dict[str, Any] | None:
    """The product the form is about ({id, name}), or None for the business itself."""
    if not raw or not raw.isdigit() or not 1 <= int(raw) < 2**31:
        return None
    product_id = int(raw)
    try:
        name = product_snapshot(session, business.id, product_id)
    except InvalidInput:
        return None
    return {"id": product_id, "name": name or ""}


def form_page(
    page: Page,
    business: Business,
    product: dict[str, Any] | None,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    """The inquiry form on a page of its own (also where a form with mistakes returns)."""
    return page.render(
        "inquiry_form.html",
        status_code=status_code,
        inquiry_business=business,
        inquiry_product=product,
        inquiry_values=values,
        inquiry_errors=errors,
    )


@router.get("/b/{slug}/pertanyaan", response_class=HTMLResponse, name="inquiry_form_page")
def inquiry_form(
    slug: str, page: PageDep, session: ReadSessionDep, produk: str | None = None
) -> HTMLResponse:
    """The inquiry form for a business (``?produk=<id>``: about one of its products)."""
    business = _business(session, slug)
    return form_page(page, business, _product(session, business, produk), values={}, errors={})


@router.post("/b/{slug}/pertanyaan", response_class=HTMLResponse)
def send_inquiry(
    slug: str,
    page: PageDep,
    session: SessionDep,
    sessions: SessionsDep,
    background: BackgroundTasks,
    client_hash: Annotated[str, Depends(count_inquiry)],
    csrf_token: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    company: Annotated[str, Form()] = "",
    contact: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    message: Annotated[str, Form()] = "",
    product_id: Annotated[str, Form()] = "",
    website_url_confirm: Annotated[str, Form()] = "",
) -> Response:
    """Store the inquiry (committed before the redirect), then show the receipt link."""
    page.require_csrf(csrf_token)
    business = _business(session, slug)
    if website_url_confirm.strip():  # honeypot: look the same, store nothing
        fake = service.honeypot_receipt(business.id)
        return _to_sent(page, fake.inquiry.id, fake.receipt_token)
    values = {"name": name, "company": company, "contact": contact, "quantity": quantity,
              "message": message}  # fmt: skip
    product = _product(session, business, product_id)
    session.rollback()
    try:
        fields = parse_inquiry(values)
        count_inquiry_to(page.request, client_hash, business.id)
        receipt = service.create_inquiry(
            sessions, business.id, fields, product_id=product["id"] if product else None,
            client_hash=client_hash, retention_days=page.settings.inquiry_retention_days,
        )  # fmt: skip
    except InvalidInput as exc:
        errors = inquiry_errors(page, exc.errors)
        return form_page(page, business, product, values=values, errors=errors, status_code=422)
    site = site_base(page.request)
    background.add_task(
        notify.notify_owners, sessions, page.settings, receipt.inquiry.id, site=site
    )
    return _to_sent(page, receipt.inquiry.id, receipt.receipt_token)


def _to_sent(page: Page, inquiry_id: str, token: str) -> Response:
    response = page.redirect(SENT_PATH, private=True)
    response.set_cookie(
        SENT_COOKIE,
        f"{inquiry_id}|{token}",
        max_age=SENT_MAX_AGE_S,
        path=SENT_PATH,
        httponly=True,
        samesite="strict",
        secure=page.secure_cookies,
    )
    return response


@router.get(SENT_PATH, response_class=HTMLResponse, name="inquiry_sent_page")
def sent_page(page: PageDep) -> HTMLResponse:
    """The thank-you page: the private receipt link, shown this once."""
    inquiry_id, _, token = (page.request.cookies.get(SENT_COOKIE) or "").partition("|")
    link = ""
    if _INQUIRY_ID.match(inquiry_id) and token and len(token) <= MAX_TOKEN_LEN:
        link = page.absolute(service.receipt_path(inquiry_id, token))
    response = page.render("inquiry_sent.html", private=True, receipt_url=link)
    response.delete_cookie(SENT_COOKIE, path=SENT_PATH)
    return response


def _check_id(inquiry_id: str) -> str:
    if not _INQUIRY_ID.match(inquiry_id):
        raise NotFound(detail="no such page")
    return inquiry_id


def _path(inquiry_id: str) -> str:
    return service.receipt_path(inquiry_id)


def _missing_link(page: Page, inquiry_id: str, *, error: bool = False) -> HTMLResponse:
    return page.render(
        "inquiry.html", status_code=401, private=True, missing=True, iid=inquiry_id,
        link_error=error,
    )  # fmt: skip


@router.post("/pertanyaan/{inquiry_id}/masuk", response_class=HTMLResponse)
def receipt_sign_in(
    inquiry_id: str,
    page: PageDep,
    session: SessionDep,
    csrf_token: Annotated[str, Form()] = "",
    token: Annotated[str, Form(max_length=MAX_TOKEN_LEN)] = "",
) -> Response:
    """Receive the token from the link's fragment (or pasted) and keep it in a cookie."""
    page.require_csrf(csrf_token)
    _check_id(inquiry_id)
    try:
        service.buyer_inquiry(session, inquiry_id, token.strip() or None)
    except (Unauthorized, NotFound):
        return _missing_link(page, inquiry_id, error=True)
    response = page.redirect(_path(inquiry_id), private=True)
    response.set_cookie(
        RECEIPT_COOKIE,
        token.strip(),
        max_age=RECEIPT_COOKIE_MAX_AGE_S,
        path=_path(inquiry_id),
        httponly=True,
        samesite="lax",
        secure=page.secure_cookies,
    )
    return response


@router.get("/pertanyaan/{inquiry_id}", response_class=HTMLResponse, name="inquiry_page")
def receipt_page(inquiry_id: str, page: PageDep, session: SessionDep) -> Response:
    """The buyer's page: the question, its status and the owner's answer."""
    _check_id(inquiry_id)
    token = page.request.cookies.get(RECEIPT_COOKIE)
    if not token or len(token) > MAX_TOKEN_LEN or not token.isascii():
        return _missing_link(page, inquiry_id)
    try:
        inquiry = service.buyer_inquiry(session, inquiry_id, token)
    except (Unauthorized, NotFound):
        return _missing_link(page, inquiry_id, error=True)
    return page.render("inquiry.html", private=True, missing=False, **_receipt(session, inquiry))


def _receipt(session: Session, inquiry: Inquiry) -> dict[str, Any]:
    business = session.get(Business, inquiry.business_id)
    return {
        "iid": inquiry.id,
        "inquiry": inquiry,
        "business": business,
        "status_label": STATUS_LABELS.get(inquiry.status, inquiry.status),
    }


@router.post("/pertanyaan/{inquiry_id}/keluar", response_class=HTMLResponse)
def receipt_forget(
    inquiry_id: str, page: PageDep, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    """Forget the receipt token on this device."""
    page.require_csrf(csrf_token)
    response = page.redirect("/", private=True)
    response.delete_cookie(RECEIPT_COOKIE, path=_path(_check_id(inquiry_id)))
    return response
