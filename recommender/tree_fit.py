"""Fitting the ``TreeRanker`` on a deployment's own held-out next visits (LightGBM).

``choose_ranker`` runs in ``dekat recommender refresh`` after ``choose_blend``: it fits
boosted trees (LightGBM's lambdarank objective, a listwise learning-to-rank loss; CPU
only, one or two threads) on the training next visits, re-ordering the active blend's
best ``TOP_K`` places, with early stopping on the latest fifth of them (by time) and the
number of trees so found refitted on all of them. Then it checks the trees on the later
holdout against the blend and the simple baselines, and activates them only when they are

* at least as good as every baseline (most-visited, popularity) at Acc@1/5/10/20 and
  MRR@20, and
* better than the blend: a higher mean of those five figures;

otherwise the blend alone ranks and the report says why. Trees that pass are refitted,
with the same settings and number of trees, on the training and holdout visits together
(the check judged the procedure; the stored trees learn from twice the visits, the
latest among them), and stored. With fewer than
``MIN_QUERIES`` training or holdout visits it does not try (a handful of readers would
teach trees noise). The hyperparameters are fixed, chosen for small data (shallow trees,
many visits per leaf), not tuned on any one city.

LightGBM is imported here only: ranking with the stored trees needs numpy alone
(``recommender.trees``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

import numpy as np

from recommender.blend import Blend, Figures, Group
from recommender.events import FloatArray
from recommender.trees import (
    BLEND_FEATURES,
    EXTRA_FEATURES,
    TreeRanker,
    blend_rank,
    complete_tree,
    tree_inputs,
)

TOP_K: Final = 100
MIN_QUERIES: Final = 200
DEPTH: Final = 5
PARAMS: Final = MappingProxyType(
    {
        "objective": "lambdarank",
        "metric": "ndcg",
        "eval_at": [10],
        "learning_rate": 0.05,
        "num_leaves": 16,
        "max_depth": DEPTH,
        "min_data_in_leaf": 50,
        "min_sum_hessian_in_leaf": 1e-3,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "max_bin": 63,
        "use_missing": False,
        "num_threads": 1,
        "deterministic": True,
        "force_row_wise": True,
        "seed": 7,
        "verbose": -1,
    }
)
MAX_TREES: Final = 400
EARLY_STOP: Final = 40


def blend_vector(blend: Blend, signals: Sequence[str]) -> FloatArray:
    """The blend's coefficients with the new-listing column off (it is never in a holdout
    matrix, and ranking applies it after the blend)."""
    vector = blend.vector(signals)
    if "new_listing" in signals:
        vector[list(signals).index("new_listing")] = 0.0
    return vector


def _inputs(group: Group, vector: FloatArray, top_k: int) -> tuple[FloatArray, np.ndarray]:
    """The tree inputs of the blend's best ``top_k`` candidates and their rows."""
    scores = group.features @ vector
    ids = np.asarray(group.ids, dtype=np.int64)
    rank = blend_rank(scores, ids)
    top = np.flatnonzero(rank < top_k)
    extra = group.extra if group.extra is not None else np.zeros((len(group.ids), 0))
    return tree_inputs(group.features[top], extra[top], scores[top], rank[top]), top


def _dataset(
    groups: Sequence[Group], vector: FloatArray, top_k: int
) -> tuple[FloatArray, FloatArray, list[int]]:
    """Rows, labels (1 for the visited place) and group sizes of the queries whose visited
    place is among the blend's best ``top_k`` (the others teach a re-ordering nothing)."""
    xs: list[FloatArray] = []
    ys: list[FloatArray] = []
    sizes: list[int] = []
    for g in groups:
        if g.target is None:
            continue
        x, top = _inputs(g, vector, top_k)
        label = (top == g.target).astype(np.float64)
        if label.sum() == 0 or top.shape[0] < 2:
            continue
        xs.append(x)
        ys.append(label)
        sizes.append(int(top.shape[0]))
    if not xs:
        return np.zeros((0, 0)), np.zeros(0), []
    return np.concatenate(xs), np.concatenate(ys), sizes


def fit_ranker(
    train: Sequence[Group],
    blend: Blend,
    signals: Sequence[str],
    *,
    top_k: int = TOP_K,
    rounds: int | None = None,
) -> TreeRanker:
    """Boosted trees re-ordering ``blend``'s best ``top_k`` places, fitted on ``train``
    (``rounds`` trees, or as many as early stopping on its latest fifth finds)."""
    import lightgbm as lgb  # only the refresh needs it; ranking reads numpy arrays

    vector = blend_vector(blend, signals)
    ordered = sorted(train, key=lambda g: g.at_s)
    names = [*signals, *EXTRA_FEATURES, *BLEND_FEATURES]
    params = dict(PARAMS)
    if rounds is None:
        rounds = _rounds(ordered, vector, top_k, names)
    x_all, y_all, s_all = _dataset(ordered, vector, top_k)
    nodes = (1 << DEPTH) - 1
    if not s_all:  # no visited place among any blend's best: nothing to re-order
        return TreeRanker(
            feature=np.zeros((0, nodes), dtype=np.int64),
            threshold=np.zeros((0, nodes)),
            leaf=np.zeros((0, nodes + 1)),
            depth=DEPTH,
            features=tuple(names),
            top_k=top_k,
        )
    booster = lgb.train(
        params,
        lgb.Dataset(x_all, y_all, group=s_all, feature_name=names),
        num_boost_round=rounds,
    )
    dump = booster.dump_model()
    parts = [complete_tree(t["tree_structure"], DEPTH) for t in dump["tree_info"]]
    return TreeRanker(
        feature=np.array([p[0] for p in parts], dtype=np.int64).reshape(len(parts), nodes),
        threshold=np.array([p[1] for p in parts]).reshape(len(parts), nodes),
        leaf=np.array([p[2] for p in parts]).reshape(len(parts), nodes + 1),
        depth=DEPTH,
        features=tuple(names),
        top_k=top_k,
    )


def _rounds(ordered: Sequence[Group], vector: FloatArray, top_k: int, names: list[str]) -> int:
    """How many trees: fitted on the earliest four fifths, stopped when the latest fifth
    stops improving."""
    import lightgbm as lgb

    params = dict(PARAMS)
    cut = int(len(ordered) * 0.8)
    x_fit, y_fit, s_fit = _dataset(ordered[:cut], vector, top_k)
    x_val, y_val, s_val = _dataset(ordered[cut:], vector, top_k)
    rounds = MAX_TREES
    if s_fit and s_val:
        fit_set = lgb.Dataset(x_fit, y_fit, group=s_fit, feature_name=names, free_raw_data=True)
        val_set = lgb.Dataset(x_val, y_val, group=s_val, reference=fit_set)
        probe = lgb.train(
            params,
            fit_set,
            num_boost_round=MAX_TREES,
            valid_sets=[val_set],
            callbacks=[lgb.early_stopping(EARLY_STOP, verbose=False)],
        )
        rounds = max(1, int(probe.best_iteration or MAX_TREES))
    return rounds


def evaluate_ranker(
    groups: Sequence[Group], ranker: TreeRanker, blend: Blend, signals: Sequence[str]
) -> Figures:
    """The trees' figures on the groups (a target outside the candidates is a miss)."""
    vector = blend_vector(blend, signals)
    ranks: list[int | None] = []
    for g in groups:
        if g.target is None:
            ranks.append(None)
            continue
        scores = g.features @ vector
        ids = np.asarray(g.ids, dtype=np.int64)
        extra = g.extra if g.extra is not None else np.zeros((len(g.ids), 0))
        order, _ = ranker.order(g.features, extra, scores, ids, limit=20)
        hit = np.flatnonzero(order == g.target)
        ranks.append(int(hit[0]) if hit.size else None)
    return Figures.from_ranks(ranks)


def _mean(f: Figures) -> float:
    return (sum(f.acc) + f.mrr) / (len(f.acc) + 1)


def choose_ranker(
    train: Sequence[Group],
    holdout: Sequence[Group],
    baselines: Mapping[str, Figures],
    blend: Blend,
    signals: Sequence[str],
    *,
    min_queries: int = MIN_QUERIES,
    say: Callable[[str], None] | None = None,
    earlier: Sequence[Group] = (),
) -> tuple[TreeRanker | None, dict[str, Any]]:
    """Fit the trees on ``train`` and return them when they win on ``holdout`` (module
    docstring), else None; with the report of every figure compared."""

    def note(text: str) -> None:
        if say is not None:
            say(text)

    if len(train) < min_queries or len(holdout) < min_queries:
        note(
            f"too little history for the tree ranker ({len(train)} training and "
            f"{len(holdout)} holdout next visits; {min_queries} each needed): "
            f"the {blend.source} blend ranks"
        )
        return None, {"reason": "too little data", "train": len(train), "holdout": len(holdout)}
    ranker = fit_ranker([*earlier, *train], blend, signals)
    trees = evaluate_ranker(holdout, ranker, blend, signals)
    linear = Figures.from_ranks(
        [_blend_rank_of_target(g, blend_vector(blend, signals)) for g in holdout]
    )
    report: dict[str, Any] = {
        "trees": ranker.trees,
        "top_k": ranker.top_k,
        "tree_figures": trees.as_dict(),
        "blend_figures": linear.as_dict(),
        "blend_source": blend.source,
    }
    losing = [name for name, b in baselines.items() if not trees.at_least(b)]
    if losing:
        report["reason"] = f"worse than the baseline '{losing[0]}' at some k"
        note(
            f"tree ranker refused: worse than the baseline '{losing[0]}' on the holdout "
            f"(trees {trees.as_dict()} vs {baselines[losing[0]].as_dict()}); "
            f"the {blend.source} blend ranks"
        )
        return None, report
    if _mean(trees) <= _mean(linear):
        report["reason"] = "not better than the blend"
        note(
            f"tree ranker refused: not better than the {blend.source} blend on the holdout "
            f"(trees {trees.as_dict()} vs blend {linear.as_dict()}); the blend ranks"
        )
        return None, report
    best = max(baselines.items(), key=lambda kv: (kv[1].mrr, kv[1].acc), default=None)
    note(
        f"tree ranker ({ranker.trees} trees) activated: holdout {trees.as_dict()} vs "
        f"the {blend.source} blend {linear.as_dict()}"
        + (f" and best baseline '{best[0]}' {best[1].as_dict()}" if best else "")
    )
    # The check judged the procedure; the stored trees are refitted the same way (as many
    # trees) on the training and holdout visits together: twice the data, and the latest.
    ranker = fit_ranker([*earlier, *train, *holdout], blend, signals, rounds=max(1, ranker.trees))
    report["refitted_on"] = len(earlier) + len(train) + len(holdout)
    return TreeRanker(
        feature=ranker.feature,
        threshold=ranker.threshold,
        leaf=ranker.leaf,
        depth=ranker.depth,
        features=ranker.features,
        top_k=ranker.top_k,
        report=MappingProxyType(report),
    ), report


def _blend_rank_of_target(group: Group, vector: FloatArray) -> int | None:
    if group.target is None:
        return None
    scores = group.features @ vector
    ids = np.asarray(group.ids, dtype=np.int64)
    rank = int(blend_rank(scores, ids)[group.target])
    return rank if rank < 20 else None
