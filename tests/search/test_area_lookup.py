"""Area resolution (slug, name, alias, near misses) and area containment for search."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.areas.service import area_contains
from directory.errors import NotFound
from directory.models import Area
from directory.search import catalog as catalog_cache
from directory.search.area_lookup import area_filter, find_area, resolve_area, suggest_areas
from directory.search.catalog import get_catalog
from tests.factories import make_business


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("bsd-city", "bsd-city"),
        ("BSD City", "bsd-city"),
        ("bsd", "bsd-city"),
        ("Alsut", "alam-sutera"),
        ("alam sutra", "alam-sutera"),
        ("alm sutera", "alam-sutera"),
        ("pamulng", "pamulang"),
        ("Pamulang", "pamulang"),
        ("serpong utra", "serpong-utara"),
        ("serpong", "serpong"),
        ("Tangsel", "kota-tangerang-selatan"),
    ],
)
def test_find_area(session: Session, text: str, slug: str) -> None:
    area = find_area(get_catalog(session), text)
    assert area is not None
    assert area.slug == slug


def test_unknown_area_has_suggestions(session: Session) -> None:
    catalog = get_catalog(session)
    assert find_area(catalog, "qqqq zzzz") is None
    with pytest.raises(NotFound) as caught:
        resolve_area(catalog, "pamulang zzzzzz")
    suggestions = caught.value.extra["suggestions"]
    assert suggestions
    assert {"slug", "name", "kind"} <= set(suggestions[0])
    assert any(s["slug"] == "pamulang" for s in suggestions)
    assert suggest_areas(catalog, "bintaro")[0].slug.startswith("bintaro")


def test_unknown_area_404_over_http(client: TestClient) -> None:
    response = client.get("/api/v1/businesses", params={"area": "serpongg utaraa raya"})
    assert response.status_code in (200, 404)
    response = client.get("/api/v1/businesses", params={"area": "xqzv"})
    assert response.status_code == 404
    assert "suggestions" in response.json()


SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[106.60, -6.32], [106.62, -6.32], [106.62, -6.30], [106.60, -6.30], [106.60, -6.32]]
    ],
}


def _polygon_area(session: Session) -> Area:
    area = Area(
        slug="kotak-uji", name="Kotak Uji", kind="neighbourhood", aliases=["kotak"],
        lat=-6.31, lon=106.61, radius_m=None, polygon=SQUARE, min_lon=106.60,
        min_lat=-6.32, max_lon=106.62, max_lat=-6.30, area_m2=4.9e6, source="import",
    )  # fmt: skip
    session.add(area)
    session.commit()
    catalog_cache.invalidate(session)
    return area


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lat=st.floats(min_value=-6.34, max_value=-6.28),
    lon=st.floats(min_value=106.58, max_value=106.64),
)
def test_filters_agree_with_area_contains(session: Session, lat: float, lon: float) -> None:
    catalog_cache.invalidate(session)
    info = get_catalog(session)
    for slug in ("bsd-city", "serpong"):
        area = session.scalar(select(Area).where(Area.slug == slug))
        assert area is not None
        filt = area_filter(session, info.areas[area.id])
        assert filt.contains(lat, lon) == area_contains(area, lat, lon)
        assert filt.contains_many([lat], [lon]) == [area_contains(area, lat, lon)]


def test_polygon_area_filters_by_containment(client: TestClient, session: Session) -> None:
    _polygon_area(session)
    inside = make_business(session, name="Kopi Dalam", lat=-6.31, lon=106.61)
    make_business(session, name="Kopi Luar", lat=-6.31, lon=106.63)
    edge = make_business(session, name="Kopi Tepi", lat=-6.30, lon=106.615)
    body = client.get("/api/v1/businesses", params={"area": "kotak"}).json()
    assert body["area"]["slug"] == "kotak-uji"
    assert {item["id"] for item in body["items"]} == {inside.id, edge.id}
    area = session.scalar(select(Area).where(Area.slug == "kotak-uji"))
    assert area is not None
    filt = area_filter(session, get_catalog(session).areas[area.id])
    assert filt.contains(-6.31, 106.61)
    assert not filt.contains(-6.31, 106.63)
    assert filt.max_distance_from(-6.31, 106.61) > 1000
