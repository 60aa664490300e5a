"""``rank``: candidates and a context in, an explained, diversified list out.

The score of a place is the sum of its signal contributions (``SIGNALS``), computed for
all candidates at once with numpy:

* about the place: distance (decay by the category's reach), shrunk rating, popularity,
  open now, text and category match;
* about everyone's behaviour (with an ``InteractionModel``): busy at this hour, trending;
* about the reader (with a ``UserHistory``): revisits, just visited (a penalty), favourite
  category, co-visitation, next place;
* the new-listing boost, capped so that it never lifts a new listing above an
  established one that is nearer, better rated and scored at least as high without it.

Ties are broken by business id, then the top is diversified (``recommender.diversity``).
``docs/recommender.md`` has the formula and the reasons behind the constants.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np

from recommender.blend import DEFAULT_BLEND, Blend
from recommender.candidates import Candidate, Context
from recommender.diversity import diversified_order
from recommender.events import FloatArray, IntArray
from recommender.history import UserHistory
from recommender.interactions import InteractionModel
from recommender.mix import MixProfile, mix_signals
from recommender.personal import personal_signals
from recommender.reasons import ParamValue, Reason
from recommender.scoring import bayesian_rating, distance_decay, log_lift, saturating_log
from recommender.timeofday import epoch_s, slot_kernel
from recommender.trees import extra_features
from recommender.weights import DEFAULT_WEIGHTS, REACH_CLASSES, RankingWeights

SIGNALS: Final = (
    "distance",
    "rating",
    "popular",
    "popular_now",
    "trending",
    "open_now",
    "text_match",
    "category_match",
    "revisit",
    "just_visited",
    "favourite_category",
    "co_visit",
    "next_place",
    "habit",
    "own_next",
    "recent",
    "own_area",
    "visit_share",
    "distance_short",
    "distance_long",
    "family_mix",
    "restricted",
    "new_listing",
)
"""Signal names, in the column order of the contribution matrix (and of reason ties)."""
COLUMN: Final = MappingProxyType({name: i for i, name in enumerate(SIGNALS)})
NO_REASON: Final = frozenset(
    {
        "just_visited",
        "restricted",
        "habit",
        "family_mix",
        "own_next",
        "recent",
        "own_area",
        "visit_share",
        "distance_short",
        "distance_long",
    }
)
"""Signals that never explain a score: penalties, ``habit``/``family_mix``, whose words
would repeat "revisit" or say nothing about the place itself, and the fitted-only views
of the history and of the distance (their words would repeat "revisit", "next place" or
the distance)."""
REASON_CODES: Final = tuple(name for name in SIGNALS if name not in NO_REASON)
"""The codes a ``Reason`` may carry: the signals that can explain a score, in their order."""
EVIDENCE_SIGNALS: Final = frozenset({"popular", "rating"})
"""Reasons that praise a place, so need enough evidence (``_evidenced``)."""
STRONG_TEXT_MATCH: Final = 0.6
"""A text match at least this good is the thing asked for (the service gives 0.8 or more
to what search read the query as, at most 0.5 to places that only mention its words)."""


@dataclass(frozen=True, slots=True)
class Ranked:
    """A recommended place: its score, the reasons (strongest first) and every contribution."""

    business_id: int
    score: float
    reasons: tuple[Reason, ...]
    contributions: MappingProxyType[str, float]


@dataclass(frozen=True, slots=True, eq=False)
class _Table:
    """The candidates as columns."""

    pool: list[Candidate]
    ids: IntArray
    distance_m: FloatArray
    half_life_m: FloatArray
    rating_mean: FloatArray
    rating_count: FloatArray
    activity: FloatArray
    is_open: FloatArray
    age_days: FloatArray
    text_match: FloatArray
    category_match: FloatArray

    @classmethod
    def build(cls, pool: list[Candidate], context: Context, weights: RankingWeights) -> _Table:
        half_lives = {reach: weights.half_life_m(reach) for reach in REACH_CLASSES}
        asked = context.category
        n = len(pool)
        return cls(
            pool=pool,
            ids=np.fromiter((c.business_id for c in pool), dtype=np.int64, count=n),
            distance_m=np.fromiter((c.distance_m for c in pool), dtype=np.float64, count=n),
            half_life_m=np.fromiter((half_lives[c.reach] for c in pool), dtype=np.float64, count=n),
            rating_mean=np.fromiter(
                (
                    weights.rating_prior_mean if c.rating_mean is None else c.rating_mean
                    for c in pool
                ),
                dtype=np.float64,
                count=n,
            ),
            rating_count=np.fromiter(
                (0 if c.rating_mean is None else c.rating_count for c in pool),
                dtype=np.float64,
                count=n,
            ),
            activity=np.fromiter((c.rating_count + c.popularity for c in pool), np.float64, n),
            is_open=np.fromiter(
                (0.0 if c.is_open is None else (1.0 if c.is_open else -1.0) for c in pool),
                dtype=np.float64,
                count=n,
            ),
            age_days=np.fromiter(
                (np.inf if c.age_days is None else c.age_days for c in pool), np.float64, n
            ),
            text_match=np.fromiter((c.text_match for c in pool), dtype=np.float64, count=n),
            category_match=np.fromiter(
                (
                    c.category_match
                    or (asked is not None and (asked == c.category or asked in c.categories))
                    for c in pool
                ),
                dtype=np.float64,
                count=n,
            ),
        )


@dataclass(frozen=True, slots=True, eq=False)
class Scored:
    """Every candidate's contribution per signal (blend applied), before ordering."""

    table: _Table
    contrib: FloatArray
    params: dict[str, FloatArray]
    raw: FloatArray
    """The contributions before the blend (every coefficient 1): the tree ranker's input."""


def score_candidates(
    context: Context,
    pool: list[Candidate],
    *,
    history: UserHistory | None = None,
    model: InteractionModel | None = None,
    weights: RankingWeights = DEFAULT_WEIGHTS,
    blend: Blend | None = None,
    mix: MixProfile | None = None,
    anchor_family: str | None = None,
) -> Scored:
    """The contribution matrix (rows: ``pool``, columns: ``SIGNALS``) with the blend's
    coefficients applied; ``blend=None`` uses the model's blend, else the defaults.
    ``recommender.blend`` fits on the raw matrix (every coefficient 1, the fitted-only
    columns kept: ``recommender.holdout.RAW``)."""
    table = _Table.build(pool, context, weights)
    contrib = np.zeros((len(pool), len(SIGNALS)))
    params: dict[str, FloatArray] = {}
    _place_signals(contrib, table, weights)
    if model is not None:
        _crowd_signals(contrib, params, table, context, model, weights)
    own_families: set[str] = set()
    if history is not None and len(history):
        personal = personal_signals(table.ids, pool, context, history, model, weights)
        for name, values in personal.contributions.items():
            contrib[:, COLUMN[name]] = values
        params.update(personal.params)
        habit = personal.contributions["habit"]
        own_families = {c.family for c, h in zip(pool, habit.tolist(), strict=True) if h > 0}
    if mix is not None:
        affinity, restricted = mix_signals(
            pool, context, mix, own_families=own_families, anchor_family=anchor_family
        )
        contrib[:, COLUMN["family_mix"]] = weights.family_mix * affinity
        contrib[:, COLUMN["restricted"]] = -weights.restricted_penalty * restricted
    chosen = blend if blend is not None else (model.blend if model is not None else None)
    return Scored(table, contrib * (chosen or DEFAULT_BLEND).vector(SIGNALS), params, contrib)


def rank(
    context: Context,
    candidates: Iterable[Candidate],
    *,
    history: UserHistory | None = None,
    model: InteractionModel | None = None,
    weights: RankingWeights = DEFAULT_WEIGHTS,
    limit: int = 20,
    blend: Blend | None = None,
    mix: MixProfile | None = None,
    anchor_family: str | None = None,
    trees: bool = True,
) -> list[Ranked]:
    """The best ``limit`` candidates for the context, each with its score and reasons.

    A business id given twice counts once (the first). Candidates need not be near the
    reader: a favourite 15 km away can still come first. ``blend`` (default: the model's
    fitted blend, else the shipped one) weighs the signals; ``mix`` shapes a general list
    (``recommender.mix``), around ``anchor_family`` on a place page.

    When the model carries a fitted ``TreeRanker`` (and ``trees``), a reader with a
    history who asked for no text, no category and no place's neighbours gets the blend's
    best places in the
    trees' order (``recommender.trees``), and each place's ``score`` is the trees'; the
    reasons still come from the signals' contributions.
    """
    if limit <= 0:
        return []
    by_id: dict[int, Candidate] = {}
    for candidate in candidates:
        by_id.setdefault(candidate.business_id, candidate)
    pool = list(by_id.values())
    if not pool:
        return []
    scored = score_candidates(
        context,
        pool,
        history=history,
        model=model,
        weights=weights,
        blend=blend,
        mix=mix,
        anchor_family=anchor_family,
    )
    table, contrib, params = scored.table, scored.contrib, scored.params
    contrib[:, COLUMN["new_listing"]] = 0.0
    base = contrib.sum(axis=1)
    final = _boosted_scores(base, table, weights)
    contrib[:, COLUMN["new_listing"]] = final - base
    # Diversity shapes a list for a reader we know nothing about. A reader with a history
    # is ranked on it: the blend was fitted and checked (against "their most-visited
    # places") on the score order itself, which reordering would break.
    personal = history is not None and len(history) > 0
    general = context.category is None and not context.text and not personal
    ranker = model.ranker if model is not None and trees and blend is None else None
    asked = context.category is not None or bool(context.text) or anchor_family is not None
    if ranker is not None and personal and not asked:
        raw = scored.raw.copy()
        raw[:, COLUMN["new_listing"]] = 0.0
        extra = extra_features(table.distance_m, table.activity, params)
        tree_order, tree_score = ranker.order(raw, extra, base, table.ids, limit)
        return [
            _ranked(i, tree_score, contrib, table, params, context, weights)
            for i in tree_order.tolist()
        ]
    order = diversified_order(
        _asked_first(final, table) if context.text else final,
        table.ids,
        [c.category for c in pool],
        window=weights.diversity_window,
        max_per_category=weights.diversity_max_per_category,
        enabled=context.category is None and not context.text and not personal,
        limit=limit,
        families=[c.family for c in pool] if general and mix is not None else None,
        max_per_family=weights.diversity_max_per_family,
    )
    return [_ranked(i, final, contrib, table, params, context, weights) for i in order]


def _asked_first(final: FloatArray, t: _Table) -> FloatArray:
    """The order of a text query: the places that are what was asked for (a strong text
    match) before those that only mention it, each group by score.

    Only the order changes; every place keeps its score and reasons. Without it, "masjid"
    late at night put an open seafood place on Jalan Masjid above the mosques, whose
    opening hours had ended: being open and near outweighed the name."""
    strong = t.text_match >= STRONG_TEXT_MATCH
    if not strong.any() or strong.all():
        return final
    span = float(final.max() - final.min()) + 1.0
    return final + np.where(strong, span, 0.0)


def _place_signals(contrib: FloatArray, t: _Table, w: RankingWeights) -> None:
    """Signals that depend only on the place and the query."""
    contrib[:, COLUMN["distance"]] = w.distance * distance_decay(
        t.distance_m, half_life_m=t.half_life_m
    )
    # The same decay at a quarter and at four times the half-life: with the three, a
    # fitted blend shapes the distance curve to how far this site's readers go.
    contrib[:, COLUMN["distance_short"]] = distance_decay(
        t.distance_m, half_life_m=t.half_life_m / w.distance_scale_factor
    )
    contrib[:, COLUMN["distance_long"]] = distance_decay(
        t.distance_m, half_life_m=t.half_life_m * w.distance_scale_factor
    )
    shrunk = bayesian_rating(
        t.rating_mean,
        t.rating_count,
        prior_mean=w.rating_prior_mean,
        prior_weight=w.rating_prior_weight,
    )
    contrib[:, COLUMN["rating"]] = w.rating * (shrunk - w.rating_prior_mean) / 4.0
    contrib[:, COLUMN["popular"]] = w.popularity * saturating_log(
        t.activity, saturation=w.popularity_saturation
    )
    contrib[:, COLUMN["open_now"]] = np.where(
        t.is_open > 0, w.open_now, -w.closed_penalty * (t.is_open < 0)
    )
    contrib[:, COLUMN["text_match"]] = w.text_match * t.text_match
    contrib[:, COLUMN["category_match"]] = w.category_match * t.category_match


def _crowd_signals(
    contrib: FloatArray,
    params: dict[str, FloatArray],
    t: _Table,
    context: Context,
    model: InteractionModel,
    w: RankingWeights,
) -> None:
    """Signals from everyone's interactions: busy at this hour, busy lately."""
    kernel = slot_kernel(
        context.at,
        concentration=w.revisit_time_concentration,
        other_daytype=w.revisit_other_daytype,
    )
    lift = model.slot_lift(t.ids, kernel=kernel, prior=w.popular_now_prior)
    contrib[:, COLUMN["popular_now"]] = w.popular_now * log_lift(
        lift, max_lift=w.popular_now_max_lift
    )
    recent = model.recent_activity(
        t.ids, at_s=epoch_s(context.at), window_s=w.trending_window_h * 3600.0
    )
    counted = np.where(recent >= w.trending_min_recent, recent, 0.0)
    contrib[:, COLUMN["trending"]] = w.trending * saturating_log(
        counted, saturation=w.trending_saturation
    )
    params["lift"] = lift
    params["recent"] = recent


_DOMINANCE_BLOCK: Final = 1 << 20
"""Most (new, established) pairs compared at once by ``_boosted_scores``."""


def _boosted_scores(base: FloatArray, t: _Table, w: RankingWeights) -> FloatArray:
    """Scores with the new-listing boost, capped below every dominating established place.

    A new listing is treated as having at least ``virtual_activity × fade`` activity,
    where ``fade`` goes from 1 at age 0 to 0 at ``new_listing_age_days``. An established
    place E dominates a new one N when E is at least as near, has at least N's shrunk
    rating and scores at least N's score without the boost; N's boosted score then stays
    strictly below E's. Both the boost and the cap only grow as N gets nearer or better
    reviewed, so the monotonicity of the base score survives.
    """
    fade = np.clip(1.0 - t.age_days / w.new_listing_age_days, 0.0, 1.0)
    floor = w.new_listing_virtual_activity * fade
    boost = w.new_listing * (
        saturating_log(np.maximum(t.activity, floor), saturation=w.popularity_saturation)
        - saturating_log(t.activity, saturation=w.popularity_saturation)
    )
    new = boost > 0
    if not new.any():
        return base
    final = base + boost
    shrunk = bayesian_rating(
        t.rating_mean,
        t.rating_count,
        prior_mean=w.rating_prior_mean,
        prior_weight=w.rating_prior_weight,
    )
    established = np.flatnonzero(~new)
    if established.shape[0] == 0:  # e.g. a site whose listings are all new
        return final
    # Only established places at least as good as some new one can dominate; compare the
    # new ones with those in blocks (a matrix of new × established, bounded in size).
    new_ids = np.flatnonzero(new)
    est_d, est_s, est_b = t.distance_m[established], shrunk[established], base[established]
    rows = max(1, _DOMINANCE_BLOCK // established.shape[0])
    for start in range(0, new_ids.shape[0], rows):
        block = new_ids[start : start + rows]
        dominating = (
            (est_d[None, :] <= t.distance_m[block, None])
            & (est_s[None, :] >= shrunk[block, None])
            & (est_b[None, :] >= base[block, None])
        )
        lowest = np.where(dominating, est_b[None, :], np.inf).min(axis=1)
        capped = np.isfinite(lowest)
        below_cap = np.nextafter(lowest[capped], -np.inf)
        final[block[capped]] = np.minimum(final[block[capped]], below_cap)
    return final


def _ranked(
    i: int,
    final: FloatArray,
    contrib: FloatArray,
    t: _Table,
    params: dict[str, FloatArray],
    context: Context,
    w: RankingWeights,
) -> Ranked:
    row = contrib[i]
    reasons = [
        Reason(name, MappingProxyType(_reason_params(name, i, t, params, context)), float(row[j]))
        for j, name in enumerate(SIGNALS)
        if row[j] >= w.reason_min_contribution
        and name not in NO_REASON
        and (name not in EVIDENCE_SIGNALS or _evidenced(name, t.pool[i], w))
    ]
    reasons.sort(key=lambda r: (-r.contribution, COLUMN[r.code]))
    contributions = MappingProxyType(
        {name: float(row[j]) for j, name in enumerate(SIGNALS) if row[j] != 0.0}
    )
    return Ranked(int(t.ids[i]), float(final[i]), tuple(reasons), contributions)


def _evidenced(name: str, c: Candidate, w: RankingWeights) -> bool:
    """Whether a praising reason has the evidence it needs (stated in the weights).

    "populer" needs ``popular_min_reviews`` reviews or ``popular_min_visitors`` distinct
    visitors; a rating reason needs ``rating_reason_min_reviews`` reviews. The score
    still counts the (Bayesian-shrunk) evidence below that; only the words wait.
    """
    if name == "popular":
        return c.rating_count >= w.popular_min_reviews or c.visitors >= w.popular_min_visitors
    return c.rating_count >= w.rating_reason_min_reviews


def _reason_params(
    name: str, i: int, t: _Table, params: dict[str, FloatArray], context: Context
) -> dict[str, ParamValue]:
    """The figures a reason shows (distances, stars, counts...)."""
    c = t.pool[i]
    if name == "distance":
        return {"distance_m": c.distance_m}
    if name == "rating":
        return {"mean": float(c.rating_mean or 0.0), "count": c.rating_count}
    if name == "popular":
        return {"count": round(float(t.activity[i]))}
    if name == "text_match":
        return {"text": context.text or "", "score": c.text_match}
    if name in ("category_match", "favourite_category"):
        return {
            "category": context.category
            if name == "category_match" and context.category
            else c.category
        }
    if name == "new_listing":
        return {"age_days": round(float(t.age_days[i]), 1)}
    keys = {
        "popular_now": ("lift",),
        "trending": ("recent",),
        "revisit": ("visits", "share"),
        "co_visit": ("similarity",),
        "next_place": ("probability", "from_business_id"),
    }.get(name, ())
    out: dict[str, ParamValue] = {}
    for key in keys:
        value = float(params[key][i])
        out[key] = int(value) if key in ("visits", "from_business_id") else round(value, 4)
    return out
