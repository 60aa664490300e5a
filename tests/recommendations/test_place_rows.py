"""What the two reads of a recommendation (ranking columns, then page columns) must keep:
only published places, the current row after an edit, text matches on the description."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from directory.models import Business, BusinessStatus
from tests.factories import BSD, make_business

LAT, LON = BSD
URL = "/api/v1/recommendations"


def _ids(client: TestClient, **params: object) -> list[int]:
    r = client.get(URL, params={"lat": LAT, "lon": LON, **params})
    assert r.status_code == 200, r.text
    return [item["business"]["id"] for item in r.json()["items"]]


def test_hidden_and_pending_places_are_never_recommended(
    client: TestClient, session: Session
) -> None:
    shown = make_business(session, lat=LAT + 0.001, lon=LON)
    hidden = make_business(session, lat=LAT + 0.0005, lon=LON, status=BusinessStatus.HIDDEN)
    pending = make_business(session, lat=LAT + 0.0007, lon=LON, status=BusinessStatus.PENDING)
    ids = _ids(client)
    assert shown.id in ids
    assert hidden.id not in ids
    assert pending.id not in ids


def test_an_edit_and_an_unpublishing_show_on_the_next_request(
    client: TestClient, session: Session
) -> None:
    place = make_business(session, name="Warung Lama", lat=LAT + 0.001, lon=LON)
    other = make_business(session, lat=LAT + 0.002, lon=LON)
    first = client.get(URL, params={"lat": LAT, "lon": LON}).json()["items"]
    assert any(i["business"]["name"] == "Warung Lama" for i in first)

    row = session.get(Business, place.id)
    assert row is not None
    row.name = "Warung Baru"
    row.address = "Jalan Baru 1"
    session.commit()
    items = client.get(URL, params={"lat": LAT, "lon": LON}).json()["items"]
    mine = next(i["business"] for i in items if i["business"]["id"] == place.id)
    assert mine["name"] == "Warung Baru"
    assert mine["address"] == "Jalan Baru 1"

    row.status = BusinessStatus.HIDDEN
    session.commit()
    ids = _ids(client)
    assert place.id not in ids
    assert other.id in ids


def test_query_text_matches_the_description(client: TestClient, session: Session) -> None:
    match = make_business(
        session, name="Toko Sebelah", description="sedia durian montong", lat=LAT + 0.004, lon=LON
    )
    make_business(session, name="Toko Dekat", lat=LAT + 0.001, lon=LON)
    r = client.get(URL, params={"lat": LAT, "lon": LON, "q": "durian"})
    assert r.status_code == 200, r.text
    first = r.json()["items"][0]
    assert first["business"]["id"] == match.id
    assert "cocok dengan 'durian'" in first["reasons"]
