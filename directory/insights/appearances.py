"""Counting how often a business is shown in search results and recommendations.

Search and recommendations are the hot paths, so a request only adds to an in-process
buffer of ``(business_id, local day, metric) → count`` under a lock (no I/O). The buffer
is written as upserts into ``business_daily_count``:

* by the app's background task every ``FLUSH_INTERVAL_S`` (``directory.insights.lifespan``),
* in a one-off thread as soon as it holds ``max_keys`` keys,
* at shutdown, and before an owner's insights are read.

A failed flush puts its counts back, so nothing is lost while the database is briefly
away. With several worker processes each keeps its own buffer; the dashboard then lags by
at most one interval for the counts of the other workers. Robots and prefetches
(``readers.visitor.is_automated``) and non-GET requests are not counted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Final, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from directory.db_retry import run_in_transaction
from directory.models import Business, BusinessDailyCount
from directory.readers.visitor import is_automated

log = logging.getLogger("dekat.insights")

SEARCH: Final = "search"
RECOMMENDATION: Final = "recommendation"
METRICS: Final = (SEARCH, RECOMMENDATION)
FLUSH_INTERVAL_S: Final = 30.0
MAX_KEYS: Final = 5_000
_CHUNK: Final = 500

Key = tuple[int, date, str]


class AppearanceCounter:
    """The per-process buffer of appearances and its flush into the database."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        timezone: str,
        max_keys: int = MAX_KEYS,
        clock: Callable[[ZoneInfo], datetime] | None = None,
    ) -> None:
        self._sessions = sessions
        self._zone = ZoneInfo(timezone)
        self._max_keys = max_keys
        self._clock = clock or datetime.now
        self._buffer: Counter[Key] = Counter()
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._flushing = False
        self._retry_at = 0.0  # monotonic time before which a full buffer waits (after a failure)

    def today(self) -> date:
        """The local date in the site's time zone (the day counts are filed under)."""
        return self._clock(self._zone).date()

    def add(self, metric: str, business_ids: Iterable[int]) -> None:
        """Count one appearance of each business (hot path: memory only)."""
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}")
        day = self.today()
        with self._lock:
            for business_id in business_ids:
                self._buffer[(business_id, day, metric)] += 1
            start = (
                len(self._buffer) >= self._max_keys
                and not self._flushing
                and time.monotonic() >= self._retry_at
            )
            if start:
                self._flushing = True
        if start:
            threading.Thread(target=self._flush_in_background, daemon=True).start()

    def pending(self) -> int:
        """How many (business, day, metric) keys wait to be written."""
        with self._lock:
            return len(self._buffer)

    def flush(self) -> int:
        """Write the buffered counts; the number of keys written (0 on failure, counts kept)."""
        with self._flush_lock:
            with self._lock:
                taken, self._buffer = self._buffer, Counter()
            if not taken:
                return 0
            try:
                return run_in_transaction(self._sessions, lambda s: _upsert(s, taken))
            except SQLAlchemyError:
                log.warning("appearance counts not written; kept for the next flush", exc_info=True)
                with self._lock:
                    self._buffer.update(taken)
                    self._retry_at = time.monotonic() + FLUSH_INTERVAL_S  # no retry storm
                return 0

    def _flush_in_background(self) -> None:
        try:
            self.flush()
        finally:
            with self._lock:
                self._flushing = False


def _upsert(session: Session, counts: Counter[Key]) -> int:
    """Add ``counts`` to the stored rows (one upsert per key; deleted businesses skipped)."""
    ids = sorted({business_id for business_id, _, _ in counts})
    existing: set[int] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        existing.update(session.scalars(select(Business.id).where(Business.id.in_(chunk))))
    kept = [(key, n) for key, n in sorted(counts.items()) if key[0] in existing]
    if not kept:
        return 0
    table = cast(Table, BusinessDailyCount.__table__)
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.business_id, table.c.day, table.c.metric],
            set_={"count": table.c.count + stmt.excluded["count"]},
        )
        rows = [{"business_id": b, "day": d, "metric": m, "count": n} for (b, d, m), n in kept]
        for start in range(0, len(rows), _CHUNK):
            session.execute(stmt, rows[start : start + _CHUNK])
        return len(rows)
    for (business_id, day, metric), n in kept:  # any other backend: read, then write
        stored = session.get(BusinessDailyCount, (business_id, day, metric))
        if stored is None:
            session.add(
                BusinessDailyCount(business_id=business_id, day=day, metric=metric, count=n)
            )
        else:
            stored.count += n
    return len(kept)


def count_shown(request: Request, metric: str, business_ids: Iterable[int]) -> None:
    """Count what a reader's GET request showed; robots, prefetches and other methods not."""
    if request.method != "GET" or is_automated(request):
        return
    counter: AppearanceCounter | None = getattr(request.app.state, "appearances", None)
    if counter is not None:
        counter.add(metric, business_ids)
