"""The database goes away and comes back: clean 503 problems, then recovery by itself.

On PostgreSQL the outage is real: a throwaway cluster of our own (never the shared
server) is stopped with ``pg_ctl stop -m fast`` under a running app and started again.
On SQLite the database file is missing and then appears.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient

from directory.app import create_app
from directory.bootstrap import prepare_database
from directory.settings import Settings
from tests.conftest import backend_name
from tests.ops.conftest import Cluster

ENDPOINTS = ("/healthz", "/api/v1/categories")


def assert_unavailable(response: httpx2.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"].isdigit()
    body = response.json()
    assert body["status"] == 503
    assert body["title"] == "Service unavailable"
    assert "database" in body["detail"].lower()
    # Nothing about the server, driver or query leaks into the body.
    assert "psycopg" not in response.text.lower()
    assert "sqlite" not in response.text.lower()


def assert_serving(client: TestClient) -> None:
    for path in ENDPOINTS:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text)


@pytest.mark.postgres_only
def test_postgres_outage_gives_503_and_recovers_without_restart(
    throwaway_cluster: Cluster, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=throwaway_cluster.url(),
        media_dir=tmp_path / "media",
        demo_count=0,
        database_pool_size=2,
    )
    prepare_database(settings, demo=False)
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            assert_serving(client)  # the pool now holds live connections

            throwaway_cluster.stop()
            for _ in range(2):  # the first finds the pooled connection dead, the second
                for path in ENDPOINTS:  # cannot connect at all: both are a clean 503
                    assert_unavailable(client.get(path))

            throwaway_cluster.start()
            assert_serving(client)
            assert client.get("/healthz").json()["database"] == "postgresql"
    finally:
        app.state.engine.dispose()


@pytest.mark.skipif(backend_name() != "sqlite", reason="SQLite only: a missing database file")
def test_sqlite_missing_database_gives_503_until_it_appears(
    template_db: str, tmp_path: Path
) -> None:
    target = tmp_path / "not-yet" / "dekat.db"
    app = create_app(Settings(database_url=f"sqlite:///{target}", media_dir=tmp_path / "m"))
    try:
        with TestClient(app) as client:
            for path in ENDPOINTS:
                assert_unavailable(client.get(path))
            target.parent.mkdir()
            shutil.copyfile(template_db, target)
            assert_serving(client)
    finally:
        app.state.engine.dispose()
