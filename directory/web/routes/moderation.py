"""The editors' moderation queue (``/moderasi``): log in with an admin token, approve,
reject with a reason, merge duplicates, hide reviews.

The admin token (from ``dekat admin create-token NAME``) is kept in an HttpOnly,
SameSite=Strict cookie scoped to ``/moderasi``. Every POST form carries a CSRF token
derived from that admin token (HMAC), so another site can neither read nor forge it. The
decisions call the same services as the admin API (``submissions.moderation``,
``reviews.service``), which audit every change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.accounts import audit
from directory.accounts.admins import admin_actor, authenticate_admin
from directory.accounts.tokens import MAX_TOKEN_LEN
from directory.api.deps import SessionDep, SessionsDep
from directory.areas.category_infer import fallback_category_id
from directory.businesses.service import get_public_business_by_slug
from directory.errors import (
    Conflict,
    DirectoryError,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
)
from directory.inquiries.moderation import editor_inquiries
from directory.models import AdminToken, Business, BusinessStatus, Review
from directory.photos import service as photo_service
from directory.photos.serving import photo_response
from directory.photos.storage import photo_store
from directory.reviews import service as review_service
from directory.slugs import is_slug
from directory.submissions import moderation, views
from directory.web.context import Page, PageDep
from directory.web.i18n import FIELD_LABELS, N_
from directory.web.routes.owner import KIND_LABELS, STATUS_LABELS
from directory.web.security import moderation_csrf_token

router = APIRouter()

ADMIN_COOKIE: Final = "dekat_admin"
ADMIN_PATH: Final = "/moderasi"
ADMIN_COOKIE_MAX_AGE_S: Final = 12 * 3600
QUEUE_PAGE: Final = 10
UNCATEGORISED_SHOWN: Final = 20
REPORTED_INQUIRIES_SHOWN: Final = 50
FIELD_ORDER: Final = ("name", "category", "address", "phone", "website", "opening_hours",
                      "price_level", "description", "lat", "lon")  # fmt: skip
NOTICES: Final = {
    "approved": N_("Approved and published."),
    "rejected": N_("Rejected; the submitter sees your reason."),
    "merged": N_("Merged into the existing listing."),
    "hidden": N_("The review is hidden."),
    "decided": N_("Another editor decided this submission already."),
    "inquiry-hidden": N_("The inquiry is hidden from its owner."),
    "inquiry-restored": N_("The inquiry is back in its owner's list."),
}


def _cookie_token(page: Page) -> str | None:
    token = page.request.cookies.get(ADMIN_COOKIE)
    if not token or len(token) > MAX_TOKEN_LEN or not token.isascii():
        return None
    return token


def current_admin(page: Page, session: Session) -> tuple[AdminToken, str] | None:
    """The logged-in editor and their token, or None."""
    token = _cookie_token(page)
    if token is None:
        return None
    try:
        return authenticate_admin(session, token), token
    except Unauthorized:
        return None


def _require_admin(page: Page, session: Session, csrf_token: str) -> tuple[AdminToken, str]:
    found = current_admin(page, session)
    if found is None:
        raise Unauthorized(detail="log in first")
    page.require_csrf(csrf_token, expected=moderation_csrf_token(found[1]))
    return found


@dataclass(frozen=True, slots=True)
class EditorPost:
    """An editor's form post that passed the shared checks (see :func:`editor_post`)."""

    admin: AdminToken
    token: str

    @property
    def actor(self) -> str:
        """How the decision appears in the audit log."""
        return admin_actor(self.admin)


def editor_post(page: Page, session: Session, csrf_token: str) -> EditorPost:
    """The steps every moderation decision starts with: the logged-in editor (else 401),
    the CSRF check against their token, and the read transaction ended before the
    decision's own session writes."""
    admin, token = _require_admin(page, session, csrf_token)
    session.rollback()
    return EditorPost(admin, token)


def decide(page: Page, back: str, decision: Callable[[], object], ok: str) -> Response:
    """Run a decision and go back to ``back`` with its notice; "decided" when another
    editor was first (the service raises Conflict)."""
    try:
        decision()
    except Conflict:
        return page.redirect(f"{back}?ok=decided", private=True)
    return page.redirect(f"{back}?ok={ok}", private=True)


def _to_login() -> Response:
    return Response(status_code=303, headers={"Location": f"{ADMIN_PATH}/masuk"})


@router.get(f"{ADMIN_PATH}/masuk", response_class=HTMLResponse)
def login_page(page: PageDep) -> HTMLResponse:
    """The login form."""
    return page.render("moderation_login.html", private=True, error="")


@router.post(f"{ADMIN_PATH}/masuk", response_class=HTMLResponse)
def login(
    page: PageDep,
    session: SessionDep,
    csrf_token: Annotated[str, Form()] = "",
    token: Annotated[str, Form()] = "",
) -> Response:
    """Check the admin token and keep it in the moderation cookie."""
    page.require_csrf(csrf_token)
    value = token.strip()
    try:
        if not value or len(value) > MAX_TOKEN_LEN:
            raise Unauthorized(detail="no token")
        authenticate_admin(session, value)
    except Unauthorized:
        error = page.gettext(N_("This token is not a valid admin token."))
        return page.render("moderation_login.html", status_code=401, private=True, error=error)
    response = page.redirect(ADMIN_PATH, private=True)
    response.set_cookie(
        ADMIN_COOKIE,
        value,
        max_age=ADMIN_COOKIE_MAX_AGE_S,
        path=ADMIN_PATH,
        httponly=True,
        samesite="strict",
        secure=page.secure_cookies,
    )
    return response


@router.post(f"{ADMIN_PATH}/keluar", response_class=HTMLResponse)
def logout(page: PageDep, session: SessionDep, csrf_token: Annotated[str, Form()] = "") -> Response:
    """Forget the admin token on this device."""
    _require_admin(page, session, csrf_token)
    response = page.redirect(f"{ADMIN_PATH}/masuk", private=True)
    response.delete_cookie(ADMIN_COOKIE, path=ADMIN_PATH)
    return response


def field_rows(item: Any) -> list[dict[str, Any]]:
    """The submission's fields beside each candidate's, marking the ones that agree."""
    rows = []
    fields = item.fields
    for name in FIELD_ORDER:
        if name not in fields and item.current is None:
            continue
        value = fields.get(name)
        others = [getattr(d.business, name, None) for d in item.duplicates]
        current = getattr(item.current, name, None) if item.current is not None else None
        rows.append(
            {
                "name": name,
                "label": FIELD_LABELS.get(name, name),
                "value": "" if value is None else str(value),
                "current": "" if current is None else str(current),
                "others": ["" if o is None else str(o) for o in others],
            }
        )
    return rows


def queue_context(
    page: Page, session: Session, admin: AdminToken, token: str, *, cursor: str | None
) -> dict[str, Any]:
    """The pending submissions with their duplicate candidates, oldest first."""
    try:
        rows, next_cursor = moderation.list_submissions(
            session, status="pending", limit=QUEUE_PAGE, cursor=cursor
        )
    except InvalidInput:
        rows, next_cursor = moderation.list_submissions(session, status="pending", limit=QUEUE_PAGE)
    photos = moderation.submission_photo_ids(session, [s.id for s in rows])
    items = [views.admin_submission_read(session, s, photos[s.id]) for s in rows]
    notice = NOTICES.get(page.request.query_params.get("ok", ""))
    return {
        "admin_name": admin.name,
        "items": [
            {
                "read": item,
                "rows": field_rows(item),
                "kind_label": KIND_LABELS.get(item.kind, item.kind),
                "status_label": STATUS_LABELS.get(item.status, item.status),
            }
            for item in items
        ],
        "next_url": f"{ADMIN_PATH}?cursor={next_cursor}" if next_cursor else "",
        "notice": page.gettext(notice) if notice else "",
        "errors": {},
        "mod_csrf": moderation_csrf_token(token),
        "recent": audit.list_entries(session, limit=10),
        "uncategorised": uncategorised_listings(session, limit=UNCATEGORISED_SHOWN),
        "reported_inquiries": editor_inquiries(session, limit=REPORTED_INQUIRIES_SHOWN),
    }


def uncategorised_listings(session: Session, *, limit: int) -> dict[str, Any]:
    """Published listings in the fallback "Lainnya / Other" category (imported without a
    category their names could reveal): how many, and the oldest ``limit`` to fix."""
    fallback = fallback_category_id(session)
    if fallback is None:
        return {"count": 0, "items": []}
    where = (Business.primary_category_id == fallback, Business.status == BusinessStatus.PUBLISHED)
    count = session.scalar(select(func.count()).select_from(Business).where(*where)) or 0
    items = session.execute(
        select(Business.slug, Business.name, Business.source)
        .where(*where)
        .order_by(Business.id)
        .limit(limit)
    ).all()
    return {
        "count": int(count),
        "items": [{"slug": slug, "name": name, "source": source} for slug, name, source in items],
    }


@router.get(ADMIN_PATH, response_class=HTMLResponse, name="moderation_page")
def queue_page(page: PageDep, session: SessionDep, cursor: str | None = None) -> Response:
    """The moderation queue (login first)."""
    found = current_admin(page, session)
    if found is None:
        return _to_login()
    admin, token = found
    context = queue_context(page, session, admin, token, cursor=cursor)
    return page.render("moderation.html", private=True, **context)


@router.post(f"{ADMIN_PATH}/{{submission_id}}/setujui", response_class=HTMLResponse)
def approve(
    submission_id: str,
    page: PageDep,
    session: SessionDep,
    sessions: SessionsDep,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Approve: publish a new business, apply an edit or grant a claim."""
    editor = editor_post(page, session, csrf_token)
    return decide(
        page,
        ADMIN_PATH,
        lambda: moderation.approve_submission(sessions, submission_id, actor=editor.actor),
        "approved",
    )


@router.post(f"{ADMIN_PATH}/{{submission_id}}/tolak", response_class=HTMLResponse)
def reject(
    submission_id: str,
    page: PageDep,
    session: SessionDep,
    sessions: SessionsDep,
    csrf_token: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Reject with a reason the submitter reads on their private page."""
    editor = editor_post(page, session, csrf_token)
    store = photo_store(page.settings)
    try:
        return decide(
            page,
            ADMIN_PATH,
            lambda: moderation.reject_submission(
                sessions, submission_id, actor=editor.actor, reason=reason, store=store
            ),
            "rejected",
        )
    except InvalidInput:
        context = queue_context(page, session, editor.admin, editor.token, cursor=None)
        context["errors"] = {
            submission_id: page.gettext(N_("Write the reason the submitter will read."))
        }
        return page.render("moderation.html", status_code=422, private=True, **context)


@router.post(f"{ADMIN_PATH}/{{submission_id}}/gabung", response_class=HTMLResponse)
def merge(
    submission_id: str,
    page: PageDep,
    session: SessionDep,
    sessions: SessionsDep,
    csrf_token: Annotated[str, Form()] = "",
    business_id: Annotated[str, Form()] = "",
    grant_ownership: Annotated[str, Form()] = "",
) -> Response:
    """Close the submission as a duplicate of an existing listing, filling its gaps."""
    editor = editor_post(page, session, csrf_token)
    if not business_id.isdigit():
        raise InvalidInput(detail="choose the listing to keep")
    return decide(
        page,
        ADMIN_PATH,
        lambda: moderation.merge_submission(
            sessions,
            submission_id,
            actor=editor.actor,
            business_id=int(business_id),
            grant_ownership=bool(grant_ownership),
        ),
        "merged",
    )


def _reviewed_business(session: Session, text: str) -> Business | None:
    """The business named by a slug or a pasted page link (``…/b/<slug>``)."""
    slug = text.strip().rstrip("/").rsplit("/b/", 1)[-1].split("?")[0].split("#")[0]
    if not is_slug(slug):
        return None
    try:
        return get_public_business_by_slug(session, slug)
    except NotFound:
        return None


@router.get(f"{ADMIN_PATH}/ulasan", response_class=HTMLResponse)
def reviews_page(page: PageDep, session: SessionDep, bisnis: str = "") -> Response:
    """The reviews of one business, each with a "hide" button."""
    found = current_admin(page, session)
    if found is None:
        return _to_login()
    business = _reviewed_business(session, bisnis) if bisnis else None
    reviews: list[Review] = []
    if business is not None:
        _, reviews, _ = review_service.list_reviews(session, business.id, limit=100)
    notice = NOTICES.get(page.request.query_params.get("ok", ""))
    return page.render(
        "moderation_reviews.html",
        private=True,
        query=bisnis,
        business=business,
        reviews=reviews,
        not_found=bool(bisnis) and business is None,
        notice=page.gettext(notice) if notice else "",
        mod_csrf=moderation_csrf_token(found[1]),
    )


@router.post(f"{ADMIN_PATH}/ulasan/{{review_id}}/sembunyikan", response_class=HTMLResponse)
def hide_review(
    review_id: int,
    page: PageDep,
    session: SessionDep,
    sessions: SessionsDep,
    csrf_token: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    bisnis: Annotated[str, Form()] = "",
) -> Response:
    """Hide an abusive review: it leaves the page and the rating (audited)."""
    editor = editor_post(page, session, csrf_token)
    review_service.hide_review(sessions, review_id, actor=editor.actor, reason=reason)
    back = f"{ADMIN_PATH}/ulasan?bisnis={bisnis}&ok=hidden" if is_slug(bisnis) else ADMIN_PATH
    return page.redirect(back, private=True)


@router.get(f"{ADMIN_PATH}/foto/{{photo_id}}")
def photo(photo_id: int, page: PageDep, session: SessionDep) -> Response:
    """A submitted photo (also pending ones) for the logged-in editor."""
    if current_admin(page, session) is None:
        raise Forbidden(detail="log in first")
    try:
        found = photo_service.get_any_photo(session, photo_id)
    except DirectoryError as exc:
        raise NotFound(detail="no such photo") from exc
    return photo_response(
        photo_store(page.settings),
        found.file_name,
        media_type=found.content_type,
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
        not_found="no such photo",
    )
