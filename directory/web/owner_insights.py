"""The owner page's dashboard section: the last 7/30/90 days as charts and a table.

The period comes from ``?hari=`` (links, no JavaScript); anything else shows the default
period. Numbers come from ``insights.service.read_insights``, the same as the JSON API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import format_date
from sqlalchemy.orm import Session, sessionmaker

from directory.insights.appearances import AppearanceCounter
from directory.insights.schemas import OwnerInsights
from directory.insights.service import CLICK_ACTIONS, DEFAULT_PERIOD, PERIODS, read_insights
from directory.web.context import Page
from directory.web.formatting import format_number
from directory.web.i18n import N_
from directory.web.insights_chart import BarChart, Series, bar_chart

CLICK_LABELS = {
    "phone": N_("Phone"),
    "whatsapp": N_("WhatsApp"),
    "directions": N_("Directions"),
    "website": N_("Website"),
}


@dataclass(frozen=True, slots=True)
class PeriodLink:
    days: int
    label: str
    url: str
    current: bool


def period_days(page: Page) -> int:
    """The period the owner picked (``?hari=7|30|90``), else the default."""
    chosen = {str(p): p for p in PERIODS}.get(page.request.query_params.get("hari", ""))
    return chosen or DEFAULT_PERIOD


def _charts(page: Page, insights: OwnerInsights) -> list[BarChart]:
    days = [d.date for d in insights.series]

    def short(day: date) -> str:
        return str(format_date(day, format="d MMM", locale=page.lang))

    def number(value: int) -> str:
        return format_number(value, page.lang)

    s = insights.series
    return [
        bar_chart(
            "chart-appearances", page.gettext("Shown to readers"), days,
            [
                Series(page.gettext("in search results"), "bar-search",
                       [d.search_appearances for d in s]),
                Series(page.gettext("in recommendations"), "bar-rec",
                       [d.recommendation_appearances for d in s]),
            ],
            format_day=short, format_value=number,
        ),
        bar_chart(
            "chart-views", page.gettext("Page views"), days,
            [Series(page.gettext("page views"), "bar-views", [d.views for d in s])],
            format_day=short, format_value=number,
        ),
        bar_chart(
            "chart-clicks", page.gettext("Contact clicks"), days,
            [
                Series(page.gettext(CLICK_LABELS[a]), f"bar-{a}",
                       [getattr(d.clicks, a) for d in s])
                for a in CLICK_ACTIONS
            ],
            format_day=short, format_value=number,
        ),
    ]  # fmt: skip


def _rows(page: Page, insights: OwnerInsights) -> list[tuple[str, str, int]]:
    """(row id, label, total) of the totals table."""
    t = insights.totals
    rows = [
        ("views", page.gettext("Page views"), t.views),
        ("search", page.gettext("Shown in search results"), t.search_appearances),
        ("recommendation", page.gettext("Shown in recommendations"),
         t.recommendation_appearances),
    ]  # fmt: skip
    rows += [
        (a, page.gettext("Clicks on %(link)s", link=page.gettext(CLICK_LABELS[a])),
         getattr(t.clicks, a))
        for a in CLICK_ACTIONS
    ]  # fmt: skip
    return rows


def insights_context(page: Page, business_id: int) -> dict[str, Any]:
    """What ``_owner_insights.html`` shows for this business and the chosen period."""
    days = period_days(page)
    sessions: sessionmaker[Session] = page.request.app.state.sessions
    counter: AppearanceCounter = page.request.app.state.appearances
    insights = read_insights(
        sessions, counter, business_id, days=days, timezone=page.settings.timezone
    )
    path = page.request.url.path
    return {
        "insights": insights,
        "insight_periods": [
            PeriodLink(
                p, page.gettext("%(days)s days", days=p), f"{path}?hari={p}#insights-h", p == days
            )
            for p in PERIODS
        ],  # fmt: skip
        "insight_rows": _rows(page, insights),
        "insight_charts": _charts(page, insights),
    }
