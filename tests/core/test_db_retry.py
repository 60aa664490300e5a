"""run_in_transaction: lost races are re-run, real errors are not."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from directory.db_retry import backoff_s, is_retryable, run_in_transaction

scratch = MetaData()
counter = Table(
    "retry_counter",
    scratch,
    Column("id", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
)


class FakePgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def wrapped(orig: BaseException) -> OperationalError:
    return OperationalError("UPDATE x", {}, orig)


@pytest.fixture
def counter_table(engine: Engine) -> Iterator[Engine]:
    scratch.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(counter).values(id=1, n=0))
    yield engine
    scratch.drop_all(engine)


@pytest.mark.parametrize(
    ("orig", "expected"),
    [
        (FakePgError("40001"), True),  # serialization_failure
        (FakePgError("40P01"), True),  # deadlock_detected
        (FakePgError("23505"), False),  # unique_violation: a real error
        (FakePgError("08006"), False),  # connection failure: the 503 path, not a retry
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite3.OperationalError("no such table: business"), False),
    ],
)
def test_is_retryable(orig: BaseException, expected: bool) -> None:
    assert is_retryable(wrapped(orig)) is expected


def test_plain_exceptions_are_not_retryable() -> None:
    assert not is_retryable(ValueError("database is locked"))


@given(st.integers(min_value=0, max_value=60))
def test_backoff_is_bounded(attempt: int) -> None:
    assert 0.0 <= backoff_s(attempt, base_s=0.02, cap_s=1.0) <= 1.0


def test_commits_once_and_returns_the_result(
    counter_table: Engine, sessions: sessionmaker[Session]
) -> None:
    def bump(session: Session) -> int:
        session.execute(update(counter).values(n=counter.c.n + 1))
        return 7

    assert run_in_transaction(sessions, bump) == 7
    with counter_table.connect() as conn:
        assert conn.execute(select(counter.c.n)).scalar_one() == 1


def test_retries_a_lost_race_then_gives_up(sessions: sessionmaker[Session]) -> None:
    calls: list[int] = []
    waits: list[float] = []

    def always_conflicts(_session: Session) -> None:
        calls.append(1)
        raise wrapped(FakePgError("40001"))

    with pytest.raises(OperationalError):
        run_in_transaction(sessions, always_conflicts, retries=3, sleep=waits.append)
    assert len(calls) == 4
    assert len(waits) == 3


def test_does_not_retry_real_errors(sessions: sessionmaker[Session]) -> None:
    calls: list[int] = []

    def violates(_session: Session) -> None:
        calls.append(1)
        raise IntegrityError("INSERT", {}, FakePgError("23505"))

    with pytest.raises(IntegrityError):
        run_in_transaction(sessions, violates, sleep=lambda _s: None)
    assert calls == [1]


def test_rolls_back_a_failed_attempt(
    counter_table: Engine, sessions: sessionmaker[Session]
) -> None:
    attempts: list[int] = []

    def flaky(session: Session) -> None:
        session.execute(update(counter).values(n=counter.c.n + 10))
        attempts.append(1)
        if len(attempts) == 1:
            raise wrapped(FakePgError("40P01"))

    run_in_transaction(sessions, flaky, sleep=lambda _s: None)
    with counter_table.connect() as conn:
        assert conn.execute(select(counter.c.n)).scalar_one() == 10  # not 20


def test_concurrent_read_modify_write_is_retried_to_a_correct_total(
    counter_table: Engine, sessions: sessionmaker[Session]
) -> None:
    """Two transactions read the counter, meet, then both write: one must lose the race.

    PostgreSQL (REPEATABLE READ) aborts the later writer with a serialization failure and
    re-running the loser from scratch gives the right total. SQLite write transactions
    begin with ``BEGIN IMMEDIATE``, so the second writer waits for the first to commit
    before it reads: there is no race to lose, and no increment is lost either.
    """
    sqlite = counter_table.dialect.name == "sqlite"
    barrier = threading.Barrier(2, timeout=20)
    attempts: list[str] = []
    errors: list[BaseException] = []

    def increment(session: Session) -> None:
        name = threading.current_thread().name
        first = name not in attempts
        attempts.append(name)
        n = session.execute(select(counter.c.n)).scalar_one()
        if first and not sqlite:
            barrier.wait()  # both hold a snapshot that has n == 0
        session.execute(update(counter).values(n=n + 1))

    def worker() -> None:
        try:
            run_in_transaction(
                sessions, increment, isolation_level="REPEATABLE READ", sleep=lambda _s: None
            )
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, name=f"w{i}") for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with counter_table.connect() as conn:
        assert conn.execute(select(counter.c.n)).scalar_one() == 2
    if sqlite:
        assert len(attempts) == 2  # serialised by the write lock: nobody ran twice
    else:
        assert len(attempts) >= 3  # the loser ran again


def test_negative_retries_are_refused(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(ValueError, match="retries"):
        run_in_transaction(sessions, lambda _s: None, retries=-1)
