"""Areas: seeding the gazetteer, geometry, and assigning a point to its most specific area.

A point belongs to the smallest imported polygon that contains it. Where no polygon
contains it, circles (centroid + radius) stand in: among the circles that contain the
point, the most specific kind wins (kelurahan > township > kecamatan > city > province),
and within a kind the one whose centroid is nearest relative to its radius.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from directory.errors import NotFound
from directory.geo import EARTH_RADIUS_M, METERS_PER_DEG_LAT, distance_m
from directory.models import Area, Business
from directory.shipped_data import AreaSeed, load_area_polygons, load_areas

KIND_SPECIFICITY = {
    "kelurahan": 0,
    "desa": 0,
    "neighbourhood": 1,
    "township": 2,
    "kecamatan": 3,
    "city": 4,
    "regency": 4,
    "province": 5,
}
GRID_DEG = 0.05
# How far outside its (simplified) polygon a point may lie and still belong to the area.
BORDER_TOLERANCE_M = 50.0
BORDER_TOLERANCE_DEG = BORDER_TOLERANCE_M / METERS_PER_DEG_LAT


def circle_area_m2(radius_m: float) -> float:
    """Area of a circle; used to rank circles by specificity next to polygons."""
    return math.pi * radius_m * radius_m


def geometry_area_m2(geom: BaseGeometry) -> float:
    """Approximate area of a lon/lat geometry in m² (local equirectangular projection)."""
    lat0 = geom.centroid.y
    kx = METERS_PER_DEG_LAT * math.cos(math.radians(lat0))
    projected = shapely.transform(geom, lambda xy: xy * np.array([kx, METERS_PER_DEG_LAT]))
    return float(projected.area)


def circle_bbox(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of a circle."""
    dlat = radius_m / METERS_PER_DEG_LAT
    dlon = radius_m / (METERS_PER_DEG_LAT * max(math.cos(math.radians(lat)), 1e-6))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def seed_areas(
    session: Session,
    seeds: Sequence[AreaSeed] | None = None,
    polygons: Mapping[str, dict[str, Any]] | None = None,
) -> int:
    """Insert or update the shipped gazetteer by slug, with its shipped borders.

    ``polygons`` defaults to the shipped ones when ``seeds`` is the shipped gazetteer too
    (custom seeds get no borders unless given). A border imported by an operator
    (``source="import"``) is never replaced by a shipped one.
    """
    if polygons is None:
        polygons = load_area_polygons() if seeds is None else {}
    seeds = list(seeds) if seeds is not None else load_areas()
    existing = {a.slug: a for a in session.scalars(select(Area))}
    changed = 0
    borders_changed = False
    for seed in seeds:
        row = existing.get(seed.slug)
        if row is None:
            row = Area(slug=seed.slug, source="gazetteer")
            session.add(row)
            existing[seed.slug] = row
            changed += 1
        parent = existing.get(seed.parent) if seed.parent else None
        row.name = seed.name
        row.kind = seed.kind
        row.aliases = list(seed.aliases)
        row.parent_id = parent.id if parent else None
        row.code = seed.code
        row.lat = seed.lat
        row.lon = seed.lon
        row.radius_m = seed.radius_m
        polygon = polygons.get(seed.slug)
        if polygon is not None and row.source != "import":
            geom = shape(polygon)
            borders_changed = borders_changed or row.polygon != polygon
            row.polygon = polygon
            row.min_lon, row.min_lat, row.max_lon, row.max_lat = (float(v) for v in geom.bounds)
            row.area_m2 = geometry_area_m2(geom)
        elif row.polygon is None:
            row.min_lon, row.min_lat, row.max_lon, row.max_lat = circle_bbox(
                seed.lat, seed.lon, seed.radius_m
            )
            row.area_m2 = circle_area_m2(seed.radius_m)
        session.flush()
    if (changed or borders_changed) and session.scalar(select(Business.id).limit(1)) is not None:
        reassign_business_areas(session)  # new borders: every point's most specific area
    return changed


def list_areas(session: Session, *, kind: str | None = None) -> list[Area]:
    """Areas, biggest first within each kind, optionally of one kind."""
    stmt = select(Area).order_by(Area.area_m2.desc(), Area.name)
    if kind:
        stmt = stmt.where(Area.kind == kind)
    return list(session.scalars(stmt))


def get_area(session: Session, slug: str) -> Area:
    """An area by slug, or NotFound."""
    row = session.scalar(select(Area).where(Area.slug == slug))
    if row is None:
        raise NotFound(detail=f"unknown area '{slug}'")
    return row


def area_geometry(area: Area) -> BaseGeometry | None:
    """The area's polygon as a shapely geometry, or None when it is only a circle."""
    if area.polygon is None:
        return None
    return shape(area.polygon)


@dataclass(frozen=True, slots=True)
class _Circle:
    area_id: int
    lat: float
    lon: float
    radius_m: float
    specificity: int


class AreaLocator:
    """Answers "which area is this point in" quickly, for one point or a million."""

    def __init__(self, areas: Iterable[Area]) -> None:
        polys: list[BaseGeometry] = []
        self._poly_ids: list[int] = []
        self._poly_sizes: list[float] = []
        self._grid: dict[tuple[int, int], list[_Circle]] = defaultdict(list)
        for area in areas:
            geom = area_geometry(area)
            if geom is not None:
                polys.append(geom)
                self._poly_ids.append(area.id)
                # Equal borders (a neighbourhood drawn as one kelurahan): the official
                # area wins, so its parents say where the point is.
                self._poly_sizes.append(
                    round(area.area_m2) + KIND_SPECIFICITY.get(area.kind, 6) / 10
                )
            elif area.radius_m:
                circle = _Circle(
                    area.id, area.lat, area.lon, area.radius_m, KIND_SPECIFICITY.get(area.kind, 6)
                )
                min_lon, min_lat, max_lon, max_lat = circle_bbox(area.lat, area.lon, area.radius_m)
                for gx in range(_cell(min_lon), _cell(max_lon) + 1):
                    for gy in range(_cell(min_lat), _cell(max_lat) + 1):
                        self._grid[(gx, gy)].append(circle)
        for geom in polys:
            shapely.prepare(geom)
        self._tree = shapely.STRtree(polys) if polys else None
        self._cell_cache: dict[
            tuple[int, int],
            tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[int]] | None,
        ] = {}
        self._polys = polys

    def locate(self, lat: float, lon: float) -> int | None:
        """The id of the most specific area containing the point, or None."""
        return self.locate_many([lat], [lon])[0]

    def locate_many(self, lats: Sequence[float], lons: Sequence[float]) -> list[int | None]:
        """Vectorised ``locate`` for bulk imports."""
        result: list[int | None] = [None] * len(lats)
        if self._tree is not None and len(lats):
            xs = np.asarray(lons, dtype=float)
            ys = np.asarray(lats, dtype=float)
            # Bounding boxes from the tree, then the exact test per polygon on all its
            # candidate points at once against the prepared polygon (a city's border has
            # thousands of vertices, which an unprepared test would walk again for every point).
            pairs = self._tree.query(shapely.points(xs, ys))
            best_size = np.full(len(lats), np.inf)
            best_poly = np.full(len(lats), -1, dtype=np.int64)
            order = np.argsort(pairs[1], kind="stable")
            point_idx, poly_idx = pairs[0][order], pairs[1][order]
            bounds = np.flatnonzero(np.diff(poly_idx)) + 1
            for pts, polys in zip(np.split(point_idx, bounds), np.split(poly_idx, bounds),
                                  strict=True):  # fmt: skip
                if not len(pts):
                    continue
                poly = int(polys[0])
                inside = pts[shapely.intersects_xy(self._polys[poly], xs[pts], ys[pts])]
                size = self._poly_sizes[poly]
                smaller = inside[size < best_size[inside]]
                best_size[smaller] = size
                best_poly[smaller] = poly
            for i in np.flatnonzero(best_poly >= 0).tolist():
                result[i] = self._poly_ids[int(best_poly[i])]
        missing = [i for i, found in enumerate(result) if found is None]
        if missing and self._tree is not None:
            self._locate_near_border(lats, lons, missing, result)
            missing = [i for i, found in enumerate(result) if found is None]
        if missing and self._grid:
            found_ids = self._locate_circles(
                np.asarray([lats[i] for i in missing], dtype=float),
                np.asarray([lons[i] for i in missing], dtype=float),
            )
            for i, area_id in zip(missing, found_ids, strict=True):
                result[i] = area_id
        return result

    def _locate_near_border(
        self,
        lats: Sequence[float],
        lons: Sequence[float],
        missing: list[int],
        result: list[int | None],
    ) -> None:
        """Points just outside every polygon (a simplified coast or border) belong to the
        nearest polygon within ``BORDER_TOLERANCE_M``, the smallest on a tie."""
        assert self._tree is not None
        points = shapely.points(
            np.asarray([lons[i] for i in missing], dtype=float),
            np.asarray([lats[i] for i in missing], dtype=float),
        )
        pairs = self._tree.query_nearest(points, max_distance=BORDER_TOLERANCE_DEG)
        best: dict[int, float] = {}
        for point_idx, poly_idx in zip(pairs[0].tolist(), pairs[1].tolist(), strict=True):
            size = self._poly_sizes[poly_idx]
            target = missing[point_idx]
            if target not in best or size < best[target]:
                best[target] = size
                result[target] = self._poly_ids[poly_idx]

    def _locate_circles(self, lats: np.ndarray, lons: np.ndarray) -> list[int | None]:
        """``_locate_circle`` for many points: grouped by grid cell, each cell's circles at
        once with numpy (a million imported points in seconds instead of a minute)."""
        out: list[int | None] = [None] * len(lats)
        cells_x = np.floor(lons / GRID_DEG).astype(np.int64)
        cells_y = np.floor(lats / GRID_DEG).astype(np.int64)
        order = np.lexsort((cells_y, cells_x))
        changes = (np.diff(cells_x[order]) != 0) | (np.diff(cells_y[order]) != 0)
        bounds = np.flatnonzero(changes) + 1
        for group in np.split(order, bounds):
            cell = (int(cells_x[group[0]]), int(cells_y[group[0]]))
            arrays = self._cell_arrays(cell)
            if arrays is None:
                continue
            c_lat, c_lon, c_radius, c_rank, c_ids = arrays
            d = _haversine_m(lats[group][:, None], lons[group][:, None], c_lat, c_lon)
            # (specificity, d / radius) ordered as one number: d / radius is within [0, 1].
            key = np.where(d <= c_radius, c_rank * 2.0 + d / c_radius, np.inf)
            best = np.argmin(key, axis=1)
            hit = np.isfinite(key[np.arange(len(group)), best])
            for idx, b in zip(group[hit].tolist(), best[hit].tolist(), strict=True):
                out[idx] = c_ids[b]
        return out

    def _cell_arrays(
        self, cell: tuple[int, int]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[int]] | None:
        cached = self._cell_cache.get(cell)
        if cached is None and cell not in self._cell_cache:
            circles = self._grid.get(cell, [])
            if circles:
                cached = (
                    np.array([c.lat for c in circles]),
                    np.array([c.lon for c in circles]),
                    np.array([c.radius_m for c in circles]),
                    np.array([c.specificity for c in circles], dtype=float),
                    [c.area_id for c in circles],
                )
            self._cell_cache[cell] = cached
        return cached

    def _locate_circle(self, lat: float, lon: float) -> int | None:
        best: tuple[int, float] | None = None
        best_id: int | None = None
        for circle in self._grid.get((_cell(lon), _cell(lat)), ()):
            d = distance_m(lat, lon, circle.lat, circle.lon)
            if d > circle.radius_m:
                continue
            key = (circle.specificity, d / circle.radius_m)
            if best is None or key < best:
                best, best_id = key, circle.area_id
        return best_id


def _cell(deg: float) -> int:
    return math.floor(deg / GRID_DEG)


def _haversine_m(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """``geo.distance_m`` on arrays (same formula, same radius), broadcasting."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    result: np.ndarray = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return result


_locators: weakref.WeakKeyDictionary[Engine, tuple[tuple[Any, ...], AreaLocator]] = (
    weakref.WeakKeyDictionary()
)
_locators_lock = threading.Lock()


def _areas_version(session: Session) -> tuple[Any, ...]:
    """A cheap fingerprint of the stored areas' geometry: it changes whenever an area is
    added, removed, or given another border or circle (seeding, ``import areas``)."""
    row = session.execute(
        select(
            func.count(Area.id), func.max(Area.id), func.sum(Area.area_m2),
            func.sum(Area.min_lon + Area.max_lat), func.sum(Area.lat + Area.lon),
        )
    ).one()  # fmt: skip
    return tuple(round(float(v), 6) if isinstance(v, float) else v for v in row)


def make_locator(session: Session) -> AreaLocator:
    """A locator over every area currently stored (as this session sees them).

    Parsing every border is slow next to placing one point, so the locator is kept per
    database and rebuilt only when the areas change.
    """
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    version = _areas_version(session)
    with _locators_lock:
        cached = _locators.get(engine)
    if cached is not None and cached[0] == version:
        return cached[1]
    locator = AreaLocator(session.scalars(select(Area)))
    with _locators_lock:
        _locators[engine] = (version, locator)
    return locator


def reassign_business_areas(session: Session, *, batch: int = 20_000) -> int:
    """Recompute every business's area (after areas change); returns rows changed."""
    locator = make_locator(session)
    changed = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(Business.id, Business.lat, Business.lon, Business.area_id)
            .where(Business.id > last_id)
            .order_by(Business.id)
            .limit(batch)
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        found = locator.locate_many([r[1] for r in rows], [r[2] for r in rows])
        updates: dict[int | None, list[int]] = defaultdict(list)
        for row, area_id in zip(rows, found, strict=True):
            if row[3] != area_id:
                updates[area_id].append(row[0])
        for area_id, ids in updates.items():
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900]
                session.execute(
                    update(Business).where(Business.id.in_(chunk)).values(area_id=area_id)
                )
                changed += len(chunk)
    return changed


def area_contains(area: Area, lat: float, lon: float) -> bool:
    """Whether the point is inside the area (its polygon, else its circle)."""
    geom = area_geometry(area)
    if geom is not None:
        return bool(geom.covers(shapely.Point(lon, lat)))
    if area.radius_m is None:
        return False
    return distance_m(lat, lon, area.lat, area.lon) <= area.radius_m


def area_summary(area: Area | None) -> dict[str, Any] | None:
    """The small area object embedded in business responses."""
    if area is None:
        return None
    return {"id": area.id, "slug": area.slug, "name": area.name, "kind": area.kind}
