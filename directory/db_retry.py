"""Retry a write transaction that lost a race with another one.

Under concurrency a correct transaction can still fail through no fault of its own:
PostgreSQL aborts one side of a deadlock (SQLSTATE 40P01) or of a serialization conflict
(40001, under REPEATABLE READ or SERIALIZABLE), and SQLite answers "database is locked"
(SQLITE_BUSY / SQLITE_LOCKED) when a deferred transaction tries to upgrade to a write lock
after another writer committed. The cure in every case is to roll back and run the whole
transaction again from the start, which is what ``run_in_transaction`` does. Any other
error (a constraint violation, the database being down) is raised at once: repeating it
would not help, and the API turns it into a problem response.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from directory.db import SQLITE_IMMEDIATE

log = logging.getLogger("dekat.db")

T = TypeVar("T")

# PostgreSQL SQLSTATEs after which the whole transaction may simply be run again.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
# SQLite primary result codes (the low byte of an extended code such as SQLITE_BUSY_SNAPSHOT).
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_MESSAGES = ("database is locked", "database table is locked", "database is busy")


def is_retryable(exc: BaseException) -> bool:
    """True when ``exc`` means "lost a race; run the transaction again"."""
    if not isinstance(exc, DBAPIError) or exc.connection_invalidated:
        return False
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate is not None:
        return str(sqlstate) in RETRYABLE_SQLSTATES
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    message = str(orig).lower()
    return any(m in message for m in _SQLITE_MESSAGES)


def backoff_s(attempt: int, *, base_s: float = 0.02, cap_s: float = 1.0) -> float:
    """Full-jitter exponential backoff: a random wait in ``[0, min(cap, base·2^attempt)]``.

    Jitter keeps two transactions that collided once from colliding again in lock-step.

    >>> 0.0 <= backoff_s(3) <= 0.16
    True
    """
    return random.uniform(0.0, min(cap_s, base_s * (2**attempt)))


def run_in_transaction(
    sessions: sessionmaker[Session],
    fn: Callable[[Session], T],
    *,
    retries: int = 5,
    isolation_level: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``fn(session)`` in a fresh session and commit; re-run it on a lost race.

    ``fn`` must do all of its reads and writes through the session it is given (it may be
    called up to ``retries + 1`` times, each time with a new session) and must not commit;
    its return value is returned after the commit succeeds. ``isolation_level`` (for
    example ``"SERIALIZABLE"``) applies to PostgreSQL; SQLite transactions are always
    serializable. Objects returned stay usable after the session closes (sessions are made
    with ``expire_on_commit=False``).
    """
    if retries < 0:
        raise ValueError("retries must be >= 0")
    attempt = 0
    while True:
        session = sessions()
        try:
            if session.get_bind().dialect.name == "sqlite":
                session.connection(execution_options={SQLITE_IMMEDIATE: True})
            elif isolation_level is not None:
                session.connection(execution_options={"isolation_level": isolation_level})
            result = fn(session)
            session.commit()
            return result
        except DBAPIError as exc:
            session.rollback()
            if attempt >= retries or not is_retryable(exc):
                raise
            attempt += 1
            log.info(
                "transaction lost a race (%s); retry %d of %d",
                type(exc.orig).__name__,
                attempt,
                retries,
            )
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        sleep(backoff_s(attempt))
