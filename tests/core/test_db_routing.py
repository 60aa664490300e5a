"""Read routing rules, without a replica: cookie parsing, lag monitor, router choices."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from directory.db_routing import (
    ReadRouter,
    ReadTarget,
    ReplicaMonitor,
    is_connection_error,
    primary_until_from_cookie,
    primary_window_s,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Lag:
    """A fake replica: returns ``value`` or raises when ``down``."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = value
        self.down = False
        self.calls = 0

    def __call__(self, _engine: Engine) -> float:
        self.calls += 1
        if self.down:
            raise OperationalError("SELECT lag", {}, ConnectionRefusedError("refused"))
        return self.value


@pytest.fixture
def dummy_engine() -> Engine:
    return create_engine("sqlite://")


def monitor(engine: Engine, lag: Lag, clock: Clock, *, max_lag_s: float = 5.0) -> ReplicaMonitor:
    return ReplicaMonitor(engine, max_lag_s=max_lag_s, interval_s=1.0, measure=lag, clock=clock)


@given(
    value=st.one_of(st.none(), st.text(max_size=30), st.floats(allow_nan=True).map(str)),
    now=st.floats(min_value=0, max_value=4e9),
    window=st.floats(min_value=0, max_value=3600),
)
def test_cookie_deadline_is_in_the_near_future_or_ignored(
    value: str | None, now: float, window: float
) -> None:
    until = primary_until_from_cookie(value, now=now, window_s=window)
    assert until is None or now < until <= now + window + 1.0


def test_cookie_values() -> None:
    assert primary_until_from_cookie("1007", now=1000.0, window_s=10) == 1007.0
    assert primary_until_from_cookie("1000", now=1000.0, window_s=10) is None  # expired
    assert primary_until_from_cookie("99999999", now=1000.0, window_s=10) is None  # forged
    assert primary_until_from_cookie("soon", now=1000.0, window_s=10) is None
    assert primary_until_from_cookie("inf", now=1000.0, window_s=10) is None


def test_window_outlasts_the_allowed_lag() -> None:
    assert primary_window_s(sticky_s=10, max_lag_s=5, interval_s=1) == 10
    assert primary_window_s(sticky_s=1, max_lag_s=30, interval_s=1) == 32


def test_monitor_checks_at_most_once_per_interval(dummy_engine: Engine) -> None:
    lag, clock = Lag(0.2), Clock()
    m = monitor(dummy_engine, lag, clock)
    for _ in range(50):
        assert m.status().usable
    assert lag.calls == 1
    clock.now += 0.99
    m.status()
    assert lag.calls == 1
    clock.now += 0.02
    assert m.status().lag_s == pytest.approx(0.2)
    assert lag.calls == 2


def test_monitor_reports_lag_and_outage_then_recovers(dummy_engine: Engine) -> None:
    lag, clock = Lag(9.0), Clock()
    m = monitor(dummy_engine, lag, clock)
    assert (m.status().usable, m.status().reason) == (False, "lagging")
    lag.value, lag.down = 0.0, True
    clock.now += 1.0
    assert (m.status().usable, m.status().reason) == (False, "down")
    lag.down = False
    clock.now += 1.0
    assert (m.status().usable, m.status().reason) == (True, "ok")
    m.mark_down()
    assert not m.status().usable  # until the next check, one interval later
    clock.now += 1.0
    assert m.status().usable


def test_a_slow_check_does_not_hold_up_other_requests(dummy_engine: Engine) -> None:
    release = threading.Event()
    started = threading.Event()
    clock = Clock()

    def slow(_engine: Engine) -> float:
        if started.is_set():
            return 0.0
        started.set()
        release.wait(10)
        return 99.0

    m = ReplicaMonitor(
        dummy_engine, max_lag_s=5, interval_s=1.0, measure=lambda e: 0.0, clock=clock
    )
    assert m.status().usable
    m._measure = slow  # the next check hangs
    clock.now += 5
    checker = threading.Thread(target=m.status)
    checker.start()
    assert started.wait(5)
    t0 = time.monotonic()
    assert m.status().usable  # served from the previous status, immediately
    assert time.monotonic() - t0 < 0.5
    release.set()
    checker.join(5)
    assert not m.status().usable  # the slow check found 99 s of lag


def test_router_choices(dummy_engine: Engine) -> None:
    primary: sessionmaker[Session] = sessionmaker()
    replica: sessionmaker[Session] = sessionmaker()
    lag, clock = Lag(0.0), Clock()
    router = ReadRouter(
        primary=primary, replica=replica, monitor=monitor(dummy_engine, lag, clock), sticky_s=10
    )
    now = 5000.0
    assert router.choose_for_cookie(None, now=now) == (ReadTarget.REPLICA, replica)
    assert router.choose_for_cookie(str(now + 3), now=now) == (ReadTarget.PRIMARY, primary)
    assert router.choose_for_cookie(str(now - 3), now=now) == (ReadTarget.REPLICA, replica)
    router.replica_failed()
    assert router.choose_for_cookie(None, now=now)[0] is ReadTarget.PRIMARY
    clock.now += 1
    lag.value = 60.0
    assert router.choose_for_cookie(None, now=now)[0] is ReadTarget.PRIMARY


def test_without_a_replica_everything_reads_the_primary() -> None:
    primary: sessionmaker[Session] = sessionmaker()
    router = ReadRouter(primary=primary)
    assert not router.has_replica
    assert router.choose_for_cookie(None) == (ReadTarget.PRIMARY, primary)


class FakeDriverError(Exception):
    def __init__(self, sqlstate: str | None) -> None:
        super().__init__("driver error")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "expected"),
    [
        (None, True),  # refused while connecting
        ("08006", True),  # connection failure
        ("57P01", True),  # admin shutdown
        ("57014", False),  # statement timeout: the replica is up, the query was slow
        ("40001", False),
    ],
)
def test_only_connection_errors_mark_the_replica_down(sqlstate: str | None, expected: bool) -> None:
    exc = OperationalError("SELECT 1", {}, FakeDriverError(sqlstate))
    assert is_connection_error(exc) is expected
