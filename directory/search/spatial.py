"""Spatial candidate generation: nearest-first streams and box scans, per category scope.

Two interchangeable backends give identical results (distances recomputed with
:func:`directory.geo.distance_m`, ties broken by business id): :class:`CellIndex`, a
best-first walk over the linear quadtree in ``search_cell`` (SQLite, and PostgreSQL
without PostGIS), and :class:`PostgisIndex`, ``ORDER BY geog <-> point`` on GiST. A
*scope* is 0 for every business or a category id for that category and below. How the
walk and the indexes work: ``docs/search.md`` (*Spatial, portable* and *PostGIS*).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from sqlalchemy import and_, bindparam, cast, func, literal_column, not_, select
from sqlalchemy.orm import Session

from directory.geo import BBox, distance_m
from directory.search import quadtree
from directory.search.quadtree import Cell
from directory.search.rawsql import FastStatement
from directory.search.tables import Geography, search_cell, search_geo

# (distance_m, business_id, lat, lon)
Hit = tuple[float, int, float, float]
# (business_id, lat, lon)
Point = tuple[int, float, float]

FETCH_LEVEL = 14
DENSE_CELL = 96
_CELL, _POINT = 0, 1

_RANGE = FastStatement(
    select(search_cell.c.business_id, search_cell.c.lat, search_cell.c.lon).where(
        search_cell.c.cell_key.between(bindparam("lo"), bindparam("hi"))
    )
)
_RANGE_COUNT = FastStatement(
    select(func.count()).select_from(
        select(literal_column("1"))
        .select_from(search_cell)
        .where(search_cell.c.cell_key.between(bindparam("lo"), bindparam("hi")))
        .limit(bindparam("cap"))
        .subquery()
    )
)


class SpatialIndex(Protocol):
    """What the executor needs from a spatial backend."""

    def nearest(
        self,
        lat: float,
        lon: float,
        *,
        scopes: Sequence[int],
        after: tuple[float, int] | None = None,
        max_distance_m: float | None = None,
        wanted: int | None = None,
    ) -> Iterator[Hit]:
        """Businesses in exact (distance, id) order, after ``after``, within the limit.

        ``wanted`` is how many hits the caller expects to take first (a hint: the stream
        goes on as long as it is read)."""
        ...

    def in_box(self, box: BBox, *, scopes: Sequence[int], cap: int) -> list[Point] | None:
        """Every business inside the box, or None when there are more than ``cap``."""
        ...


class CellIndex:
    """The linear-quadtree backend (see the module docstring)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def count(self, cell: Cell, scope: int, cap: int) -> int:
        """Points of a scope in a cell, counted up to ``cap``."""
        lo, hi = cell.key_range(scope)
        return int(_RANGE_COUNT.rows(self._session, {"lo": lo, "hi": hi, "cap": cap})[0][0])

    def points(self, cell: Cell, scope: int) -> Sequence[Sequence[Any]]:
        """(business_id, lat, lon) rows of a scope's points in a cell."""
        lo, hi = cell.key_range(scope)
        return _RANGE.rows(self._session, {"lo": lo, "hi": hi})

    def nearest(
        self,
        lat: float,
        lon: float,
        *,
        scopes: Sequence[int],
        after: tuple[float, int] | None = None,
        max_distance_m: float | None = None,
        wanted: int | None = None,
    ) -> Iterator[Hit]:
        """Exact nearest-first stream (best-first walk, see the module docstring); the
        walk reads cells as it goes, so ``wanted`` changes nothing here."""
        walk = _Walk(self, lat, lon)
        for scope in dict.fromkeys(scopes):
            walk.push_cell(quadtree.ROOT, scope, 0.0)
        last: tuple[float, int] | None = None
        heap = walk.heap
        while heap:
            bound, kind, tie, plat, plon = heapq.heappop(heap)
            if max_distance_m is not None and bound > max_distance_m:
                return
            if kind == _POINT:
                if (bound, tie) == last:
                    continue  # the same business reached through a second scope
                last = (bound, tie)
                if after is not None and last <= after:
                    continue
                yield bound, tie, plat, plon
                continue
            cell, scope = walk.cells.pop(tie)
            if (
                after is not None
                and cell.level >= 8
                and quadtree.max_distance_m(lat, lon, cell) < after[0]
            ):
                continue
            walk.expand(cell, scope)

    def in_box(self, box: BBox, *, scopes: Sequence[int], cap: int) -> list[Point] | None:
        """Every business inside the box (exact), or None when more than ``cap``."""
        cells = quadtree.cover_box(box)
        found: dict[int, Point] = {}
        scanned = 0
        for scope in dict.fromkeys(scopes):
            for lo, hi in quadtree.merged_ranges(cells, scope):
                params = {"lo": lo, "hi": hi, "cap": cap + 1}
                if int(_RANGE_COUNT.rows(self._session, params)[0][0]) > cap - scanned:
                    return None
                rows = _RANGE.rows(self._session, {"lo": lo, "hi": hi})
                scanned += len(rows)
                for bid, plat, plon in rows:
                    if box.contains(plat, plon):
                        found[int(bid)] = (int(bid), float(plat), float(plon))
        return sorted(found.values())


class _Walk:
    """The heap of one best-first walk: cells by distance bound, points by distance.

    Entries are ``(distance, kind, tie, lat, lon)``; cells sort before points at equal
    distance (a cell may still hold a point at exactly that distance with a lower id)
    and points with equal distance leave in id order.
    """

    def __init__(self, index: CellIndex, lat: float, lon: float) -> None:
        self.index = index
        self.lat = lat
        self.lon = lon
        self.x, self.y = quadtree.quantize(lat, lon)
        self.heap: list[tuple[float, int, int, float, float]] = []
        self.cells: dict[int, tuple[Cell, int]] = {}
        self._seq = itertools.count()

    def push_cell(self, cell: Cell, scope: int, bound: float) -> None:
        tie = next(self._seq)
        self.cells[tie] = (cell, scope)
        heapq.heappush(self.heap, (bound, _CELL, tie, 0.0, 0.0))

    def expand(self, cell: Cell, scope: int) -> None:
        """Split a cell that is big or dense; otherwise read its points."""
        index = self.index
        if cell.level < FETCH_LEVEL:
            if not cell.contains_grid(self.x, self.y) and index.count(cell, scope, 1) == 0:
                return
            dense = True
        else:
            dense = cell.level < quadtree.BITS and (
                index.count(cell, scope, DENSE_CELL + 1) > DENSE_CELL
            )
        if dense:
            for child in cell.children():
                self.push_cell(child, scope, quadtree.min_distance_m(self.lat, self.lon, child))
            return
        lat, lon = self.lat, self.lon
        for bid, plat, plon in index.points(cell, scope):
            heapq.heappush(self.heap, (distance_m(lat, lon, plat, plon), _POINT, bid, plat, plon))


_KNN_CACHE: dict[tuple[bool, bool, bool], FastStatement] = {}
ALL_SCOPE = 0  # the scope that holds every business (see tables.py)


def _scope_condition(all_scope: bool) -> Any:
    """``scope = 0``, or ``scope = :scope AND scope <> 0``, written with constants.

    Each kind of scope has a partial GiST index of its own: ``ix_search_geo_all_geog``
    (``WHERE scope = 0``, revision 0005) and ``ix_search_geo_cat_geog`` (``WHERE scope <>
    0``, revision 0017). A statement run often is prepared and may get a generic plan, in
    which the planner can only use a partial index whose predicate the statement's text
    implies; a parameter alone (``scope = $1``) implies neither.
    """
    scope = search_geo.c.scope
    if all_scope:
        return scope == literal_column(str(ALL_SCOPE))
    return and_(scope == bindparam("scope"), scope != literal_column(str(ALL_SCOPE)))


def _point() -> Any:
    return cast(
        func.ST_SetSRID(func.ST_MakePoint(bindparam("lon"), bindparam("lat")), 4326),
        Geography(),
    )


def _knn_statement(*, inner: bool, outer: bool, all_scope: bool = False) -> FastStatement:
    """``ORDER BY geog <-> point`` for one scope, optionally outside/inside radii."""
    key = (inner, outer, all_scope)
    hit = _KNN_CACHE.get(key)
    if hit is not None:
        return hit
    point = _point()
    geog = search_geo.c.geog
    conditions = [_scope_condition(all_scope)]
    if inner:
        conditions.append(not_(func.ST_DWithin(geog, point, bindparam("inner"), False)))
    if outer:
        conditions.append(func.ST_DWithin(geog, point, bindparam("outer"), False))
    stmt = (
        select(search_geo.c.business_id, search_geo.c.lat, search_geo.c.lon)
        .where(and_(*conditions))
        .order_by(geog.op("<->")(point))
        .limit(bindparam("n"))
        .offset(bindparam("skip"))
    )
    hit = _KNN_CACHE[key] = FastStatement(stmt)
    return hit


def _box_statement(all_scope: bool) -> FastStatement:
    """Every point of one scope whose geography intersects a box, up to ``cap``."""
    envelope = func.ST_MakeEnvelope(
        bindparam("w"), bindparam("s"), bindparam("e"), bindparam("n"), 4326
    )
    return FastStatement(
        select(search_geo.c.business_id, search_geo.c.lat, search_geo.c.lon)
        .where(
            _scope_condition(all_scope),
            search_geo.c.geog.op("&&")(cast(envelope, Geography())),
        )
        .limit(bindparam("cap"))
    )


_BOX = {True: _box_statement(True), False: _box_statement(False)}
# PostGIS distances are spheroidal; haversine differs by well under this share.
_SPHEROID_SLACK = 0.01


FIRST_MARGIN = 0.5
"""Share of extra rows the first ``<->`` read asks for beyond those wanted (at least
:data:`FIRST_MARGIN_MIN`): a row can only be handed on once it is provably nearer than
every row not read yet (``_SPHEROID_SLACK``), so the last few rows of a read
usually wait for the next one; with the margin, the first read nearly always suffices."""
FIRST_MARGIN_MIN = 4


def first_read(wanted: int) -> int:
    """Rows the first ``<->`` read of a scope asks for when ``wanted`` hits are wanted."""
    return max(1, wanted) + max(FIRST_MARGIN_MIN, int(wanted * FIRST_MARGIN))


class PostgisIndex:
    """The PostGIS backend (see the module docstring)."""

    def __init__(self, session: Session, *, batch: int = 64) -> None:
        self._session = session
        self._batch = batch

    def _scope_stream(
        self,
        lat: float,
        lon: float,
        scope: int,
        after: tuple[float, int] | None,
        max_distance_m: float | None,
        first: int,
    ) -> Iterator[Hit]:
        inner = after is not None and after[0] * (1 - _SPHEROID_SLACK) - 1.0 > 0
        all_scope = scope == ALL_SCOPE
        stmt = _knn_statement(inner=inner, outer=max_distance_m is not None, all_scope=all_scope)
        params: dict[str, object] = {"lat": lat, "lon": lon}
        if not all_scope:
            params["scope"] = scope
        if inner and after is not None:
            params["inner"] = after[0] * (1 - _SPHEROID_SLACK) - 1.0
        if max_distance_m is not None:
            params["outer"] = max_distance_m * (1 + _SPHEROID_SLACK) + 1.0
        buffer: list[Hit] = []
        skip, n = 0, first
        while True:
            rows = stmt.rows(self._session, {**params, "n": n, "skip": skip})
            skip += len(rows)
            for bid, plat, plon in rows:
                d = distance_m(lat, lon, plat, plon)
                heapq.heappush(buffer, (d, int(bid), float(plat), float(plon)))
            done = len(rows) < n
            if done:
                safe = float("inf")
            else:
                far = rows[-1]
                safe = distance_m(lat, lon, far[1], far[2]) * (1 - 2 * _SPHEROID_SLACK) - 1.0
            while buffer and buffer[0][0] < safe:
                yield heapq.heappop(buffer)
            if done:
                return
            n = min(n * 4, 4096)

    def nearest(
        self,
        lat: float,
        lon: float,
        *,
        scopes: Sequence[int],
        after: tuple[float, int] | None = None,
        max_distance_m: float | None = None,
        wanted: int | None = None,
    ) -> Iterator[Hit]:
        """Exact nearest-first stream built on the GiST ``<->`` ordering.

        The first ``<->`` read of each scope asks for ``wanted`` rows and a margin
        (:func:`first_read`) rather than a fixed batch: the KNN walk's cost grows with
        the rows it returns, and nearest 20 read 64 rows before.
        """
        first = first_read(wanted) if wanted is not None else self._batch
        streams = [
            self._scope_stream(lat, lon, s, after, max_distance_m, first)
            for s in dict.fromkeys(scopes)
        ]
        last: tuple[float, int] | None = None
        for hit in heapq.merge(*streams):
            key = (hit[0], hit[1])
            if key == last:
                continue
            last = key
            if after is not None and key <= after:
                continue
            if max_distance_m is not None and hit[0] > max_distance_m:
                return
            yield hit

    def in_box(self, box: BBox, *, scopes: Sequence[int], cap: int) -> list[Point] | None:
        """Every business inside the box (exact), or None when more than ``cap``."""
        margin = 1e-4
        found: dict[int, Point] = {}
        for scope in dict.fromkeys(scopes):
            all_scope = scope == ALL_SCOPE
            rows = _BOX[all_scope].rows(
                self._session,
                {
                    **({} if all_scope else {"scope": scope}),
                    "w": box.min_lon - margin,
                    "s": box.min_lat - margin,
                    "e": box.max_lon + margin,
                    "n": box.max_lat + margin,
                    "cap": cap + 1,
                },
            )
            for bid, plat, plon in rows:
                if box.contains(plat, plon):
                    found[int(bid)] = (int(bid), float(plat), float(plon))
            if len(found) > cap:
                return None
        return sorted(found.values())
