"""SQLAlchemy plumbing: the declarative base, engines and sessions.

SQLite connections get WAL journaling, foreign keys and a busy timeout on every connect,
so that several workers can read while one writes. PostgreSQL gets a pool with pre-ping
and a statement timeout.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every ORM model; constraint names are stable across backends."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def is_sqlite(url: str) -> bool:
    """True for SQLite URLs (the embedded default)."""
    return url.startswith("sqlite")


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    statement_timeout_ms: int = 15_000,
    connect_timeout_s: int = 5,
) -> Engine:
    """An engine configured for the backend the URL names.

    On PostgreSQL a dead pooled connection is found by pre-ping and replaced; a server that
    does not answer fails the connect after ``connect_timeout_s`` (the API then answers 503)
    instead of hanging a worker; a runaway query is cancelled after ``statement_timeout_ms``.
    Both hide statement parameters from error messages (``hide_parameters``): they are
    request values, and a failing statement is written to the log.
    """
    if is_sqlite(url):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=2 * pool_size,
            pool_pre_ping=False,
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        # pysqlite's implicit transactions break SAVEPOINT and BEGIN IMMEDIATE; take control.
        event.listen(engine, "connect", _disable_pysqlite_autobegin)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
        hide_parameters=True,
        connect_args={
            "options": f"-c statement_timeout={statement_timeout_ms}",
            "connect_timeout": connect_timeout_s,
        },
    )


def _disable_pysqlite_autobegin(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


SQLITE_IMMEDIATE: Final = "dekat_sqlite_immediate"
"""Execution option: begin this SQLite transaction with ``BEGIN IMMEDIATE``.

A deferred transaction that reads and then writes fails at once with SQLITE_BUSY_SNAPSHOT
when another writer committed in between (the busy timeout cannot help: its snapshot is
stale). Write transactions take the write lock up front instead, and wait their turn."""


def _sqlite_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get(SQLITE_IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (read-then-render)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
