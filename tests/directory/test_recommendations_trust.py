"""Through the API: nobody can buy the top spot, praise needs evidence, and
``rating_adjusted`` sits beside the raw average.

Every interaction goes through ``post_interactions``: when ``POST /api/v1/interactions``
requires an API key, that one helper is where the key is added.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from directory.models import Business
from directory.recommendations import model_store
from directory.recommendations.model_store import refresh_model
from tests.factories import BSD, key_headers, make_api_key, make_business

LAT, LON = BSD


@pytest.fixture(autouse=True)
def _fresh_model_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app looks for a newer model on every request (not every 5 s) in these tests."""
    monkeypatch.setattr(model_store, "CHECK_EVERY_S", 0.0)


def _writer_headers(client: TestClient) -> dict[str, str]:
    """An API key of scope ``interactions:write`` for this client's app, made once."""
    headers: dict[str, str] | None = getattr(client, "_writer_headers", None)
    if headers is None:
        app: Any = client.app
        with app.state.sessions() as session:
            headers = key_headers(make_api_key(session))
        client._writer_headers = headers  # type: ignore[attr-defined]
    return headers


def post_interactions(client: TestClient, items: list[dict[str, Any]]) -> None:
    """POST interactions in batches of at most 10,000 (the endpoint's limit), as a keyed
    client does."""
    for start in range(0, len(items), 10_000):
        r = client.post(
            "/api/v1/interactions",
            json={"items": items[start : start + 10_000]},
            headers=_writer_headers(client),
        )
        assert r.status_code == 201, r.text


def _visits(business: Business, users: list[str], *, days_ago: int = 3) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {
            "user_id": user,
            "business_id": business.id,
            "kind": "visit",
            "at": (now - timedelta(days=days_ago, minutes=i)).isoformat(),
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
    client: TestClient, session: Session
) -> None:
    a = make_business(session, name="Kopi A", lat=LAT + 0.002, lon=LON, category="kafe-kopi")
    b = make_business(session, name="Kopi B", lat=LAT - 0.002, lon=LON, category="kafe-kopi")
    _backdate(session, a, b)
    post_interactions(client, _visits(a, [f"a{i}" for i in range(30)]))
    post_interactions(client, _visits(b, [f"b{i}" for i in range(15)]))
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
    post_interactions(client, fake)
    refresh_model(session, timezone="Asia/Jakarta")
    assert _order(client, a.id, b.id) == [a.id, b.id]
    r = client.get("/api/v1/recommendations", params={"lat": LAT, "lon": LON, "limit": 50})
    item = next(i for i in r.json()["items"] if i["business"]["id"] == b.id)
    assert "popular" not in item["reason_codes"]  # 16 distinct visitors: not yet "populer"

    post_interactions(client, _visits(b, [f"c{i}" for i in range(50)], days_ago=2))
    refresh_model(session, timezone="Asia/Jakarta")
    assert _order(client, a.id, b.id) == [b.id, a.id]
    r = client.get("/api/v1/recommendations", params={"lat": LAT, "lon": LON, "limit": 50})
    item = next(i for i in r.json()["items"] if i["business"]["id"] == b.id)
    assert "popular" in item["reason_codes"]  # 66 distinct visitors


def test_fake_visits_do_nothing_before_the_first_refresh_either(
    client: TestClient, session: Session
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
    post_interactions(client, [{**v, "user_id": "buyer"} for v in _visits(b, ["x"] * 1_000)])
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
