"""Abuse controls at the HTTP edge: per-client rate limits and a request body size limit.

Rate limits
-----------
Each protected operation has a *bucket* (``submissions``, ``reviews``, ``matches``) with a
limit from the settings (``rate_limit_*``). Clients are told apart by IP address, stored
only as a SHA-256 hash. The address is the ASGI peer (``request.client``) and nothing
else: no header is read here. Behind a reverse proxy the server rewrites the peer from
``X-Forwarded-For`` only when that proxy is listed in ``DEKAT_TRUSTED_PROXIES``
(``directory/serving.py``), so a client cannot choose its own address. Reviews are
limited per IP too: reviewer keys are free to make, so they cannot be all a limit counts.

The counters live in the database table ``rate_limit_hit``, not in process memory: the
server runs several worker processes and an in-process bucket would give each its own
allowance (N workers → N times the limit, depending on which worker a request lands on).
Each window of ``window_s`` seconds has one row per (bucket, client); a request counts as

    hits_in_previous_window × (1 − elapsed / window_s) + hits_in_current_window

(the "sliding window counter" of Cloudflare and nginx), which smooths the burst a fixed
window allows at its edge to within a few percent. The current row is incremented
atomically (``INSERT … ON CONFLICT DO UPDATE … RETURNING``) and the increment is taken
back when it goes over the limit, so concurrent requests on any number of workers never
get more than the limit between them. Refused requests answer 429 with ``Retry-After``:
the seconds until one more request would be accepted. Rows older than the previous window
are deleted when a client opens a new window.

Body size
---------
:class:`BodySizeLimitMiddleware` refuses a request whose body exceeds
``max_request_bytes`` with 413 before any of it is parsed: at once when
``Content-Length`` says so, and while streaming otherwise (chunked bodies).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from fastapi import Request
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from directory.api.problems import problem_response
from directory.db_retry import run_in_transaction
from directory.errors import RateLimited
from directory.models import RateLimitHit
from directory.settings import Settings

SUBMISSIONS: Final = "submissions"
REVIEWS: Final = "reviews"
MATCHES: Final = "matches"


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``max_hits`` requests per ``window_s`` seconds in one bucket."""

    bucket: str
    max_hits: int
    window_s: int


def limit_for(bucket: str, settings: Settings) -> Limit:
    """The configured limit of a bucket."""
    if bucket == SUBMISSIONS:
        return Limit(bucket, settings.rate_limit_submissions_per_hour, 3600)
    if bucket == REVIEWS:
        return Limit(bucket, settings.rate_limit_reviews_per_hour, 3600)
    if bucket == MATCHES:
        return Limit(bucket, settings.rate_limit_matches_per_minute, 60)
    raise ValueError(f"unknown rate-limit bucket {bucket!r}")


def sliding_count(prev_hits: int, cur_hits: int, *, elapsed_s: float, window_s: float) -> float:
    """Requests in the sliding window ending now, estimated from two fixed windows.

    >>> sliding_count(10, 2, elapsed_s=15, window_s=60)
    9.5
    """
    weight = max(0.0, 1.0 - elapsed_s / window_s)
    return prev_hits * weight + cur_hits


def retry_after_s(prev_hits: int, cur_hits: int, limit: Limit, *, elapsed_s: float) -> int:
    """Whole seconds (≥ 1) until one more request fits, given the hits counted so far.

    >>> retry_after_s(0, 5, Limit("x", 5, 60), elapsed_s=20)
    40
    """
    w = float(limit.window_s)
    room = limit.max_hits - cur_hits - 1  # what the previous window's share must fall to
    if room >= 0 and prev_hits > 0:
        wait = w * (1.0 - room / prev_hits) - elapsed_s
        if wait < w - elapsed_s:  # it fits before the window ends
            return max(1, math.ceil(wait))
    # After the window ends the current hits become the previous window's.
    rest = w - elapsed_s
    if cur_hits > 0 and limit.max_hits - 1 < cur_hits:
        rest += w * (1.0 - (limit.max_hits - 1) / cur_hits)
    return max(1, math.ceil(rest))


def _upsert_hit(session: Session, bucket: str, client_key: str, window_start: int) -> int:
    """Add one hit to the current window's row (created if missing); the new count."""
    values = {"bucket": bucket, "client_key": client_key, "window_start": window_start, "hits": 1}
    if session.get_bind().dialect.name == "postgresql":
        pg = postgresql.insert(RateLimitHit).values(values)
        stmt = pg.on_conflict_do_update(
            index_elements=["bucket", "client_key", "window_start"],
            set_={"hits": RateLimitHit.hits + 1},
        ).returning(RateLimitHit.hits)
    else:
        lite = sqlite.insert(RateLimitHit).values(values)
        stmt = lite.on_conflict_do_update(
            index_elements=["bucket", "client_key", "window_start"],
            set_={"hits": RateLimitHit.hits + 1},
        ).returning(RateLimitHit.hits)
    return int(session.execute(stmt).scalar_one())


def count_hit(
    sessions: sessionmaker[Session], *, client_key: str, limit: Limit, now_s: float
) -> int | None:
    """Count one request; None when allowed, else the seconds to wait (nothing counted)."""
    window_start = int(now_s // limit.window_s) * limit.window_s
    elapsed = now_s - window_start
    key = (RateLimitHit.bucket == limit.bucket) & (RateLimitHit.client_key == client_key)

    def work(session: Session) -> int | None:
        cur = _upsert_hit(session, limit.bucket, client_key, window_start)
        prev = session.scalar(
            select(RateLimitHit.hits).where(
                key, RateLimitHit.window_start == window_start - limit.window_s
            )
        )
        prev_hits = int(prev or 0)
        if sliding_count(prev_hits, cur, elapsed_s=elapsed, window_s=limit.window_s) > (
            limit.max_hits
        ):
            session.execute(
                update(RateLimitHit)
                .where(key, RateLimitHit.window_start == window_start)
                .values(hits=RateLimitHit.hits - 1)
            )
            return retry_after_s(prev_hits, cur - 1, limit, elapsed_s=elapsed)
        if cur == 1:
            session.execute(
                delete(RateLimitHit).where(
                    RateLimitHit.bucket == limit.bucket,
                    RateLimitHit.window_start < window_start - limit.window_s,
                )
            )
        return None

    return run_in_transaction(sessions, work, retries=8)


def client_ip(request: Request, *, trust_proxy_headers: bool | None = None) -> str:
    """The client's address: the ASGI peer, which only a trusted proxy may have rewritten.

    ``trust_proxy_headers`` is accepted for older callers and ignored: which proxy to
    believe is decided once, by ``DEKAT_TRUSTED_PROXIES`` in the server."""
    del trust_proxy_headers
    return request.client.host[:100] if request.client else "unknown"


def client_key(request: Request, settings: Settings | None = None) -> str:
    """The stored form of the client's identity: a hash of its IP address."""
    del settings  # kept for callers; the address comes from the peer alone
    return hashlib.sha256(f"dekat-client:{client_ip(request)}".encode()).hexdigest()


def enforce(request: Request, bucket: str) -> None:
    """Count this request against its client's limit in ``bucket``; 429 when over it."""
    settings: Settings = request.app.state.settings
    limit = limit_for(bucket, settings)
    wait = count_hit(
        request.app.state.sessions,
        client_key=client_key(request, settings),
        limit=limit,
        now_s=time.time(),
    )
    if wait is not None:
        raise RateLimited(
            detail=f"Too many {bucket} from this client: at most {limit.max_hits} per "
            f"{limit.window_s // 60} minutes. Try again in {wait} s.",
            retry_after_s=wait,
        )


def rate_limit(bucket: str) -> Callable[[Request], None]:
    """A dependency that applies the ``bucket`` limit: ``Depends(rate_limit(REVIEWS))``."""
    if bucket not in (SUBMISSIONS, REVIEWS, MATCHES):  # fail at import on a misspelt bucket
        raise ValueError(f"unknown rate-limit bucket {bucket!r}")

    def dependency(request: Request) -> None:
        enforce(request, bucket)

    dependency.__name__ = f"rate_limit_{bucket}"
    return dependency


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit (FastAPI re-raises it)."""


class BodySizeLimitMiddleware:
    """Answer 413 (problem body) to any request body larger than ``max_bytes``."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _detail(self) -> str:
        return f"The request body is larger than {self.max_bytes} bytes."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(status_code=413, detail=self._detail())
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            Request(scope), status=413, detail=self._detail(), headers={"Connection": "close"}
        )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    """The declared body length; an unreadable header counts as too large."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdecimal() and len(text) < 20 else 1 << 62
    return None
