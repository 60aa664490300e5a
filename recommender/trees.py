"""Boosted trees that re-order a reader's next-visit list, evaluated with numpy alone.

The linear blend (``recommender.blend``) adds the signals; it cannot say "a co-visit
counts more when the place is near" or "a habit counts less right after a visit". A
``TreeRanker`` can: a sum of small regression trees over the signals, their raw figures
(distance, the reader's visit count, co-visit similarity, transition probability...)
and the blend's own score and rank. It is fitted by ``recommender.tree_fit`` (LightGBM,
lambdarank) on the deployment's time-ordered holdout, and used only for what it was
fitted on: a reader with a history, no text, no asked category. It re-orders the
blend's best ``top_k`` places; the rest keep the blend's order below them.

The trees are stored as plain arrays, each padded to a complete binary tree of
``depth`` levels (a leaf above the last level becomes a split that always goes left
into copies of itself), so one prediction is ``depth`` vectorised steps over
candidates × trees, with no library beyond numpy and no pickles. The reasons a reader
sees still come from the signals' contributions; the trees only order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

import numpy as np

from recommender.events import FloatArray, IntArray

EXTRA_FEATURES: Final = (
    "log_distance",
    "distance_rank",
    "log_activity",
    "own_visits",
    "similarity",
    "probability",
    "lift",
    "recent_count",
    "reader_visits",
    "reader_places",
    "since_last_h",
    "hour",
)
"""Raw figures beside the signal contributions (``extra_features``): trees split on a
raw count or a rank where the contributions have squeezed it through a curve."""
BLEND_FEATURES: Final = ("blend_score", "blend_rank")
"""The linear blend's score and its rank among the candidates (0 = first)."""


def extra_features(
    distance_m: FloatArray, activity: FloatArray, params: Mapping[str, FloatArray]
) -> FloatArray:
    """The ``EXTRA_FEATURES`` columns for candidates (missing figures count as 0).

    ``activity`` and the model's counts are the capped ones (``InteractionModel``), so one
    visitor's thousand visits weigh here no more than in the signals.
    """
    n = distance_m.shape[0]
    zeros = np.zeros(n)
    order = np.argsort(distance_m, kind="stable")
    rank = np.empty(n)
    rank[order] = np.arange(n, dtype=np.float64)
    columns = (
        np.log1p(np.maximum(distance_m, 0.0)),
        rank,
        np.log1p(np.maximum(activity, 0.0)),
        params.get("visits", zeros),
        params.get("similarity", zeros),
        params.get("probability", zeros),
        params.get("lift", zeros),
        params.get("recent", zeros),
        np.log1p(params.get("reader_visits", zeros)),
        np.log1p(params.get("reader_places", zeros)),
        np.log1p(np.maximum(params.get("since_last_h", zeros), 0.0)),
        params.get("hour", zeros),
    )
    out = np.column_stack(columns).astype(np.float64, copy=False)
    return np.nan_to_num(out, nan=0.0, posinf=1e9, neginf=-1e9)


def blend_rank(scores: FloatArray, ids: IntArray) -> IntArray:
    """Each candidate's position in the blend's order (score, then id)."""
    order = np.lexsort((ids, -scores))
    rank = np.empty(scores.shape[0], dtype=np.int64)
    rank[order] = np.arange(scores.shape[0])
    return rank


def tree_inputs(
    signals: FloatArray, extra: FloatArray, scores: FloatArray, rank: IntArray
) -> FloatArray:
    """The matrix the trees read: raw signal contributions, extras, blend score and rank."""
    return np.column_stack((signals, extra, scores, rank.astype(np.float64)))


@dataclass(frozen=True, slots=True, eq=False)
class TreeRanker:
    """A sum of complete binary trees: ``feature``/``threshold`` per split node (breadth
    first, ``2**depth − 1`` per tree), ``leaf`` values (``2**depth`` per tree)."""

    feature: IntArray
    threshold: FloatArray
    leaf: FloatArray
    depth: int
    features: tuple[str, ...]
    top_k: int = 100
    """How many of the blend's best places the trees re-order."""
    report: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    _split: IntArray = field(init=False, repr=False, compare=False)
    _cut: FloatArray = field(init=False, repr=False, compare=False)
    _left: IntArray = field(init=False, repr=False, compare=False)
    _roots: IntArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        trees = self.leaf.shape[0]
        nodes = (1 << self.depth) - 1
        if self.feature.shape != (trees, nodes) or self.threshold.shape != (trees, nodes):
            raise ValueError("feature and threshold must hold 2**depth − 1 nodes per tree")
        if self.leaf.shape != (trees, nodes + 1):
            raise ValueError("leaf must hold 2**depth values per tree")
        if trees and (self.feature.min() < 0 or self.feature.max() >= len(self.features)):
            raise ValueError("a split reads a feature the ranker does not have")
        if not np.isfinite(self.leaf).all():
            raise ValueError("leaf values must be finite")
        # Flat arrays over every tree's nodes, then its leaves, so that one step of the
        # walk is a gather: node g of tree t has its left child at ``_left[g]`` and its
        # right child next to it; the last level's children index the leaves.
        local = np.arange(nodes, dtype=np.int64)
        tree = np.arange(trees, dtype=np.int64)[:, None]
        child = 2 * local + 1
        inner = child < nodes
        left = np.where(
            inner, tree * nodes + child, trees * nodes + tree * (nodes + 1) + child - nodes
        )
        object.__setattr__(self, "_split", self.feature.astype(np.int64).ravel())
        object.__setattr__(self, "_cut", self.threshold.astype(np.float64).ravel())
        object.__setattr__(self, "_left", left.astype(np.int64).ravel())
        object.__setattr__(self, "_roots", (tree.ravel() * nodes).astype(np.int64))

    @property
    def trees(self) -> int:
        return int(self.leaf.shape[0])

    def predict(self, x: FloatArray) -> FloatArray:
        """The trees' score of each row of ``x`` (columns: ``features``)."""
        n, width = x.shape
        trees = self.trees
        if n == 0 or trees == 0:
            return np.zeros(n)
        flat_x = np.ascontiguousarray(x, dtype=np.float64).ravel()
        row = (np.arange(n, dtype=np.int64) * width)[:, None]
        at = np.broadcast_to(self._roots, (n, trees))
        for _ in range(self.depth):
            right = flat_x[row + self._split[at]] > self._cut[at]
            at = self._left[at] + right
        leaves = self.leaf.ravel()
        values: FloatArray = leaves[at - trees * ((1 << self.depth) - 1)].sum(axis=1)
        return values

    def order(
        self, signals: FloatArray, extra: FloatArray, scores: FloatArray, ids: IntArray, limit: int
    ) -> tuple[IntArray, FloatArray]:
        """The candidates' order (best first, at most ``limit``) and the score of each
        candidate: the trees' for the blend's best ``max(top_k, limit)``, and below the
        lowest of those, in the blend's order, for the rest."""
        rank = blend_rank(scores, ids)
        k = max(self.top_k, limit)
        top = np.flatnonzero(rank < k)
        tree = self.predict(tree_inputs(signals[top], extra[top], scores[top], rank[top]))
        out = np.full(scores.shape[0], 0.0)
        out[top] = tree
        if top.shape[0] < scores.shape[0]:
            floor = float(tree.min()) - 1.0 if tree.shape[0] else 0.0
            rest = rank >= k
            out[rest] = floor - rank[rest] * 1e-6
        order = np.lexsort((ids, -out))[:limit]
        return order.astype(np.int64), out

    # ---------------------------------------------------------------- storage
    def arrays(self, prefix: str) -> dict[str, Any]:
        """The ranker as named arrays for an ``.npz`` (JSON metadata in one of them)."""
        meta = {
            "depth": self.depth,
            "features": list(self.features),
            "top_k": self.top_k,
            "report": dict(self.report),
        }
        return {
            f"{prefix}meta": np.array(json.dumps(meta, sort_keys=True)),
            f"{prefix}feature": self.feature.astype(np.int64),
            f"{prefix}threshold": self.threshold.astype(np.float64),
            f"{prefix}leaf": self.leaf.astype(np.float64),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, Any], prefix: str) -> TreeRanker | None:
        """Inverse of ``arrays``; None when they hold no ranker."""
        if f"{prefix}meta" not in arrays:
            return None
        meta = json.loads(str(arrays[f"{prefix}meta"]))
        return cls(
            feature=np.asarray(arrays[f"{prefix}feature"], dtype=np.int64),
            threshold=np.asarray(arrays[f"{prefix}threshold"], dtype=np.float64),
            leaf=np.asarray(arrays[f"{prefix}leaf"], dtype=np.float64),
            depth=int(meta["depth"]),
            features=tuple(str(f) for f in meta["features"]),
            top_k=int(meta["top_k"]),
            report=MappingProxyType(dict(meta.get("report", {}))),
        )


def complete_tree(node: Mapping[str, Any], depth: int) -> tuple[IntArray, FloatArray, FloatArray]:
    """One LightGBM tree (``dump_model`` structure) as complete arrays of ``depth`` levels.

    A split sends ``x <= threshold`` left (LightGBM's numerical rule; the inputs never
    hold NaN); a leaf above the last level becomes a split on feature 0 with threshold
    +inf (always left) whose two subtrees are the same leaf.
    """
    nodes = (1 << depth) - 1
    feature = np.zeros(nodes, dtype=np.int64)
    threshold = np.full(nodes, np.inf)
    leaf = np.zeros(nodes + 1)

    def fill(tree: Mapping[str, Any], level: int, at: int) -> None:
        if level == depth:
            if "split_feature" in tree:
                raise ValueError(f"tree deeper than {depth}")
            leaf[at - nodes] = float(tree.get("leaf_value", 0.0))
            return
        if "split_feature" in tree:
            if tree.get("decision_type", "<=") != "<=":
                raise ValueError("only numerical splits are supported")
            feature[at] = int(tree["split_feature"])
            threshold[at] = float(tree["threshold"])
            fill(tree["left_child"], level + 1, 2 * at + 1)
            fill(tree["right_child"], level + 1, 2 * at + 2)
        else:
            fill(tree, level + 1, 2 * at + 1)
            fill(tree, level + 1, 2 * at + 2)

    fill(node, 0, 0)
    return feature, threshold, leaf
