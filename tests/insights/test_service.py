"""Owner insights: appearances counted in memory and flushed, page events counted per day,
``GET /api/v1/owner/businesses/{id}/insights`` for the owner only, counts only."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from directory.app import create_app
from directory.insights import appearances
from directory.insights.appearances import RECOMMENDATION, SEARCH, AppearanceCounter
from directory.models import BusinessDailyCount, Interaction, utcnow
from directory.readers.visitor import PAGE_SOURCE
from directory.settings import Settings
from tests.factories import make_business
from tests.moderation_helpers import VALID, approve, bearer, make_admin, submit

NEAR = {"lat": VALID["lat"], "lon": VALID["lon"]}


def _owner(client: TestClient, sessions: sessionmaker[Session], name: str) -> tuple[str, int]:
    """(owner token, business id) of an approved submission called ``name``."""
    admin = make_admin(sessions, name=f"editor-{name.split()[0].lower()}")
    sub = submit(client, name=name)
    return sub["edit_token"], approve(client, admin, sub["id"])["business_id"]


def _insights(client: TestClient, business_id: int, token: str, **params: Any) -> Any:
    return client.get(
        f"/api/v1/owner/businesses/{business_id}/insights",
        params=params,
        headers=bearer(token),
    )


def _stored(sessions: sessionmaker[Session]) -> dict[tuple[int, str], int]:
    with sessions() as session:
        rows = session.execute(
            select(BusinessDailyCount.business_id, BusinessDailyCount.metric,
                   BusinessDailyCount.count)
        ).tuples()  # fmt: skip
        return {(b, m): n for b, m, n in rows}


def _event(business_id: int, action: str, *, days_ago: int, user: str, source: str) -> Interaction:
    at = utcnow() - timedelta(days=days_ago)
    kind = {"view": "view", "phone": "call", "whatsapp": "call"}.get(action, "click")
    return Interaction(user_id=user, business_id=business_id, kind=kind, at=at, created_at=at,
                       source=source, action=action)  # fmt: skip


def test_search_and_recommendation_appearances_are_counted_per_business(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    token, mine = _owner(client, sessions, "Kopi Senja Serpong")
    _, rival = _owner(client, sessions, "Warung Sebelah Serpong")
    for _ in range(2):
        found = client.get("/api/v1/businesses", params={**NEAR, "sort": "distance"})
        assert {h["id"] for h in found.json()["items"]} == {mine, rival}
    only_rival = client.get("/api/v1/businesses", params={"q": "Warung Sebelah"})
    assert [h["id"] for h in only_rival.json()["items"]] == [rival]
    recommended = client.get("/api/v1/recommendations", params=NEAR)
    assert mine in {i["business"]["id"] for i in recommended.json()["items"]}
    # Robots and prefetches are not readers: not counted.
    client.get("/api/v1/businesses", params=NEAR, headers={"User-Agent": "Googlebot/2.1"})
    client.get("/api/v1/recommendations", params=NEAR, headers={"Sec-Purpose": "prefetch"})

    assert _stored(sessions) == {}  # nothing written on the request path
    response = _insights(client, mine, token, days=7)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["totals"]["search_appearances"] == 2
    assert body["totals"]["recommendation_appearances"] == 1
    assert body["series"][-1]["search_appearances"] == 2  # today
    stored = _stored(sessions)
    assert stored[(mine, SEARCH)] == 2
    assert stored[(rival, SEARCH)] == 3  # the other business is counted apart
    assert stored[(rival, RECOMMENDATION)] == 1


def test_views_and_clicks_are_page_events_by_day_and_kind(
    client: TestClient, sessions: sessionmaker[Session], session: Session
) -> None:
    token, mine = _owner(client, sessions, "Kopi Senja Serpong")
    other = make_business(session, name="Kopi Lain")
    reader = "web:" + "a" * 32
    session.add_all([
        _event(mine, "view", days_ago=0, user=reader, source=PAGE_SOURCE),
        _event(mine, "view", days_ago=0, user="web:" + "b" * 32, source=PAGE_SOURCE),
        _event(mine, "phone", days_ago=0, user=reader, source=PAGE_SOURCE),
        _event(mine, "whatsapp", days_ago=3, user=reader, source=PAGE_SOURCE),
        _event(mine, "directions", days_ago=3, user=reader, source=PAGE_SOURCE),
        _event(mine, "website", days_ago=6, user=reader, source=PAGE_SOURCE),
        _event(mine, "view", days_ago=12, user=reader, source=PAGE_SOURCE),  # 30 days only
        _event(mine, "view", days_ago=60, user=reader, source=PAGE_SOURCE),  # 90 days only
        _event(mine, "view", days_ago=0, user="partner-7", source="key:1"),  # not a page event
        _event(other.id, "view", days_ago=0, user=reader, source=PAGE_SOURCE),  # other business
    ])  # fmt: skip
    session.commit()

    week = _insights(client, mine, token, days=7)
    assert week.status_code == 200
    assert week.headers["cache-control"] == "no-store"
    body = week.json()
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    assert body["business_id"] == mine
    assert body["days"] == 7
    assert body["until"] == today.isoformat()
    assert body["since"] == (today - timedelta(days=6)).isoformat()
    assert [d["date"] for d in body["series"]] == [
        (today - timedelta(days=6 - i)).isoformat() for i in range(7)
    ]
    assert body["totals"] == {
        "views": 2,
        "search_appearances": 0,
        "recommendation_appearances": 0,
        "clicks": {"phone": 1, "whatsapp": 1, "directions": 1, "website": 1},
    }
    by_day = {d["date"]: d for d in body["series"]}
    assert by_day[today.isoformat()]["views"] == 2
    assert by_day[today.isoformat()]["clicks"]["phone"] == 1
    three_ago = by_day[(today - timedelta(days=3)).isoformat()]
    assert three_ago["clicks"] == {"phone": 0, "whatsapp": 1, "directions": 1, "website": 0}
    # Counts only: no reader's id, no time of day.
    for secret in (reader, "web:" + "b" * 32, "partner-7", "user"):
        assert secret not in week.text
    assert _insights(client, mine, token, days=30).json()["totals"]["views"] == 3
    ninety = _insights(client, mine, token, days=90).json()
    assert ninety["totals"]["views"] == 4
    assert len(ninety["series"]) == 90


def test_only_the_owner_reads_insights_and_days_is_checked(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    token, mine = _owner(client, sessions, "Kopi Senja Serpong")
    other_token, _ = _owner(client, sessions, "Warung Sebelah Serpong")
    url = f"/api/v1/owner/businesses/{mine}/insights"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer(other_token)).status_code == 403
    assert client.get(url, headers=bearer("dk_edit_wrong")).status_code == 403
    assert _insights(client, 987654, token).status_code == 403
    default = _insights(client, mine, token)
    assert default.status_code == 200
    assert default.json()["days"] == 30
    for bad in ("14", "0", "abc", "-7", "7.5"):
        response = _insights(client, mine, token, days=bad)
        assert response.status_code == 422, bad
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in response.json()["errors"]] == ["days"]


def test_pending_counts_are_flushed_at_shutdown(settings: Settings) -> None:
    app = create_app(settings)
    app.state.appearance_flush_interval_s = 3600.0  # only the shutdown may write here
    try:
        with TestClient(app) as client:
            sessions = app.state.sessions
            _, mine = _owner(client, sessions, "Kopi Senja Serpong")
            for _ in range(3):
                client.get("/api/v1/businesses", params=NEAR)
                client.get("/api/v1/recommendations", params=NEAR)
            assert app.state.appearances.pending() == 2
            assert _stored(sessions) == {}
        assert app.state.appearances.pending() == 0
        assert _stored(sessions) == {(mine, SEARCH): 3, (mine, RECOMMENDATION): 3}
    finally:
        app.state.engine.dispose()


def test_a_failed_flush_keeps_the_counts_and_later_flushes_add_up(
    sessions: sessionmaker[Session], session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = make_business(session)
    counter = AppearanceCounter(sessions, timezone="Asia/Jakarta")
    counter.add(SEARCH, [place.id, place.id])
    real = appearances._upsert

    def down(*_: object) -> int:
        raise OperationalError("INSERT", {}, Exception("database is away"))

    monkeypatch.setattr(appearances, "_upsert", down)
    assert counter.flush() == 0
    assert counter.pending() == 1
    monkeypatch.setattr(appearances, "_upsert", real)
    counter.add(SEARCH, [place.id])
    assert counter.flush() == 1
    counter.add(SEARCH, [place.id])
    assert counter.flush() == 1
    assert _stored(sessions) == {(place.id, SEARCH): 4}
    assert counter.flush() == 0  # nothing left


def test_days_are_local_dates_and_deleted_businesses_are_skipped(
    sessions: sessionmaker[Session], session: Session
) -> None:
    place = make_business(session)
    gone = make_business(session)
    late_evening_utc = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # 06:30 on the 5th in Jakarta
    counter = AppearanceCounter(
        sessions, timezone="Asia/Jakarta", clock=lambda zone: late_evening_utc.astimezone(zone)
    )
    counter.add(RECOMMENDATION, [place.id, gone.id])
    session.delete(gone)
    session.commit()
    assert counter.flush() == 1
    with sessions() as s:
        [row] = s.scalars(select(BusinessDailyCount))
        assert (row.business_id, row.day, row.metric, row.count) == (
            place.id, date(2026, 12, 5), RECOMMENDATION, 1,
        )  # fmt: skip


def test_a_full_buffer_flushes_itself_off_the_request_path(
    sessions: sessionmaker[Session], session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    places = [make_business(session) for _ in range(3)]
    counter = AppearanceCounter(sessions, timezone="Asia/Jakarta", max_keys=3)
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def record(thread: threading.Thread) -> None:
        started.append(thread)
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", record)
    counter.add(SEARCH, [p.id for p in places[:2]])
    assert started == []
    counter.add(SEARCH, [places[2].id])
    assert len(started) == 1
    started[0].join()
    assert counter.pending() == 0
    assert sum(_stored(sessions).values()) == 3


def test_after_a_failed_flush_a_full_buffer_waits_for_the_next_interval(
    sessions: sessionmaker[Session], session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = make_business(session)
    counter = AppearanceCounter(sessions, timezone="Asia/Jakarta", max_keys=1)
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def record(thread: threading.Thread) -> None:
        started.append(thread)
        real_start(thread)

    def down(*_: object) -> int:
        raise OperationalError("INSERT", {}, Exception("database is away"))

    monkeypatch.setattr(threading.Thread, "start", record)
    monkeypatch.setattr(appearances, "_upsert", down)
    counter.add(SEARCH, [place.id])  # full: one flush in the background, which fails
    assert len(started) == 1
    started[0].join()
    for _ in range(5):  # a busy site while the database is away: no thread per request
        counter.add(SEARCH, [place.id])
    assert len(started) == 1
    assert counter.pending() == 1


def test_unknown_metric_is_refused(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(ValueError, match="metric"):
        AppearanceCounter(sessions, timezone="Asia/Jakarta").add("clicks", [1])


def test_the_periodic_flush_writes_while_serving(settings: Settings) -> None:
    app = create_app(settings)
    app.state.appearance_flush_interval_s = 0.05
    try:
        with TestClient(app) as client:
            _, mine = _owner(client, app.state.sessions, "Kopi Senja Serpong")
            client.get("/api/v1/businesses", params=NEAR)
            for _ in range(200):  # up to 10 s on a busy machine; no timing is asserted
                if _stored(app.state.sessions):
                    break
                time.sleep(0.05)
            assert _stored(app.state.sessions) == {(mine, SEARCH): 1}
            assert app.state.appearances.pending() == 0
    finally:
        app.state.engine.dispose()
