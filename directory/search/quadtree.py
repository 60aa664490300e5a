"""A linear quadtree over longitude/latitude: the key space of the portable spatial index.

Every point is quantised to a 2^20 × 2^20 grid over the whole globe (about 38 m × 19 m at
the finest level) and keyed by its Morton (Z-order) code, so that each quadtree cell of
any level is one contiguous key range. A B-tree over ``(scope << 40) | morton`` therefore
answers "which points lie in this cell" with one range scan, for one category ("scope")
at a time. The bounds here are exact for the sphere the haversine formula uses, so a
best-first walk over cells yields points in exact distance order.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from directory.geo import EARTH_RADIUS_M, BBox, distance_m

BITS = 20
SIDE = 1 << BITS
SCOPE_SHIFT = 2 * BITS
MAX_SCOPE = (1 << (63 - SCOPE_SHIFT)) - 1
# Bounds are shaved by this much so that float rounding can never make one too tight.
_SLACK_M = 1e-3
_SLACK_REL = 1e-9


def quantize(lat: float, lon: float) -> tuple[int, int]:
    """Grid column and row of a point at the finest level."""
    x = int((lon + 180.0) / 360.0 * SIDE)
    y = int((lat + 90.0) / 180.0 * SIDE)
    return min(SIDE - 1, max(0, x)), min(SIDE - 1, max(0, y))


def _spread(v: int) -> int:
    """Put the 20 bits of ``v`` on the even bit positions."""
    v &= SIDE - 1
    v = (v | (v << 16)) & 0x0000FFFF0000FFFF
    v = (v | (v << 8)) & 0x00FF00FF00FF00FF
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0F
    v = (v | (v << 2)) & 0x3333333333333333
    return (v | (v << 1)) & 0x5555555555555555


def morton(x: int, y: int) -> int:
    """Z-order code of a grid cell: x bits on even positions, y bits on odd ones."""
    return _spread(x) | (_spread(y) << 1)


def point_key(scope: int, lat: float, lon: float) -> int:
    """The index key of a point in a scope (0 = every business, else a category id)."""
    x, y = quantize(lat, lon)
    return (scope << SCOPE_SHIFT) | morton(x, y)


def _spread_np(v: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    v = v & (SIDE - 1)
    v = (v | (v << 16)) & 0x0000FFFF0000FFFF
    v = (v | (v << 8)) & 0x00FF00FF00FF00FF
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0F
    v = (v | (v << 2)) & 0x3333333333333333
    return (v | (v << 1)) & 0x5555555555555555


def morton_many(lats: npt.ArrayLike, lons: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Vectorised ``morton(*quantize(lat, lon))`` for bulk indexing (same results)."""
    lat = np.asarray(lats, dtype=np.float64)
    lon = np.asarray(lons, dtype=np.float64)
    x = np.clip(((lon + 180.0) / 360.0 * SIDE).astype(np.int64), 0, SIDE - 1)
    y = np.clip(((lat + 90.0) / 180.0 * SIDE).astype(np.int64), 0, SIDE - 1)
    return _spread_np(x) | (_spread_np(y) << 1)


@dataclass(frozen=True, slots=True)
class Cell:
    """A quadtree cell: ``level`` 0 is the globe, level 20 a single grid cell."""

    level: int
    cx: int
    cy: int

    @property
    def shift(self) -> int:
        return BITS - self.level

    def key_range(self, scope: int) -> tuple[int, int]:
        """Inclusive key range of the points of ``scope`` inside this cell."""
        lo = (scope << SCOPE_SHIFT) | (morton(self.cx, self.cy) << (2 * self.shift))
        return lo, lo + (1 << (2 * self.shift)) - 1

    def bounds(self) -> tuple[float, float, float, float]:
        """(min_lat, max_lat, min_lon, max_lon) in degrees."""
        n = 1 << self.level
        lon0 = -180.0 + self.cx * 360.0 / n
        lat0 = -90.0 + self.cy * 180.0 / n
        return lat0, lat0 + 180.0 / n, lon0, lon0 + 360.0 / n

    def children(self) -> tuple[Cell, Cell, Cell, Cell]:
        """The four cells of the next level."""
        level, x, y = self.level + 1, self.cx * 2, self.cy * 2
        return (Cell(level, x, y), Cell(level, x + 1, y), Cell(level, x, y + 1),
                Cell(level, x + 1, y + 1))  # fmt: skip

    def contains_grid(self, x: int, y: int) -> bool:
        """Whether the finest-level grid cell (x, y) lies inside this cell."""
        return (x >> self.shift) == self.cx and (y >> self.shift) == self.cy


ROOT = Cell(0, 0, 0)


def cell_of(lat: float, lon: float, level: int) -> Cell:
    """The cell of ``level`` holding a point."""
    x, y = quantize(lat, lon)
    return Cell(level, x >> (BITS - level), y >> (BITS - level))


def _wrap_deg(d: float) -> float:
    """An angle difference folded into [-180, 180)."""
    return (d + 180.0) % 360.0 - 180.0


def min_distance_m(lat: float, lon: float, cell: Cell) -> float:
    """A lower bound (tight up to float slack) of the distance from a point to a cell.

    Inside the longitude range the nearest point is straight north or south. Outside it,
    the nearest point lies on the nearer bounding meridian, at the latitude where the
    great circle through the point meets that meridian at a right angle, clamped to the
    cell. Beyond 90° of longitude the bound falls back to 0 (only huge cells get there).
    """
    lat0, lat1, lon0, lon1 = cell.bounds()
    if lon0 <= lon <= lon1:
        d = abs(lat - min(lat1, max(lat0, lat))) * math.pi / 180.0 * EARTH_RADIUS_M
    else:
        d0, d1 = _wrap_deg(lon0 - lon), _wrap_deg(lon1 - lon)
        edge_lon, dlon = (lon0, d0) if abs(d0) <= abs(d1) else (lon1, d1)
        if abs(dlon) >= 90.0:
            return 0.0
        phi = math.atan(math.tan(math.radians(lat)) / math.cos(math.radians(dlon)))
        d = distance_m(lat, lon, min(lat1, max(lat0, math.degrees(phi))), edge_lon)
    return max(0.0, d * (1.0 - _SLACK_REL) - _SLACK_M)


def max_distance_m(lat: float, lon: float, cell: Cell) -> float:
    """An upper bound of the distance from a point to any point of a small cell.

    On a lat/lon rectangle that does not hold the antipode the farthest point is a
    corner; callers only use this for cells of level 8 or finer.
    """
    lat0, lat1, lon0, lon1 = cell.bounds()
    far = max(distance_m(lat, lon, a, b) for a in (lat0, lat1) for b in (lon0, lon1))
    return far * (1.0 + _SLACK_REL) + _SLACK_M


def cover_box(box: BBox, *, max_cells: int = 16) -> list[Cell]:
    """Cells that together cover a box, few and not much bigger than it.

    Starts at the finest level at which the box spans at most two cells each way, then
    refines the cells that stick out of the box while the count stays under ``max_cells``.
    """
    x0, y0 = quantize(box.min_lat, box.min_lon)
    x1, y1 = quantize(box.max_lat, box.max_lon)
    span = max(x1 - x0, y1 - y0) + 1
    level = max(0, BITS - max(0, (span - 1).bit_length()))
    shift = BITS - level
    cells = [
        Cell(level, cx, cy)
        for cx in range(x0 >> shift, (x1 >> shift) + 1)
        for cy in range(y0 >> shift, (y1 >> shift) + 1)
    ]
    while True:
        refined: list[Cell] = []
        for cell in cells:
            if cell.level == BITS or _inside(cell, x0, y0, x1, y1):
                refined.append(cell)
                continue
            refined.extend(c for c in cell.children() if _overlaps(c, x0, y0, x1, y1))
        if len(refined) > max_cells or refined == cells:
            return cells
        cells = refined


def _grid_span(cell: Cell) -> tuple[int, int, int, int]:
    s = cell.shift
    return cell.cx << s, cell.cy << s, ((cell.cx + 1) << s) - 1, ((cell.cy + 1) << s) - 1


def _inside(cell: Cell, x0: int, y0: int, x1: int, y1: int) -> bool:
    a, b, c, d = _grid_span(cell)
    return a >= x0 and b >= y0 and c <= x1 and d <= y1


def _overlaps(cell: Cell, x0: int, y0: int, x1: int, y1: int) -> bool:
    a, b, c, d = _grid_span(cell)
    return not (c < x0 or a > x1 or d < y0 or b > y1)


def merged_ranges(cells: list[Cell], scope: int) -> Iterator[tuple[int, int]]:
    """Key ranges of cells in key order, adjacent ranges merged."""
    ranges = sorted(c.key_range(scope) for c in cells)
    current: tuple[int, int] | None = None
    for lo, hi in ranges:
        if current is not None and lo <= current[1] + 1:
            current = (current[0], max(current[1], hi))
            continue
        if current is not None:
            yield current
        current = (lo, hi)
    if current is not None:
        yield current
