"""An owner's insights: per-day counts of views, appearances and contact clicks.

Views and clicks are the page events of ``readers.events`` (``interaction`` rows with
``source = 'page'``; a repeat within its window is already not stored); appearances are
the daily counts of ``insights.appearances``. Only numbers leave this module: no user id,
no time of day. Days are local dates in the site's time zone, today included.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from directory.insights.appearances import RECOMMENDATION, SEARCH, AppearanceCounter
from directory.insights.schemas import ClickCounts, InsightCounts, InsightDay, OwnerInsights
from directory.models import BusinessDailyCount, Interaction
from directory.readers.visitor import PAGE_SOURCE

PERIODS: Final = (7, 30, 90)
DEFAULT_PERIOD: Final = 30
CLICK_ACTIONS: Final = ("phone", "whatsapp", "directions", "website")
_COUNTED_ACTIONS: Final = ("view", *CLICK_ACTIONS)


def _local_midnight_utc(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _page_events(
    session: Session, business_id: int, *, since: date, until: date, zone: ZoneInfo
) -> dict[date, dict[str, int]]:
    """Per local day, how many page events of each counted action."""
    rows = session.execute(
        select(Interaction.at, Interaction.action).where(
            Interaction.business_id == business_id,
            Interaction.source == PAGE_SOURCE,
            Interaction.action.in_(_COUNTED_ACTIONS),
            Interaction.at >= _local_midnight_utc(since, zone),
            Interaction.at < _local_midnight_utc(until + timedelta(days=1), zone),
        )
    ).tuples()
    out: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for at, action in rows:
        out[at.astimezone(zone).date()][str(action)] += 1
    return out


def _appearances(
    session: Session, business_id: int, *, since: date, until: date
) -> dict[date, dict[str, int]]:
    rows = session.execute(
        select(
            BusinessDailyCount.day, BusinessDailyCount.metric, func.sum(BusinessDailyCount.count)
        )
        .where(
            BusinessDailyCount.business_id == business_id,
            BusinessDailyCount.day >= since,
            BusinessDailyCount.day <= until,
        )
        .group_by(BusinessDailyCount.day, BusinessDailyCount.metric)
    ).tuples()
    out: dict[date, dict[str, int]] = defaultdict(dict)
    for day, metric, count in rows:
        out[day][metric] = int(count or 0)
    return out


def _day(day: date, events: dict[str, int], shown: dict[str, int]) -> InsightDay:
    return InsightDay(
        date=day,
        views=events.get("view", 0),
        search_appearances=shown.get(SEARCH, 0),
        recommendation_appearances=shown.get(RECOMMENDATION, 0),
        clicks=ClickCounts(**{a: events.get(a, 0) for a in CLICK_ACTIONS}),
    )


def _totals(series: list[InsightDay]) -> InsightCounts:
    return InsightCounts(
        views=sum(d.views for d in series),
        search_appearances=sum(d.search_appearances for d in series),
        recommendation_appearances=sum(d.recommendation_appearances for d in series),
        clicks=ClickCounts(**{a: sum(getattr(d.clicks, a) for d in series) for a in CLICK_ACTIONS}),
    )


def business_insights(
    session: Session, business_id: int, *, days: int, today: date, timezone: str
) -> OwnerInsights:
    """The last ``days`` days (``today`` included) of one business, oldest day first."""
    if days not in PERIODS:
        raise ValueError(f"days must be one of {PERIODS}")
    zone = ZoneInfo(timezone)
    since = today - timedelta(days=days - 1)
    events = _page_events(session, business_id, since=since, until=today, zone=zone)
    shown = _appearances(session, business_id, since=since, until=today)
    series = [
        _day(day, events.get(day, {}), shown.get(day, {}))
        for day in (since + timedelta(days=i) for i in range(days))
    ]
    return OwnerInsights(
        business_id=business_id,
        days=days,
        since=since,
        until=today,
        totals=_totals(series),
        series=series,
    )


def read_insights(
    sessions: sessionmaker[Session],
    counter: AppearanceCounter,
    business_id: int,
    *,
    days: int,
    timezone: str,
) -> OwnerInsights:
    """Flush this process's buffered appearances, then read in a fresh session.

    A fresh session (not the caller's, which already read and on SQLite holds an older
    snapshot) sees the counts the flush has just committed.
    """
    counter.flush()
    with sessions() as session:
        return business_insights(
            session, business_id, days=days, today=counter.today(), timezone=timezone
        )
