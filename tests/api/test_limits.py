"""Per-client rate limits (shared by all workers through the database) and their maths."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from directory.api.limits import Limit, count_hit, retry_after_s, sliding_count
from directory.app import create_app
from directory.models import RateLimitHit
from directory.settings import Settings
from tests.factories import BSD, make_business
from tests.moderation_helpers import VALID


def _estimate_after(prev: int, cur: int, limit: Limit, elapsed: float, wait: float) -> float:
    """The sliding count with one more hit, ``wait`` seconds later, if nobody else asks."""
    w = limit.window_s
    t = elapsed + wait
    if t < w:
        return sliding_count(prev, cur + 1, elapsed_s=t, window_s=w)
    if t < 2 * w:
        return sliding_count(cur, 1, elapsed_s=t - w, window_s=w)
    return 1.0


@given(
    max_hits=st.integers(1, 50),
    prev=st.integers(0, 120),
    cur=st.integers(0, 60),
    window_s=st.sampled_from([60, 3600]),
    frac=st.floats(0, 0.999),
)
def test_retry_after_is_the_first_whole_second_that_fits(
    max_hits: int, prev: int, cur: int, window_s: int, frac: float
) -> None:
    limit = Limit("x", max_hits, window_s)
    elapsed = frac * window_s
    if _estimate_after(prev, cur, limit, elapsed, 0.0) <= max_hits:
        return  # not refused now
    wait = retry_after_s(prev, cur, limit, elapsed_s=elapsed)
    assert wait >= 1
    assert _estimate_after(prev, cur, limit, elapsed, wait) <= max_hits + 1e-9
    if wait > 1:
        assert _estimate_after(prev, cur, limit, elapsed, wait - 1) > max_hits - 1e-9


def test_counter_refuses_above_the_limit_then_recovers(sessions: sessionmaker[Session]) -> None:
    limit = Limit("submissions", 3, 60)
    t0 = 6_000_000.0  # the start of a window
    assert [count_hit(sessions, client_key="a", limit=limit, now_s=t0 + i) for i in range(3)] == [
        None, None, None,
    ]  # fmt: skip
    wait = count_hit(sessions, client_key="a", limit=limit, now_s=t0 + 10)
    assert wait is not None
    assert wait > 0
    assert count_hit(sessions, client_key="b", limit=limit, now_s=t0 + 10) is None  # other client
    assert count_hit(sessions, client_key="a", limit=limit, now_s=t0 + 10 + wait) is None
    with sessions() as session:  # refused attempts are not counted
        hits = session.scalars(select(RateLimitHit.hits).where(RateLimitHit.client_key == "a"))
        assert sum(hits) == 4


def test_old_windows_are_cleaned_up(sessions: sessionmaker[Session]) -> None:
    limit = Limit("matches", 5, 60)
    for i in range(5):
        count_hit(sessions, client_key=f"c{i}", limit=limit, now_s=1_000_000.0)
    count_hit(sessions, client_key="late", limit=limit, now_s=1_000_000.0 + 600)
    with sessions() as session:
        keys = set(session.scalars(select(RateLimitHit.client_key)))
    assert keys == {"late"}


def test_concurrent_requests_never_exceed_the_limit(sessions: sessionmaker[Session]) -> None:
    limit = Limit("reviews", 7, 3600)
    allowed: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(12)

    def hit() -> None:
        barrier.wait()
        for _ in range(3):
            ok = count_hit(sessions, client_key="busy", limit=limit, now_s=7_200_000.0) is None
            with lock:
                allowed.append(ok)

    threads = [threading.Thread(target=hit) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed.count(True) == 7
    with sessions() as session:
        assert session.scalar(select(func.sum(RateLimitHit.hits))) == 7


@pytest.fixture
def strict(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "rate_limit_submissions_per_hour": 2,
            "rate_limit_reviews_per_hour": 2,
            "rate_limit_matches_per_minute": 3,
        }
    )


@pytest.fixture
def strict_client(strict: Settings) -> Iterator[TestClient]:
    app = create_app(strict)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def _assert_limited(response: Any) -> None:
    assert response.status_code == 429, response.text
    retry = int(response.headers["retry-after"])
    assert retry >= 1
    body = response.json()
    assert body["status"] == 429
    assert body["retry_after_s"] == retry
    assert response.headers["content-type"].startswith("application/problem+json")


def test_submissions_are_limited_per_client(strict_client: TestClient) -> None:
    assert strict_client.post("/api/v1/submissions", json=VALID).status_code == 201
    # Invalid attempts count too: probing the validator costs the same as submitting.
    assert strict_client.post("/api/v1/submissions", json={"name": ""}).status_code == 422
    _assert_limited(strict_client.post("/api/v1/submissions", json=VALID))


def test_claims_share_the_submission_limit(
    strict_client: TestClient, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        bid = make_business(session).id
    claim = {"contact_name": "A", "contact_email": "a@example.id"}
    for _ in range(2):
        assert strict_client.post(f"/api/v1/businesses/{bid}/claim", json=claim).status_code == 201
    _assert_limited(strict_client.post("/api/v1/submissions", json=VALID))


def test_reviews_are_limited_per_ip_not_per_reviewer_key(
    strict_client: TestClient, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        bid = make_business(session).id
    for n in range(2):
        response = strict_client.post(
            f"/api/v1/businesses/{bid}/reviews", json={"rating": 5},
            headers={"X-Reviewer-Key": f"fresh-key-{n:04d}"},
        )  # fmt: skip
        assert response.status_code == 201
    _assert_limited(
        strict_client.post(
            f"/api/v1/businesses/{bid}/reviews",
            json={"rating": 5},
            headers={"X-Reviewer-Key": "yet-another-key"},
        )  # fmt: skip
    )


def test_matches_are_limited_per_minute(strict_client: TestClient) -> None:
    params: dict[str, str | float] = {"name": "Kopi", "lat": BSD[0], "lon": BSD[1]}
    for _ in range(3):
        assert strict_client.get("/api/v1/businesses/match", params=params).status_code == 200
    _assert_limited(strict_client.get("/api/v1/businesses/match", params=params))


def test_workers_share_one_budget(strict: Settings) -> None:
    """Two app instances (two worker processes) on one database: one limit between them."""
    first, second = create_app(strict), create_app(strict)
    try:
        with TestClient(first) as a, TestClient(second) as b:
            assert a.post("/api/v1/submissions", json=VALID).status_code == 201
            assert b.post("/api/v1/submissions", json=VALID).status_code == 201
            _assert_limited(a.post("/api/v1/submissions", json=VALID))
            _assert_limited(b.post("/api/v1/submissions", json=VALID))
    finally:
        first.state.engine.dispose()
        second.state.engine.dispose()


def test_forwarded_for_is_never_read_by_the_app(strict: Settings) -> None:
    """The app takes the peer address only; believing a proxy is uvicorn's job
    (``DEKAT_TRUSTED_PROXIES``, tests/security/test_trusted_proxies.py)."""
    app = create_app(strict.model_copy(update={"trusted_proxies": "127.0.0.1"}))
    try:
        with TestClient(app) as client:
            codes = [
                client.post(
                    "/api/v1/submissions", json=VALID,
                    headers={"X-Forwarded-For": f"spoofed, 203.0.113.{n}"},
                ).status_code
                for n in range(3)
            ]  # fmt: skip
    finally:
        app.state.engine.dispose()
    assert codes == [201, 201, 429]
