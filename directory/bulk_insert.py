"""Inserting many rows fast: one compiled INSERT, rows bound through the driver's executemany.

SQLAlchemy's executemany builds a parameter dictionary and runs every column's bind
processor for every row; at a million businesses that is most of an import's time.
Here the statement is compiled once by SQLAlchemy for the session's dialect (no SQL is
assembled from strings), columns whose value is the same for every row of a batch are
processed once, and the per-row processors run only for the columns that have one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, bindparam, insert
from sqlalchemy.orm import Session

Processor = Callable[[Any], Any]


class BulkInsert:
    """``INSERT INTO table (columns...)`` for many rows given as tuples in column order."""

    def __init__(self, session: Session, table: Table, columns: Sequence[str]) -> None:
        dialect = session.get_bind().dialect
        compiled = insert(table).values({c: bindparam(c) for c in columns}).compile(dialect=dialect)
        self._session = session
        self._sql = compiled.string
        self._columns = tuple(columns)
        # Drivers with named parameters (psycopg) get dicts, qmark drivers (sqlite3) tuples.
        self._positional = bool(compiled.positional)
        self._order: Callable[[Sequence[Any]], tuple[Any, ...]] | None = None
        if self._positional:
            order = [self._columns.index(name) for name in compiled.positiontup or ()]
            if order != list(range(len(columns))):
                self._order = itemgetter(*order) if len(order) > 1 else _single(order[0])
        processors: list[Processor | None] = [
            table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns
        ]
        self._processors = processors

    def process_constant(self, column: str, value: Any) -> Any:
        """A value bound as the driver needs it, for columns equal across a batch."""
        processor = self._processors[self._columns.index(column)]
        return value if processor is None or value is None else processor(value)

    def execute(self, rows: Sequence[Sequence[Any]], *, processed: Sequence[str] = ()) -> None:
        """Insert ``rows``; columns named in ``processed`` already hold driver values."""
        if not rows:
            return
        skip = {self._columns.index(c) for c in processed}
        active = [(i, p) for i, p in enumerate(self._processors) if p is not None and i not in skip]
        if active:
            rows = [_apply(row, active) for row in rows]
        params: Sequence[Any]
        if self._positional:
            order = self._order
            params = rows if order is None else list(map(order, rows))
        else:
            params = [dict(zip(self._columns, row, strict=True)) for row in rows]
        self._session.connection().exec_driver_sql(self._sql, params)


def _single(index: int) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    return lambda row: (row[index],)


def _apply(row: Sequence[Any], active: Sequence[tuple[int, Processor]]) -> tuple[Any, ...]:
    out = list(row)
    for i, processor in active:
        if out[i] is not None:
            out[i] = processor(out[i])
    return tuple(out)
