"""Fixtures: a fresh database per test on the backend chosen by DEKAT_TEST_DATABASE_URL.

Unset → SQLite: a migrated, seeded template file is made once per run and copied for
each test. A PostgreSQL URL → a template database is made once per run and each test
gets ``CREATE DATABASE ... TEMPLATE`` of it, dropped afterwards.
"""

from __future__ import annotations

import functools
import itertools
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from directory.app import create_app
from directory.areas.service import seed_areas
from directory.areas.taxonomy import seed_categories
from directory.db import make_engine, make_session_factory, session_scope
from directory.migrate import upgrade_database
from directory.settings import Settings
from tests.s3server import s3_server  # noqa: F401  (a fixture for every test package)

PG_URL = os.environ.get("DEKAT_TEST_DATABASE_URL", "").strip() or None
REQUIRE_POSTGRES = os.environ.get("DEKAT_REQUIRE_POSTGRES", "0") == "1"
_counter = itertools.count()


def backend_name() -> str:
    """'postgresql' or 'sqlite', for tests that check backend-specific machinery."""
    return "postgresql" if PG_URL else "sqlite"


@functools.cache
def postgis_missing() -> str | None:
    """Why PostGIS tests cannot run here, or None when the test server offers PostGIS.

    The app runs without PostGIS (the migration falls back to its portable spatial index),
    so only tests of the PostGIS backend itself need it.
    """
    if PG_URL is None:
        return "needs PostgreSQL with PostGIS (runs in the PostgreSQL pass)"
    url = make_url(PG_URL)
    engine = create_engine(url.set(database="postgres"))
    try:
        with engine.connect() as conn:
            version = int(conn.execute(text("SHOW server_version_num")).scalar_one())
            found = conn.execute(
                text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
            ).first()
    finally:
        engine.dispose()
    if found:
        return None
    return (
        f"PostGIS is not installed on the test server {url.host}:{url.port or 5432} "
        f"(apt-get install postgresql-{version // 10000}-postgis-3)"
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    """``@pytest.mark.postgis`` tests skip without PostGIS, or fail when PostgreSQL is required."""
    if item.get_closest_marker("postgis") is None:
        return
    reason = postgis_missing()
    if reason is None:
        return
    if PG_URL is None:
        pytest.skip(reason)
    if REQUIRE_POSTGRES:
        pytest.fail(f"DEKAT_REQUIRE_POSTGRES=1 but {reason}")
    pytest.skip(f"{reason}; DEKAT_REQUIRE_POSTGRES=1 makes this a failure")


def _prepare(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade_database(engine)
        with session_scope(make_session_factory(engine)) as session:
            seed_categories(session)
            seed_areas(session)
    finally:
        engine.dispose()


def _pg_admin() -> Engine:
    assert PG_URL
    return create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database holding the shipped taxonomy and gazetteer, made once."""
    if PG_URL is None:
        path = tmp_path_factory.mktemp("template") / "template.db"
        url = f"sqlite:///{path}"
        _prepare(url)
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
        engine.dispose()
        yield str(path)
        return
    name = f"dekat_tmpl_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    _prepare(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def db_url(template_db: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database for this test only."""
    if PG_URL is None:
        target = tmp_path / "dekat.db"
        shutil.copyfile(template_db, target)
        yield f"sqlite:///{target}"
        return
    name = f"dekat_t_{uuid.uuid4().hex[:8]}_{next(_counter)}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings for a test: its own database and media folder, no demo data."""
    return Settings(
        database_url=db_url,
        media_dir=tmp_path / "media",
        demo_count=0,
        geocoder="off",
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    eng = make_engine(settings.database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for calling services directly; the test commits what it needs."""
    s = sessions()
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def writer_headers(session: Session) -> dict[str, str]:
    """Headers with an API key of scope ``interactions:write``: what a client that posts
    interactions (``POST /api/v1/interactions``) sends."""
    from tests.factories import key_headers, make_api_key

    return key_headers(make_api_key(session, name="test-writer"))


@pytest.fixture
def app(settings: Settings):  # type: ignore[no-untyped-def]
    application = create_app(settings)
    yield application
    application.state.engine.dispose()
    if application.state.read_engine is not application.state.engine:
        application.state.read_engine.dispose()


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c
