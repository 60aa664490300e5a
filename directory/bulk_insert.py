"""Inserting many rows fast: one compiled INSERT, rows bound through the driver's executemany
(on PostgreSQL with psycopg, one ``COPY ... FROM STDIN`` stream per batch instead).

SQLAlchemy's executemany builds a parameter dictionary and runs every column's bind
processor for every row; at a million businesses that is most of an import's time.
Here the statement is compiled once by SQLAlchemy for the session's dialect (no SQL is
assembled from strings), columns whose value is the same for every row of a batch are
processed once, and the per-row processors run only for the columns that have one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Index, Table, bindparam, insert, text
from sqlalchemy.orm import Session
from sqlalchemy.schema import DropIndex

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
        # psycopg: rows go through COPY ... FROM STDIN (one stream, no per-row statement).
        self._copy: Any = None
        if dialect.name == "postgresql" and dialect.driver == "psycopg":
            from psycopg import sql

            self._copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(*([table.schema] if table.schema else []), table.name),
                sql.SQL(", ").join(sql.Identifier(c) for c in self._columns),
            )

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
        if self._copy is not None:
            dbapi: Any = self._session.connection().connection.dbapi_connection
            with dbapi.cursor() as cursor, cursor.copy(self._copy) as copy:
                for row in rows:
                    copy.write_row(row)
            return
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


# ------------------------------------------------------------------ deferred indexes

# Secondary (non-unique) indexes of a table, with the definition the database itself gives
# for each: rebuilding from that text restores them exactly (partial, GIN, GiST ...).
_SQLITE_SECONDARY = text(
    "SELECT m.name, m.sql FROM sqlite_master AS m JOIN pragma_index_list(:t) AS l "
    "ON l.name = m.name WHERE m.type = 'index' AND l.\"unique\" = 0 AND m.sql IS NOT NULL "
    "ORDER BY m.name"
)
_PG_SECONDARY = text(
    "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index AS i "
    "JOIN pg_class AS c ON c.oid = i.indexrelid "
    "WHERE i.indrelid = to_regclass(:t) AND NOT i.indisunique AND NOT i.indisprimary "
    "AND NOT i.indisexclusion ORDER BY c.relname"
)


@dataclass(frozen=True, slots=True)
class SavedIndex:
    """One dropped index and the statement that creates it again."""

    table: str
    name: str
    definition: str


def secondary_indexes(session: Session, table: str) -> list[SavedIndex]:
    """The non-unique indexes of ``table`` (those a bulk load may drop and rebuild)."""
    conn = session.connection()
    query = _SQLITE_SECONDARY if conn.dialect.name == "sqlite" else _PG_SECONDARY
    return [SavedIndex(table, name, sql) for name, sql in conn.execute(query, {"t": table})]


class DeferredIndexes:
    """Drops the secondary indexes of some tables for a bulk load; :meth:`rebuild` makes
    them again, each in one sorted pass instead of one B-tree insertion per row.

    Everything happens inside the caller's transaction (DDL is transactional on SQLite
    and PostgreSQL): a load that fails or is refused rolls back to the very same indexes.
    The caller must call :meth:`rebuild` before it commits. On PostgreSQL the dropped
    indexes hold an exclusive lock on their tables until the commit, so other sessions
    wait to read them: meant for the first load of an empty directory.
    """

    def __init__(self, session: Session, tables: Sequence[str]) -> None:
        self._session = session
        self.dropped: list[SavedIndex] = []
        for table in tables:
            for saved in secondary_indexes(session, table):
                session.execute(DropIndex(Index(saved.name)))
                self.dropped.append(saved)

    def rebuild(self) -> None:
        """Create every dropped index again (from the database's own definition)."""
        conn = self._session.connection()
        while self.dropped:
            conn.exec_driver_sql(self.dropped.pop(0).definition)
