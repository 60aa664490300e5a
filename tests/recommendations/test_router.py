"""GET /api/v1/recommendations: the contract, reasons in both languages, personal history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from directory.models import Business
from directory.recommendations.model_store import current_model, refresh_model
from tests.factories import BSD, make_business

LAT, LON = BSD


def _backdate(session: Session, business: Business, days: int) -> None:
    then = datetime.now(UTC) - timedelta(days=days)
    business.created_at = then
    business.published_at = then
    session.commit()


def test_contract_and_indonesian_reasons(client: TestClient, session: Session) -> None:
    near = make_business(
        session,
        name="Kopi Dekat",
        lat=LAT + 0.005,
        lon=LON,
        rating="4.6",
        rating_count="12",
        opening_hours="24/7",
        external_id="kd-1",
    )
    make_business(session, name="Kopi Jauh", lat=LAT + 0.05, lon=LON, category="kafe-kopi")
    r = client.get("/api/v1/recommendations", params={"lat": LAT, "lon": LON, "q": "kopi"})
    assert r.status_code == 200, r.text
    body = r.json()
    first = body["items"][0]
    assert set(first) >= {"business", "score", "reasons"}
    assert set(first["business"]) >= {"id", "external_id", "name", "category", "lat", "lon"}
    assert first["business"]["id"] == near.id
    assert first["business"]["external_id"] == "kd-1"
    assert isinstance(first["score"], float)
    reasons = first["reasons"]
    assert "560 m dari Anda" in reasons or any(x.endswith("m dari Anda") for x in reasons)
    assert "4,6★ dari 12 ulasan" in reasons
    assert "buka sekarang" in reasons
    assert "cocok dengan 'kopi'" in reasons


def test_english_by_param_and_header(client: TestClient, session: Session) -> None:
    make_business(
        session, lat=LAT, lon=LON + 0.002, rating="4.5", rating_count="8", opening_hours="24/7"
    )
    for kwargs in (
        {"params": {"lat": LAT, "lon": LON, "lang": "en"}},
        {"params": {"lat": LAT, "lon": LON}, "headers": {"Accept-Language": "en-US"}},
    ):
        r = client.get("/api/v1/recommendations", **kwargs)  # type: ignore[arg-type]
        reasons = r.json()["items"][0]["reasons"]
        assert "open now" in reasons
        assert any(x.endswith("from you") for x in reasons)


def test_area_instead_of_point(client: TestClient, session: Session) -> None:
    b = make_business(session, lat=-6.2400, lon=106.6500)  # Alam Sutera
    r = client.get("/api/v1/recommendations", params={"area": "alam sutra"})
    assert r.status_code == 200
    assert r.json()["area"]["slug"] == "alam-sutera"
    assert b.id in [i["business"]["id"] for i in r.json()["items"]]
    item = next(i for i in r.json()["items"] if i["business"]["id"] == b.id)
    by_code = dict(zip(item["reason_codes"], item["reasons"], strict=True))
    assert by_code["distance"].endswith(" dari pusat area")  # the area's centre, not "Anda"


def test_a_favourite_far_away_can_rank_first(
    client: TestClient, session: Session, writer_headers: dict[str, str]
) -> None:
    for i in range(5):
        make_business(
            session, name=f"Warung Dekat {i}", lat=LAT + 0.001 * i, lon=LON, category="warung-makan"
        )
    far = make_business(
        session, name="Langganan Jauh", lat=LAT + 0.135, lon=LON, category="warung-makan"
    )  # about 15 km north
    now = datetime.now(UTC)
    items = [
        {
            "user_id": "reader-1",
            "business_id": far.id,
            "kind": "visit",
            "at": (now - timedelta(days=d)).isoformat(),
        }
        for d in range(1, 15)
    ]
    assert (
        client.post(
            "/api/v1/interactions", json={"items": items}, headers=writer_headers
        ).status_code
        == 201
    )
    r = client.get(
        "/api/v1/recommendations", params={"lat": LAT, "lon": LON, "user_id": "reader-1"}
    )
    top = r.json()["items"][0]
    assert top["business"]["id"] == far.id
    assert "sering Anda kunjungi" in top["reasons"]
    assert "revisit" in top["reason_codes"]
    r = client.get("/api/v1/recommendations", params={"lat": LAT, "lon": LON})
    assert r.json()["items"][0]["business"]["id"] != far.id


def test_model_refresh_is_stored_and_used(
    client: TestClient, session: Session, writer_headers: dict[str, str]
) -> None:
    a = make_business(session, name="Tempat A", lat=LAT, lon=LON)
    b = make_business(session, name="Tempat B", lat=LAT + 0.003, lon=LON)
    now = datetime.now(UTC)
    items = []
    for u in range(12):
        for d in range(3):
            t = now - timedelta(days=d + 1, hours=u % 5)
            items.append(
                {"user_id": f"u{u}", "business_id": a.id, "kind": "visit", "at": t.isoformat()}
            )
            items.append(
                {
                    "user_id": f"u{u}",
                    "business_id": b.id,
                    "kind": "visit",
                    "at": (t + timedelta(hours=1)).isoformat(),
                }
            )
    assert (
        client.post(
            "/api/v1/interactions", json={"items": items}, headers=writer_headers
        ).status_code
        == 201
    )
    report = refresh_model(session, timezone="Asia/Jakarta")
    assert report.n_events == len(items)
    assert current_model(session) is not None
    r = client.get("/api/v1/recommendations", params={"lat": LAT, "lon": LON})
    assert r.json()["model_fitted"] is True


def test_new_listing_reaches_the_top_ten_when_close_and_relevant(
    client: TestClient, session: Session
) -> None:
    for i in range(30):
        old = make_business(
            session,
            name=f"Kopi Lama {i}",
            lat=LAT + 0.0008 * (i + 1),
            lon=LON,
            rating="4.3",
            rating_count="40",
            opening_hours="24/7",
        )
        _backdate(session, old, 400)
    new = make_business(session, name="Kopi Baru", lat=LAT + 0.0025, lon=LON, opening_hours="24/7")
    r = client.get(
        "/api/v1/recommendations",
        params={"lat": LAT, "lon": LON, "category": "kafe-kopi", "limit": 10},
    )
    ids = [i["business"]["id"] for i in r.json()["items"]]
    assert new.id in ids
    item = r.json()["items"][ids.index(new.id)]
    assert "new_listing" in item["reason_codes"]


def test_bad_parameters_name_the_field(client: TestClient) -> None:
    cases = [
        ({"lat": 91, "lon": 0}, "lat"),
        ({"lat": 0, "lon": 200}, "lon"),
        ({"lat": -6.3}, "lon"),
        ({"lat": -6.3, "lon": 106.6, "limit": 0}, "limit"),
        ({"lat": -6.3, "lon": 106.6, "limit": 51}, "limit"),
        ({"lat": -6.3, "lon": 106.6, "at": "besok"}, "at"),
        ({"lat": -6.3, "lon": 106.6, "category": "tidak-ada"}, "category"),
        ({}, "lat"),
    ]
    for params, field in cases:
        r = client.get("/api/v1/recommendations", params=params)
        assert r.status_code == 422, (params, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], (params, r.json())
    r = client.get("/api/v1/recommendations", params={"area": "atlantis"})
    assert r.status_code == 404
    assert "suggestions" in r.json()
