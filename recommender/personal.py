"""Signals from the reader's own history: revisits, just visited, favourite category,
co-visitation and next place.

* revisit: each past interaction weighs ``kind × recency``; a place's share is the
  reader's time-of-day profile ``P(place | this hour, kind of day)``, smoothed toward their
  overall share by ``revisit_time_prior`` pseudo-interactions, through ``log_share``. A
  habit at this hour counts most; a reader with little activity at this hour is judged
  by their habits at any hour, and an old visit still counts a little (the recency floor).
* just visited: a penalty halving every ``just_visited_half_life_h`` since the last visit.
* favourite category: the reader's share of interactions in the place's category, once
  they have ``favourite_category_min_visits`` there.
* co-visitation: mean similarity of the place with the reader's places, weighted by
  ``log(1 + interactions)`` so a few habits do not drown the rest (needs a model).
* next place: ``P(place | where the reader was last)``, mixing the reader's own moves
  (each worth ``next_place_own_weight`` of everyone's) with everyone's, fading with the
  hours since that last visit.

Every signal, and every figure a reason shows (the visit count behind "sering Anda
kunjungi"), reads only the reader's events up to the query time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from recommender.candidates import Candidate, Context
from recommender.events import FloatArray, IntArray
from recommender.history import UserHistory
from recommender.interactions import InteractionModel
from recommender.scoring import half_life_decay, log_share
from recommender.timeofday import epoch_s, hour_kernel, hour_of_day, is_weekend
from recommender.weights import RankingWeights

DEFAULT_TRANSITION_GAP_H = 24.0
"""Own moves count as transitions within this gap when no model says otherwise."""


@dataclass(frozen=True, slots=True)
class PersonalSignals:
    """Contribution per signal and the figures their reasons show, aligned with candidates."""

    contributions: dict[str, FloatArray]
    params: dict[str, FloatArray]


def personal_signals(
    ids: IntArray,
    pool: Sequence[Candidate],
    context: Context,
    history: UserHistory,
    model: InteractionModel | None,
    w: RankingWeights,
) -> PersonalSignals:
    """All personal signals for the candidates ``ids`` (in ``pool`` order)."""
    now_s = epoch_s(context.at)
    cut = int(np.searchsorted(history.epoch_s, now_s, side="right"))
    event_index = history.event_index[:cut]
    m = history.distinct_ids.shape[0]
    place = _place_of(ids, history.distinct_ids)
    known = place >= 0
    safe = np.maximum(place, 0)

    per_place = _revisit_share(history, cut, context, w)
    share = np.where(known, per_place[safe], 0.0)
    visits_per_place = np.bincount(event_index[history.visits[:cut]], minlength=m)
    visits = np.where(known, visits_per_place[safe], 0).astype(np.float64)
    engagement = np.bincount(event_index, weights=history.weights[:cut], minlength=m).astype(
        np.float64, copy=False
    )

    visit_total = float(visits_per_place.sum())
    out = {
        "habit": _habit(history, cut, place, engagement, now_s),
        "recent": _recent(history, cut, place, now_s, w),
        "visit_share": visits / visit_total if visit_total > 0 else np.zeros(ids.shape[0]),
        "own_area": _own_area(pool, place, engagement, w),
        "revisit": w.revisit * log_share(share, floor=w.revisit_share_floor),
        "just_visited": _just_visited(history, cut, place, now_s, w),
        "favourite_category": _favourite_category(pool, history, engagement, w),
    }
    params = {"visits": visits, "share": share}
    # Figures about the reader and the moment, the same for every candidate: the tree
    # ranker (``recommender.trees``) splits on them ("a reader who mostly explores").
    n = ids.shape[0]
    params["reader_visits"] = np.full(n, visit_total)
    params["reader_places"] = np.full(n, float(np.count_nonzero(visits_per_place)))
    params["since_last_h"] = np.full(
        n, (now_s - float(history.epoch_s[cut - 1])) / 3600.0 if cut else 1e4
    )
    params["hour"] = np.full(n, context.at.hour + context.at.minute / 60.0)
    if model is not None:
        similarity = model.covisit_scores(history.distinct_ids, np.log1p(engagement), ids)
        out["co_visit"] = w.co_visit * log_share(similarity, floor=w.co_visit_floor)
        params["similarity"] = similarity
    probability, own_probability, source = _next_place(ids, history, cut, model, w)
    if source is not None:
        gap_h = (now_s - float(history.epoch_s[source])) / 3600.0
        fade = float(half_life_decay(np.array([gap_h]), half_life=w.next_place_half_life_h)[0])
        out["next_place"] = w.next_place * fade * log_share(probability, floor=w.next_place_floor)
        out["own_next"] = fade * log_share(own_probability, floor=w.next_place_floor)
        params["probability"] = probability
        params["from_business_id"] = np.full(ids.shape[0], float(history.business_ids[source]))
    return PersonalSignals(out, params)


HABIT_RECENCY_TIE: float = 1e-4
"""Weight of recency inside ``habit``: only ever breaks ties between equal engagement."""


def _habit(
    history: UserHistory, cut: int, place: IntArray, engagement: FloatArray, now_s: float
) -> FloatArray:
    """``ln(1 + engagement)`` with the place, plus a recency tie-break (at most 1e-4).

    Ranking by it alone is exactly the "the reader's most-visited places, most recent
    first" baseline, so a fitted blend that gives it enough weight can only do better
    than that baseline (``recommender.blend``). Its raw value is the contribution: the
    blend's ``habit`` coefficient scales it (0 in the shipped defaults).
    """
    m = history.distinct_ids.shape[0]
    last = np.full(m, -np.inf)
    if cut:
        np.maximum.at(last, history.event_index[:cut], history.epoch_s[:cut])
    days = np.where(np.isfinite(last), (now_s - last) / 86_400.0, np.inf)
    recency = np.where(np.isfinite(days), np.exp2(-np.maximum(days, 0.0) / 30.0), 0.0)
    per_place = np.where(engagement > 0, np.log1p(engagement) + HABIT_RECENCY_TIE * recency, 0.0)
    result: FloatArray = np.where(place >= 0, per_place[np.maximum(place, 0)], 0.0)
    return result


def _recent(
    history: UserHistory, cut: int, place: IntArray, now_s: float, w: RankingWeights
) -> FloatArray:
    """``2^(−days since the reader's last interaction with the place / half-life)``.

    ``habit`` counts how often, ``revisit`` weighs that by the hour; this says how lately:
    readers drift from old haunts to new ones, and a fitted blend learns how much that
    matters on the site.
    """
    m = history.distinct_ids.shape[0]
    last = np.full(m, -np.inf)
    if cut:
        np.maximum.at(last, history.event_index[:cut], history.epoch_s[:cut])
    per_place = np.where(
        np.isfinite(last),
        np.exp2(
            -np.maximum(now_s - np.where(np.isfinite(last), last, now_s), 0.0)
            / (86_400.0 * w.recent_half_life_days)
        ),
        0.0,
    )
    result: FloatArray = np.where(place >= 0, per_place[np.maximum(place, 0)], 0.0)
    return result


def _own_area(
    pool: Sequence[Candidate], place: IntArray, engagement: FloatArray, w: RankingWeights
) -> FloatArray:
    """Closeness to the nearest of the reader's places among the candidates: ``h / (h + d)``.

    People go where they already go *around*: a new place next to their usual ones is a
    likelier next stop than one as near the query point but in a part of town they never
    visit. Only the reader's places that are candidates count (the directory adds all of
    them); a place of their own scores 1.
    """
    mine = np.flatnonzero((place >= 0) & (engagement[np.maximum(place, 0)] > 0))
    n = len(pool)
    if mine.shape[0] == 0 or n == 0:
        return np.zeros(n)
    lat = np.radians(np.fromiter((c.lat for c in pool), np.float64, n))
    lon = np.radians(np.fromiter((c.lon for c in pool), np.float64, n))
    # Equirectangular distances: exact enough within a city, and n × m cheap.
    x = (lon[:, None] - lon[None, mine]) * np.cos((lat[:, None] + lat[None, mine]) / 2)
    y = lat[:, None] - lat[None, mine]
    nearest = 6_371_008.8 * np.sqrt(x * x + y * y).min(axis=1)
    result: FloatArray = w.own_area_half_life_m / (w.own_area_half_life_m + nearest)
    return result


def _place_of(ids: IntArray, distinct_ids: IntArray) -> IntArray:
    """Index of each candidate among the reader's places, −1 when never interacted with."""
    if distinct_ids.shape[0] == 0:
        return np.full(ids.shape[0], -1, dtype=np.int64)
    pos = np.minimum(np.searchsorted(distinct_ids, ids), distinct_ids.shape[0] - 1)
    return np.where(distinct_ids[pos] == ids, pos, -1).astype(np.int64)


def _revisit_share(
    history: UserHistory, cut: int, context: Context, w: RankingWeights
) -> FloatArray:
    """Each of the reader's places' share of their interactions around the query time.

    Every past interaction weighs ``kind × recency``. The share is the reader's own
    time-of-day profile, ``P(place | this hour and kind of day)``, smoothed toward their
    overall share by ``revisit_time_prior`` pseudo-interactions::

        share = (near(place) + prior × all(place) / all) / (near + prior)

    where ``near`` weighs each interaction by the hour kernel (and ``revisit_other_daytype``
    for the other kind of day). A reader with many interactions around this hour is
    judged by what they do at this hour; one with few falls back on their overall habits.
    The shares sum to 1 over the reader's places (0 everywhere without any history).
    """
    m = history.distinct_ids.shape[0]
    event_index = history.event_index[:cut]
    age_days = (epoch_s(context.at) - history.epoch_s[:cut]) / 86_400.0
    recency = w.revisit_recency_floor + (1.0 - w.revisit_recency_floor) * np.exp(
        -age_days / w.revisit_recency_days
    )
    mass = history.weights[:cut] * recency
    near = hour_kernel(
        history.hours[:cut] - hour_of_day(context.at), concentration=w.revisit_time_concentration
    )
    same_day = history.weekend[:cut] == is_weekend(context.at)
    near = near * np.where(same_day, 1.0, w.revisit_other_daytype)
    per_place = np.bincount(event_index, weights=mass, minlength=m)
    per_place_near = np.bincount(event_index, weights=mass * near, minlength=m)
    total = float(per_place.sum())
    if total <= 0:
        return np.zeros(m)
    prior = w.revisit_time_prior
    denominator = float(per_place_near.sum()) + prior
    if denominator <= 0:  # no prior and nothing near this hour: the overall habits
        overall: FloatArray = per_place / total
        return overall
    result: FloatArray = (per_place_near + prior * per_place / total) / denominator
    return result


def _just_visited(
    history: UserHistory, cut: int, place: IntArray, now_s: float, w: RankingWeights
) -> FloatArray:
    """Minus ``just_visited`` for a place visited moments ago, halving every half-life."""
    visited = history.visits[:cut]
    if not visited.any():
        return np.zeros(place.shape[0])
    last = np.full(history.distinct_ids.shape[0], -np.inf)
    np.maximum.at(last, history.event_index[:cut][visited], history.epoch_s[:cut][visited])
    since_h = np.where(place >= 0, (now_s - last[np.maximum(place, 0)]) / 3600.0, np.inf)
    penalty = np.where(
        np.isfinite(since_h),
        half_life_decay(
            np.where(np.isfinite(since_h), since_h, 0.0), half_life=w.just_visited_half_life_h
        ),
        0.0,
    )
    result: FloatArray = -w.just_visited * penalty
    return result


def _favourite_category(
    pool: Sequence[Candidate], history: UserHistory, engagement: FloatArray, w: RankingWeights
) -> FloatArray:
    """The reader's share of interactions in each place's category, once it is a habit.

    ``engagement`` is the kind-weighted interactions per place of the history, up to the
    query time.
    """
    counts: dict[str, float] = {}
    for business_id, weight in zip(history.distinct_ids.tolist(), engagement.tolist(), strict=True):
        category = history.place_categories.get(business_id)
        if category is not None and weight > 0:
            counts[category] = counts.get(category, 0.0) + weight
    total = sum(counts.values())
    if total <= 0:
        return np.zeros(len(pool))
    shares = [
        counts.get(c.category, 0.0) / total
        if counts.get(c.category, 0.0) >= w.favourite_category_min_visits
        else 0.0
        for c in pool
    ]
    return w.favourite_category * np.array(shares, dtype=np.float64)


def _next_place(
    ids: IntArray,
    history: UserHistory,
    cut: int,
    model: InteractionModel | None,
    w: RankingWeights,
) -> tuple[FloatArray, FloatArray, int | None]:
    """``P(candidate | last visited place)`` (everyone's moves and the reader's), the
    reader's own ``P`` alone, and the event index of that last visit."""
    visit_rows = np.flatnonzero(history.visits[:cut])
    if visit_rows.shape[0] == 0:
        return np.zeros(ids.shape[0]), np.zeros(ids.shape[0]), None
    source = int(visit_rows[-1])
    here = int(history.business_ids[source])
    max_gap_s = 3600.0 * (model.params.transition_max_gap_h if model else DEFAULT_TRANSITION_GAP_H)
    places = history.business_ids[visit_rows]
    times = history.epoch_s[visit_rows]
    moved = (places[:-1] == here) & (places[1:] != here) & (times[1:] - times[:-1] <= max_gap_s)
    own_next = places[1:][moved]
    own_moves = (own_next[:, None] == ids[None, :]).sum(axis=0).astype(np.float64)
    own_only: FloatArray = own_moves / max(1, own_next.shape[0])
    own = w.next_place_own_weight * own_moves
    own_total = w.next_place_own_weight * float(own_next.shape[0])
    everyone, everyone_total = (
        model.transition_counts(here, ids) if model is not None else (np.zeros(ids.shape[0]), 0.0)
    )
    denominator = own_total + everyone_total
    if denominator <= 0:
        return np.zeros(ids.shape[0]), own_only, source
    probability: FloatArray = (own + everyone) / denominator
    return probability, own_only, source
