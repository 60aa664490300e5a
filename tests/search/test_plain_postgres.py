"""The app on PostgreSQL where PostGIS cannot be installed: the portable cell index serves.

The database here is owned by a role that is not a superuser, so ``CREATE EXTENSION postgis``
fails as it does on a server without PostGIS (``scripts/pg_without_postgis`` starts such a
server for the whole suite); the migration must fall back and the API must answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from directory.app import create_app
from directory.areas.service import seed_areas
from directory.areas.taxonomy import seed_categories
from directory.db import make_engine, make_session_factory, session_scope
from directory.migrate import upgrade_database
from directory.search.indexer import spatial_backend
from directory.settings import Settings
from tests.conftest import PG_URL, _pg_admin, backend_name
from tests.factories import BSD, make_business

pytestmark = pytest.mark.skipif(backend_name() != "postgresql", reason="needs PostgreSQL")


@pytest.fixture
def plain_pg_url() -> Iterator[str]:
    """A blank database owned by a role that may not install PostGIS."""
    assert PG_URL
    suffix = uuid.uuid4().hex[:10]
    role, database = f"dekat_plain_{suffix}", f"dekat_plain_{suffix}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER'))
        conn.execute(text(f'CREATE DATABASE "{database}" OWNER "{role}" TEMPLATE template0'))
    try:
        url = make_url(PG_URL).set(database=database, username=role)
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def test_without_postgis_migrations_pick_cells_and_nearest_search_works(
    plain_pg_url: str, tmp_path: Path
) -> None:
    engine = make_engine(plain_pg_url)
    try:
        upgrade_database(engine)
        with engine.connect() as conn:
            installed = conn.execute(text("SELECT extname FROM pg_extension")).scalars().all()
            assert "postgis" not in installed
            assert not inspect(conn).has_table("search_geo")
        with session_scope(make_session_factory(engine)) as session:
            seed_categories(session)
            seed_areas(session)
            assert spatial_backend(session) == "cells"
            near = make_business(session, name="Kopi Dekat", lat=BSD[0] + 0.002, lon=BSD[1])
            make_business(session, name="Kopi Jauh", lat=BSD[0] + 0.2, lon=BSD[1])
    finally:
        engine.dispose()

    settings = Settings(
        database_url=plain_pg_url, media_dir=tmp_path / "media", demo_count=0, geocoder="off"
    )
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            response = client.get(
                "/api/v1/businesses",
                params={"lat": BSD[0], "lon": BSD[1], "radius_m": 1000, "sort": "distance"},
            )
    finally:
        app.state.engine.dispose()
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [(item["id"], item["name"]) for item in items] == [(near.id, "Kopi Dekat")]
    assert items[0]["distance_m"] == pytest.approx(222, abs=2)
