"""Alembic environment: the URL and connection come from Dekat, never from an ini file."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from directory import models  # noqa: F401  (registers the tables on Base.metadata)
from directory.db import Base, is_sqlite, make_engine

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set by directory.migrate"
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `dekat migrate`")
run_migrations_online()
_ = is_sqlite
