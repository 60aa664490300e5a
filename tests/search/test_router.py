"""GET /api/v1/businesses and /api/v1/autocomplete: parameters, filters, paging, errors."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from directory.search.schemas import Autocomplete, SearchPage
from tests.factories import make_business

BSD = (-6.3016, 106.6527)
PAMULANG = (-6.3428, 106.7386)


def _search(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/businesses", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    SearchPage.model_validate(body)
    return body


def _names(body: dict[str, Any]) -> list[str]:
    return [item["name"] for item in body["items"]]


@pytest.fixture
def shops(session: Session) -> dict[str, int]:
    """A handful of businesses around BSD and Pamulang."""
    rows = [
        ("Kopi Senja", BSD[0], BSD[1], "kafe-kopi", "4.6", "40", "2"),
        ("Kedai Kopi Kenangan", BSD[0] + 0.004, BSD[1], "kedai-kopi", "4.2", "8", "1"),
        ("Warung Sate Pak Budi", BSD[0] + 0.01, BSD[1] + 0.01, "warung-makan", "4.8", "3", "1"),
        ("Bengkel Motor Jaya", BSD[0] - 0.01, BSD[1], "bengkel-motor", None, None, None),
        ("Apotek Sehat Pamulang", PAMULANG[0], PAMULANG[1], "apotek", "4.0", "20", None),
        ("Kopi Pamulang", PAMULANG[0] + 0.002, PAMULANG[1], "kafe-kopi", "3.9", "15", "2"),
    ]
    ids: dict[str, int] = {}
    for name, lat, lon, cat, rating, count, price in rows:
        b = make_business(
            session,
            name=name,
            lat=lat,
            lon=lon,
            category=cat,
            rating=rating,
            rating_count=count,
            price_level=price,
            opening_hours="Mo-Su 08:00-22:00" if "Kopi" in name else None,
        )
        ids[name] = b.id
    return ids


def test_point_alone_lists_nearest_first(client: TestClient, shops: dict[str, int]) -> None:
    body = _search(client, lat=BSD[0], lon=BSD[1], sort="distance")
    distances = [item["distance_m"] for item in body["items"]]
    assert distances == sorted(distances)
    assert body["items"][0]["name"] == "Kopi Senja"
    assert body["items"][0]["distance_m"] == pytest.approx(0.0, abs=0.5)


def test_category_parent_includes_children(client: TestClient, shops: dict[str, int]) -> None:
    body = _search(client, lat=BSD[0], lon=BSD[1], category="kafe-kopi", sort="distance")
    assert _names(body) == ["Kopi Senja", "Kedai Kopi Kenangan", "Kopi Pamulang"]
    body = _search(client, lat=BSD[0], lon=BSD[1], category=["kedai-kopi", "bengkel-motor"])
    assert set(_names(body)) == {"Kedai Kopi Kenangan", "Bengkel Motor Jaya"}


def test_text_with_typo_finds_business(client: TestClient, shops: dict[str, int]) -> None:
    body = _search(client, q="warung sate pak bdui")
    assert _names(body)[0] == "Warung Sate Pak Budi"


def test_text_matches_category_synonym(client: TestClient, shops: dict[str, int]) -> None:
    names = set(_names(_search(client, q="ngopi")))
    assert {"Kopi Senja", "Kedai Kopi Kenangan", "Kopi Pamulang"} <= names
    assert "Bengkel Motor Jaya" not in names


def test_prefix_as_you_type(client: TestClient, shops: dict[str, int]) -> None:
    assert "Kedai Kopi Kenangan" in _names(_search(client, q="kopi kenan"))


def test_area_fuzzy_resolution_and_filter(client: TestClient, shops: dict[str, int]) -> None:
    body = _search(client, area="pamulng")
    assert body["area"]["slug"] == "pamulang"
    assert set(_names(body)) == {"Apotek Sehat Pamulang", "Kopi Pamulang"}


def test_unknown_area_is_404_with_suggestions(client: TestClient) -> None:
    response = client.get("/api/v1/businesses", params={"area": "pamulangan raya xyz"})
    assert response.status_code == 404
    body = response.json()
    assert isinstance(body["suggestions"], list)


def test_filters_combine(client: TestClient, shops: dict[str, int]) -> None:
    body = _search(client, q="kopi", min_rating=4.1, price=[1, 2])
    assert set(_names(body)) == {"Kopi Senja", "Kedai Kopi Kenangan"}
    open_late = _search(client, q="kopi", open_at="23:30")
    assert open_late["items"] == []
    open_day = _search(client, q="kopi", open_at="2026-12-02T10:00")
    assert len(open_day["items"]) == 3


def test_relevance_prefers_rating_and_distance(client: TestClient, shops: dict[str, int]) -> None:
    body = _search(client, q="kopi", lat=PAMULANG[0], lon=PAMULANG[1])
    assert body["items"][0]["name"] == "Kopi Pamulang"
    scores = [item["score"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True)


def test_cursor_pages_return_each_match_once(client: TestClient, shops: dict[str, int]) -> None:
    for sort in ("relevance", "distance", "rating", "reviews", "newest"):
        seen: list[int] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"lat": BSD[0], "lon": BSD[1], "sort": sort, "limit": 2}
            if cursor:
                params["cursor"] = cursor
            body = _search(client, **params)
            seen.extend(item["id"] for item in body["items"])
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert sorted(seen) == sorted(shops.values()), sort
        assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": 91, "lon": 0}, "lat"),
        ({"lat": 0, "lon": 181}, "lon"),
        ({"lat": -6.3, "lon": 106.6, "radius_m": -1}, "radius_m"),
        ({"bbox": "106.7,-6.2,106.6,-6.3"}, "bbox"),
        ({"bbox": "a,b,c"}, "bbox"),
        ({"limit": 1000}, "limit"),
        ({"sort": "cheapest"}, "sort"),
        ({"sort": "distance"}, "sort"),
        ({"lat": -6.3}, "lon"),
        ({"price": 7}, "price"),
        ({"open_at": "tomorrow"}, "open_at"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"category": "no-such-category"}, "category"),
    ],
)
def test_bad_parameters_name_the_field(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    response = client.get("/api/v1/businesses", params=params)
    assert response.status_code == 422, response.text
    assert field in [e["field"].split("[")[0] for e in response.json()["errors"]]


def test_cursor_from_another_query_is_refused(client: TestClient, shops: dict[str, int]) -> None:
    body = _search(client, lat=BSD[0], lon=BSD[1], sort="distance", limit=1)
    response = client.get(
        "/api/v1/businesses",
        params={"lat": PAMULANG[0], "lon": PAMULANG[1], "sort": "distance",
                "cursor": body["next_cursor"]},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"


def test_far_point_without_area_still_works(client: TestClient, shops: dict[str, int]) -> None:
    body = _search(client, lat=-7.25, lon=112.75, sort="distance", limit=2)  # Surabaya
    assert len(body["items"]) == 2
    assert body["items"][0]["distance_m"] > 600_000


def test_area_in_words(client: TestClient, shops: dict[str, int]) -> None:
    body = _search(client, q="kopi di pamulang")
    assert body["area"]["slug"] == "pamulang"
    cut = body["interpretation"]["partial_from"]
    assert _names(body)[:cut] == ["Kopi Pamulang"]
    assert all((item["area"] or {}).get("slug") != "pamulang" for item in body["items"][cut:])


def test_autocomplete(client: TestClient, shops: dict[str, int]) -> None:
    response = client.get(
        "/api/v1/autocomplete", params={"q": "pamu", "lat": BSD[0], "lon": BSD[1]}
    )
    assert response.status_code == 200
    body = Autocomplete.model_validate(response.json())
    assert body.areas[0].slug == "pamulang"
    assert {b.name for b in body.businesses} >= {"Apotek Sehat Pamulang", "Kopi Pamulang"}
    cats = client.get("/api/v1/autocomplete", params={"q": "ngop"}).json()["categories"]
    assert cats[0]["slug"] == "kafe-kopi"
