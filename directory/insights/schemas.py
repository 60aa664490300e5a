"""Shapes of ``GET /api/v1/owner/businesses/{business_id}/insights``: counts only."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class ClickCounts(BaseModel):
    """Taps on the public page's contact links (one per reader, action and 30 minutes)."""

    phone: int = 0
    whatsapp: int = 0
    directions: int = 0
    website: int = 0


class InsightCounts(BaseModel):
    views: int = Field(default=0, description="Page views by readers (not robots).")
    search_appearances: int = Field(
        default=0, description="Times the listing was in a page of search results."
    )
    recommendation_appearances: int = Field(
        default=0, description="Times the listing was in a list of recommendations."
    )
    clicks: ClickCounts = Field(default_factory=ClickCounts)


class InsightDay(InsightCounts):
    date: date


class OwnerInsights(BaseModel):
    business_id: int
    days: int = Field(description="Length of the period: 7, 30 or 90 days, today included.")
    since: date = Field(description="First day of the period (site time zone).")
    until: date = Field(description="Last day of the period: today (site time zone).")
    totals: InsightCounts
    series: list[InsightDay] = Field(description="One entry per day, oldest first.")
