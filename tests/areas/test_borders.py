"""Real borders (issue 12, item 6): an area filter returns what lies inside the border,
and a point belongs to the most specific area containing it, so the two always agree."""

from __future__ import annotations

from functools import cache

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import shape
from sqlalchemy.orm import Session

from directory.areas.service import make_locator
from directory.search.area_lookup import area_filter
from directory.search.catalog import Catalog, get_catalog
from directory.shipped_data import load_area_polygons
from tests.factories import make_business


@cache
def _inside(slug: str) -> tuple[float, float]:
    """A point well inside a shipped border, as (lat, lon)."""
    point = shape(load_area_polygons()[slug]).representative_point()
    return point.y, point.x


def _within(catalog: Catalog, area_id: int | None, slug: str) -> bool:
    node = catalog.areas.get(area_id) if area_id is not None else None
    while node is not None:
        if node.slug == slug:
            return True
        node = catalog.areas.get(node.parent_id) if node.parent_id else None
    return False


def test_every_admin_area_has_a_border(session: Session) -> None:
    catalog = get_catalog(session)
    kinds = {"province", "city", "regency", "kecamatan", "kelurahan", "township"}
    missing = [a.slug for a in catalog.areas.values() if a.kind in kinds and not a.has_polygon]
    assert missing == []
    assert sum(a.kind == "kelurahan" for a in catalog.areas.values()) >= 480


TANGSEL_NEAR_JAKSEL = ("rengas", "pondok-betung", "rempoa", "pondok-ranji", "cireundeu")
JAKSEL_NEAR_TANGSEL = ("bintaro", "pondok-pinang", "lebak-bulus", "pesanggrahan")


def test_jaksel_returns_nothing_in_tangerang_selatan(client: TestClient, session: Session) -> None:
    tangsel = {
        make_business(session, name=f"Kopi {slug}", lat=_inside(slug)[0], lon=_inside(slug)[1]).id
        for slug in TANGSEL_NEAR_JAKSEL
    }
    jaksel_slugs = [s for s in JAKSEL_NEAR_TANGSEL if s in load_area_polygons()]
    jaksel = {
        make_business(session, name=f"Kopi {slug}", lat=_inside(slug)[0], lon=_inside(slug)[1]).id
        for slug in jaksel_slugs
    }
    body = client.get("/api/v1/businesses", params={"area": "jaksel", "limit": 50}).json()
    found = {item["id"] for item in body["items"]}
    assert found == jaksel
    assert not found & tangsel
    catalog = get_catalog(session)
    assert all(_within(catalog, item["area"]["id"], "jakarta-selatan") for item in body["items"])


def test_pamulang_returns_nothing_in_ciputat(client: TestClient, session: Session) -> None:
    catalog = get_catalog(session)
    pamulang = [a.slug for a in catalog.areas.values() if _within(catalog, a.id, "pamulang")]
    ciputat = [a.slug for a in catalog.areas.values() if _within(catalog, a.id, "ciputat")]
    assert len(pamulang) >= 8
    assert len(ciputat) >= 7
    inside = {
        make_business(session, name=f"Kopi {s}", lat=_inside(s)[0], lon=_inside(s)[1]).id
        for s in pamulang
        if s != "pamulang" and s != "pondok-cabe"
    }
    for s in ciputat:
        if s != "ciputat":
            make_business(session, name=f"Kopi {s}", lat=_inside(s)[0], lon=_inside(s)[1])
    body = client.get("/api/v1/businesses", params={"area": "pamulang", "limit": 50}).json()
    assert {item["id"] for item in body["items"]} == inside
    assert all(_within(catalog, item["area"]["id"], "pamulang") for item in body["items"])


@pytest.mark.parametrize(
    ("slug", "box"),
    [
        ("jakarta-selatan", (-6.32, 106.70, -6.24, 106.79)),  # Jaksel / Tangsel border
        ("pamulang", (-6.36, 106.70, -6.30, 106.77)),  # Pamulang / Ciputat / Ciputat Timur
        ("bsd-city", (-6.34, 106.60, -6.26, 106.70)),
    ],
)
def test_filter_and_assignment_agree(
    session: Session, slug: str, box: tuple[float, float, float, float]
) -> None:
    catalog = get_catalog(session)
    area = next(a for a in catalog.areas.values() if a.slug == slug)
    filt = area_filter(session, area)
    locator = make_locator(session)

    @settings(
        max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.floats(box[0], box[2]), st.floats(box[1], box[3]))
    def check(lat: float, lon: float) -> None:
        assigned = locator.locate(lat, lon)
        if area.kind == "township":
            # A township crosses official borders; its points keep their kelurahan.
            if filt.contains(lat, lon):
                assert assigned is not None
            return
        assert filt.contains(lat, lon) == _within(catalog, assigned, slug), (lat, lon)

    check()


def test_new_areas_have_pages(client: TestClient, session: Session) -> None:
    lat, lon = _inside("blok-m")
    make_business(session, name="Kopi Blok M", lat=lat, lon=lon, rating="4.5", rating_count="9")
    for slug in ("blok-m", "kemang", "bintaro-sektor-9", "lebak-bulus", "graha-raya", "scbd"):
        response = client.get(f"/area/{slug}")
        assert response.status_code == 200, slug
    page = client.get("/area/blok-m").text
    assert "Kopi Blok M" in page
