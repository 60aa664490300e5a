"""A blend of the signals fitted to one deployment's own history (learning to rank).

``rank`` scores a place as ``Σ coefficient[s] × contribution[s]`` over the signals
``SIGNALS`` (contributions computed with the ``RankingWeights``). The shipped
``DEFAULT_BLEND`` has every coefficient 1 except ``habit`` (0), which is the ranking the
defaults were designed for. ``fit_blend`` learns the coefficients from held-out next
visits: a conditional logit (softmax over each query's candidates, the listwise
learning-to-rank loss), maximised by projected Newton steps with an L2 pull toward the
defaults, coefficients kept ≥ 0 so every documented monotonicity still holds.

Then ``choose_blend`` compares, on a later holdout, the fit, the defaults and the simple
baselines (the reader's most-visited places; the most popular places) at Acc@1/5/10/20
and MRR@20. It activates the fit only when it is at least as good as the best baseline at
every k; otherwise it tries the fit with more weight on ``habit`` (the most-visited
ranking itself: with a large enough weight the blend orders the reader's places exactly
as the baseline does, and other places only fill the positions the baseline leaves
empty, so it can only match or beat it); if nothing qualifies, the defaults stay and the
report says why.

Stored as JSON (``to_json``/``from_json``): plain numbers, no pickles.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

import numpy as np

from recommender.events import FloatArray

KS: Final = (1, 5, 10, 20)
FIXED: Final = frozenset({"text_match", "category_match", "new_listing"})
"""Signals a next-visit holdout says nothing about (no text, no asked category; the
new-listing boost is computed after the blend): their coefficients stay 1."""
FITTED_ONLY: Final = frozenset(
    {"habit", "own_next", "recent", "own_area", "distance_short", "distance_long", "visit_share"}
)
"""Signals whose shipped coefficient is 0: extra views of the reader's history and of the
distance that only a blend fitted on the deployment's own holdout switches on (and
weighs), so a site without a fit ranks exactly as the formula was designed."""
HABIT_STEPS: Final = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 1000.0)
"""Extra ``habit`` weights tried when the fit alone does not beat the baselines."""


@dataclass(frozen=True, slots=True)
class Blend:
    """Coefficients per signal (missing ones: 1, those in ``FITTED_ONLY``: 0) and how they
    were chosen."""

    coefficients: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    source: str = "default"
    """"default" (shipped), "fitted" or "fitted+habit" (the fit with more own-history weight)."""
    report: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        for name, value in self.coefficients.items():
            if not (math.isfinite(value) and value >= 0.0):
                raise ValueError(f"coefficient {name!r} must be finite and ≥ 0")

    def coefficient(self, signal: str) -> float:
        """The coefficient of one signal."""
        return float(self.coefficients.get(signal, 0.0 if signal in FITTED_ONLY else 1.0))

    def vector(self, signals: Sequence[str]) -> FloatArray:
        """Coefficients in the order of ``signals``."""
        return np.array([self.coefficient(s) for s in signals], dtype=np.float64)

    def to_json(self) -> str:
        """JSON text (sorted keys)."""
        return json.dumps(
            {
                "coefficients": dict(self.coefficients),
                "source": self.source,
                "report": dict(self.report),
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Blend:
        """Inverse of ``to_json``."""
        data = json.loads(text)
        return cls(
            coefficients=MappingProxyType(
                {str(k): float(v) for k, v in data.get("coefficients", {}).items()}
            ),
            source=str(data.get("source", "default")),
            report=MappingProxyType(dict(data.get("report", {}))),
        )


DEFAULT_BLEND: Final = Blend()


@dataclass(frozen=True, slots=True)
class Group:
    """One held-out query: the contribution matrix of its candidates and the target row."""

    features: FloatArray
    ids: Sequence[int]
    target: int | None
    """Row of the visited place among the candidates, None when it is not among them."""
    extra: FloatArray | None = None
    """Raw figures per candidate for the tree ranker (``recommender.trees.EXTRA_FEATURES``)."""
    at_s: float = 0.0
    """When the visit happened (epoch seconds): the tree fit stops early on the latest."""


def fit_coefficients(
    groups: Sequence[Group],
    signals: Sequence[str],
    *,
    l2: float = 1.0,
    iterations: int = 30,
) -> dict[str, float]:
    """Conditional-logit coefficients (≥ 0) maximising the targets' softmax likelihood.

    ``l2`` is the pull toward the defaults per query-equivalent: the penalty is
    ``l2 × Σ (β − β₀)²`` against a log-likelihood summed over the queries, so with few
    queries the fit stays near the defaults and with many it follows the data.
    """
    prior = np.array([0.0 if s in FITTED_ONLY else 1.0 for s in signals])
    usable = [g for g in groups if g.target is not None and g.features.shape[0] > 1]
    if not usable:
        return {s: float(b) for s, b in zip(signals, prior, strict=True)}
    stacked = np.concatenate([g.features for g in usable])
    # Work on features scaled to a maximum of 1, so the pull toward the defaults is in
    # "most this signal adds" units for every signal alike.
    scale = np.maximum(np.abs(stacked).max(axis=0), 1e-9)
    free = np.array([s not in FIXED for s in signals]) & (stacked.std(axis=0) > 1e-12)
    idx = np.flatnonzero(free)
    prior_s = prior * scale
    beta = prior_s.copy()
    scaled = [(g.features / scale, g.target) for g in usable]
    for _ in range(iterations):
        grad = -2.0 * l2 * (beta - prior_s)
        hess = -2.0 * l2 * np.eye(len(signals))
        for x, target in scaled:
            z = x @ beta
            z -= z.max()
            p = np.exp(z)
            p /= p.sum()
            mean = p @ x
            grad += x[target] - mean
            centred = x - mean
            hess -= (centred.T * p) @ centred
        sub = hess[np.ix_(idx, idx)]
        try:
            step = np.linalg.solve(sub, -grad[idx])
        except np.linalg.LinAlgError:
            break
        new = beta.copy()
        new[idx] = np.maximum(0.0, beta[idx] + step)
        done = float(np.max(np.abs(new - beta))) < 1e-6
        beta = new
        if done:
            break
    coefficients = beta / scale
    return {s: float(c) for s, c in zip(signals, coefficients, strict=True)}


@dataclass(frozen=True, slots=True)
class Figures:
    """Acc@1/5/10/20 and MRR@20 of one ranker on the holdout."""

    acc: tuple[float, ...]
    mrr: float

    @classmethod
    def from_ranks(cls, ranks: Sequence[int | None]) -> Figures:
        n = max(1, len(ranks))
        acc = tuple(sum(1 for r in ranks if r is not None and r < k) / n for k in KS)
        mrr = sum(1.0 / (r + 1) for r in ranks if r is not None and r < 20) / n
        return cls(acc, mrr)

    def at_least(self, other: Figures) -> bool:
        """At least as good at every k and in MRR@20."""
        return all(a >= b for a, b in zip(self.acc, other.acc, strict=True)) and (
            self.mrr >= other.mrr
        )

    def as_dict(self) -> dict[str, float]:
        out = {f"acc@{k}": round(a, 4) for k, a in zip(KS, self.acc, strict=True)}
        out["mrr@20"] = round(self.mrr, 4)
        return out


def rank_of_target(group: Group, coefficients: FloatArray) -> int | None:
    """Where the blend puts the target among the group's candidates (ties by id)."""
    if group.target is None:
        return None
    scores = group.features @ coefficients
    ids = np.asarray(group.ids)
    t = group.target
    better = (scores > scores[t]) | ((scores == scores[t]) & (ids < ids[t]))
    return int(better.sum())


def evaluate(groups: Sequence[Group], coefficients: FloatArray) -> Figures:
    """The blend's figures on the groups (a target outside the candidates is a miss)."""
    return Figures.from_ranks([rank_of_target(g, coefficients) for g in groups])


def choose_blend(
    train: Sequence[Group],
    holdout: Sequence[Group],
    baselines: Mapping[str, Figures],
    signals: Sequence[str],
    *,
    min_queries: int = 50,
    say: Callable[[str], None] | None = None,
) -> Blend:
    """Fit on ``train``, check on the later ``holdout``, and return the blend to use.

    Fewer than ``min_queries`` in either keeps the defaults (too little data). The report
    holds every figure compared, so the operator sees why a fit was or was not activated.
    """

    def note(text: str) -> None:
        if say is not None:
            say(text)

    if len(train) < min_queries or len(holdout) < min_queries:
        note(
            f"too little history to fit the ranker ({len(train)} training and "
            f"{len(holdout)} holdout next visits; {min_queries} each needed): defaults kept"
        )
        return Blend(
            source="default",
            report=MappingProxyType(
                {"reason": "too little data", "train": len(train), "holdout": len(holdout)}
            ),
        )
    fitted = fit_coefficients(train, signals)
    default_vec = DEFAULT_BLEND.vector(signals)
    fitted_vec = np.array([fitted[s] for s in signals])
    best_name, best = max(baselines.items(), key=lambda kv: (kv[1].mrr, kv[1].acc))
    figures = {"default": evaluate(holdout, default_vec), "fitted": evaluate(holdout, fitted_vec)}
    report: dict[str, Any] = {
        "train": len(train),
        "holdout": len(holdout),
        "baselines": {name: f.as_dict() for name, f in baselines.items()},
        "default": figures["default"].as_dict(),
        "fitted": figures["fitted"].as_dict(),
        "fitted_coefficients": {s: round(v, 6) for s, v in fitted.items()},
    }
    habit = signals.index("habit")

    def beats_all(f: Figures) -> bool:
        return all(f.at_least(b) for b in baselines.values())

    chosen: tuple[str, FloatArray] | None = None
    if beats_all(figures["fitted"]):
        chosen = ("fitted", fitted_vec)
    else:
        for extra in HABIT_STEPS:
            vec = fitted_vec.copy()
            vec[habit] += extra
            f = evaluate(holdout, vec)
            if beats_all(f):
                chosen = ("fitted+habit", vec)
                report["habit_added"] = extra
                figures["fitted+habit"] = f
                report["fitted+habit"] = f.as_dict()
                break
    if chosen is None:
        report["reason"] = f"no fit at least as good as the best baseline ({best_name}) at every k"
        note(
            f"fit refused: worse than the baseline '{best_name}' on the holdout "
            f"(fit {figures['fitted'].as_dict()} vs {best.as_dict()}); defaults kept"
        )
        return Blend(source="default", report=MappingProxyType(report))
    name, vec = chosen
    note(
        f"ranker fitted on {len(train)} next visits and checked on {len(holdout)} later ones: "
        f"{name} {figures[name].as_dict()} vs best baseline '{best_name}' {best.as_dict()}"
    )
    return Blend(
        coefficients=MappingProxyType(
            {s: round(float(v), 6) for s, v in zip(signals, vec, strict=True)}
        ),
        source=name,
        report=MappingProxyType(report),
    )
