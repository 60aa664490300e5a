"""Read scaling: reads from the replica, a writer's own reads from the primary, fallbacks.

The first group runs on both backends with a stand-in "replica": a second database that
lacks what is written to the primary, so a read shows where it went. The second group
(PostgreSQL only) streams from the test primary into a real hot standby made by
``scripts/pg_replica.sh`` and checks routing with ``pg_is_in_recovery()``, read-after-own-
write while replay is paused, lag fallback and replica-down fallback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from directory.api.deps import ReadSessionDep, SessionDep
from directory.app import create_app
from directory.db_routing import PRIMARY_COOKIE, ReplicaMonitor
from directory.errors import InvalidInput
from directory.models import Business
from directory.settings import Settings
from tests.conftest import PG_URL, _pg_admin
from tests.factories import make_business
from tests.ops.conftest import (
    REPO,
    as_postgres,
    free_port,
    local_primary,
    missing,
    pg_owned_tempdir,
    wait_until,
)


def add_probes(app: FastAPI) -> None:
    """Tiny routes that show where reads go and make a write through the API."""

    @app.get("/_probe/read")
    def probe_read(request: Request, session: ReadSessionDep) -> dict[str, Any]:
        in_recovery = None
        if session.get_bind().dialect.name == "postgresql":
            in_recovery = session.scalar(select(func.pg_is_in_recovery()))
        return {"target": str(request.state.read_target), "in_recovery": in_recovery}

    @app.post("/_probe/write")
    def probe_write(session: SessionDep) -> dict[str, int]:
        return {"id": make_business(session, name=f"Tulis {uuid.uuid4().hex[:6]}").id}

    @app.post("/_probe/fail")
    def probe_fail() -> None:
        raise InvalidInput(detail="nope")


@contextmanager
def serving(settings: Settings) -> Iterator[tuple[FastAPI, TestClient]]:
    app = create_app(settings)
    add_probes(app)
    try:
        with TestClient(app) as client:
            yield app, client
    finally:
        app.state.engine.dispose()
        app.state.read_engine.dispose()


def make_settings(primary: str, read: str | None, tmp_path: Path, **extra: Any) -> Settings:
    return Settings(
        database_url=primary,
        database_read_url=read,
        media_dir=tmp_path / "media",
        demo_count=0,
        **extra,
    )


# --- a stand-in replica, both backends --------------------------------------------------


@pytest.fixture
def stand_in_replica(template_db: str, tmp_path: Path) -> Iterator[str]:
    """A second copy of the template: it never sees the primary's writes."""
    if PG_URL is None:
        target = tmp_path / "replica.db"
        shutil.copyfile(template_db, target)
        yield f"sqlite:///{target}"
        return
    name = f"dekat_r_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_reads_use_the_replica_writes_the_primary(
    db_url: str, stand_in_replica: str, tmp_path: Path
) -> None:
    with serving(make_settings(db_url, stand_in_replica, tmp_path)) as (app, client):
        business_id = client.post("/_probe/write").json()["id"]
        assert client.get("/_probe/read").json()["target"] == "primary"  # own write
        client.cookies.clear()
        assert client.get("/_probe/read").json()["target"] == "replica"
        assert client.get(f"/api/v1/businesses/{business_id}").status_code == 404
        with app.state.sessions() as primary:  # the write did land on the primary
            assert primary.get(Business, business_id) is not None


def test_a_successful_write_sets_a_short_primary_cookie(
    db_url: str, stand_in_replica: str, tmp_path: Path
) -> None:
    settings = make_settings(db_url, stand_in_replica, tmp_path, database_primary_sticky_s=8)
    with serving(settings) as (app, client):
        before = time.time()
        response = client.post("/_probe/write")
        header = response.headers["set-cookie"]
        assert header.startswith(f"{PRIMARY_COOKIE}=")
        assert "HttpOnly" in header
        assert "SameSite=Lax" in header
        window = app.state.read_router.window_s
        assert window >= 8
        until = float(client.cookies[PRIMARY_COOKIE])
        assert before + window - 1 <= until <= time.time() + window + 1

        business_id = response.json()["id"]
        assert client.get(f"/api/v1/businesses/{business_id}").status_code == 200
        with TestClient(app) as stranger:  # nobody else is routed to the primary
            assert stranger.get(f"/api/v1/businesses/{business_id}").status_code == 404


def test_reads_and_failed_writes_set_no_cookie(
    db_url: str, stand_in_replica: str, tmp_path: Path
) -> None:
    with serving(make_settings(db_url, stand_in_replica, tmp_path)) as (_app, client):
        assert "set-cookie" not in client.get("/_probe/read").headers
        assert "set-cookie" not in client.get("/api/v1/categories").headers
        failed = client.post("/_probe/fail")
        assert failed.status_code == 422
        assert "set-cookie" not in failed.headers


def test_a_forged_far_future_cookie_is_ignored(
    db_url: str, stand_in_replica: str, tmp_path: Path
) -> None:
    with serving(make_settings(db_url, stand_in_replica, tmp_path)) as (_app, client):
        client.cookies.set(PRIMARY_COOKIE, str(int(time.time()) + 86_400))
        assert client.get("/_probe/read").json()["target"] == "replica"


def test_without_a_read_url_nothing_changes(db_url: str, tmp_path: Path) -> None:
    with serving(make_settings(db_url, None, tmp_path)) as (_app, client):
        assert "set-cookie" not in client.post("/_probe/write").headers
        assert client.get("/_probe/read").json()["target"] == "primary"


# --- a real streaming replica, PostgreSQL only ---------------------------------------------


# On a busy machine a replica may replay other databases' traffic for a while: wait long,
# and allow enough lag that tests about routing do not fail on ambient lag.
REPLAY_WAIT_S = 120.0
TOLERANT_S = 120.0


@dataclass(frozen=True)
class Replica:
    port: int
    datadir: Path

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres", params: tuple[Any, ...] = ()) -> Any:
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname={database} connect_timeout=3"
        with psycopg.connect(dsn, autocommit=True) as conn:
            row = conn.execute(statement, params).fetchone()
            return row[0] if row else None

    def pg_ctl(self, *args: str) -> None:
        bindir = Path(f"/usr/lib/postgresql/{(self.datadir / 'PG_VERSION').read_text().strip()}")
        log = self.datadir / "replica.log"
        argv = [str(bindir / "bin" / "pg_ctl"), "-D", str(self.datadir), "-l", str(log)]
        subprocess.run(
            as_postgres([*argv, "-w", "-t", "60", *args]), check=True, capture_output=True
        )


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    """A hot standby of the test primary on a free port, removed afterwards whatever happens."""
    if PG_URL is None:
        pytest.skip("needs the PostgreSQL backend (runs in the PostgreSQL pass)")
    host, port = local_primary()
    if os.geteuid() != 0:
        missing("making a replica needs root (runuser postgres, pg_hba.conf)")
    rport = free_port()
    root = pg_owned_tempdir("dekat-replica-")
    datadir = root / "data"
    env = {
        **os.environ,
        "DEKAT_PG_PRIMARY_HOST": host,
        "DEKAT_PG_PRIMARY_PORT": str(port),
        "DEKAT_PG_REPLICA_PORT": str(rport),
        "DEKAT_PG_REPLICA_DIR": str(datadir),
    }
    script = str(REPO / "scripts" / "pg_replica.sh")
    try:
        started = subprocess.run([script, "start"], env=env, capture_output=True, text=True)
        if started.returncode != 0:
            missing(f"scripts/pg_replica.sh start failed: {started.stderr.strip()[-800:]}")
        yield Replica(port=rport, datadir=datadir)
    finally:
        subprocess.run([script, "stop"], env=env, capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def replica_db(db_url: str, replica: Replica) -> Iterator[str]:
    """This test's database as the replica sees it, once replication has created it."""
    name = make_url(db_url).database
    assert name
    assert wait_until(lambda: replica.sql("SELECT 1", name) == 1, timeout_s=REPLAY_WAIT_S)
    yield replica.url(name)
    # A paused replay would hold back every later test's CREATE DATABASE.
    if replica.sql("SELECT pg_is_in_recovery()"):
        replica.sql("SELECT pg_wal_replay_resume()")


def replayed(replica: Replica, database: str, business_id: int) -> bool:
    return bool(
        replica.sql("SELECT count(*) FROM business WHERE id = %s", database, (business_id,))
    )


@pytest.mark.postgres_only
def test_the_replica_streams_from_the_primary(replica: Replica) -> None:
    assert replica.sql("SELECT pg_is_in_recovery()") is True
    assert replica.sql("SELECT status FROM pg_stat_wal_receiver") == "streaming"
    admin = _pg_admin()
    with admin.connect() as conn:
        names = conn.execute(text("SELECT application_name FROM pg_stat_replication")).scalars()
        assert f"dekat-replica-{replica.port}" in set(names)
    admin.dispose()


@pytest.mark.postgres_only
def test_searches_read_from_the_replica(
    db_url: str, replica_db: str, replica: Replica, tmp_path: Path
) -> None:
    settings = make_settings(db_url, replica_db, tmp_path, database_replica_max_lag_s=TOLERANT_S)
    with serving(settings) as (app, client):
        probe = client.get("/_probe/read").json()
        assert probe == {"target": "replica", "in_recovery": True}
        with app.state.sessions() as primary:
            business = make_business(primary)
        name = make_url(db_url).database
        assert name
        assert wait_until(lambda: replayed(replica, name, business.id), timeout_s=REPLAY_WAIT_S)
        assert client.get(f"/api/v1/businesses/{business.id}").status_code == 200
        assert client.get("/healthz").json()["database"] == "postgresql"


@pytest.mark.postgres_only
def test_read_after_own_write_goes_to_the_primary(
    db_url: str, replica_db: str, replica: Replica, tmp_path: Path
) -> None:
    settings = make_settings(db_url, replica_db, tmp_path, database_replica_max_lag_s=3600)
    name = make_url(db_url).database
    assert name
    with serving(settings) as (app, owner):
        replica.sql("SELECT pg_wal_replay_pause()")
        business_id = owner.post("/_probe/write").json()["id"]

        assert owner.get("/_probe/read").json() == {"target": "primary", "in_recovery": False}
        assert owner.get(f"/api/v1/businesses/{business_id}").status_code == 200
        with TestClient(app) as reader:  # replay is paused: the replica lacks the edit
            assert reader.get("/_probe/read").json()["in_recovery"] is True
            assert reader.get(f"/api/v1/businesses/{business_id}").status_code == 404

            replica.sql("SELECT pg_wal_replay_resume()")
            assert wait_until(lambda: replayed(replica, name, business_id), timeout_s=REPLAY_WAIT_S)
            assert reader.get(f"/api/v1/businesses/{business_id}").status_code == 200


@pytest.mark.postgres_only
def test_a_lagging_replica_sends_reads_to_the_primary(
    db_url: str, replica_db: str, replica: Replica, tmp_path: Path
) -> None:
    settings = make_settings(db_url, replica_db, tmp_path, database_replica_max_lag_s=0.5)
    name = make_url(db_url).database
    assert name
    with serving(settings) as (app, client):
        monitor: ReplicaMonitor = app.state.read_router.monitor
        assert monitor.max_lag_s == 0.5
        replica.sql("SELECT pg_wal_replay_pause()")
        time.sleep(1.2)  # the last replayed commit is now older than the allowed lag
        with app.state.sessions() as primary:
            business = make_business(primary)
        assert wait_until(
            lambda: replica.sql("SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()")
        )
        assert wait_until(lambda: client.get("/_probe/read").json()["target"] == "primary")
        assert monitor.status().reason == "lagging"
        assert client.get(f"/api/v1/businesses/{business.id}").status_code == 200

        replica.sql("SELECT pg_wal_replay_resume()")
        assert wait_until(lambda: replayed(replica, name, business.id), timeout_s=REPLAY_WAIT_S)
        monitor.max_lag_s = TOLERANT_S  # recovery must not hinge on other traffic's lag
        assert wait_until(
            lambda: client.get("/_probe/read").json()["target"] == "replica", timeout_s=10
        )


@pytest.mark.postgres_only
def test_a_replica_that_goes_down_sends_reads_to_the_primary(
    db_url: str, replica_db: str, replica: Replica, tmp_path: Path
) -> None:
    settings = make_settings(db_url, replica_db, tmp_path, database_replica_max_lag_s=TOLERANT_S)
    with serving(settings) as (app, client):
        monitor: ReplicaMonitor = app.state.read_router.monitor
        monitor.interval_s = 3600  # keep the "healthy" verdict while the replica dies
        assert client.get("/_probe/read").json()["target"] == "replica"
        replica.pg_ctl("stop", "-m", "fast")
        try:
            # The one request already routed to the dead replica gets a clean 503 ...
            failed = client.get("/api/v1/categories")
            assert failed.status_code == 503
            assert failed.headers["content-type"].startswith("application/problem+json")
            # ... and marks it down: the next ones read from the primary.
            assert client.get("/api/v1/categories").status_code == 200
            assert client.get("/_probe/read").json()["target"] == "primary"
        finally:
            replica.pg_ctl("start")
        monitor.interval_s = 0.2
        assert wait_until(
            lambda: client.get("/_probe/read").json()["target"] == "replica", timeout_s=60
        )


@pytest.mark.postgres_only
def test_an_unreachable_replica_is_never_used(db_url: str, tmp_path: Path) -> None:
    nowhere = make_url(db_url).set(host="127.0.0.1", port=free_port(54500, 54600))
    settings = make_settings(db_url, nowhere.render_as_string(hide_password=False), tmp_path)
    with serving(settings) as (app, client):
        assert client.get("/_probe/read").json()["target"] == "primary"
        assert client.get("/api/v1/categories").status_code == 200
        assert app.state.read_router.monitor.status().reason == "down"
