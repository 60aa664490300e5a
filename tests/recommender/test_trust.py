"""Nobody can buy a place's standing: the model counts visitors, not requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from recommender import Candidate, Context, Event, InteractionModel, rank

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
A, B = 1, 2


def _genuine(place: int, visitors: int, *, prefix: str) -> list[Event]:
    return [
        Event(f"{prefix}{u}", place, T0 + timedelta(days=u % 20, hours=u % 7))
        for u in range(visitors)
    ]


def _pool() -> list[Candidate]:
    return [
        Candidate(
            business_id=place,
            lat=0.0,
            lon=0.0,
            distance_m=200.0,
            category="kafe",
            reach="walk",
            popularity=0.0,
        )
        for place in (A, B)
    ]


def _order(model: InteractionModel) -> list[int]:
    ids = np.array([A, B], dtype=np.int64)
    pool = [
        Candidate(
            business_id=c.business_id,
            lat=0.0,
            lon=0.0,
            distance_m=200.0,
            category="kafe",
            reach="walk",
            popularity=float(model.activity_of(ids)[i]),
            visitors=int(model.visitors_of(ids)[i]),
        )
        for i, c in enumerate(_pool())
    ]
    context = Context(lat=0.0, lon=0.0, at=T0 + timedelta(days=40))
    return [r.business_id for r in rank(context, pool, model=model)]


def test_repeats_of_one_visitor_at_one_place_count_once_per_day() -> None:
    same_day = [Event("u", A, T0 + timedelta(minutes=m)) for m in range(0, 600, 60)]
    model = InteractionModel.fit(same_day)
    assert model.activity_of(np.array([A]))[0] == 1.0
    assert model.visitors_of(np.array([A]))[0] == 1.0
    two_days = [Event("u", A, T0), Event("u", A, T0 + timedelta(days=1))]
    assert InteractionModel.fit(two_days).activity_of(np.array([A]))[0] == 2.0


def test_one_visitor_weight_is_capped() -> None:
    fake = [Event("spammer", B, T0 - timedelta(days=d)) for d in range(1_000)]
    model = InteractionModel.fit(fake)
    assert model.activity_of(np.array([B]))[0] == pytest.approx(model.params.visitor_cap)
    assert model.visitors_of(np.array([B]))[0] == 1.0


def test_a_thousand_fake_visits_by_one_visitor_move_nothing() -> None:
    base = _genuine(A, 30, prefix="a") + _genuine(B, 15, prefix="b")
    before = _order(InteractionModel.fit(base))
    assert before == [A, B]
    fake = [Event("spammer", B, T0 + timedelta(days=30, minutes=m)) for m in range(1_000)]
    fake += [Event("spammer", B, T0 - timedelta(days=d)) for d in range(1_000)]
    after = _order(InteractionModel.fit(base + fake))
    assert after == before


def test_fifty_distinct_visitors_do_move_a_place() -> None:
    base = _genuine(A, 30, prefix="a") + _genuine(B, 15, prefix="b")
    crowd = _genuine(B, 50, prefix="c")
    assert _order(InteractionModel.fit(base + crowd)) == [B, A]


def test_one_visitors_repeated_moves_do_not_make_a_usual_next_stop() -> None:
    moves = []
    for d in range(200):
        t = T0 + timedelta(days=d)
        moves += [Event("spammer", A, t), Event("spammer", B, t + timedelta(minutes=30))]
    honest = []
    for u in range(5):
        t = T0 + timedelta(days=u)
        honest += [Event(f"h{u}", A, t), Event(f"h{u}", 3, t + timedelta(minutes=30))]
    model = InteractionModel.fit(moves + honest)
    counts, total = model.transition_counts(A, np.array([B, 3], dtype=np.int64))
    assert counts[0] == pytest.approx(model.params.visitor_cap)
    assert counts[1] == 5.0
    assert counts[1] > counts[0]


def test_popular_is_said_only_with_enough_reviews_or_visitors() -> None:
    context = Context(lat=0.0, lon=0.0, at=T0)
    few = Candidate(
        business_id=1,
        lat=0.0,
        lon=0.0,
        distance_m=100.0,
        category="kafe",
        reach="walk",
        rating_mean=4.2,
        rating_count=1,
        popularity=500.0,
        visitors=8,
    )
    many = Candidate(
        business_id=2,
        lat=0.0,
        lon=0.0,
        distance_m=100.0,
        category="kafe",
        reach="walk",
        rating_mean=4.2,
        rating_count=1,
        popularity=500.0,
        visitors=25,
    )
    reviewed = Candidate(
        business_id=3,
        lat=0.0,
        lon=0.0,
        distance_m=100.0,
        category="kafe",
        reach="walk",
        rating_mean=4.6,
        rating_count=40,
    )
    codes = {
        r.business_id: {x.code for x in r.reasons} for r in rank(context, [few, many, reviewed])
    }
    assert "popular" not in codes[1]  # 1 review, 8 visitors
    assert "rating" not in codes[1]
    assert "popular" in codes[2]  # 25 distinct visitors
    assert {"popular", "rating"} <= codes[3]  # 40 reviews
