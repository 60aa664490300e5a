"""The storage plumbing: SQLite pragmas, UTC timestamps and the problem body on DB errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from directory.models import Interaction
from tests.conftest import backend_name
from tests.factories import make_business


@pytest.mark.skipif(backend_name() != "sqlite", reason="SQLite pragmas")
def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(Interaction(user_id="u1", business_id=999_999, kind="view", at=datetime.now(UTC)))
    with pytest.raises(Exception, match="(?i)foreign key"):
        session.flush()


def test_timestamps_come_back_aware_in_utc(session: Session) -> None:
    business = make_business(session)
    jakarta = timezone(timedelta(hours=7))
    at = datetime(2026, 5, 1, 19, 30, tzinfo=jakarta)
    session.add(Interaction(user_id="u1", business_id=business.id, kind="visit", at=at))
    session.commit()
    session.expunge_all()
    stored = session.query(Interaction).one()
    assert stored.at.tzinfo is not None
    assert stored.at == at
    assert stored.at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(session: Session) -> None:
    business = make_business(session)
    session.add(
        Interaction(user_id="u1", business_id=business.id, kind="view", at=datetime(2026, 1, 1))
    )
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()
