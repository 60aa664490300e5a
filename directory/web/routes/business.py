"""The business page (``/b/{slug}``): profile, map, hours, photos, reviews and JSON-LD;
and the review form's POST (``/b/{slug}/ulasan``)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from directory.api.deps import ReadSessionDep, SessionDep, SessionsDep
from directory.api.limits import REVIEWS, client_key, rate_limit
from directory.api.schemas import BusinessRead
from directory.businesses.service import READER_VISIBLE, get_public_business_by_slug
from directory.businesses.views import business_detail
from directory.errors import InvalidInput, NotFound
from directory.hours import local_now
from directory.insights.appearances import RECOMMENDATION, count_shown
from directory.models import Business, BusinessStatus
from directory.photos import service as photo_service
from directory.photos.images import THUMB_SIDE_PX
from directory.products.jsonld import make_offers
from directory.products.views import public_products
from directory.readers.visitor import remember_visitor
from directory.reviews import service as review_service
from directory.reviews.abuse import screen_review
from directory.slugs import is_slug
from directory.web.context import Page, PageDep
from directory.web.field_errors import form_errors
from directory.web.formatting import phone_whatsapp
from directory.web.jsonld import local_business, script_json
from directory.web.reader_events import record_page_view
from directory.web.recommend import recommend_for_place
from directory.web.views import MapMarker, PhotoView, ReviewView, WeekRow, map_payload

router = APIRouter()
REVIEWS_PER_PAGE = 20
NEARBY_LIMIT = 4
REVIEWER_COOKIE_MAX_AGE_S = 2 * 365 * 24 * 3600
REVIEW_FIELDS = ("rating", "text")


def website_label(url: str) -> str:
    """The host and path of a website, without the scheme, for display."""
    parts = urlsplit(url)
    label = parts.netloc.removeprefix("www.") + (parts.path if parts.path != "/" else "")
    return label or url


def week_rows(detail: BusinessRead, *, today: int) -> list[WeekRow]:
    """The hours table with today's row marked (Monday is 0)."""
    return [
        WeekRow(day=row.day, hours=row.hours, today=i == today)
        for i, row in enumerate(detail.opening_hours_week)
    ]


def _thumb_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, THUMB_SIDE_PX / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def photo_views(session: Session, business_id: int) -> list[PhotoView]:
    """The live photos of a business as the page shows them (cover first)."""
    views = []
    for photo in photo_service.list_business_photos(session, business_id):
        width, height = _thumb_size(photo.width, photo.height)
        views.append(
            PhotoView(
                url=f"/api/v1/photos/{photo.id}",
                thumb_url=f"/api/v1/photos/{photo.id}/thumbnail",
                thumb_width=width,
                thumb_height=height,
            )
        )
    return views


def review_views(
    session: Session, business_id: int, *, cursor: str | None
) -> tuple[list[ReviewView], str | None]:
    """A page of live reviews, newest first, and the cursor of older ones."""
    try:
        _, rows, older = review_service.list_reviews(
            session, business_id, limit=REVIEWS_PER_PAGE, cursor=cursor
        )
    except InvalidInput:  # a stale or edited ?ulasan= link: start from the newest
        _, rows, older = review_service.list_reviews(session, business_id, limit=REVIEWS_PER_PAGE)
    return [ReviewView(rating=r.rating, text=r.text, created_at=r.created_at) for r in rows], older


def _review_cursor(page: Page) -> str | None:
    cursor = page.request.query_params.get("ulasan") or None
    if (
        cursor is None
        or cursor in ("terkirim", "ditahan")
        or len(cursor) > 200
        or not cursor.isascii()
    ):
        return None
    return cursor


def business_context(page: Page, session: Session, business: Business) -> dict[str, Any]:
    """Everything the business template shows, computed once from the stored row."""
    at = local_now(page.settings.timezone)
    detail = business_detail(business, at=at, lang=page.lang)
    canonical = page.absolute(f"/b/{business.slug}")
    photos = photo_views(session, business.id)
    reviews, older = review_views(session, business.id, cursor=_review_cursor(page))
    products = public_products(session, business)
    jsonld = local_business(
        detail,
        url=canonical,
        opening_hours_json=business.opening_hours_json,
        telephone=detail.phone,
        image_urls=[page.absolute(p.url) for p in photos] or None,
    )
    if products:
        jsonld["makesOffer"] = make_offers(products, absolute=page.absolute)
    marker = MapMarker(lat=detail.lat, lon=detail.lon, name=detail.name, url="")
    nearby = recommend_for_place(
        session,
        settings=page.settings,
        lat=detail.lat,
        lon=detail.lon,
        lang=page.lang,
        at=at,
        origin="place",  # around this business, not the reader: "650 m dari sini"
        exclude={business.id},
        limit=NEARBY_LIMIT,
        anchor_id=business.id,
    )
    count_shown(page.request, RECOMMENDATION, (r.summary.id for r in nearby))
    return {
        "b": detail,
        "canonical_url": canonical,
        "week": week_rows(detail, today=at.weekday()),
        "whatsapp": phone_whatsapp(detail.phone),
        "website_label": website_label(detail.website) if detail.website else "",
        "jsonld": script_json(jsonld),
        "map_json": script_json(map_payload([marker], center=(detail.lat, detail.lon), zoom=16)),
        "photos": photos,
        "products": products,
        "reviews": reviews,
        "older_reviews_url": f"/b/{business.slug}?ulasan={older}#ulasan" if older else "",
        "review_enabled": business.status in READER_VISIBLE,
        # Buyers ask open businesses only (a closed one has nobody to answer).
        "inquiry_enabled": business.status == BusinessStatus.PUBLISHED,
        "review_errors": {},
        "review_values": {},
        "nearby": nearby,
        "notice": "",
        "tracking": False,
    }


def _business(session: Session, slug: str) -> Business:
    if not is_slug(slug):
        raise NotFound(detail="no such business")
    return get_public_business_by_slug(session, slug)


@router.get("/b/{slug}", response_class=HTMLResponse, name="business_page")
def business_page(slug: str, page: PageDep, session: ReadSessionDep) -> HTMLResponse:
    """A published business profile."""
    business = _business(session, slug)
    context = business_context(page, session, business)
    if page.request.query_params.get("ulasan") == "terkirim":
        context["notice"] = page.gettext("Thank you! Your review is published.")
    elif page.request.query_params.get("ulasan") == "ditahan":
        context["notice"] = page.gettext(
            "Thank you! An editor checks your review before it is shown."
        )
    visitor = record_page_view(page.request, business.id)  # nothing when DNT/GPC/opted out
    context["tracking"] = visitor.recorded
    response = page.render("business.html", **context)
    remember_visitor(response, page.request, visitor)
    return response


@router.post(
    "/b/{slug}/ulasan",
    response_class=HTMLResponse,
    dependencies=[Depends(rate_limit(REVIEWS))],
)
def post_review(
    slug: str,
    page: PageDep,
    session: SessionDep,
    sessions: SessionsDep,
    csrf_token: Annotated[str, Form()] = "",
    rating: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    website_url_confirm: Annotated[str, Form()] = "",
) -> Response:
    """Post (or replace) this browser's review; errors show next to the fields."""
    page.require_csrf(csrf_token)
    business = _business(session, slug)
    key = page.request.cookies.get(review_service.REVIEWER_COOKIE) or secrets.token_urlsafe(24)
    done = page.redirect(f"/b/{business.slug}?ulasan=terkirim#ulasan")
    if website_url_confirm.strip():  # honeypot: look the same, store nothing
        return done
    try:
        stars = int(rating) if rating.strip().isdigit() else 0
        review_service.check_reviewer_key(key)
        hold = screen_review(
            sessions, page.settings, client_key=client_key(page.request),
            business_id=business.id, reviewer=review_service.reviewer_hash(key),
        )  # fmt: skip
        review_service.post_review(
            sessions, business.id, reviewer_key=key, rating=stars, text=text, hold=hold
        )
        if hold:
            done = page.redirect(f"/b/{business.slug}?ulasan=ditahan#ulasan")
    except InvalidInput as exc:
        session.expire_all()
        context = business_context(page, session, business)
        context["review_errors"] = form_errors(exc.errors, page.gettext, shown=REVIEW_FIELDS)
        context["review_values"] = {"rating": rating, "text": text}
        return page.render("business.html", status_code=422, **context)
    done.set_cookie(
        review_service.REVIEWER_COOKIE,
        key,
        max_age=REVIEWER_COOKIE_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=page.secure_cookies,
    )
    return done
