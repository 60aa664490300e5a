"""Through the API: nobody can buy the top spot, praise needs evidence, and
``rating_adjusted`` sits beside the raw average.

Interactions from API clients go through ``post_interactions`` with a key; the site's own
page events and the operator's import are stored as rows with their ``source`` (what
``POST /events`` and ``dekat import interactions`` write).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from directory.models import Business, Interaction
from directory.recommendations import model_store
from directory.recommendations.model_store import refresh_model
from tests.factories import BSD, key_headers, make_api_key, make_business

LAT, LON = BSD


@pytest.fixture(autouse=True)
def _fresh_model_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app looks for a newer model on every request (not every 5 s) in these tests."""
    monkeypatch.setattr(model_store, "CHECK_EVERY_S", 0.0)


def post_interactions(
    client: TestClient, items: list[dict[str, Any]], headers: dict[str, str]
) -> None:
    """POST interactions with an API key in batches of at most 10,000 (the endpoint's limit)."""
    for start in range(0, len(items), 10_000):
        r = client.post(
            "/api/v1/interactions", json={"items": items[start : start + 10_000]}, headers=headers
        )
        assert r.status_code == 201, r.text


def store(session: Session, items: list[dict[str, Any]], *, source: str, kind: str) -> None:
    """Rows as the site's pages (``page``) or the operator's import (``import``) store them."""
    for item in items:
        session.add(
            Interaction(
                user_id=item["user_id"],
                business_id=item["business_id"],
                kind=kind,
                at=datetime.fromisoformat(item["at"]),
                source=source,
            )
        )
    session.commit()


def _visits(business: Business, users: list[str], *, days_ago: int = 3) -> list[dict[str, Any]]:
    """Everyone's visits fall in one 20-minute stretch of one hour (hh:10–hh:30, at least
    ``days_ago`` days back), so the time-of-day signals see rival places alike and only the
    counts differ, whatever the minute the suite runs at."""
    now = datetime.now(UTC)
    anchor = now.replace(minute=30, second=0, microsecond=0)
    if anchor > now:  # at least ``days_ago`` whole days back (outside "trending" for 1)
        anchor -= timedelta(hours=1)
    return [
        {
            "user_id": user,
            "business_id": business.id,
            "kind": "visit",
            "at": (anchor - timedelta(days=days_ago, minutes=i % 20)).isoformat(),
        }
        for i, user in enumerate(users)
    ]


def _backdate(session: Session, *businesses: Business) -> None:
    then = datetime.now(UTC) - timedelta(days=400)
    for b in businesses:
        b.created_at = then
        b.published_at = then
    session.commit()


def _order(client: TestClient, *ids: int) -> list[int]:
    r = client.get(
        "/api/v1/recommendations",
        params={"lat": LAT, "lon": LON, "category": "kafe-kopi", "limit": 50},
    )
    assert r.status_code == 200, r.text
    return [i["business"]["id"] for i in r.json()["items"] if i["business"]["id"] in ids]


def test_a_thousand_fake_visits_move_nothing_fifty_visitors_do(
    client: TestClient, session: Session, writer_headers: dict[str, str]
) -> None:
    a = make_business(session, name="Kopi A", lat=LAT + 0.002, lon=LON, category="kafe-kopi")
    b = make_business(session, name="Kopi B", lat=LAT - 0.002, lon=LON, category="kafe-kopi")
    _backdate(session, a, b)
    store(session, _visits(a, [f"a{i}" for i in range(30)]), source="import", kind="visit")
    store(session, _visits(b, [f"b{i}" for i in range(15)]), source="import", kind="visit")
    refresh_model(session, timezone="Asia/Jakarta")
    assert _order(client, a.id, b.id) == [a.id, b.id]

    now = datetime.now(UTC)
    fake = [
        {
            "user_id": "buyer",
            "business_id": b.id,
            "kind": "visit",
            "at": (now - timedelta(days=i // 3, hours=i % 3)).isoformat(),
        }
        for i in range(1_000)
    ]
    post_interactions(client, fake, writer_headers)
    refresh_model(session, timezone="Asia/Jakarta")
    assert _order(client, a.id, b.id) == [a.id, b.id]
    r = client.get("/api/v1/recommendations", params={"lat": LAT, "lon": LON, "limit": 50})
    item = next(i for i in r.json()["items"] if i["business"]["id"] == b.id)
    assert "popular" not in item["reason_codes"]  # 16 distinct visitors: not yet "populer"

    store(session, _visits(b, [f"c{i}" for i in range(50)], days_ago=3), source="page", kind="call")
    refresh_model(session, timezone="Asia/Jakarta")
    assert _order(client, a.id, b.id) == [b.id, a.id]
    r = client.get("/api/v1/recommendations", params={"lat": LAT, "lon": LON, "limit": 50})
    item = next(i for i in r.json()["items"] if i["business"]["id"] == b.id)
    assert "popular" in item["reason_codes"]  # 66 distinct visitors


def test_one_key_inventing_a_thousand_visitors_buys_nothing_fifty_page_readers_do(
    client: TestClient, session: Session, writer_headers: dict[str, str]
) -> None:
    a = make_business(session, name="Kopi A", lat=LAT + 0.002, lon=LON, category="kafe-kopi")
    b = make_business(session, name="Kopi B", lat=LAT - 0.002, lon=LON, category="kafe-kopi")
    _backdate(session, a, b)
    store(session, _visits(a, [f"a{i}" for i in range(40)]), source="import", kind="visit")
    store(session, _visits(b, [f"b{i}" for i in range(8)]), source="import", kind="visit")
    invented = _visits(b, [f"made-up-{i}" for i in range(1_000)], days_ago=1)
    post_interactions(client, invented, writer_headers)
    refresh_model(session, timezone="Asia/Jakarta")
    assert _order(client, a.id, b.id) == [a.id, b.id]
    r = client.get("/api/v1/recommendations", params={"lat": LAT, "lon": LON, "limit": 50})
    item = next(i for i in r.json()["items"] if i["business"]["id"] == b.id)
    assert "popular" not in item["reason_codes"]  # 8 visitors + at most 10 from the key

    # A second key counts on its own, up to its own cap: 8 + 10 + 10 is still below 40.
    second = key_headers(make_api_key(session, name="second-writer"))
    post_interactions(client, _visits(b, [f"other-{i}" for i in range(200)]), second)
    refresh_model(session, timezone="Asia/Jakarta")
    assert _order(client, a.id, b.id) == [a.id, b.id]

    readers = _visits(b, [f"web:{i:016x}" for i in range(50)], days_ago=3)
    store(session, readers, source="page", kind="call")
    refresh_model(session, timezone="Asia/Jakarta")
    assert _order(client, a.id, b.id) == [b.id, a.id]
    r = client.get("/api/v1/recommendations", params={"lat": LAT, "lon": LON, "limit": 50})
    item = next(i for i in r.json()["items"] if i["business"]["id"] == b.id)
    assert "popular" in item["reason_codes"]


def test_fake_visits_do_nothing_before_the_first_refresh_either(
    client: TestClient, session: Session, writer_headers: dict[str, str]
) -> None:
    a = make_business(
        session,
        name="Kopi A",
        lat=LAT + 0.002,
        lon=LON,
        category="kafe-kopi",
        rating="4.4",
        rating_count="30",
    )
    b = make_business(
        session,
        name="Kopi B",
        lat=LAT - 0.002,
        lon=LON,
        category="kafe-kopi",
        rating="4.4",
        rating_count="10",
    )
    _backdate(session, a, b)
    before = _order(client, a.id, b.id)
    post_interactions(
        client, [{**v, "user_id": "buyer"} for v in _visits(b, ["x"] * 1_000)], writer_headers
    )
    assert _order(client, a.id, b.id) == before == [a.id, b.id]


def test_one_review_is_not_praise_and_rating_adjusted_is_shown(
    client: TestClient, session: Session
) -> None:
    b = make_business(
        session,
        name="Kopi Kita",
        lat=LAT + 0.001,
        lon=LON,
        rating="4.2",
        rating_count="1",
        opening_hours="24/7",
    )
    r = client.get("/api/v1/recommendations", params={"lat": LAT, "lon": LON})
    item = next(i for i in r.json()["items"] if i["business"]["id"] == b.id)
    assert "popular" not in item["reason_codes"]
    assert "rating" not in item["reason_codes"]
    assert not any("ulasan" in text or "populer" in text for text in item["reasons"])
    business = item["business"]
    assert business["rating"] == 4.2
    assert business["rating_count"] == 1
    assert business["rating_adjusted"] == 3.62  # (4.2 × 1 + 3.5 × 5) / 6
    detail = client.get(f"/api/v1/businesses/{b.id}").json()
    assert detail["rating"] == 4.2
    assert detail["rating_adjusted"] == 3.62
    listed = client.get("/api/v1/businesses", params={"lat": LAT, "lon": LON}).json()
    hit = next(i for i in listed["items"] if i["id"] == b.id)
    assert hit["rating_adjusted"] == 3.62


def test_enough_reviews_earn_the_rating_reason(client: TestClient, session: Session) -> None:
    b = make_business(
        session,
        name="Kopi Ramai",
        lat=LAT + 0.001,
        lon=LON,
        rating="4.6",
        rating_count="40",
        opening_hours="24/7",
    )
    r = client.get("/api/v1/recommendations", params={"lat": LAT, "lon": LON})
    item = next(i for i in r.json()["items"] if i["business"]["id"] == b.id)
    assert "4,6★ dari 40 ulasan" in item["reasons"]
    assert "populer" in item["reasons"]
    assert item["business"]["rating_adjusted"] == 4.48
