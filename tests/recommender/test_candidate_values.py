"""``Candidate`` stays a checked, immutable value (its constructor is built for speed)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from recommender import Candidate

BASE: dict[str, Any] = {
    "business_id": 7,
    "lat": -6.2,
    "lon": 106.8,
    "distance_m": 120.0,
    "category": "kopi",
}


def test_defaults_and_given_values_are_kept() -> None:
    c = Candidate(**BASE, reach="local", rating_mean=4.5, rating_count=3, visitors=2)
    assert (c.business_id, c.distance_m, c.reach, c.rating_mean, c.visitors) == (
        7, 120.0, "local", 4.5, 2,
    )  # fmt: skip
    assert (c.categories, c.popularity, c.is_open, c.age_days, c.family) == (
        (), 0.0, None, None, "",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"distance_m": -1.0}, "distance_m"),
        ({"distance_m": float("nan")}, "distance_m"),
        ({"reach": "galactic"}, "reach"),
        ({"rating_mean": 5.5}, "rating_mean"),
        ({"rating_count": -1}, "rating_count"),
        ({"popularity": float("inf")}, "popularity"),
        ({"age_days": -2.0}, "age_days"),
        ({"visitors": -1}, "visitors"),
        ({"text_match": 1.5}, "text_match"),
    ],
)
def test_invalid_values_are_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Candidate(**{**BASE, "reach": "local", **change})


def test_fields_are_keyword_only_and_required() -> None:
    with pytest.raises(TypeError):
        Candidate(**BASE)  # no reach
    with pytest.raises(TypeError):
        Candidate(7, -6.2, 106.8, 120.0, "kopi", "local")  # type: ignore[call-arg]


def test_frozen_and_replace_checks_again() -> None:
    c = Candidate(**BASE, reach="local")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.lat = 0.0  # type: ignore[misc]
    nearer = dataclasses.replace(c, distance_m=50.0)
    assert nearer.distance_m == 50.0
    assert nearer.business_id == 7
    assert nearer == Candidate(**{**BASE, "distance_m": 50.0}, reach="local")
    with pytest.raises(ValueError, match="distance_m"):
        dataclasses.replace(c, distance_m=-5.0)
