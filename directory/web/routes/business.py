"""The business page (``/b/{slug}``): profile, map, hours, photos, reviews and JSON-LD."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from directory.api.deps import ReadSessionDep
from directory.errors import NotFound
from directory.models import Business
from directory.schemas import BusinessRead
from directory.services.business_views import business_detail, local_now
from directory.services.businesses import get_public_business_by_slug
from directory.slugs import is_slug
from directory.web.context import Page, PageDep
from directory.web.formatting import phone_whatsapp
from directory.web.jsonld import local_business, script_json
from directory.web.views import MapMarker, WeekRow, map_payload

router = APIRouter()


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


def business_context(page: Page, business: Business, *, canonical_url: str) -> dict[str, Any]:
    """Everything the business template shows, computed once from the stored row."""
    at = local_now(page.settings.timezone)
    detail = business_detail(business, at=at, lang=page.lang)
    marker = MapMarker(lat=detail.lat, lon=detail.lon, name=detail.name, url="")
    jsonld = local_business(
        detail,
        url=canonical_url,
        opening_hours_json=business.opening_hours_json,
        telephone=detail.phone,
    )
    return {
        "b": detail,
        "canonical_url": canonical_url,
        "week": week_rows(detail, today=at.weekday()),
        "whatsapp": phone_whatsapp(detail.phone),
        "website_label": website_label(detail.website) if detail.website else "",
        "jsonld": script_json(jsonld),
        "map_json": script_json(map_payload([marker], center=(detail.lat, detail.lon), zoom=16)),
        "photos": [],
        "reviews": [],
        "review_enabled": False,
        "review_errors": {},
        "review_values": {},
        "nearby": [],
        "notice": "",
    }


@router.get("/b/{slug}", response_class=HTMLResponse, name="business_page")
def business_page(slug: str, page: PageDep, session: ReadSessionDep) -> HTMLResponse:
    """A published business profile."""
    if not is_slug(slug):
        raise NotFound(detail="no such business")
    business = get_public_business_by_slug(session, slug)
    canonical = str(page.request.url_for("business_page", slug=business.slug))
    return page.render("business.html", **business_context(page, business, canonical_url=canonical))
