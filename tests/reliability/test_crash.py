"""Crash safety, bounded: ``kill -9`` of the importer halfway and of the server mid-burst.

``scripts/crash_test.py`` is the harness (the long run imports 200,000 rows; figures in
``docs/reliability.md``). Here the importer gets a 20,000-row file and the server a
three-second burst of writes, on the suite's backend. After each kill the database must
pass the integrity checks (``dbcheck.py``: ``PRAGMA integrity_check`` and foreign keys
on SQLite, ``amcheck`` on PostgreSQL, orphans, index against table) and hold no
half-written business; the import must be all-or-nothing and a re-run must complete it;
every write acknowledged before the server died must be there exactly once.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import delete, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from directory.models import BusinessCategory
from tests.conftest import backend_name
from tests.factories import make_business
from tests.reliability.loader import load_script

crash = load_script("crash_test")

IMPORT_ROWS = 20_000

needs_proc = pytest.mark.skipif(
    not Path(f"/proc/{os.getpid()}/fdinfo").is_dir(),
    reason="the importer's progress is read from /proc (Linux)",
)


@needs_proc
def test_read_position_is_where_a_process_has_read_a_file(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(b"x" * 10_000)
    assert crash.read_position(os.getpid(), path) is None
    with path.open("rb", buffering=0) as fh:
        fh.read(1234)
        assert crash.read_position(os.getpid(), path) == 1234
        with path.open("rb", buffering=0) as ahead:  # a second, further-on descriptor
            ahead.read(9000)
            assert crash.read_position(os.getpid(), path) == 1234


def test_write_watch_sees_another_connections_open_write(engine: Engine, db_url: str) -> None:
    watch = crash.WriteWatch(db_url)
    try:
        assert not watch.writing()
        with engine.connect() as conn:
            if backend_name() == "sqlite":
                conn.execute(text("UPDATE category SET name_id = name_id"))  # takes the lock
            else:
                conn.execute(text("SELECT nextval(pg_get_serial_sequence('business', 'id'))"))
            assert watch.writing()
            conn.rollback()
        if backend_name() == "sqlite":
            assert not watch.writing()  # the lock is gone with the transaction
        else:
            assert watch.rows_inserted() == 1  # sequences do not roll back
    finally:
        watch.close()


def test_database_checks_report_a_half_written_business(
    engine: Engine, db_url: str, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        business = make_business(session)
    assert crash.database_checks(db_url) == []
    with engine.begin() as conn:
        conn.execute(delete(BusinessCategory).where(BusinessCategory.business_id == business.id))
    assert any("primary category" in p for p in crash.database_checks(db_url))


@pytest.mark.slow
@needs_proc
def test_importer_killed_halfway_leaves_a_sound_database_and_a_rerun_completes(
    db_url: str, tmp_path: Path
) -> None:
    result = crash.crash_importer(db_url, tmp_path, rows=IMPORT_ROWS, seed=5, kill_at=0.5)
    report = "\n".join(result.lines())
    assert result.problems == [], report
    facts = result.facts
    read = int(str(facts["file read at kill"]).rstrip("%"))
    assert 50 <= read < 100, report  # killed mid-file, not after the import had finished
    assert facts["rows committed at kill"] == IMPORT_ROWS // 10, report  # all or nothing
    assert facts["rows after re-run"] == IMPORT_ROWS, report
    if backend_name() == "postgresql":
        # The open transaction had written rows when it died: the kill was mid-write.
        assert int(str(facts["rows inserted, uncommitted, at kill"])) > 0, report


@pytest.mark.slow
def test_server_killed_during_a_write_burst_restarts_with_every_acknowledged_write(
    db_url: str, tmp_path: Path
) -> None:
    result = crash.crash_server(db_url, tmp_path, businesses=200, burst_s=3.0, clients=12, seed=5)
    report = "\n".join(result.lines())
    assert result.problems == [], report
    assert int(str(result.facts["acknowledged writes before kill"])) >= 20, report
