"""``dekat backup FILE`` / ``dekat restore FILE``: a restore gives back every row exactly."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from directory.cli import ops_commands  # noqa: F401  (registers backup/restore)
from directory.cli.main import app as cli
from directory.db import make_engine
from directory.models import Business, Interaction, Review
from directory.settings import get_settings
from tests.conftest import backend_name
from tests.factories import make_business
from tests.reliability.snapshots import integrity_problems, snapshot

pytestmark = pytest.mark.skipif(
    backend_name() == "postgresql" and shutil.which("pg_restore") is None,
    reason="pg_dump/pg_restore not installed",
)


@pytest.fixture
def dekat_cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The CLI, pointed at this test's database through the environment as an operator would."""
    monkeypatch.setenv("DEKAT_DATABASE_URL", db_url)
    monkeypatch.setenv("DEKAT_MEDIA_DIR", str(tmp_path / "media"))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def populate(sessions: sessionmaker[Session], *, businesses: int = 30) -> list[int]:
    """Businesses with categories, reviews (some with hostile text) and interactions."""
    at = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)
    with sessions() as session:
        ids = [
            make_business(
                session,
                name=f"Kopi Cadangan {i}",
                description="<b>teh</b> & 'kopi' — ☕ مرحبا" if i % 3 == 0 else "",
                phone=f"08123456{i:04d}" if i % 2 else None,
            ).id
            for i in range(businesses)
        ]
        for n, bid in enumerate(ids):
            for r in range(n % 4):
                session.add(
                    Review(
                        business_id=bid,
                        reviewer_hash=f"{r:064x}",
                        rating=1 + (n + r) % 5,
                        text="enak; DROP TABLE review;--" if r == 1 else "mantap",
                        created_at=at,
                        updated_at=at,
                    )
                )
            for k, kind in enumerate(("view", "click", "save", "visit")[: 1 + n % 4]):
                session.add(
                    Interaction(
                        user_id=f"u{n % 7}",
                        business_id=bid,
                        kind=kind,
                        at=at + timedelta(minutes=k),
                        created_at=at,
                    )
                )
        session.commit()
    return ids


def vandalise(sessions: sessionmaker[Session], ids: list[int]) -> None:
    """Changes a restore must undo: deletions, edits and new rows."""
    with sessions() as session:
        session.execute(delete(Business).where(Business.id.in_(ids[:5])))
        session.execute(update(Business).where(Business.id == ids[6]).values(name="Diubah"))
        session.execute(delete(Review).where(Review.business_id == ids[7]))
        session.add(
            Interaction(user_id="late", business_id=ids[8], kind="view", at=datetime.now(UTC))
        )
        session.commit()
        make_business(session, name="Ditambahkan Setelah Cadangan")


def fresh(db_url: str) -> Engine:
    """A new engine, so nothing is served from a pool that saw the old schema."""
    return make_engine(db_url)


def test_backup_then_restore_gives_back_every_row(
    dekat_cli: CliRunner, sessions: sessionmaker[Session], db_url: str, tmp_path: Path
) -> None:
    ids = populate(sessions)
    engine = fresh(db_url)
    before = snapshot(engine)
    engine.dispose()
    assert len(before["review"]) > 20
    assert len(before["interaction"]) > 50

    backup_file = tmp_path / "backups" / "dekat.backup"
    result = dekat_cli.invoke(cli, ["backup", str(backup_file)])
    assert result.exit_code == 0, result.output
    assert backup_file.stat().st_size > 0

    vandalise(sessions, ids)
    engine = fresh(db_url)
    assert snapshot(engine) != before
    engine.dispose()

    result = dekat_cli.invoke(cli, ["restore", "--yes", str(backup_file)])
    assert result.exit_code == 0, result.output

    engine = fresh(db_url)
    try:
        after = snapshot(engine)
        for table, rows in before.items():
            assert after[table] == rows, f"{table} differs after restore"
        assert integrity_problems(engine) == []
    finally:
        engine.dispose()


def test_restore_asks_before_overwriting(dekat_cli: CliRunner, tmp_path: Path) -> None:
    backup_file = tmp_path / "b.backup"
    assert dekat_cli.invoke(cli, ["backup", str(backup_file)]).exit_code == 0
    result = dekat_cli.invoke(cli, ["restore", str(backup_file)], input="n\n")
    assert result.exit_code != 0
    assert "cancelled" in result.output


def test_restore_refuses_a_file_that_is_not_a_backup(dekat_cli: CliRunner, tmp_path: Path) -> None:
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database\x00" * 100)
    result = dekat_cli.invoke(cli, ["restore", "--yes", str(junk)])
    assert result.exit_code != 0
    missing = dekat_cli.invoke(cli, ["restore", "--yes", str(tmp_path / "absent.backup")])
    assert missing.exit_code != 0
    assert "no backup file" in missing.output
