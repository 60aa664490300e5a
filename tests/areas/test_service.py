"""Which area a point belongs to, and area boundaries imported from GeoJSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.areas.service import AreaLocator, circle_area_m2, circle_bbox, make_locator
from directory.io.areas_io import import_areas
from directory.io.errors import FormatError
from directory.models import Area, Business
from directory.shipped_data import load_areas
from tests.factories import BSD, make_business


def circle(area_id: int, lat: float, lon: float, radius_m: float, kind: str) -> Area:
    min_lon, min_lat, max_lon, max_lat = circle_bbox(lat, lon, radius_m)
    return Area(
        id=area_id, slug=f"a{area_id}", name=f"A{area_id}", kind=kind, lat=lat, lon=lon,
        radius_m=radius_m, polygon=None, min_lon=min_lon, min_lat=min_lat, max_lon=max_lon,
        max_lat=max_lat, area_m2=circle_area_m2(radius_m), aliases=[],
    )  # fmt: skip


def square(lat: float, lon: float, half_deg: float, **props: Any) -> dict[str, Any]:
    """A GeoJSON Feature: a square polygon around a point."""
    ring = [
        [lon - half_deg, lat - half_deg],
        [lon + half_deg, lat - half_deg],
        [lon + half_deg, lat + half_deg],
        [lon - half_deg, lat + half_deg],
        [lon - half_deg, lat - half_deg],
    ]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": props,
    }


def polygon_area(area_id: int, feature: dict[str, Any], kind: str = "neighbourhood") -> Area:
    from shapely.geometry import shape

    from directory.areas.service import geometry_area_m2

    geom = shape(feature["geometry"])
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    return Area(
        id=area_id, slug=f"p{area_id}", name=f"P{area_id}", kind=kind, lat=geom.centroid.y,
        lon=geom.centroid.x, radius_m=None, polygon=feature["geometry"], min_lon=min_lon,
        min_lat=min_lat, max_lon=max_lon, max_lat=max_lat, area_m2=geometry_area_m2(geom),
        aliases=[],
    )  # fmt: skip


def write_geojson(path: Path, features: list[Any]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, indent=1))
    return path


# ------------------------------------------------------------------ the locator


def test_most_specific_circle_wins() -> None:
    locator = AreaLocator(
        [
            circle(1, -6.30, 106.65, 20_000, "city"),
            circle(2, -6.30, 106.65, 3_000, "kecamatan"),
            circle(3, -6.301, 106.651, 800, "kelurahan"),
        ]
    )
    assert locator.locate(-6.301, 106.651) == 3
    assert locator.locate(-6.30, 106.67) == 2  # outside the kelurahan, inside the kecamatan
    assert locator.locate(-6.30, 106.80) == 1
    assert locator.locate(-7.5, 110.0) is None


def test_between_circles_of_one_kind_the_relatively_nearest_wins() -> None:
    locator = AreaLocator(
        [circle(1, -6.30, 106.65, 2_000, "kelurahan"), circle(2, -6.30, 106.67, 4_000, "kelurahan")]
    )
    # 1.1 km from both centres: 55% of the first radius, 28% of the second.
    assert locator.locate(-6.30, 106.66) == 2


def test_polygon_beats_circles_and_the_smallest_polygon_wins() -> None:
    big = square(-6.30, 106.65, 0.05)
    small = square(-6.30, 106.65, 0.01)
    locator = AreaLocator(
        [
            circle(1, -6.30, 106.65, 500, "kelurahan"),
            polygon_area(2, big, "city"),
            polygon_area(3, small, "township"),
        ]
    )
    assert locator.locate(-6.30, 106.65) == 3
    assert locator.locate(-6.30, 106.69) == 2
    assert locator.locate(-6.40, 106.65) is None


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=-6.6, max_value=-6.0), st.floats(min_value=106.4, max_value=107.0)
        ),
        min_size=1,
        max_size=60,
    )
)
def test_bulk_location_equals_one_by_one(points: list[tuple[float, float]]) -> None:
    areas = [
        circle(i + 1, seed.lat, seed.lon, seed.radius_m, seed.kind)
        for i, seed in enumerate(load_areas())
    ]
    locator = AreaLocator(areas)
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    expected = [locator._locate_circle(lat, lon) for lat, lon in points]
    assert locator.locate_many(lats, lons) == expected


def test_shipped_gazetteer_places_bsd_somewhere_specific(session: Session) -> None:
    area_id = make_locator(session).locate(*BSD)
    kind = session.scalar(select(Area.kind).where(Area.id == area_id))
    # The factory's BSD point lies just over the border in Cisauk (Kabupaten Tangerang),
    # inside BSD City's border: the most specific area is the kecamatan, not the city.
    assert kind in ("kelurahan", "township", "kecamatan")


# ------------------------------------------------------------------ import areas


def test_imported_polygon_reassigns_businesses(session: Session, tmp_path: Path) -> None:
    inside = make_business(session, lat=BSD[0], lon=BSD[1])
    outside = make_business(session, lat=-6.25, lon=106.70)
    before_outside = outside.area_id
    assert inside.area_id is not None
    path = write_geojson(
        tmp_path / "areas.geojson",
        [square(BSD[0], BSD[1], 0.002, name="The Breeze", kind="neighbourhood", parent="BSD City",
                aliases=["Breeze"], code="X1")],
    )  # fmt: skip
    report = import_areas(session, path)
    assert (report.created, report.updated, report.written) == (1, 0, True)
    assert report.businesses_reassigned == 1
    breeze = session.scalars(select(Area).where(Area.slug == "the-breeze")).one()
    assert (breeze.kind, breeze.aliases, breeze.code, breeze.source) == (
        "neighbourhood",
        ["Breeze"],
        "X1",
        "import",
    )
    assert breeze.parent is not None
    assert breeze.parent.slug == "bsd-city"
    assert breeze.lat == pytest.approx(BSD[0])
    assert breeze.area_m2 == pytest.approx((0.004 * 110_574) * (0.004 * 110_574 * 0.994), rel=0.02)
    session.expire_all()
    assert session.get(Business, inside.id).area_id == breeze.id  # type: ignore[union-attr]
    assert session.get(Business, outside.id).area_id == before_outside  # type: ignore[union-attr]

    # Moved boundary, same slug: updated in place, and the business falls back to its circle.
    moved = square(-6.25, 106.70, 0.002, name="The Breeze", kind="neighbourhood")
    report = import_areas(session, write_geojson(tmp_path / "moved.geojson", [moved]))
    assert (report.created, report.updated, report.businesses_reassigned) == (0, 1, 2)
    session.expire_all()
    assert session.get(Business, outside.id).area_id == breeze.id  # type: ignore[union-attr]
    assert session.get(Business, inside.id).area_id == inside.area_id  # type: ignore[union-attr]


def test_polygon_for_a_gazetteer_area_keeps_its_id(session: Session, tmp_path: Path) -> None:
    bsd = session.scalars(select(Area).where(Area.slug == "bsd-city")).one()
    count = session.scalar(select(func.count()).select_from(Area))
    multi = {
        "type": "Feature",
        "geometry": {
            "type": "MultiPolygon",
            "coordinates": [square(-6.30, 106.66, 0.03)["geometry"]["coordinates"]],
        },
        "properties": {"slug": "bsd-city", "name": "BSD City", "kind": "township"},
    }
    report = import_areas(session, write_geojson(tmp_path / "bsd.geojson", [multi]))
    assert (report.created, report.updated) == (0, 1)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Area)) == count
    updated = session.get(Area, bsd.id)
    assert updated is not None
    assert updated.polygon is not None
    assert updated.aliases == ["BSD", "Bumi Serpong Damai", "BSD Serpong"]  # kept


NAMED = {"name": "X", "kind": "kelurahan"}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[106.6, -6.3], [106.7, -6.2], [106.7, -6.3], [106.6, -6.2], [106.6, -6.3]]],
}


@pytest.mark.parametrize(
    ("feature", "field", "message"),
    [
        (square(-6.3, 106.6, 0.01, kind="kelurahan"), "name", "is required"),
        (square(-6.3, 106.6, 0.01, name="X", kind="village"), "kind", "must be one of"),
        (square(-6.3, 106.6, 0.01, name="X"), "kind", "must be one of"),
        (
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [106.6, -6.3]},
             "properties": {"name": "X", "kind": "kelurahan"}},
            "geometry",
            "must be a Polygon or MultiPolygon, not Point",
        ),
        (
            {"type": "Feature", "geometry": BOWTIE, "properties": NAMED},
            "geometry",
            "is not a valid polygon: Self-intersection",
        ),
        (
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[1, 2]]]},
             "properties": {"name": "X", "kind": "kelurahan"}},
            "geometry",
            "coordinates do not form a Polygon",
        ),
        (square(-6.3, 200.0, 0.01, name="X", kind="kelurahan"), "geometry", "within range"),
        (square(-6.3, 106.6, 0.01, name="X", kind="kelurahan", parent="Atlantis"), "parent",
         "unknown area 'Atlantis'"),
        (square(-6.3, 106.6, 0.01, name="X", kind="kelurahan", slug="Not A Slug"), "slug",
         "lowercase"),
        ({"type": "Feature", "properties": {"name": "X", "kind": "kelurahan"}}, "geometry",
         "must be a Polygon or MultiPolygon"),
    ],
)  # fmt: skip
def test_bad_area_features_are_reported_and_nothing_is_written(
    session: Session, tmp_path: Path, feature: dict[str, Any], field: str, message: str
) -> None:
    count = session.scalar(select(func.count()).select_from(Area))
    good = square(-6.31, 106.61, 0.01, name="Good", kind="kelurahan")
    path = write_geojson(tmp_path / "a.geojson", [good, feature])
    report = import_areas(session, path)
    assert report.written is False
    assert [(e.feature, e.field) for e in report.errors] == [(2, field)]
    assert message in report.errors[0].message
    assert report.errors[0].line > 1
    assert session.scalar(select(func.count()).select_from(Area)) == count


def test_parents_may_come_later_in_the_file_but_not_in_a_cycle(
    session: Session, tmp_path: Path
) -> None:
    child = square(-6.30, 106.65, 0.001, name="Cluster A", kind="neighbourhood", parent="zona-b")
    parent = square(-6.30, 106.65, 0.01, name="Zona B", kind="township")
    report = import_areas(session, write_geojson(tmp_path / "a.geojson", [child, parent]))
    assert report.errors == []
    a = session.scalars(select(Area).where(Area.slug == "cluster-a")).one()
    assert a.parent is not None
    assert a.parent.slug == "zona-b"
    cycle = [
        square(-6.30, 106.65, 0.001, name="Cluster A", kind="neighbourhood", parent="zona-b"),
        square(-6.30, 106.65, 0.01, name="Zona B", kind="township", parent="Cluster A"),
    ]
    report = import_areas(session, write_geojson(tmp_path / "c.geojson", cycle))
    assert {(e.feature, e.field, e.message) for e in report.errors} == {
        (1, "parent", "makes a cycle"),
        (2, "parent", "makes a cycle"),
    }


def test_repeated_slug_and_skip_bad(session: Session, tmp_path: Path) -> None:
    features = [
        square(-6.30, 106.65, 0.001, name="Cluster A", kind="neighbourhood"),
        square(-6.31, 106.65, 0.001, name="Cluster A", kind="neighbourhood"),
        square(-6.32, 106.65, 0.001, name="Cluster C", kind="neighbourhood"),
    ]
    path = write_geojson(tmp_path / "a.geojson", features)
    assert import_areas(session, path).written is False
    report = import_areas(session, path, skip_bad=True)
    assert report.written is True
    assert report.created == 2
    assert [(e.feature, e.field) for e in report.errors] == [(2, "slug")]
    assert "repeats the feature on line" in report.errors[0].message


def test_areas_must_come_from_geojson(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "areas.csv"
    path.write_text("name,kind\n")
    with pytest.raises(FormatError, match="GeoJSON"):
        import_areas(session, path)
