"""The rating is shrunk toward a documented prior: a few reviews move it a little, many a lot."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from recommender import DEFAULT_WEIGHTS, RankingWeights
from recommender.scoring import bayesian_rating
from tests.recommender.builders import ids, place, query, ranked_all

W = DEFAULT_WEIGHTS
WEIGHTS_SOURCE = Path(__file__).resolve().parents[2] / "recommender" / "weights.py"


def _shrunk(mean: float, count: int, weights: RankingWeights = W) -> float:
    return float(
        bayesian_rating(
            np.array([mean]),
            np.array([float(count)]),
            prior_mean=weights.rating_prior_mean,
            prior_weight=weights.rating_prior_weight,
        )[0]
    )


def _rating_part(mean: float | None, count: int) -> float:
    ranked = ranked_all(query(), [place(1, rating_mean=mean, rating_count=count)])
    return ranked[0].contributions.get("rating", 0.0)


def test_prior_is_documented_next_to_its_value() -> None:
    source = WEIGHTS_SOURCE.read_text(encoding="utf-8")
    for name, value in (("rating_prior_mean", 3.5), ("rating_prior_weight", 5.0)):
        assert getattr(W, name) == value
        match = re.search(rf'    {name}: float = [\d.]+\n    """([^"]+)"""', source)
        assert match is not None, f"{name} has no docstring in weights.py"
        assert len(match.group(1).split()) >= 5


def test_no_reviews_is_the_prior_and_adds_nothing() -> None:
    assert _shrunk(5.0, 0) == W.rating_prior_mean
    assert _rating_part(None, 0) == 0.0
    assert _rating_part(5.0, 0) == 0.0  # a mean without reviews is no evidence


def test_one_five_star_review_is_shrunk_hard() -> None:
    assert _shrunk(5.0, 1) == pytest.approx(3.75)  # the example in weights.py
    assert _shrunk(1.0, 1) == pytest.approx((1.0 + 3.5 * 5) / 6)
    # the signal: per star above the prior, divided by 4
    assert _rating_part(5.0, 1) == pytest.approx(W.rating * (3.75 - 3.5) / 4)


def test_many_reviews_approach_the_mean() -> None:
    assert _shrunk(4.6, 1_000) == pytest.approx(4.6, abs=0.01)
    shrunk = [_shrunk(4.6, n) for n in (1, 5, 12, 40, 200)]
    assert shrunk == sorted(shrunk)
    assert all(W.rating_prior_mean < s < 4.6 for s in shrunk)


def test_a_single_perfect_review_loses_to_many_good_ones() -> None:
    lone = place(1, rating_mean=5.0, rating_count=1)
    proven = place(2, rating_mean=4.6, rating_count=40)
    assert ids(ranked_all(query(), [lone, proven])) == [2, 1]


def test_bad_ratings_are_shrunk_too_so_one_bad_review_is_not_ruin() -> None:
    one_bad = _rating_part(1.0, 1)
    many_bad = _rating_part(1.0, 50)
    assert many_bad < one_bad < 0
    assert one_bad > -0.15


def test_a_heavier_prior_shrinks_more() -> None:
    sceptical = RankingWeights(rating_prior_weight=20.0)
    assert abs(_shrunk(5.0, 10, sceptical) - 3.5) < abs(_shrunk(5.0, 10) - 3.5)
