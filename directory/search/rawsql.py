"""Running a few hot, fixed statements without SQLAlchemy's per-call overhead.

A nearest-neighbour walk issues a dozen tiny range scans; through the ORM session each
would cost more Python than the scan itself costs the database. The statements are
still built with SQLAlchemy Core (no SQL text assembled from strings); they are compiled
once per dialect and run on the DBAPI cursor of the session's own connection, inside the
session's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement


class FastStatement:
    """A Core statement compiled per dialect and executed on the raw DBAPI cursor."""

    def __init__(self, stmt: ClauseElement) -> None:
        self._stmt = stmt
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}

    def _compile(self, dialect: Dialect) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        hit = self._compiled.get(dialect.name)
        if hit is None:
            compiled = self._stmt.compile(dialect=dialect)
            positions = getattr(compiled, "positiontup", None)
            order = tuple(positions) if positions else None
            # Parameters the compiler added itself (e.g. SQLite's OFFSET 0) keep their value.
            defaults = {k: v for k, v in compiled.params.items() if v is not None}
            hit = (compiled.string, order, defaults)
            self._compiled[dialect.name] = hit
        return hit

    def _cursor(self, session: Session) -> tuple[Any, str, tuple[str, ...] | None, dict[str, Any]]:
        conn = session.connection()
        sql, order, defaults = self._compile(conn.dialect)
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        return dbapi.cursor(), sql, order, defaults

    def execute_many(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once per parameter set (bulk writes of plain values)."""
        if not rows:
            return
        cursor, sql, order, defaults = self._cursor(session)
        try:
            if order is None:
                cursor.executemany(sql, [{**defaults, **r} for r in rows] if defaults else rows)
            else:
                if defaults:
                    rows = [{**defaults, **r} for r in rows]
                getter = itemgetter(*order)
                cursor.executemany(
                    sql,
                    [getter(r) for r in rows] if len(order) > 1 else [(getter(r),) for r in rows],
                )
        finally:
            cursor.close()

    def execute_tuples(
        self, session: Session, names: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """``execute_many`` for rows given as tuples of ``names`` (skips building dicts)."""
        if not rows:
            return
        cursor, sql, order, defaults = self._cursor(session)
        try:
            if order is None:
                cursor.executemany(sql, [{**defaults, **dict(zip(names, r, strict=True))}
                                         for r in rows])  # fmt: skip
            elif tuple(order) == tuple(names):
                cursor.executemany(sql, rows)
            else:
                index = {n: i for i, n in enumerate(names)}
                pick = list(zip(order, [index.get(n) for n in order], strict=True))
                cursor.executemany(
                    sql, [tuple(defaults[n] if i is None else r[i] for n, i in pick) for r in rows]
                )
        finally:
            cursor.close()

    def rows(self, session: Session, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        """All result rows as DBAPI tuples."""
        cursor, sql, order, defaults = self._cursor(session)
        if defaults:
            params = {**defaults, **params}
        try:
            if order is None:
                cursor.execute(sql, dict(params))
            else:
                cursor.execute(sql, tuple(params[name] for name in order))
            rows: Sequence[Sequence[Any]] = cursor.fetchall()
        finally:
            cursor.close()
        return rows
