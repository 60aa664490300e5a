"""Running a few hot, fixed statements without SQLAlchemy's per-call overhead.

A nearest-neighbour walk issues a dozen tiny range scans; through the ORM session each
costs tens of microseconds of Python, more than the scan itself. The statements are
still built with SQLAlchemy Core (no SQL text assembled from strings); they are compiled
once per dialect and run on the DBAPI cursor of the session's own connection, inside the
session's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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

    def rows(self, session: Session, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        """All result rows as DBAPI tuples."""
        conn = session.connection()
        sql, order, defaults = self._compile(conn.dialect)
        if defaults:
            params = {**defaults, **params}
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        try:
            if order is None:
                cursor.execute(sql, dict(params))
            else:
                cursor.execute(sql, tuple(params[name] for name in order))
            rows: Sequence[Sequence[Any]] = cursor.fetchall()
        finally:
            cursor.close()
        return rows
