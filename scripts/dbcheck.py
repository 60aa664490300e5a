"""Database health after a crash or a restore: integrity, references, indexes, and
businesses left half-written. Used by ``crash_test.py`` and the reliability tests.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Engine

from directory.db import Base, is_sqlite


def integrity_problems(engine: Engine) -> list[str]:
    """What is wrong with the database file and its references (empty when healthy).

    SQLite: ``PRAGMA integrity_check`` (pages, b-trees, and every index entry against its
    table) and ``PRAGMA foreign_key_check``. PostgreSQL: orphaned references (PostgreSQL
    enforces foreign keys itself, so these are a cross-check), and index-vs-table counts.
    """
    problems: list[str] = []
    with engine.connect() as conn:
        if is_sqlite(str(engine.url)):
            result = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
            if result != ["ok"]:
                problems.extend(f"integrity_check: {r}" for r in result[:20])
            fk = list(conn.exec_driver_sql("PRAGMA foreign_key_check"))
            problems.extend(f"foreign_key_check: {tuple(r)}" for r in fk[:20])
        problems.extend(_orphans(conn))
        problems.extend(_index_counts(conn))
    return problems


def _orphans(conn: Any) -> list[str]:
    """Rows whose foreign key names a parent that does not exist."""
    problems: list[str] = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            child = fk.parent
            parent = fk.column.table.alias("parent").c[fk.column.name]
            orphan = (
                select(func.count())
                .select_from(table)
                .where(
                    child.is_not(None),
                    ~select(parent).where(parent == child).exists(),
                )
            )
            n = conn.execute(orphan).scalar() or 0
            if n:
                problems.append(f"{n} rows of {table.name}.{child.name} reference no {fk.column}")
    return problems


def _index_counts(conn: Any) -> list[str]:
    """Every index agrees with its table.

    SQLite: ``integrity_check`` already compares each index with its table; on top, each
    index of the models is counted through ``INDEXED BY``. PostgreSQL: ``amcheck``'s
    ``bt_index_check(heapallindexed)`` verifies every B-tree index against its heap.
    """
    problems: list[str] = []
    if conn.dialect.name == "sqlite":
        for table in Base.metadata.sorted_tables:
            full = conn.execute(select(func.count()).select_from(table)).scalar()
            for index in table.indexes:
                # Identifiers come from the models, never from input.
                via_index = conn.exec_driver_sql(
                    f'SELECT count(*) FROM "{table.name}" INDEXED BY "{index.name}"'
                ).scalar()
                if via_index != full:
                    problems.append(f"index {index.name}: {via_index} entries, {full} rows")
        return problems
    conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS amcheck")
    rows = conn.exec_driver_sql(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE a.amname = 'btree' AND n.nspname = current_schema()"
    ).scalars()
    for name in list(rows):
        try:
            conn.execute(
                text("SELECT bt_index_check(CAST(:name AS regclass), true)"), {"name": name}
            )
        except Exception as exc:  # amcheck raises on corruption
            problems.append(f"index {name}: {exc}")
            conn.rollback()
    return problems


def half_written_businesses(engine: Engine) -> list[str]:
    """Businesses that a crash left incomplete: a write path touches several tables, and
    a business must never be visible with only some of them done.

    * every business has exactly one primary ``business_category`` row;
    * every published business has its search document, and every search document (and
      quadtree cell) belongs to an existing, published business;
    * on SQLite the FTS5 index agrees with its content table.
    """
    problems: list[str] = []
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
        no_primary = conn.exec_driver_sql(
            "SELECT count(*) FROM business b WHERE (SELECT count(*) FROM business_category c "
            "WHERE c.business_id = b.id AND c.is_primary) <> 1"
        ).scalar()
        if no_primary:
            problems.append(f"{no_primary} businesses without exactly one primary category")
        if "search_doc" in present:
            unindexed = conn.exec_driver_sql(
                "SELECT count(*) FROM business b WHERE b.status = 'published' AND NOT EXISTS "
                "(SELECT 1 FROM search_doc d WHERE d.business_id = b.id)"
            ).scalar()
            stray = conn.exec_driver_sql(
                "SELECT count(*) FROM search_doc d WHERE NOT EXISTS (SELECT 1 FROM business b "
                "WHERE b.id = d.business_id AND b.status = 'published')"
            ).scalar()
            if unindexed:
                problems.append(f"{unindexed} published businesses missing from search_doc")
            if stray:
                problems.append(f"{stray} search_doc rows without a published business")
        if "search_cell" in present:
            stray_cells = conn.exec_driver_sql(
                "SELECT count(*) FROM search_cell s WHERE NOT EXISTS (SELECT 1 FROM business b "
                "WHERE b.id = s.business_id AND b.status = 'published')"
            ).scalar()
            if stray_cells:
                problems.append(f"{stray_cells} search_cell rows without a published business")
        if "search_fts" in present and conn.dialect.name == "sqlite":
            try:
                conn.exec_driver_sql(
                    "INSERT INTO search_fts(search_fts, rank) VALUES('integrity-check', 1)"
                )
            except Exception as exc:  # FTS5 reports a mismatch as SQLITE_CORRUPT_VTAB
                problems.append(f"search_fts disagrees with search_doc: {exc}")
            conn.rollback()
    return problems
