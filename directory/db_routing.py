"""Which database a read goes to: the streaming replica when it is safe, else the primary.

Writes always use the primary (``SessionDep``). Reads that may be a little stale —
searches, recommendations, public pages — use ``ReadSessionDep``, which goes to the
replica named by ``DEKAT_DATABASE_READ_URL`` unless one of three things is true:

1. **The client wrote recently.** After every successful write request (any method but
   GET/HEAD/OPTIONS/TRACE answered with a status below 400) ``PrimaryAfterWriteMiddleware``
   sets the cookie ``dekat_primary_until=<unix epoch>``, a few seconds ahead. While it is
   valid the client's reads go to the primary, so an owner sees the edit they just made
   even if the replica has not replayed it yet. The window is at least the allowed lag
   plus two lag checks, so by the time it ends the replica is known to have caught up.
   A forged cookie can only push a client's own reads to the primary, and values further
   ahead than the window are ignored.
2. **The replica lags.** ``ReplicaMonitor`` asks the replica for its replay lag at most
   once per ``interval_s`` per process; above ``DEKAT_DATABASE_REPLICA_MAX_LAG_S`` reads
   fall back to the primary until a later check finds it caught up. Lag is 0 when the
   replica has replayed everything it received, else the age of the last replayed commit
   (an overestimate on a quiet primary, which errs towards the primary).
3. **The replica is down.** A failed check, or a connection error on a replica session,
   marks it down until the next check succeeds.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import MutableHeaders, State
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from directory.settings import Settings

log = logging.getLogger("dekat.db")

PRIMARY_COOKIE = "dekat_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
LAG_CHECK_INTERVAL_S = 1.0

# One constant statement; a primary (not in recovery) has no lag by definition.
_LAG_SQL = text(
    "SELECT CASE"
    " WHEN NOT pg_is_in_recovery() THEN 0.0"
    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0.0"
    " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)"
    " END::float8"
)


class ReadTarget(StrEnum):
    """Where one request's reads went."""

    PRIMARY = "primary"
    REPLICA = "replica"


@dataclass(frozen=True, slots=True)
class ReplicaStatus:
    """The outcome of one replica check; ``checked_at`` is on the monotonic clock."""

    usable: bool
    lag_s: float | None
    reason: str
    checked_at: float


def measure_replica_lag_s(engine: Engine) -> float:
    """Seconds the replica is behind (0.0 when caught up or when it is a primary)."""
    with engine.connect() as conn:
        lag = conn.execute(_LAG_SQL).scalar_one()
    return max(0.0, float(lag))


class ReplicaMonitor:
    """The replica's health, checked at most once per ``interval_s`` in this process.

    One request thread runs the check while the others keep using the last status, so
    a slow or unreachable replica costs one request per interval, not every request.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        max_lag_s: float,
        interval_s: float = LAG_CHECK_INTERVAL_S,
        measure: Callable[[Engine], float] = measure_replica_lag_s,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.max_lag_s = max_lag_s
        self.interval_s = interval_s
        self._measure = measure
        self._clock = clock
        self._lock = threading.Lock()
        self._status: ReplicaStatus | None = None

    def status(self) -> ReplicaStatus:
        """The current status, re-checked when the last check is older than the interval."""
        current = self._status
        if current is not None and not self._stale(current):
            return current
        # Only the very first check makes other threads wait; later ones use the old status.
        if not self._lock.acquire(blocking=current is None):
            assert current is not None
            return current
        try:
            current = self._status
            if current is None or self._stale(current):
                current = self.check_now()
            return current
        finally:
            self._lock.release()

    def _stale(self, status: ReplicaStatus) -> bool:
        return self._clock() - status.checked_at >= self.interval_s

    def check_now(self) -> ReplicaStatus:
        """Measure the lag now and remember the result."""
        try:
            lag_s = self._measure(self.engine)
        except DBAPIError as exc:
            log.warning("read replica unavailable: %s", type(exc.orig).__name__)
            return self._remember(ReplicaStatus(False, None, "down", self._clock()))
        if lag_s > self.max_lag_s:
            log.info("read replica lags %.1f s (max %.1f s)", lag_s, self.max_lag_s)
            return self._remember(ReplicaStatus(False, lag_s, "lagging", self._clock()))
        return self._remember(ReplicaStatus(True, lag_s, "ok", self._clock()))

    def mark_down(self) -> None:
        """A replica session just failed: use the primary until the next check passes."""
        self._remember(ReplicaStatus(False, None, "down", self._clock()))

    def _remember(self, status: ReplicaStatus) -> ReplicaStatus:
        self._status = status
        return status


class ReadRouter:
    """Chooses the session factory for one request's reads."""

    def __init__(
        self,
        *,
        primary: sessionmaker[Session],
        replica: sessionmaker[Session] | None = None,
        monitor: ReplicaMonitor | None = None,
        sticky_s: float = 10.0,
    ) -> None:
        self.primary = primary
        self.replica = replica
        self.monitor = monitor
        self.window_s = primary_window_s(
            sticky_s=sticky_s,
            max_lag_s=monitor.max_lag_s if monitor else 0.0,
            interval_s=monitor.interval_s if monitor else 0.0,
        )

    @property
    def has_replica(self) -> bool:
        """True when reads may leave the primary at all."""
        return self.replica is not None

    def choose(self, *, primary_until: float | None) -> tuple[ReadTarget, sessionmaker[Session]]:
        """The target for a request whose client may read from the primary until then."""
        if self.replica is None or primary_until is not None:
            return ReadTarget.PRIMARY, self.primary
        if self.monitor is not None and not self.monitor.status().usable:
            return ReadTarget.PRIMARY, self.primary
        return ReadTarget.REPLICA, self.replica

    def choose_for_cookie(
        self, cookie: str | None, *, now: float | None = None
    ) -> tuple[ReadTarget, sessionmaker[Session]]:
        """The target for a request carrying this ``dekat_primary_until`` cookie value."""
        if self.replica is None:
            return ReadTarget.PRIMARY, self.primary
        until = primary_until_from_cookie(
            cookie, now=time.time() if now is None else now, window_s=self.window_s
        )
        return self.choose(primary_until=until)

    def replica_failed(self) -> None:
        """Called when a replica session hit a connection error mid-request."""
        if self.monitor is not None:
            self.monitor.mark_down()


def is_connection_error(exc: DBAPIError) -> bool:
    """True when the server could not be reached or dropped us (not a slow or bad query).

    SQLSTATE class 08 is a connection exception and 57P01–57P03 a shutdown or start-up;
    an error without a SQLSTATE was raised by the driver while connecting.
    """
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate is None or str(sqlstate).startswith(("08", "57P"))


def build_read_router(state: State, settings: Settings) -> ReadRouter:
    """The router for an app whose ``state`` holds the engines and session factories.

    Without a separate read engine every read goes to the primary. A PostgreSQL replica
    gets a lag monitor; another backend (say a SQLite read copy) is trusted as it is.
    """
    if state.read_engine is state.engine:
        return ReadRouter(primary=state.sessions)
    monitor = None
    if state.read_engine.dialect.name == "postgresql":
        monitor = ReplicaMonitor(state.read_engine, max_lag_s=settings.database_replica_max_lag_s)
    return ReadRouter(
        primary=state.sessions,
        replica=state.read_sessions,
        monitor=monitor,
        sticky_s=settings.database_primary_sticky_s,
    )


def primary_window_s(*, sticky_s: float, max_lag_s: float, interval_s: float) -> float:
    """How long a writer reads from the primary: long enough to outlast any allowed lag.

    >>> primary_window_s(sticky_s=3, max_lag_s=5, interval_s=1)
    7
    """
    return max(sticky_s, max_lag_s + 2 * interval_s)


def primary_until_from_cookie(value: str | None, *, now: float, window_s: float) -> float | None:
    """The cookie's deadline when it is still in force and plausible, else None.

    >>> primary_until_from_cookie("1005", now=1000.0, window_s=10)
    1005.0
    >>> primary_until_from_cookie("999", now=1000.0, window_s=10) is None
    True
    """
    if not value:
        return None
    try:
        until = float(value)
    except ValueError:
        return None
    if not math.isfinite(until) or until <= now or until > now + window_s + 1.0:
        return None
    return until


class PrimaryAfterWriteMiddleware:
    """Sets ``dekat_primary_until`` on every successful write response (pure ASGI)."""

    def __init__(
        self, app: ASGIApp, *, window_s: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.app = app
        self.window_s = window_s
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                until = math.ceil(self.clock() + self.window_s)
                max_age = math.ceil(self.window_s)
                headers = MutableHeaders(scope=message)
                headers.append(
                    "set-cookie",
                    f"{PRIMARY_COOKIE}={until}; Max-Age={max_age}; Path=/; HttpOnly; SameSite=Lax",
                )
            await send(message)

        await self.app(scope, receive, send_with_cookie)
