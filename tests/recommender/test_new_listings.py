"""Fair exposure: a young listing with few reviews gets a bounded boost that fades with age,
lifts it into the top 10 when it is close and relevant, and never lifts it above an
established place that is nearer and better rated."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender import DEFAULT_WEIGHTS, Candidate, RankingWeights
from recommender.scoring import bayesian_rating, saturating_log
from tests.recommender.builders import ids, place, query, ranked_all, score_of

W = DEFAULT_WEIGHTS
_VIRTUAL = np.array([W.new_listing_virtual_activity])
MAX_BOOST = W.new_listing * float(saturating_log(_VIRTUAL, saturation=W.popularity_saturation)[0])
"""The most the boost can add: a brand-new listing with no activity at all."""
NEW, OLD = 900, 1


def _boost(candidate: Candidate, *, weights: RankingWeights = W) -> float:
    ranked = ranked_all(query(), [candidate], weights=weights)
    return ranked[0].contributions.get("new_listing", 0.0)


def test_the_bound_is_the_documented_constants() -> None:
    assert W.new_listing <= W.popularity  # checked by RankingWeights itself
    assert 0 < MAX_BOOST <= W.new_listing
    assert _boost(place(NEW, age_days=0.0)) == pytest.approx(MAX_BOOST)
    with pytest.raises(ValueError, match="new_listing must not exceed popularity"):
        RankingWeights(new_listing=0.5, popularity=0.3)


@settings(max_examples=100, deadline=None)
@given(
    age_days=st.one_of(st.none(), st.floats(0.0, 400.0)),
    rating_count=st.integers(0, 60),
    popularity=st.floats(0.0, 60.0),
    distance_m=st.floats(0.0, 20_000.0),
)
def test_the_boost_never_exceeds_its_bound(
    age_days: float | None, rating_count: int, popularity: float, distance_m: float
) -> None:
    candidate = place(
        NEW,
        age_days=age_days,
        rating_mean=4.0 if rating_count else None,
        rating_count=rating_count,
        popularity=popularity,
        distance_m=distance_m,
    )
    boost = _boost(candidate)
    assert 0.0 <= boost <= MAX_BOOST + 1e-12
    activity = rating_count + popularity
    if age_days is None or age_days >= W.new_listing_age_days:
        assert boost == 0.0
    if activity >= W.new_listing_virtual_activity:
        assert boost == 0.0


def test_the_boost_fades_linearly_to_nothing_at_the_configured_age() -> None:
    boosts = [_boost(place(NEW, age_days=d)) for d in (0.0, 30.0, 60.0, 89.0, 90.0, 365.0)]
    assert boosts == sorted(boosts, reverse=True)
    assert boosts[-2:] == [0.0, 0.0]
    assert boosts[3] > 0
    # the directory sets the age from DEKAT_NEW_LISTING_AGE_DAYS (default 60)
    sixty = dataclasses.replace(W, new_listing_age_days=60.0)
    assert _boost(place(NEW, age_days=59.0), weights=sixty) > 0
    assert _boost(place(NEW, age_days=60.0), weights=sixty) == 0.0
    assert _boost(place(NEW, age_days=30.0), weights=sixty) < _boost(place(NEW, age_days=30.0))


def test_unknown_listing_dates_are_never_new() -> None:
    assert _boost(place(NEW, age_days=None)) == 0.0


def _established(i: int) -> Candidate:
    """Forty good coffee shops every 100 m from 100 m to 4 km, all matching 'kopi'."""
    return place(
        OLD + i,
        distance_m=100.0 * (i + 1),
        rating_mean=4.3,
        rating_count=40,
        is_open=True,
        text_match=0.8,
    )


def test_a_new_close_relevant_listing_reaches_the_top_ten() -> None:
    established = [_established(i) for i in range(40)]
    newcomer = place(NEW, distance_m=250.0, age_days=7.0, is_open=True, text_match=0.8)
    context = query(text="kopi")
    top = ranked_all(context, [*established, newcomer])[:10]
    assert NEW in ids(top)
    item = next(r for r in top if r.business_id == NEW)
    assert "new_listing" in [reason.code for reason in item.reasons]
    # The boost is what does it: the same place listed long ago stays out of the top 10.
    veteran = dataclasses.replace(newcomer, age_days=400.0)
    assert NEW not in ids(ranked_all(context, [*established, veteran])[:10])


def test_the_boost_does_not_rescue_a_far_or_irrelevant_listing() -> None:
    established = [_established(i) for i in range(40)]
    context = query(text="kopi")
    far = place(NEW, distance_m=6_000.0, age_days=1.0, is_open=True, text_match=0.8)
    irrelevant = place(NEW, distance_m=250.0, age_days=1.0, is_open=True, text_match=0.0)
    for newcomer in (far, irrelevant):
        assert NEW not in ids(ranked_all(context, [*established, newcomer])[:10])


def test_the_cap_holds_back_a_boost_that_would_jump_a_dominating_place() -> None:
    # Without the cap the newcomer's boost (≈0.13) would beat a slightly better place.
    old = place(OLD, distance_m=300.0, rating_mean=3.8, rating_count=3, age_days=400.0)
    new = place(NEW, distance_m=310.0, rating_mean=3.8, rating_count=2, age_days=1.0)
    alone = score_of(NEW, ranked_all(query(), [new]))  # the full, uncapped boost
    ranked = ranked_all(query(), [old, new])
    assert alone > score_of(OLD, ranked)
    assert ids(ranked) == [OLD, NEW]
    boosted = next(r for r in ranked if r.business_id == NEW)
    assert 0 <= boosted.contributions.get("new_listing", 0.0) < MAX_BOOST / 2
    # Once the newcomer is the nearer one, nothing dominates it and the boost applies.
    closer = dataclasses.replace(new, distance_m=290.0)
    assert ids(ranked_all(query(), [old, closer])) == [NEW, OLD]


def _shrunk(c: Candidate) -> float:
    count = float(c.rating_count) if c.rating_mean is not None else 0.0
    mean = c.rating_mean if c.rating_mean is not None else W.rating_prior_mean
    return float(
        bayesian_rating(
            np.array([mean]),
            np.array([count]),
            prior_mean=W.rating_prior_mean,
            prior_weight=W.rating_prior_weight,
        )[0]
    )


NEWCOMER, VETERAN = 5, 50
"""The newcomer has the lower id: on equal scores the tie-break would put it first."""

shared = st.fixed_dictionaries(
    {
        "category": st.sampled_from(("kedai-kopi", "apotek", "mal", "rumah-sakit")),
        "is_open": st.sampled_from((None, True, False)),
        "text_match": st.sampled_from((0.0, 0.5, 1.0)),
    }
)


@settings(max_examples=100, deadline=None)
@given(
    common=shared,
    new_distance=st.floats(0.0, 10_000.0),
    nearer_by=st.floats(0.0, 1.0),
    new_mean=st.floats(1.0, 5.0),
    new_count=st.integers(0, 15),
    new_popularity=st.floats(0.0, 4.0),
    new_age=st.floats(0.0, 89.0),
    better_by=st.floats(0.0, 1.0),
    more_reviews=st.integers(0, 300),
    more_popularity=st.floats(0.0, 500.0),
    old_age=st.floats(90.0, 3_000.0),
    crowd=st.lists(st.tuples(st.floats(0.0, 10_000.0), st.floats(1.0, 5.0)), max_size=6),
    category_asked=st.booleans(),
)
def test_a_new_listing_never_outranks_a_nearer_better_rated_established_one(
    common: dict[str, Any],
    new_distance: float,
    nearer_by: float,
    new_mean: float,
    new_count: int,
    new_popularity: float,
    new_age: float,
    better_by: float,
    more_reviews: int,
    more_popularity: float,
    old_age: float,
    crowd: list[tuple[float, float]],
    category_asked: bool,
) -> None:
    """All else equal: the established place is at least as near, rated at least as well
    (Bayesian), with at least as many reviews and interactions; the newcomer may be as
    young and as unreviewed as it likes, and other places may be around."""
    new = place(
        NEWCOMER,
        distance_m=new_distance,
        rating_mean=new_mean if new_count else None,
        rating_count=new_count,
        popularity=new_popularity,
        age_days=new_age,
        **common,
    )
    old_count = new_count + more_reviews
    old_mean = new_mean + better_by * (5.0 - new_mean)
    old = place(
        VETERAN,
        distance_m=new_distance * (1.0 - nearer_by),
        rating_mean=old_mean if old_count else None,
        rating_count=old_count,
        popularity=new_popularity + more_popularity,
        age_days=old_age,
        **common,
    )
    if _shrunk(old) < _shrunk(new):  # more reviews of a below-prior mean: not "better rated"
        return
    others = [
        place(100 + i, distance_m=d, rating_mean=m, rating_count=10, **common)
        for i, (d, m) in enumerate(crowd)
    ]
    context = query(category=common["category"] if category_asked else None)
    ranked = ranked_all(context, [new, old, *others])
    assert score_of(NEWCOMER, ranked) <= score_of(VETERAN, ranked)
    fade = max(0.0, 1.0 - new_age / W.new_listing_age_days)
    if new_count + new_popularity < W.new_listing_virtual_activity * fade:  # boosted
        # strictly below, so not even the tie-break (lower id first) can put it ahead
        assert score_of(NEWCOMER, ranked) < score_of(VETERAN, ranked)
        order = ids(ranked)
        assert order.index(VETERAN) < order.index(NEWCOMER)
    assert not math.isnan(score_of(NEWCOMER, ranked))


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from((100.0, 200.0, 300.0, 800.0)),
            st.sampled_from((None, 3.0, 4.0, 5.0)),
            st.integers(0, 4),
            st.sampled_from((0.0, 5.0, 40.0)),
            st.sampled_from((1.0, 30.0, 400.0)),
        ),
        min_size=1,
        max_size=40,
    ),
    block=st.integers(1, 50),
)
def test_the_cap_is_the_same_in_blocks_as_one_new_listing_at_a_time(
    rows: list[tuple[float, float | None, int, float, float]], block: int
) -> None:
    """The cap compares new and established places in blocks of pairs: every block size
    gives exactly the scores of checking each new listing against every place."""
    from recommender import ranking

    pool = [
        place(
            i + 1,
            distance_m=d,
            rating_mean=m if n else None,
            rating_count=n,
            popularity=p,
            age_days=age,
        )
        for i, (d, m, n, p, age) in enumerate(rows)
    ]
    scored = ranking.score_candidates(query(), pool, weights=W)
    table, contrib = scored.table, scored.contrib
    contrib[:, ranking.COLUMN["new_listing"]] = 0.0
    base = contrib.sum(axis=1)
    saved = ranking._DOMINANCE_BLOCK
    try:
        ranking._DOMINANCE_BLOCK = block  # type: ignore[misc]
        in_blocks = ranking._boosted_scores(base, table, W)
    finally:
        ranking._DOMINANCE_BLOCK = saved  # type: ignore[misc]
    fade = np.clip(1.0 - table.age_days / W.new_listing_age_days, 0.0, 1.0)
    sat = W.popularity_saturation
    boost = W.new_listing * (
        saturating_log(
            np.maximum(table.activity, W.new_listing_virtual_activity * fade), saturation=sat
        )
        - saturating_log(table.activity, saturation=sat)
    )
    shrunk = bayesian_rating(
        table.rating_mean,
        table.rating_count,
        prior_mean=W.rating_prior_mean,
        prior_weight=W.rating_prior_weight,
    )
    new = boost > 0
    expected = base + boost
    for i in np.flatnonzero(new):
        dominating = (
            ~new
            & (table.distance_m <= table.distance_m[i])
            & (shrunk >= shrunk[i])
            & (base >= base[i])
        )
        if dominating.any():
            expected[i] = min(expected[i], np.nextafter(base[dominating].min(), -np.inf))
    assert in_blocks.tolist() == expected.tolist()
