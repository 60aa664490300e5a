"""Turning stored businesses into the shapes readers see (summary, full profile)."""

from __future__ import annotations

from datetime import datetime

from directory.api.schemas import BusinessRead, BusinessSummary, WeekdayHours
from directory.api.summary import summary_fields
from directory.hours import describe_week, from_json, is_open_at
from directory.models import Business


def open_at(business: Business, at: datetime) -> bool | None:
    """Whether the business is open at a local time; None when hours are unknown."""
    if not business.opening_hours_json:
        return None
    return is_open_at(from_json(business.opening_hours_json), at.replace(tzinfo=None))


def business_summary(business: Business, *, at: datetime, lang: str = "id") -> BusinessSummary:
    """The list view of a business, with ``open_now`` evaluated at ``at`` (local time)."""
    cat = business.primary_category
    return BusinessSummary(
        **summary_fields(
            business_id=business.id,
            slug=business.slug,
            external_id=business.external_id,
            name=business.name,
            category=cat,
            lat=business.lat,
            lon=business.lon,
            address=business.address,
            area=business.area,
            rating=business.rating,
            rating_count=business.rating_count,
            price_level=business.price_level,
            open_now=open_at(business, at),
            lang=lang,
        ),
        categories=[bc.category.slug for bc in business.categories] or [cat.slug],
        phone=business.phone,
        website=business.website,
        opening_hours=business.opening_hours,
        status=business.status,
    )


def business_detail(business: Business, *, at: datetime, lang: str = "id") -> BusinessRead:
    """The full profile of a business."""
    summary = business_summary(business, at=at, lang=lang)
    week: list[WeekdayHours] = []
    if business.opening_hours_json:
        week = [
            WeekdayHours(day=day, hours=hours)
            for day, hours in describe_week(from_json(business.opening_hours_json), lang=lang)
        ]
    return BusinessRead(
        **summary.model_dump(),
        description=business.description,
        social=business.social or {},
        opening_hours_week=week,
        location_approximate=business.location_approximate,
        source=business.source,
        osm_id=business.osm_id,
        interaction_count=business.interaction_count,
        created_at=business.created_at,
        updated_at=business.updated_at,
    )
