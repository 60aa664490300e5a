"""The tree ranker: fitted on held-out next visits, activated only when it beats the blend
and the baselines, evaluated by numpy exactly as LightGBM would, stored with the model,
and used only to order a reader's next-visit list (reasons still come from the signals)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender import Event, InteractionModel
from recommender.blend import DEFAULT_BLEND, Blend, Figures, Group, evaluate
from recommender.ranking import COLUMN, SIGNALS
from recommender.tree_fit import DEPTH, blend_vector, choose_ranker, evaluate_ranker
from recommender.trees import EXTRA_FEATURES, TreeRanker, complete_tree
from tests.recommender.builders import NOW, history_of, model_of, place, query, ranked_all

DIST = COLUMN["distance"]
HABIT = COLUMN["habit"]
CO_VISIT = COLUMN["co_visit"]
READER_VISITS = EXTRA_FEATURES.index("reader_visits")


def _groups(n: int, seed: int, *, interaction: bool) -> list[Group]:
    """Queries where explorers (few visits of their own) go to the nearest place and
    regulars to their most-visited one (``interaction``), or everyone to the nearest."""
    rng = np.random.default_rng(seed)
    groups = []
    for q in range(n):
        m = 40
        x = np.zeros((m, len(SIGNALS)))
        x[:, DIST] = rng.uniform(0, 1, m)
        x[:8, HABIT] = np.log1p(rng.choice(np.arange(1, 30), 8, replace=False))
        x[:, CO_VISIT] = rng.uniform(0, 0.2, m)
        extra = np.zeros((m, len(EXTRA_FEATURES)))
        regular = bool(rng.random() < 0.5)
        extra[:, READER_VISITS] = np.log1p(200.0 if regular else 5.0)
        if interaction and regular:
            target = int(np.argmax(x[:, HABIT]))
        else:
            target = int(np.argmax(x[:, DIST]))
        groups.append(
            Group(features=x, ids=list(range(m)), target=target, extra=extra, at_s=float(q))
        )
    return groups


def _habit_baseline(groups: list[Group]) -> Figures:
    vec = np.zeros(len(SIGNALS))
    vec[HABIT] = 1.0
    return evaluate(groups, vec)


def test_trees_that_beat_the_blend_are_activated_and_say_so() -> None:
    train, holdout = _groups(400, 1, interaction=True), _groups(400, 2, interaction=True)
    said: list[str] = []
    baselines = {"user's most-visited": _habit_baseline(holdout)}
    ranker, report = choose_ranker(
        train, holdout, baselines, DEFAULT_BLEND, SIGNALS, say=said.append
    )
    assert ranker is not None, said
    assert said[-1].startswith("tree ranker")
    assert "activated" in said[-1]
    trees = evaluate_ranker(holdout, ranker, DEFAULT_BLEND, SIGNALS)
    blend = evaluate(holdout, blend_vector(DEFAULT_BLEND, SIGNALS))
    assert trees.acc[0] > blend.acc[0]
    assert trees.at_least(baselines["user's most-visited"])
    # The figures that decided were those of the trees fitted on the training visits; the
    # stored ones were then refitted on training and holdout visits together.
    assert report["tree_figures"]["acc@1"] > report["blend_figures"]["acc@1"]
    assert report["refitted_on"] == len(train) + len(holdout)


def test_trees_no_better_than_the_blend_are_refused_and_the_blend_ranks() -> None:
    # Everyone goes to the nearest place: the blend (distance) is already perfect.
    train, holdout = _groups(300, 3, interaction=False), _groups(300, 4, interaction=False)
    blend = Blend(coefficients={"distance": 1.0, "co_visit": 0.0}, source="fitted")
    said: list[str] = []
    ranker, report = choose_ranker(train, holdout, {}, blend, SIGNALS, say=said.append)
    assert ranker is None
    assert report["reason"] == "not better than the blend"
    assert said[-1].startswith("tree ranker refused")


def test_trees_worse_than_a_baseline_are_refused_and_say_which() -> None:
    train, holdout = _groups(300, 5, interaction=True), _groups(300, 6, interaction=True)
    oracle = Figures(acc=(1.0, 1.0, 1.0, 1.0), mrr=1.0)
    said: list[str] = []
    ranker, report = choose_ranker(
        train, holdout, {"oracle": oracle}, DEFAULT_BLEND, SIGNALS, say=said.append
    )
    assert ranker is None
    assert "oracle" in report["reason"]
    assert "oracle" in said[-1]


def test_too_little_data_fits_no_trees_and_says_so() -> None:
    groups = _groups(30, 7, interaction=True)
    said: list[str] = []
    ranker, report = choose_ranker(groups, groups, {}, DEFAULT_BLEND, SIGNALS, say=said.append)
    assert ranker is None
    assert report["reason"] == "too little data"
    assert "too little history for the tree ranker" in said[0]


def test_the_numpy_trees_predict_what_lightgbm_predicts() -> None:
    lgb = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(11)
    x = rng.normal(size=(2_000, 6))
    x[:, 2] = np.round(x[:, 2])  # ties on a threshold: "<=" must go left
    y = x[:, 0] * x[:, 1] + (x[:, 2] > 0)
    booster = lgb.train(
        {"objective": "regression", "max_depth": DEPTH, "num_leaves": 16, "verbose": -1},
        lgb.Dataset(x, y),
        num_boost_round=30,
    )
    parts = [complete_tree(t["tree_structure"], DEPTH) for t in booster.dump_model()["tree_info"]]
    ranker = TreeRanker(
        feature=np.array([p[0] for p in parts]),
        threshold=np.array([p[1] for p in parts]),
        leaf=np.array([p[2] for p in parts]),
        depth=DEPTH,
        features=tuple(f"f{i}" for i in range(6)),
    )
    np.testing.assert_allclose(ranker.predict(x), booster.predict(x), rtol=1e-9, atol=1e-9)


def _random_ranker(seed: int, width: int, depth: int = 3, trees: int = 4) -> TreeRanker:
    rng = np.random.default_rng(seed)
    nodes = (1 << depth) - 1
    return TreeRanker(
        feature=rng.integers(0, width, size=(trees, nodes)),
        threshold=rng.normal(size=(trees, nodes)),
        leaf=rng.normal(size=(trees, nodes + 1)),
        depth=depth,
        features=tuple(f"f{i}" for i in range(width)),
        top_k=5,
    )


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 30),
    limit=st.integers(1, 40),
    seed=st.integers(0, 10_000),
)
def test_the_tree_order_is_a_deterministic_choice_of_distinct_candidates(
    n: int, limit: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    signals = rng.normal(size=(n, 3))
    extra = rng.normal(size=(n, 2))
    scores = np.round(rng.normal(size=n), 1)  # ties too
    ids = rng.permutation(1_000)[:n].astype(np.int64)
    ranker = _random_ranker(seed, width=3 + 2 + 2)
    order, final = ranker.order(signals, extra, scores, ids, limit)
    again, _ = ranker.order(signals, extra, scores, ids, limit)
    assert order.tolist() == again.tolist()
    assert len(set(order.tolist())) == len(order) == min(n, limit)
    assert all(0 <= i < n for i in order.tolist())
    # Best first, ties by id.
    keys = [(-final[i], ids[i]) for i in order.tolist()]
    assert keys == sorted(keys)


def _model() -> InteractionModel:
    return model_of(
        Event(user, business, NOW.replace(hour=h), "visit")
        for user, business, h in (("u1", 1, 6), ("u2", 2, 7), ("u1", 3, 8))
    )


def test_a_stored_ranker_survives_a_reload(tmp_path: Path) -> None:
    model = _model()
    ranker = _random_ranker(3, width=len(SIGNALS) + len(EXTRA_FEATURES) + 2)
    path = tmp_path / "model.npz"
    model.with_state(blend=None, family_share={}, ranker=ranker).save(path)
    loaded = InteractionModel.load(path).ranker
    assert loaded is not None
    x = np.random.default_rng(0).normal(size=(50, len(ranker.features)))
    assert loaded.predict(x).tolist() == ranker.predict(x).tolist()
    assert loaded.features == ranker.features
    assert loaded.top_k == ranker.top_k
    model.save(path)
    assert InteractionModel.load(path).ranker is None


def test_rank_orders_a_readers_list_by_the_trees_and_keeps_the_reasons() -> None:
    # One tree: the farthest place by the distance rank wins by far.
    width = len(SIGNALS) + len(EXTRA_FEATURES) + 2
    rank_col = len(SIGNALS) + EXTRA_FEATURES.index("distance_rank")
    ranker = TreeRanker(
        feature=np.array([[rank_col]]),
        threshold=np.array([[1.5]]),
        leaf=np.array([[0.0, 10.0]]),
        depth=1,
        features=tuple(f"f{i}" for i in range(width)),
    )
    model = _model()
    with_trees = model.with_state(blend=None, family_share={}, ranker=ranker)
    near = [place(1, distance_m=100.0), place(2, distance_m=200.0), place(3, distance_m=300.0)]
    history = history_of([(1, NOW.replace(hour=8), "visit")])
    plain = ranked_all(query(user_id="u1"), near, history=history, model=model)
    treed = ranked_all(query(user_id="u1"), near, history=history, model=with_trees)
    assert plain[0].business_id != 3
    assert treed[0].business_id == 3
    assert treed[0].score == 10.0
    assert [r.code for r in treed[0].reasons] == [
        r.code for r in next(p for p in plain if p.business_id == 3).reasons
    ]
    # A text query is not what the trees were fitted on: the blend orders it.
    texted = ranked_all(query(user_id="u1", text="kopi"), near, history=history, model=with_trees)
    assert [r.business_id for r in texted] == [
        r.business_id
        for r in ranked_all(query(user_id="u1", text="kopi"), near, history=history, model=model)
    ]
