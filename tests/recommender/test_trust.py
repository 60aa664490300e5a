"""Nobody can buy a place's standing: the model counts visitors, not requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

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


KEY = 7


def _invented(place: int, n: int, *, sender: int, prefix: str = "fake") -> list[Event]:
    """``n`` made-up visitors of one place, all sent by one API client."""
    return [
        Event(f"{prefix}{u}", place, T0 + timedelta(days=u % 20, hours=u % 7), sender=sender)
        for u in range(n)
    ]


def test_one_key_inventing_a_thousand_visitors_counts_like_key_visitor_cap() -> None:
    model = InteractionModel.fit(_invented(B, 1_000, sender=KEY))
    cap = model.params.key_visitor_cap
    assert model.visitors_of(np.array([B]))[0] == cap
    assert model.activity_of(np.array([B]))[0] == pytest.approx(cap)
    assert len(model.events) == 1_000  # stored, only not counted


QUERY = T0 + timedelta(days=40)


def _at_the_query_hour(n: int, *, sender: int = -1, prefix: str) -> list[Event]:
    """``n`` visitors of B, each a whole number of weeks before ``QUERY``: the worst case,
    the hour at which "busy now" would lift B most."""
    return [
        Event(
            f"{prefix}{u}",
            B,
            QUERY - timedelta(days=7 * (1 + u % 5), minutes=u % 50),
            sender=sender,
        )
        for u in range(n)
    ]


def test_one_key_inventing_a_thousand_visitors_cannot_buy_the_top_spot() -> None:
    base = _genuine(A, 30, prefix="a")
    honest = InteractionModel.fit(base + _at_the_query_hour(10, prefix="h"))
    assert _order(honest) == [B, A]  # ten real people there at this hour would lift B...
    bought = InteractionModel.fit(base + _at_the_query_hour(1_000, sender=KEY, prefix="f"))
    assert _order(bought) == [A, B]  # ... a thousand made up by one key do not


def test_fifty_visitors_from_the_sites_pages_still_move_a_place() -> None:
    base = _genuine(A, 30, prefix="a")
    crowd = _genuine(B, 50, prefix="page")  # no sender: the site's own pages
    model = InteractionModel.fit(base + _at_the_query_hour(1_000, sender=KEY, prefix="f") + crowd)
    assert _order(model) == [B, A]


def test_the_cap_is_per_key_and_per_place() -> None:
    other_key = _invented(B, 8, sender=KEY + 1, prefix="other")
    other_place = _invented(A, 8, sender=KEY, prefix="fake")
    model = InteractionModel.fit(_invented(B, 1_000, sender=KEY) + other_key + other_place)
    cap = model.params.key_visitor_cap
    assert model.visitors_of(np.array([A, B])).tolist() == [8.0, cap + 8.0]


def test_a_keys_invented_visitors_make_no_usual_next_stop() -> None:
    moves = []
    for u in range(500):
        t = T0 + timedelta(days=u % 30)
        moves += [
            Event(f"f{u}", A, t, sender=KEY),
            Event(f"f{u}", B, t + timedelta(minutes=30), sender=KEY),
        ]
    honest = []
    for u in range(15):
        t = T0 + timedelta(days=u)
        honest += [Event(f"h{u}", A, t), Event(f"h{u}", 3, t + timedelta(minutes=30))]
    model = InteractionModel.fit(moves + honest)
    counts, _ = model.transition_counts(A, np.array([B, 3], dtype=np.int64))
    assert counts[0] <= model.params.key_visitor_cap
    assert counts[1] == 15.0
    similar = dict(model.related_items([A], limit=5))
    assert similar[3] > similar[B]


def test_a_saved_model_keeps_the_senders(tmp_path: Path) -> None:
    model = InteractionModel.fit(_invented(B, 40, sender=KEY) + _genuine(A, 5, prefix="a"))
    model.save(tmp_path / "m.npz")
    loaded = InteractionModel.load(tmp_path / "m.npz")
    assert loaded.events.senders.tolist() == model.events.senders.tolist()
    assert loaded.params.key_visitor_cap == model.params.key_visitor_cap
    assert loaded.update([]).visitors_of(np.array([B]))[0] == model.params.key_visitor_cap
