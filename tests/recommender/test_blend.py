"""The fitted blend: learns from held-out next visits, never activates a fit that loses
to the simple baselines, contains the most-visited baseline, stores as JSON."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.blend import (
    DEFAULT_BLEND,
    Blend,
    Figures,
    Group,
    choose_blend,
    evaluate,
    fit_coefficients,
    rank_of_target,
)
from recommender.ranking import COLUMN, SIGNALS

HABIT = COLUMN["habit"]
DIST = COLUMN["distance"]
REVISIT = COLUMN["revisit"]


def _groups(n: int, seed: int, *, habit_decides: bool) -> list[Group]:
    """Queries whose target is the reader's most-visited place (``habit_decides``) or the
    nearest one, with noise on the other signals."""
    rng = np.random.default_rng(seed)
    groups = []
    for _ in range(n):
        m = 40
        x = np.zeros((m, len(SIGNALS)))
        x[:, DIST] = rng.uniform(0, 1, m)
        x[:8, HABIT] = np.log1p(rng.choice(np.arange(1, 30), 8, replace=False))
        x[:8, REVISIT] = rng.uniform(0, 3, 8)
        target = int(np.argmax(x[:, HABIT])) if habit_decides else int(np.argmax(x[:, DIST]))
        groups.append(Group(features=x, ids=list(range(m)), target=target))
    return groups


def _habit_baseline(groups: list[Group]) -> Figures:
    vec = np.zeros(len(SIGNALS))
    vec[HABIT] = 1.0
    return evaluate(groups, vec)


def test_the_fit_learns_what_decides_the_next_visit() -> None:
    coefficients = fit_coefficients(_groups(300, 1, habit_decides=True), SIGNALS)
    assert coefficients["habit"] > 1.0
    nearest = fit_coefficients(_groups(300, 2, habit_decides=False), SIGNALS)
    assert nearest["distance"] > nearest["habit"]
    assert all(v >= 0 for v in coefficients.values())
    assert coefficients["text_match"] == 1.0  # a next-visit holdout says nothing of it


def test_a_good_fit_is_activated_and_beats_the_baseline() -> None:
    train, holdout = _groups(200, 3, habit_decides=True), _groups(200, 4, habit_decides=True)
    baselines = {"user's most-visited": _habit_baseline(holdout)}
    blend = choose_blend(train, holdout, baselines, SIGNALS)
    assert blend.source in ("fitted", "fitted+habit")
    figures = evaluate(holdout, blend.vector(SIGNALS))
    assert figures.at_least(baselines["user's most-visited"])
    assert figures.acc[0] > evaluate(holdout, DEFAULT_BLEND.vector(SIGNALS)).acc[0]


def test_too_little_data_keeps_the_defaults_and_says_so() -> None:
    said: list[str] = []
    groups = _groups(10, 5, habit_decides=True)
    blend = choose_blend(groups, groups, {}, SIGNALS, say=said.append)
    assert blend.source == "default"
    assert blend.report["reason"] == "too little data"
    assert "too little history" in said[0]


def test_a_fit_worse_than_the_best_baseline_is_refused_and_says_so() -> None:
    train, holdout = _groups(100, 6, habit_decides=False), _groups(100, 7, habit_decides=False)
    perfect = Figures(acc=(1.0, 1.0, 1.0, 1.0), mrr=1.0)  # a baseline nothing can match
    said: list[str] = []
    blend = choose_blend(train, holdout, {"oracle": perfect}, SIGNALS, say=said.append)
    assert blend.source == "default"
    assert "oracle" in blend.report["reason"]
    assert said
    assert said[0].startswith("fit refused")


@settings(max_examples=60, deadline=None)
@given(
    visits=st.lists(st.integers(0, 40), min_size=2, max_size=25, unique=True),
    others=st.lists(st.floats(0, 5), min_size=2, max_size=25),
    target=st.integers(0, 24),
)
def test_with_enough_habit_weight_the_blend_contains_the_baseline(
    visits: list[int], others: list[float], target: int
) -> None:
    """The largest habit step orders the reader's places as the baseline does: the target
    is never ranked below where the most-visited baseline puts it. (Real ``habit`` values
    are distinct: the recency tie-break separates equal visit counts, as the baseline's
    "most recent first" does.)"""
    m = min(len(visits), len(others))
    target %= m
    x = np.zeros((m, len(SIGNALS)))
    x[:, HABIT] = np.log1p(np.array(visits[:m], dtype=float))
    x[:, DIST] = np.array(others[:m])
    group = Group(features=x, ids=list(range(m)), target=target)
    vec = DEFAULT_BLEND.vector(SIGNALS)
    vec[HABIT] += 1000.0
    habit_only = np.zeros(len(SIGNALS))
    habit_only[HABIT] = 1.0
    if x[target, HABIT] > 0:
        mine = rank_of_target(group, vec)
        baseline = rank_of_target(group, habit_only)
        assert mine is not None
        assert baseline is not None
        assert mine <= baseline


def test_blend_json_round_trip() -> None:
    blend = Blend(
        coefficients={"habit": 2.5, "distance": 0.7}, source="fitted", report={"train": 10}
    )
    again = Blend.from_json(blend.to_json())
    assert again.coefficient("habit") == 2.5
    assert again.coefficient("distance") == 0.7
    assert again.coefficient("revisit") == 1.0
    assert again.source == "fitted"
    assert again.report["train"] == 10
    assert DEFAULT_BLEND.coefficient("habit") == 0.0
