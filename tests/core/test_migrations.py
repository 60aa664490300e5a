"""Schema migrations: empty → head, ``dekat migrate`` repeated, upgrades from old revisions."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SAWarning
from typer.testing import CliRunner

from directory.cli.main import app
from directory.db import Base, make_engine
from directory.migrate import current_revision, head_revision, upgrade_database
from directory.models import Area, Category
from directory.settings import get_settings
from tests.conftest import PG_URL


@pytest.fixture
def blank_url(tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, on the backend under test."""
    if PG_URL is None:
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    name = f"dekat_blank_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def blank(blank_url: str) -> Iterator[Engine]:
    engine = make_engine(blank_url)
    yield engine
    engine.dispose()


def migrate_cli(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEKAT_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["migrate"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert f"database at revision {head_revision()}" in result.stderr


def schema(engine: Engine) -> dict[str, list[str]]:
    inspector = inspect(engine)
    with warnings.catch_warnings():
        # PostGIS's geography column (search_geo) is unknown to SQLAlchemy's reflection.
        warnings.filterwarnings("ignore", "Did not recognize type", SAWarning)
        return {
            table: sorted(c["name"] for c in inspector.get_columns(table))
            for table in sorted(inspector.get_table_names())
        }


def test_empty_database_migrates_to_head(blank: Engine) -> None:
    assert current_revision(blank) is None
    upgrade_database(blank)
    assert current_revision(blank) == head_revision()
    tables = schema(blank)
    for table in Base.metadata.tables.values():
        assert table.name in tables, table.name
        assert set(tables[table.name]) == {c.name for c in table.columns}, table.name
    assert {"search_doc", "search_cell", "search_term"} <= set(tables)


def test_models_match_the_migrated_schema(blank: Engine) -> None:
    """Every model column exists after migrating, with the same nullability."""
    upgrade_database(blank)
    inspector = inspect(blank)
    for table in Base.metadata.tables.values():
        columns = {c["name"]: c for c in inspector.get_columns(table.name)}
        for column in table.columns:
            assert columns[column.name]["nullable"] == column.nullable, (table.name, column.name)


def test_migrate_twice_is_a_no_op(
    blank_url: str, blank: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate_cli(blank_url, monkeypatch)
    before = schema(blank)
    with blank.connect() as conn:
        counts = (
            conn.scalar(select(func.count()).select_from(Category)),
            conn.scalar(select(func.count()).select_from(Area)),
        )
    migrate_cli(blank_url, monkeypatch)
    assert schema(blank) == before
    with blank.connect() as conn:
        assert counts == (
            conn.scalar(select(func.count()).select_from(Category)),
            conn.scalar(select(func.count()).select_from(Area)),
        )
    assert counts[0]  # the shipped taxonomy ...
    assert counts[1]  # ... and gazetteer were seeded
    assert current_revision(blank) == head_revision()


def test_migrate_upgrades_an_older_revision(
    blank_url: str, blank: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade_database(blank, revision="0001")
    assert current_revision(blank) == "0001"
    assert "search_doc" not in inspect(blank).get_table_names()
    migrate_cli(blank_url, monkeypatch)
    assert current_revision(blank) == head_revision()
    assert "search_doc" in inspect(blank).get_table_names()
    assert "submission" in inspect(blank).get_table_names()
