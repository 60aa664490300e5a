"""Rating aggregates stay exact when many reviews (and hides) arrive at once."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from directory.app import create_app
from directory.models import Business, Review
from directory.reviews.service import hide_review, post_review
from directory.settings import Settings
from tests.factories import make_business
from tests.security.conftest import MANY_REVIEWERS

THREADS = 20
PER_THREAD = 10


def _check_aggregates(sessions: sessionmaker[Session], business_ids: list[int]) -> None:
    """rating_sum/rating_count = imported baseline + the live review rows, exactly."""
    with sessions() as session:
        live = {
            bid: (float(total), int(count))
            for bid, total, count in session.execute(
                select(Review.business_id, func.sum(Review.rating), func.count())
                .where(Review.status == "live")
                .group_by(Review.business_id)
            )
        }
        for bid in business_ids:
            b = session.get(Business, bid)
            assert b is not None
            total, count = live.get(bid, (0.0, 0))
            assert b.rating_count == b.base_rating_count + count, bid
            assert abs(b.rating_sum - (b.base_rating_sum + total)) < 1e-9, bid


def _run(workers: int, jobs: list[Callable[[], object]]) -> None:
    start = threading.Barrier(workers)

    def run_slice(index: int) -> None:
        start.wait()
        for job in jobs[index::workers]:
            job()

    with ThreadPoolExecutor(workers) as pool:
        for future in [pool.submit(run_slice, i) for i in range(workers)]:
            future.result()


def test_200_reviews_from_20_threads_keep_exact_aggregates(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        ids = [
            make_business(session, name="Kopi Ramai", rating="4.2", rating_count="17").id,
            make_business(session, name="Soto Sepi").id,
            make_business(session, name="Bakso Gaduh", rating="3.5", rating_count="4").id,
        ]
    rng = random.Random(7)
    # 40 reviewers for 200 reviews: many post more than once and replace their review.
    plan = [
        (rng.choice(ids), f"reviewer-{rng.randrange(40):03d}", rng.randint(1, 5))
        for _ in range(THREADS * PER_THREAD)
    ]
    posted: list[int] = []
    lock = threading.Lock()

    def job(bid: int, key: str, rating: int) -> Callable[[], object]:
        def run() -> None:
            review = post_review(sessions, bid, reviewer_key=key, rating=rating, text=key).review
            with lock:
                posted.append(review.id)
            if review.id % 7 == 0:  # editors hide some while others keep posting
                hide_review(sessions, review.id, actor="admin:test")

        return run

    _run(THREADS, [job(*p) for p in plan])
    assert len(posted) == len(plan)
    with sessions() as session:
        rows = session.scalar(select(func.count()).select_from(Review))
    assert rows == len({(bid, key) for bid, key, _ in plan})  # one row per reviewer+business
    _check_aggregates(sessions, ids)


def test_concurrent_reviews_through_the_api(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    # One test client plays 15 reviewers: the stuffing screen (tested in
    # tests/security/test_review_stuffing.py) is opened wide here.
    app = create_app(
        settings.model_copy(update={"rate_limit_reviews_per_hour": 10_000, **MANY_REVIEWERS})
    )
    with app.state.sessions() as session:
        bid = make_business(session, name="Martabak Antri", rating="4.0", rating_count="3").id
    statuses: list[int] = []
    lock = threading.Lock()

    def job(n: int) -> Callable[[], object]:
        def run() -> None:
            response = client.post(
                f"/api/v1/businesses/{bid}/reviews",
                json={"rating": 1 + n % 5, "text": f"ulasan {n}"},
                headers={"X-Reviewer-Key": f"api-reviewer-{n % 15:03d}"},
            )
            with lock:
                statuses.append(response.status_code)

        return run

    try:
        with TestClient(app) as client:
            _run(10, [job(n) for n in range(60)])
    finally:
        app.state.engine.dispose()
    assert statuses == [201] * 60
    _check_aggregates(sessions, [bid])
