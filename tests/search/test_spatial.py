"""The spatial index: quadtree maths, and nearest / radius / box results equal brute force."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.orm import Session

from directory.geo import BBox, distance_m, geodesic_distance_m
from directory.models import Business
from directory.search import quadtree
from directory.search.catalog import get_catalog
from directory.search.indexer import unindex_businesses
from directory.search.service import nearest_candidates, spatial_index
from tests.factories import make_business

lat_s = st.floats(min_value=-60.0, max_value=60.0, allow_nan=False)
lon_s = st.floats(min_value=-179.0, max_value=179.0, allow_nan=False)


@given(lat=lat_s, lon=lon_s)
def test_morton_matches_vectorised_and_cells_contain_their_points(lat: float, lon: float) -> None:
    x, y = quadtree.quantize(lat, lon)
    assert quadtree.morton(x, y) == int(quadtree.morton_many([lat], [lon])[0])
    key = quadtree.point_key(7, lat, lon)
    for level in (0, 5, 12, 20):
        cell = quadtree.cell_of(lat, lon, level)
        lo, hi = cell.key_range(7)
        assert lo <= key <= hi
        min_lat, max_lat, min_lon, max_lon = cell.bounds()
        assert min_lat - 1e-9 <= lat <= max_lat + 1e-9
        assert min_lon - 1e-9 <= lon <= max_lon + 1e-9


@given(
    lat=lat_s,
    lon=lon_s,
    plat=lat_s,
    plon=lon_s,
    level=st.integers(min_value=6, max_value=20),
)
def test_cell_distance_bounds_hold(
    lat: float, lon: float, plat: float, plon: float, level: int
) -> None:
    """min_distance_m never exceeds, and max_distance_m never undercuts, a real distance."""
    cell = quadtree.cell_of(plat, plon, level)
    d = distance_m(lat, lon, plat, plon)
    assert quadtree.min_distance_m(lat, lon, cell) <= d
    if level >= 8:
        assert quadtree.max_distance_m(lat, lon, cell) >= d


@given(
    lat=st.floats(min_value=-6.5, max_value=-6.0),
    lon=st.floats(min_value=106.5, max_value=107.0),
    dlat=st.floats(min_value=0.0001, max_value=0.2),
    dlon=st.floats(min_value=0.0001, max_value=0.2),
)
def test_cover_box_covers(lat: float, lon: float, dlat: float, dlon: float) -> None:
    box = BBox(min_lon=lon, min_lat=lat, max_lon=lon + dlon, max_lat=lat + dlat)
    cells = quadtree.cover_box(box)
    assert 1 <= len(cells) <= 16
    rng = random.Random(0)
    for _ in range(50):
        plat, plon = lat + rng.random() * dlat, lon + rng.random() * dlon
        x, y = quadtree.quantize(plat, plon)
        assert any(c.contains_grid(x, y) for c in cells)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ((-6.3016, 106.6527), (-6.3428, 106.7386)),  # BSD → Pamulang
        ((-6.2, 106.8), (-6.2001, 106.8001)),
        ((-6.3, 106.6), (-7.25, 112.75)),  # to Surabaya
        ((40.7, -74.0), (51.5, -0.12)),
    ],
)
def test_distances_agree_with_geodesic(a: tuple[float, float], b: tuple[float, float]) -> None:
    assert distance_m(*a, *b) == pytest.approx(geodesic_distance_m(*a, *b), rel=0.005)


def test_search_distances_agree_with_geodesic(session: Session) -> None:
    b = make_business(session, lat=-6.35, lon=106.70)
    ((bid, d),) = nearest_candidates(session, lat=-6.30, lon=106.65, limit=1)
    assert bid == b.id
    assert d == pytest.approx(geodesic_distance_m(-6.30, 106.65, -6.35, 106.70), rel=0.005)


# ------------------------------------------------------------- brute force on random data

CENTRE = (-6.30, 106.65)


def _populate(
    session: Session, points: list[tuple[float, float, str]]
) -> dict[int, tuple[float, float, str]]:
    out: dict[int, tuple[float, float, str]] = {}
    for lat, lon, cat in points:
        b = make_business(session, lat=lat, lon=lon, category=cat, commit=False)
        out[b.id] = (lat, lon, cat)
    session.commit()
    return out


def _cleanup(session: Session, ids: list[int]) -> None:
    unindex_businesses(session, ids)
    session.execute(delete(Business).where(Business.id.in_(ids)))
    session.commit()


offset = st.floats(min_value=-0.05, max_value=0.05, allow_nan=False)
point_s = st.tuples(
    offset, offset, st.sampled_from(["kafe-kopi", "kedai-kopi", "bengkel-motor", "apotek"])
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.lists(point_s, min_size=0, max_size=40),
    q=st.tuples(offset, offset),
    k=st.integers(min_value=1, max_value=15),
    radius=st.floats(min_value=10.0, max_value=8000.0),
    clustered=st.booleans(),
)
def test_nearest_radius_box_equal_brute_force(
    session: Session,
    raw: list[tuple[float, float, str]],
    q: tuple[float, float],
    k: int,
    radius: float,
    clustered: bool,
) -> None:
    scale = 0.02 if clustered else 1.0
    points = [(CENTRE[0] + a * scale, CENTRE[1] + b * scale, c) for a, b, c in raw]
    data = _populate(session, points)
    try:
        qlat, qlon = CENTRE[0] + q[0], CENTRE[1] + q[1]
        dist = {bid: distance_m(qlat, qlon, lat, lon) for bid, (lat, lon, _) in data.items()}
        expected = sorted((d, bid) for bid, d in dist.items())
        got = nearest_candidates(session, lat=qlat, lon=qlon, limit=k)
        assert [(round(d, 6), b) for b, d in got] == [(round(d, 6), b) for d, b in expected[:k]]
        # category scope: kafe-kopi includes its child kedai-kopi
        scoped = [(d, b) for d, b in expected if data[b][2] in ("kafe-kopi", "kedai-kopi")]
        index = spatial_index(session)
        kafe = get_catalog(session).category_by_slug["kafe-kopi"].id
        got_cat = [b for _, b, _, _ in index.nearest(qlat, qlon, scopes=[kafe])][:k]
        assert got_cat == [b for _, b in scoped[:k]]
        # radius
        got_r = [b for _, b, _, _ in index.nearest(qlat, qlon, scopes=[0], max_distance_m=radius)]
        assert got_r == [b for d, b in expected if d <= radius]
        # keyset continuation after the 3rd result returns the rest
        if len(expected) > 3:
            after = expected[2]
            rest = [b for _, b, _, _ in index.nearest(qlat, qlon, scopes=[0], after=after)]
            assert rest == [b for _, b in expected[3:]]
        # box
        box = BBox(min_lon=qlon - 0.01, min_lat=qlat - 0.008, max_lon=qlon + 0.02,
                   max_lat=qlat + 0.01)  # fmt: skip
        inside = sorted(b for b, (lat, lon, _) in data.items() if box.contains(lat, lon))
        found = index.in_box(box, scopes=[0], cap=10_000)
        assert found is not None
        assert [p[0] for p in found] == inside
        if len(inside) > 2:
            assert index.in_box(box, scopes=[0], cap=1) is None
    finally:
        _cleanup(session, list(data))


def test_dense_cluster_and_far_point(session: Session) -> None:
    """Hundreds of points in one cell (forces splits) and a query 700 km away."""
    rng = random.Random(3)
    points = [
        (CENTRE[0] + rng.gauss(0, 0.0005), CENTRE[1] + rng.gauss(0, 0.0005), "apotek")
        for _ in range(300)
    ]
    data = _populate(session, points)
    try:
        for qlat, qlon in ((CENTRE[0], CENTRE[1]), (-7.25, 112.75), (10.0, -60.0)):
            expected = sorted(
                (distance_m(qlat, qlon, lat, lon), bid) for bid, (lat, lon, _) in data.items()
            )
            got = nearest_candidates(session, lat=qlat, lon=qlon, limit=25)
            assert [b for b, _ in got] == [b for _, b in expected[:25]]
            assert all(math.isfinite(d) for _, d in got)
    finally:
        _cleanup(session, list(data))
