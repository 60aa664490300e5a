"""Row-for-row snapshots and integrity checks of a database, for restore and crash tests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Engine

from directory.db import Base
from tests.reliability.loader import load_script

_dbcheck = load_script("dbcheck")
integrity_problems = _dbcheck.integrity_problems
half_written_businesses = _dbcheck.half_written_businesses

COMPARED_TABLES = ("business", "business_category", "review", "interaction")


def snapshot(
    engine: Engine, tables: Iterable[str] = COMPARED_TABLES
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of each table, ordered by primary key (``engine`` must be a fresh one)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for name in tables:
            table: Table = Base.metadata.tables[name]
            rows = conn.execute(select(table).order_by(*table.primary_key.columns))
            out[name] = [tuple(row) for row in rows]
    return out


def row_counts(engine: Engine, tables: Iterable[str] = COMPARED_TABLES) -> dict[str, int]:
    """``{table: count(*)}``."""
    with engine.connect() as conn:
        return {
            name: int(
                conn.execute(select(func.count()).select_from(Base.metadata.tables[name])).scalar()
                or 0
            )
            for name in tables
        }
