"""Distance decay depends on the category: a coffee shop 5 km away is worth far less than
one next door, a hospital 5 km away almost as much as one next door."""

from __future__ import annotations

import numpy as np
import pytest

from recommender import DEFAULT_WEIGHTS, REACH_CLASSES
from recommender.scoring import distance_decay
from tests.recommender.builders import ids, place, query, ranked_all, score_of

W = DEFAULT_WEIGHTS


def _distance_part(category: str, distance_m: float) -> float:
    ranked = ranked_all(query(), [place(1, category=category, distance_m=distance_m)])
    return ranked[0].contributions.get("distance", 0.0)


def test_half_lives_grow_with_reach() -> None:
    half_lives = [W.half_life_m(reach) for reach in REACH_CLASSES]
    assert half_lives == sorted(half_lives)
    assert len(set(half_lives)) == len(half_lives)
    with pytest.raises(ValueError, match="not in"):  # no silent fallback for unknown reach
        W.half_life_m("galaxy")


def test_coffee_loses_more_of_its_score_at_5_km_than_a_hospital() -> None:
    coffee = _distance_part("kedai-kopi", 5_000.0) / _distance_part("kedai-kopi", 0.0)
    hospital = _distance_part("rumah-sakit", 5_000.0) / _distance_part("rumah-sakit", 0.0)
    assert coffee < 0.1  # a walk-reach place: 400 m half-life
    assert hospital > 0.7  # a city-reach place: 15 km half-life
    assert coffee < hospital


def test_whole_score_drop_is_larger_for_coffee() -> None:
    def drop(category: str) -> float:
        near = score_of(1, ranked_all(query(), [place(1, category=category, distance_m=0.0)]))
        far = score_of(1, ranked_all(query(), [place(1, category=category, distance_m=5_000.0)]))
        return near - far

    assert drop("kedai-kopi") > 3 * drop("rumah-sakit") > 0


def test_at_5_km_the_hospital_outranks_an_otherwise_equal_coffee_shop() -> None:
    same = {"rating_mean": 4.5, "rating_count": 30, "is_open": True}
    close = [
        place(1, category="kedai-kopi", distance_m=0.0, **same),
        place(2, category="rumah-sakit", distance_m=0.0, **same),
    ]
    far = [
        place(1, category="kedai-kopi", distance_m=5_000.0, **same),
        place(2, category="rumah-sakit", distance_m=5_000.0, **same),
    ]
    near_scores = ranked_all(query(), close)
    assert near_scores[0].score == pytest.approx(near_scores[1].score)  # only reach differs
    assert ids(ranked_all(query(), far)) == [2, 1]


@pytest.mark.parametrize("reach", REACH_CLASSES)
def test_one_half_life_away_keeps_half_the_distance_score(reach: str) -> None:
    half_life = W.half_life_m(reach)
    category = {"walk": "kedai-kopi", "local": "apotek", "district": "mal", "city": "kampus"}
    assert _distance_part(category[reach], half_life) == pytest.approx(W.distance / 2)
    assert _distance_part(category[reach], 0.0) == pytest.approx(W.distance)


def test_decay_is_a_long_tail_not_an_exponential() -> None:
    # Gravity-model tail: nine half-lives away still keeps a tenth (2^-9 would be 0.002).
    values = distance_decay(np.array([0.0, 400.0, 3_600.0]), half_life_m=400.0)
    assert values.tolist() == pytest.approx([1.0, 0.5, 0.1])
    assert np.all(np.diff(distance_decay(np.linspace(0, 50_000, 101), half_life_m=1_500.0)) < 0)
