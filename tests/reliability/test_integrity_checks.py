"""The integrity checks used after crashes and restores do find damage."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from directory.models import BusinessCategory, Interaction
from tests.conftest import backend_name
from tests.factories import make_business
from tests.reliability.snapshots import half_written_businesses, integrity_problems, row_counts


def test_a_healthy_database_has_no_problems(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        make_business(session)
    assert integrity_problems(engine) == []
    assert half_written_businesses(engine) == []
    assert row_counts(engine)["business"] == 1


def test_a_business_without_its_category_row_is_half_written(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        business = make_business(session)
        session.execute(delete(BusinessCategory).where(BusinessCategory.business_id == business.id))
        session.commit()
    problems = half_written_businesses(engine)
    assert any("primary category" in p for p in problems), problems


def test_an_orphaned_row_is_reported(engine: Engine) -> None:
    row = {
        "user_id": "u",
        "business_id": 999_999,
        "kind": "view",
        "at": datetime.now(UTC),
        "created_at": datetime.now(UTC),
    }
    if backend_name() == "sqlite":
        raw = engine.raw_connection()  # PRAGMA foreign_keys is ignored inside a transaction
        try:
            raw.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            raw.driver_connection.execute(  # type: ignore[union-attr]
                "INSERT INTO interaction (user_id, business_id, kind, at, created_at) "
                "VALUES ('u', 999999, 'view', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
            raw.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
        finally:
            raw.close()
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.execute(insert(Interaction), row)
    problems = integrity_problems(engine)
    assert any("interaction.business_id" in p for p in problems), problems
