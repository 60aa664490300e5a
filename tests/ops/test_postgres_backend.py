"""The PostgreSQL backend as production runs it: PostGIS, pool, timeouts, lost races."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select, text, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from directory.api.deps import SessionDep
from directory.app import create_app
from directory.db import make_engine
from directory.db_retry import run_in_transaction
from directory.settings import Settings
from tests.conftest import _pg_admin

pytestmark = pytest.mark.postgres_only


@pytest.mark.postgis
def test_postgis_is_available_in_the_per_run_template(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        version = conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
        distance_m = conn.execute(
            text(
                "SELECT ST_Distance("
                "ST_SetSRID(ST_MakePoint(106.6527, -6.3016), 4326)::geography,"
                "ST_SetSRID(ST_MakePoint(106.6627, -6.3016), 4326)::geography)"
            )
        ).scalar_one()
    assert str(version).startswith("3.")
    assert 1_000 < distance_m < 1_200  # 0.01° of longitude near the equator ≈ 1.1 km


def test_engine_has_pre_ping_pool_and_statement_timeout(settings: Settings) -> None:
    engine = make_engine(settings.database_url, pool_size=3, statement_timeout_ms=2_500)
    try:
        assert engine.pool._pre_ping
        assert engine.pool.size() == 3  # type: ignore[attr-defined]
        with engine.connect() as conn:
            assert conn.execute(text("SHOW statement_timeout")).scalar_one() == "2500ms"
    finally:
        engine.dispose()


def test_a_runaway_query_is_cancelled_and_answered_with_503(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"database_statement_timeout_ms": 200}))

    @app.get("/_probe/slow")
    def slow(session: SessionDep) -> str:
        session.execute(select(func.pg_sleep(3)))
        return "finished"

    try:
        with TestClient(app) as client:
            response = client.get("/_probe/slow")
            assert response.status_code == 503
            assert response.headers["retry-after"]
            assert response.json()["status"] == 503
            assert client.get("/healthz").status_code == 200  # the pool is still fine
    finally:
        app.state.engine.dispose()


def test_connections_killed_by_the_server_are_replaced_by_pre_ping(
    settings: Settings,
) -> None:
    app = create_app(settings)
    name = make_url(settings.database_url).database
    try:
        with TestClient(app) as client:
            assert client.get("/healthz").status_code == 200
            admin = _pg_admin()
            with admin.connect() as conn:
                killed = conn.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                ).scalar_one()
            admin.dispose()
            assert killed >= 1
            for _ in range(3):
                assert client.get("/healthz").status_code == 200
    finally:
        app.state.engine.dispose()


scratch = MetaData()
pair = Table(
    "deadlock_pair",
    scratch,
    Column("id", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
)


@pytest.fixture
def pair_table(engine: Engine) -> Iterator[Engine]:
    scratch.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(pair), [{"id": 1, "n": 0}, {"id": 2, "n": 0}])
    yield engine
    scratch.drop_all(engine)


def test_a_real_deadlock_is_retried(pair_table: Engine, sessions: sessionmaker[Session]) -> None:
    """Two transactions lock rows 1 and 2 in opposite orders; the server kills one."""
    barrier = threading.Barrier(2, timeout=20)
    attempts: list[str] = []
    errors: list[BaseException] = []

    def transfer(first: int, second: int) -> None:
        def work(session: Session) -> None:
            name = threading.current_thread().name
            initial = name not in attempts
            attempts.append(name)
            session.execute(update(pair).where(pair.c.id == first).values(n=pair.c.n + 1))
            if initial:
                barrier.wait()  # each now holds one row lock and wants the other
            session.execute(update(pair).where(pair.c.id == second).values(n=pair.c.n + 1))

        try:
            run_in_transaction(sessions, work, sleep=lambda _s: None)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=transfer, args=(1, 2), name="a"),
        threading.Thread(target=transfer, args=(2, 1), name="b"),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(attempts) == 3  # the deadlock victim ran again
    with pair_table.connect() as conn:
        assert sorted(conn.execute(select(pair.c.n)).scalars()) == [2, 2]


def test_without_retries_the_deadlock_surfaces(
    pair_table: Engine, sessions: sessionmaker[Session]
) -> None:
    barrier = threading.Barrier(2, timeout=20)
    errors: list[BaseException] = []

    def transfer(first: int, second: int) -> None:
        def work(session: Session) -> None:
            session.execute(update(pair).where(pair.c.id == first).values(n=pair.c.n + 1))
            barrier.wait()
            session.execute(update(pair).where(pair.c.id == second).values(n=pair.c.n + 1))

        try:
            run_in_transaction(sessions, work, retries=0)
        except OperationalError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=transfer, args=p) for p in ((1, 2), (2, 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(errors) == 1
    assert getattr(errors[0], "orig", None).sqlstate == "40P01"  # type: ignore[union-attr]
