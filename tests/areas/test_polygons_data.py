"""The shipped borders (data/area_polygons.geojson.gz): complete, valid, nested, compact,
and loaded with the gazetteer without overwriting an operator's imported border."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.areas.service import seed_areas
from directory.models import Area
from directory.shipped_data import (
    AREA_POLYGONS_FILE,
    ShippedDataError,
    data_dir,
    load_area_polygons,
    load_areas,
)


def test_every_area_has_a_valid_compact_border() -> None:
    areas = load_areas()
    polygons = load_area_polygons(slugs=[a.slug for a in areas])
    assert set(polygons) == {a.slug for a in areas}
    for slug, polygon in polygons.items():
        geom = shape(polygon)
        assert geom.is_valid, slug
        assert not geom.is_empty, slug
    assert (data_dir() / AREA_POLYGONS_FILE).stat().st_size < 600_000


def test_children_lie_inside_their_parents() -> None:
    areas = {a.slug: a for a in load_areas()}
    polygons = {s: shape(p) for s, p in load_area_polygons().items()}
    for slug, area in areas.items():
        if area.kind not in ("kelurahan", "kecamatan") or area.parent is None:
            continue
        child, parent = polygons[slug], polygons[area.parent]
        # Unions of the same coverage: the child is inside up to rounding (1e-5 degrees).
        assert child.difference(parent.buffer(2e-5)).is_empty, slug


def test_centroids_lie_inside_their_borders() -> None:
    polygons = load_area_polygons()
    for area in load_areas():
        geom = shape(polygons[area.slug])
        assert geom.buffer(1e-4).covers(
            shape({"type": "Point", "coordinates": [area.lon, area.lat]})
        )


def _write(tmp_path: Path, features: list[object]) -> Path:
    path = tmp_path / "p.geojson.gz"
    with gzip.open(path, "wt") as fh:
        json.dump({"type": "FeatureCollection", "features": features}, fh)
    return path


SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


@pytest.mark.parametrize(
    ("feature", "field"),
    [
        ({"type": "Feature", "properties": {"slug": "nowhere"}, "geometry": SQUARE}, "slug"),
        ({"type": "Feature", "properties": {"slug": "Bad Slug"}, "geometry": SQUARE}, "slug"),
        ({"type": "Feature", "properties": {}, "geometry": SQUARE}, "slug"),
        (
            {"type": "Feature", "properties": {"slug": "pamulang"},
             "geometry": {"type": "Point", "coordinates": [0, 0]}},
            "geometry",
        ),
    ],
)  # fmt: skip
def test_bad_border_file_names_the_field(tmp_path: Path, feature: object, field: str) -> None:
    with pytest.raises(ShippedDataError) as info:
        load_area_polygons(_write(tmp_path, [feature]), slugs=["pamulang"])
    assert info.value.field == field


def test_missing_border_file_means_circles(tmp_path: Path) -> None:
    assert load_area_polygons(tmp_path / "absent.geojson.gz") == {}
    broken = tmp_path / "broken.geojson.gz"
    broken.write_bytes(b"not gzip")
    with pytest.raises(ShippedDataError):
        load_area_polygons(broken)


def test_reseeding_keeps_an_imported_border(session: Session) -> None:
    area = session.scalar(select(Area).where(Area.slug == "pamulang"))
    assert area is not None
    shipped = area.polygon
    area.polygon = SQUARE
    area.source = "import"
    session.commit()
    seed_areas(session)
    session.commit()
    session.refresh(area)
    assert area.polygon == SQUARE
    area.source = "gazetteer"
    session.commit()
    seed_areas(session)
    session.commit()
    session.refresh(area)
    assert area.polygon == shipped
