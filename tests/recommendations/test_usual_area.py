"""A reader with a history but no point gets places around where they usually go.

``GET /api/v1/recommendations?user_id=…`` without ``lat``/``lon``/``area`` ranks around
the centre of the densest part of the reader's history and says so in every item.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from directory.geo import distance_m
from directory.recommendations.usual_area import USUAL_RADIUS_M, usual_point
from tests.factories import BSD, make_business

LAT, LON = BSD
# Pondok Indah, Jakarta: about 16 km from BSD City.
JAKARTA = (-6.2650, 106.7830)


def _visits(client: TestClient, headers: dict[str, str], user: str, ids: list[int]) -> None:
    now = datetime.now(UTC)
    items = [
        {"user_id": user, "business_id": bid, "kind": "visit",
         "at": (now - timedelta(days=n + 1)).isoformat()}
        for n, bid in enumerate(ids)
    ]  # fmt: skip
    response = client.post("/api/v1/interactions", json={"items": items}, headers=headers)
    assert response.status_code == 201, response.text


def test_no_point_means_around_the_usual_area_with_that_reason(
    client: TestClient, session: Session, writer_headers: dict[str, str]
) -> None:
    home = [
        make_business(session, name=f"Warung Rumah {i}", lat=LAT + 0.002 * i, lon=LON,
                      category="warung-makan").id
        for i in range(4)
    ]  # fmt: skip
    nearby = make_business(session, name="Kopi Dekat Rumah", lat=LAT + 0.003, lon=LON + 0.002)
    trip = make_business(session, name="Mall Sekali", lat=JAKARTA[0], lon=JAKARTA[1])
    _visits(client, writer_headers, "pembaca-7", home * 3 + [trip.id])

    response = client.get("/api/v1/recommendations", params={"user_id": "pembaca-7"})
    assert response.status_code == 200, response.text
    body = response.json()
    lat, lon = body["point"]
    # The one trip to Jakarta does not drag the point away from BSD.
    assert distance_m(lat, lon, LAT + 0.003, LON) < 500
    assert body["area"] is None
    items = body["items"]
    assert nearby.id in [i["business"]["id"] for i in items]
    for item in items:
        assert item["reasons"][0] == "di sekitar tempat yang biasa Anda kunjungi"
        assert item["reason_codes"][0] == "usual_area"
        assert not any("dari Anda" in r for r in item["reasons"])  # the point is not the reader
    near = next(i for i in items if i["business"]["id"] == nearby.id)
    assert near["business"]["distance_m"] < 500

    english = client.get(
        "/api/v1/recommendations", params={"user_id": "pembaca-7", "lang": "en"}
    ).json()
    assert all(i["reasons"][0] == "around where you usually go" for i in english["items"])
    assert not any("from you" in r for i in english["items"] for r in i["reasons"])


def test_a_point_or_area_still_wins_over_the_usual_area(
    client: TestClient, session: Session, writer_headers: dict[str, str]
) -> None:
    place = make_business(session, name="Warung Biasa", lat=LAT, lon=LON)
    _visits(client, writer_headers, "pembaca-8", [place.id])
    body = client.get(
        "/api/v1/recommendations",
        params={"user_id": "pembaca-8", "lat": JAKARTA[0], "lon": JAKARTA[1]},
    ).json()
    assert body["point"] == [JAKARTA[0], JAKARTA[1]]
    assert all("usual_area" not in i["reason_codes"] for i in body["items"])


def test_no_point_and_no_history_is_still_a_named_422(client: TestClient) -> None:
    for params in ({"user_id": "belum-pernah"}, {}):
        response = client.get("/api/v1/recommendations", params=params)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "lat"


def test_one_far_trip_does_not_move_the_centre() -> None:
    coords = {1: BSD, 2: (LAT + 0.004, LON), 3: JAKARTA}
    lat, lon = usual_point({1: 6, 2: 6, 3: 1}, coords)  # type: ignore[misc]
    assert distance_m(lat, lon, LAT + 0.002, LON) < 50
    # Where most visits are decides, whichever way round.
    lat, lon = usual_point({1: 1, 2: 1, 3: 9}, coords)  # type: ignore[misc]
    assert distance_m(lat, lon, *JAKARTA) < 1


def test_no_known_places_no_point() -> None:
    assert usual_point({}, {}) is None
    assert usual_point({5: 3}, {}) is None


_coord = st.tuples(st.floats(-6.6, -6.0), st.floats(106.4, 107.0))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_coord, st.integers(1, 50)), min_size=1, max_size=40))
def test_the_centre_is_always_near_a_visited_place(
    places: list[tuple[tuple[float, float], int]],
) -> None:
    coords = {i: c for i, (c, _n) in enumerate(places)}
    visits = {i: n for i, (_c, n) in enumerate(places)}
    centre = usual_point(visits, coords)
    assert centre is not None
    lats = [c[0] for c in coords.values()]
    lons = [c[1] for c in coords.values()]
    assert min(lats) - 1e-6 <= centre[0] <= max(lats) + 1e-6
    assert min(lons) - 1e-6 <= centre[1] <= max(lons) + 1e-6
    nearest = min(distance_m(centre[0], centre[1], la, lo) for la, lo in coords.values())
    assert nearest <= USUAL_RADIUS_M * 1.01
