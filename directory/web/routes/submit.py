""" "Daftarkan bisnis Anda — gratis": the submission form, the duplicate warning, claims,
and the confirmation page that shows the private edit link once (``/daftar...``).

After a successful POST the receipt (submission id and edit token) travels to the
confirmation page in a short-lived HttpOnly cookie limited to that page's path, which the
page deletes as it shows the link: a reload or the back button never shows it again and
never re-submits the form (POST → 303 → GET).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from directory.api.deps import ReadSessionDep, SessionDep, SessionsDep
from directory.api.limits import SUBMISSIONS, rate_limit
from directory.api.summary import localized_name
from directory.areas.geocoding import GeocoderDep
from directory.areas.taxonomy import all_categories
from directory.businesses.matching import MATCH_THRESHOLD
from directory.businesses.service import get_public_business_by_slug
from directory.errors import DirectoryError, InvalidInput, NotFound
from directory.models import Business
from directory.photos import service as photo_service
from directory.photos.images import MAX_PHOTO_BYTES
from directory.photos.storage import photo_store
from directory.slugs import is_slug
from directory.submissions import owners
from directory.submissions import service as submission_service
from directory.submissions.fields import EDITABLE_FIELDS
from directory.web.business_form import BusinessForm
from directory.web.context import Page, PageDep
from directory.web.field_errors import form_errors
from directory.web.i18n import N_
from directory.web.jsonld import script_json
from directory.web.views import map_payload

router = APIRouter()

RECEIPT_COOKIE: Final = "dekat_receipt"
RECEIPT_PATH: Final = "/daftar/terkirim"
RECEIPT_MAX_AGE_S: Final = 600
MAX_PHOTOS_PER_FORM: Final = 5
# The map of an empty form shows the metro area (Tangerang Selatan and around).
DEFAULT_CENTER: Final = (-6.2886, 106.7179)
FORM_FIELDS: Final = (*EDITABLE_FIELDS, "contact_email")
CLAIM_FIELDS: Final = ("contact_name", "contact_email", "contact_phone", "message")
PRICE_LABELS: Final = (
    (1, N_("cheap")),
    (2, N_("moderate")),
    (3, N_("pricey")),
    (4, N_("expensive")),
)


@dataclass(frozen=True, slots=True)
class CategoryGroup:
    """A top-level category and its children, for the form's grouped select."""

    slug: str
    name: str
    children: list[CategoryGroup]


def category_groups(session: Session, lang: str) -> list[CategoryGroup]:
    """The taxonomy as option groups (every descendant listed under its top-level group)."""
    rows = all_categories(session)
    by_id = {c.id: c for c in rows}

    def name(c: Any) -> str:
        return localized_name(c, lang)

    def top_of(c: Any) -> Any:
        while c.parent_id is not None and c.parent_id in by_id:
            c = by_id[c.parent_id]
        return c

    groups: dict[int, CategoryGroup] = {}
    for c in rows:
        if c.parent_id is None:
            groups[c.id] = CategoryGroup(c.slug, name(c), [])
    for c in rows:
        if c.parent_id is not None:
            groups[top_of(c).id].children.append(CategoryGroup(c.slug, name(c), []))
    return list(groups.values())


def pin_map_json(values: dict[str, str]) -> str:
    """The pin map's data: centred on the entered point, else on the metro area.

    The pin itself is placed by ``submit.js`` from the lat/lon inputs."""
    try:
        center, zoom = (float(values.get("lat", "")), float(values.get("lon", ""))), 16
    except ValueError:
        center, zoom = DEFAULT_CENTER, 11
    return script_json(map_payload([], center=center, zoom=zoom))


def form_context(
    page: Page,
    session: Session,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    duplicates: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """What the submission template needs, for a fresh form or one sent back."""
    return {
        "values": values,
        "errors": errors,
        "duplicates": duplicates or [],
        "category_groups": category_groups(session, page.lang),
        "price_options": [(p, page.gettext(label)) for p, label in PRICE_LABELS],
        "pin_map_json": pin_map_json(values),
        "max_photos": MAX_PHOTOS_PER_FORM,
    }


@router.get("/daftar", response_class=HTMLResponse, name="submit_page")
def submit_page(page: PageDep, session: ReadSessionDep, klaim: str | None = None) -> HTMLResponse:
    """The empty submission form, or the claim form for ``?klaim=<slug>``."""
    if klaim:
        business = _claimable(session, klaim)
        return page.render("claim.html", **claim_context(business, values={}, errors={}))
    return page.render("submit.html", **form_context(page, session, values={}, errors={}))


def _read_photos(files: list[UploadFile]) -> list[bytes]:
    """The uploaded files' bytes (empty file inputs skipped), at most a form's worth."""
    out: list[bytes] = []
    for upload in files[:MAX_PHOTOS_PER_FORM]:
        if not upload.filename:
            continue
        data = upload.file.read(MAX_PHOTO_BYTES + 1)
        if data:
            out.append(data)
    return out


def _strong_duplicates(
    session: Session, fields: dict[str, str], email: str | None, geocoder: Any
) -> list[dict[str, Any]]:
    """Listings that are very likely this business (the "is this yours?" warning)."""
    data, _, _ = submission_service.validate_submission(
        session, fields, contact_email=email, geocoder=geocoder
    )
    found = submission_service.find_duplicates(session, data)
    session.rollback()
    return [
        {
            "name": m.business.name,
            "slug": m.business.slug,
            "address": m.business.address,
            "area": m.business.area.name if m.business.area else "",
            "same_phone": m.result.evidence.same_phone,
            "distance_m": m.result.evidence.distance_m,
        }
        for m in found
        if m.result.score >= MATCH_THRESHOLD
    ]


def _duplicate_warning(
    page: Page, session: Session, values: dict[str, str], email: str | None, geocoder: Any
) -> Response | None:
    """The form again with "is this yours?" when a listing very likely is this business."""
    fields = {k: v for k, v in values.items() if k != "contact_email"}
    duplicates = _strong_duplicates(session, fields, email, geocoder)
    if not duplicates:
        return None
    context = form_context(page, session, values=values, errors={}, duplicates=duplicates)
    return page.render("submit.html", **context)


@router.post(
    "/daftar",
    response_class=HTMLResponse,
    dependencies=[Depends(rate_limit(SUBMISSIONS))],
)
def submit_form(
    page: PageDep,
    session: SessionDep,
    sessions: SessionsDep,
    geocoder: GeocoderDep,
    form: Annotated[BusinessForm, Form()],
    csrf_token: Annotated[str, Form()] = "",
    contact_email: Annotated[str, Form()] = "",
    confirm_new: Annotated[str, Form()] = "",
    website_url_confirm: Annotated[str, Form()] = "",
    foto: Annotated[list[UploadFile], File()] = [],  # noqa: B006 - FastAPI copies defaults
) -> Response:
    """Validate, warn about a likely duplicate, then queue the submission."""
    page.require_csrf(csrf_token)
    fields = form.raw_fields()
    values = {**fields, "contact_email": contact_email}
    if website_url_confirm.strip():
        receipt = submission_service.honeypot_receipt(fields)
        return _to_receipt(page, receipt.submission.id, receipt.edit_token, photos=(0, 0))
    email = contact_email.strip() or None
    try:
        if not confirm_new:
            warning = _duplicate_warning(page, session, values, email, geocoder)
            if warning is not None:
                return warning
        receipt = submission_service.submit_business(
            sessions, fields, contact_email=email, geocoder=geocoder
        )
    except InvalidInput as exc:
        session.rollback()
        errors = form_errors(exc.errors, page.gettext, shown=FORM_FIELDS)
        context = form_context(page, session, values=values, errors=errors)
        return page.render("submit.html", status_code=422, **context)
    photos = _store_photos(page, sessions, receipt.submission.id, foto)
    return _to_receipt(page, receipt.submission.id, receipt.edit_token, photos=photos)


def _store_photos(
    page: Page, sessions: sessionmaker[Session], submission_id: str, files: list[UploadFile]
) -> tuple[int, int]:
    """Keep the photos sent with a queued submission; (stored, failed): a bad photo is
    counted for the receipt, never a reason to lose the submission."""
    stored = failed = 0
    for data in _read_photos(files):
        try:
            photo_service.add_submission_photo(
                sessions, store=photo_store(page.settings), submission_id=submission_id, data=data
            )
            stored += 1
        except DirectoryError:
            failed += 1
    return stored, failed


def _to_receipt(page: Page, submission_id: str, token: str, *, photos: tuple[int, int]) -> Response:
    response = page.redirect(RECEIPT_PATH, private=True)
    response.set_cookie(
        RECEIPT_COOKIE,
        f"{submission_id}|{token}|{photos[0]}|{photos[1]}",
        max_age=RECEIPT_MAX_AGE_S,
        path=RECEIPT_PATH,
        httponly=True,
        samesite="strict",
        secure=page.secure_cookies,
    )
    return response


def _parse_receipt(value: str | None) -> tuple[str, str, int, int] | None:
    parts = (value or "").split("|")
    if len(parts) != 4 or not all(parts[:2]) or not (parts[2] + parts[3]).isdigit():
        return None
    return parts[0], parts[1], int(parts[2]), int(parts[3])


@router.get(RECEIPT_PATH, response_class=HTMLResponse, name="receipt_page")
def receipt_page(page: PageDep) -> HTMLResponse:
    """The confirmation: the private edit link, shown this once."""
    receipt = _parse_receipt(page.request.cookies.get(RECEIPT_COOKIE))
    if receipt is None:
        response = page.render("receipt.html", private=True, receipt=None, edit_url="")
    else:
        submission_id, token, stored, failed = receipt
        response = page.render(
            "receipt.html",
            private=True,
            receipt={"id": submission_id, "photos": stored, "photos_failed": failed},
            # The fragment never reaches a server: no request line, log or Referer.
            edit_url=page.absolute(f"/pemilik/{submission_id}#token={token}"),
        )
    response.delete_cookie(RECEIPT_COOKIE, path=RECEIPT_PATH)
    return response


def _claimable(session: Session, slug: str) -> Business:
    if not is_slug(slug):
        raise NotFound(detail="no such business")
    return get_public_business_by_slug(session, slug)


def claim_context(
    business: Business, *, values: dict[str, str], errors: dict[str, str]
) -> dict[str, Any]:
    """What the claim template needs."""
    return {"business": business, "values": values, "errors": errors}


@router.post(
    "/daftar/klaim/{slug}",
    response_class=HTMLResponse,
    dependencies=[Depends(rate_limit(SUBMISSIONS))],
)
def claim_form(
    slug: str,
    page: PageDep,
    session: SessionDep,
    sessions: SessionsDep,
    csrf_token: Annotated[str, Form()] = "",
    contact_name: Annotated[str, Form()] = "",
    contact_email: Annotated[str, Form()] = "",
    contact_phone: Annotated[str, Form()] = "",
    message: Annotated[str, Form()] = "",
    website_url_confirm: Annotated[str, Form()] = "",
) -> Response:
    """Ask to manage an existing listing; an editor checks and grants it."""
    page.require_csrf(csrf_token)
    business = _claimable(session, slug)
    if website_url_confirm.strip():
        fake = submission_service.honeypot_receipt({})
        return _to_receipt(page, fake.submission.id, fake.edit_token, photos=(0, 0))
    values = {
        "contact_name": contact_name, "contact_email": contact_email,
        "contact_phone": contact_phone, "message": message,
    }  # fmt: skip
    try:
        receipt = owners.claim_business(
            sessions,
            business.id,
            contact_name=contact_name,
            contact_email=contact_email,
            contact_phone=contact_phone or None,
            message=message or None,
        )
    except InvalidInput as exc:
        errors = form_errors(exc.errors, page.gettext, shown=CLAIM_FIELDS)
        context = claim_context(business, values=values, errors=errors)
        return page.render("claim.html", status_code=422, **context)
    return _to_receipt(page, receipt.submission.id, receipt.edit_token, photos=(0, 0))
