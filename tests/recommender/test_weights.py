"""``RankingWeights``: every constant checked on construction and documented twice (next to
its value in ``recommender/weights.py`` and in ``docs/recommender.md``)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from recommender import DEFAULT_WEIGHTS, KIND_WEIGHTS, RankingWeights

ROOT = Path(__file__).resolve().parents[2]
FIELDS = [f.name for f in dataclasses.fields(RankingWeights) if f.init]


def test_weights_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_WEIGHTS.distance = 2.0  # type: ignore[misc]


@pytest.mark.parametrize("name", FIELDS)
def test_negative_or_non_finite_values_are_refused(name: str) -> None:
    for bad in (-1.0, float("nan"), float("inf")):
        change: dict[str, Any] = {name: bad}
        with pytest.raises(ValueError, match=name):
            dataclasses.replace(DEFAULT_WEIGHTS, **change)


def test_consistency_rules() -> None:
    with pytest.raises(ValueError, match="new_listing must not exceed popularity"):
        RankingWeights(new_listing=0.4)
    with pytest.raises(ValueError, match="popularity_saturation must be > 1"):
        RankingWeights(popularity_saturation=1.0)
    with pytest.raises(ValueError, match="co_visit_floor"):
        RankingWeights(co_visit_floor=1.0)
    with pytest.raises(ValueError, match="half-lives must be positive"):
        RankingWeights(half_life_walk_m=0.0)
    tuned = dataclasses.replace(DEFAULT_WEIGHTS, new_listing_age_days=60.0)
    assert tuned.half_life_m("city") == DEFAULT_WEIGHTS.half_life_m("city")


def test_a_visit_is_the_strongest_kind_of_interaction() -> None:
    assert max(KIND_WEIGHTS.values()) == KIND_WEIGHTS["visit"] == 1.0
    assert KIND_WEIGHTS["view"] < KIND_WEIGHTS["click"] < KIND_WEIGHTS["save"]


@pytest.mark.parametrize("name", FIELDS)
def test_every_constant_has_a_docstring_next_to_its_value(name: str) -> None:
    source = (ROOT / "recommender" / "weights.py").read_text(encoding="utf-8")
    pattern = rf'\n    {name}: (?:float|int) = [\d_.]+\n    """'
    assert re.search(pattern, source), f"{name} lacks a docstring in weights.py"


@pytest.mark.parametrize("name", FIELDS)
def test_every_constant_is_in_the_design_doc(name: str) -> None:
    doc = (ROOT / "docs" / "recommender.md").read_text(encoding="utf-8")
    assert f"`{name}`" in doc, f"docs/recommender.md does not mention {name}"
