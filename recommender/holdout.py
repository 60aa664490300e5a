"""Held-out next visits from a deployment's own interactions, to fit and check the blend.

Time-ordered, per reader: for everyone with at least three visits, the **training**
query is their second-to-last visit (asked from the place before it, at its time) and the
**holdout** query their last visit (asked from the second-to-last place). The
interaction model used for both is fitted without either visit (nor anything after the
second-to-last), so neither the fit nor the check ever sees the visit it predicts, and
the holdout lies after the training queries for every reader.

Candidates are built as the directory builds them: the ``nearest`` places to the query
point, the reader's own places, and places the model relates to them and to the last
one. ``build_groups`` returns the raw contribution matrices (``recommender.blend.Group``)
and the baselines' figures on the holdout: the reader's most-visited places (the
``habit`` column alone) and the most popular places.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

import numpy as np
from numpy.typing import NDArray

from recommender.blend import FITTED_ONLY, Blend, Figures, Group
from recommender.candidates import Candidate, Context
from recommender.events import EventArrays, FloatArray, IntArray
from recommender.history import build_history
from recommender.interactions import FitParams, InteractionModel, admitted_events
from recommender.mix import MixProfile
from recommender.ranking import COLUMN, SIGNALS, score_candidates
from recommender.trees import extra_features
from recommender.weights import DEFAULT_WEIGHTS, KIND_WEIGHTS, VISIT_KINDS, RankingWeights

EARTH_RADIUS_M = 6_371_008.8
RAW: Blend = Blend(coefficients=dict.fromkeys(FITTED_ONLY, 1.0))
"""Every coefficient 1: the raw contribution matrix the blend is fitted on."""
_KIND_OF_WEIGHT = {w: k for k, w in sorted(KIND_WEIGHTS.items(), key=lambda kv: kv[0])}


@dataclass(frozen=True, slots=True, eq=False)
class Places:
    """The places queries may return, as columns (``ids`` sorted ascending)."""

    ids: IntArray
    lat: FloatArray
    lon: FloatArray
    category: Sequence[str]
    reach: Sequence[str]
    family: Sequence[str]
    rating_mean: FloatArray
    """NaN when unrated."""
    rating_count: IntArray
    by_lat: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Rows in latitude order: the nearest places are found in a band of latitude
    instead of measuring every place (a refresh asks thousands of times)."""
    sorted_lat: FloatArray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))

    def __post_init__(self) -> None:
        if self.by_lat.shape[0] != self.lat.shape[0]:
            object.__setattr__(self, "by_lat", np.argsort(self.lat, kind="stable"))
            object.__setattr__(self, "sorted_lat", self.lat[self.by_lat])

    @classmethod
    def build(
        cls,
        rows: Sequence[tuple[int, float, float, str, str, str, float | None, int]],
    ) -> Places:
        """From ``(id, lat, lon, category, reach, family, rating_mean, rating_count)``."""
        ordered = sorted(rows)
        return cls(
            ids=np.array([r[0] for r in ordered], dtype=np.int64),
            lat=np.array([r[1] for r in ordered], dtype=np.float64),
            lon=np.array([r[2] for r in ordered], dtype=np.float64),
            category=[r[3] for r in ordered],
            reach=[r[4] for r in ordered],
            family=[r[5] for r in ordered],
            rating_mean=np.array(
                [math.nan if r[6] is None else r[6] for r in ordered], dtype=np.float64
            ),
            rating_count=np.array([r[7] for r in ordered], dtype=np.int64),
        )

    def rows_of(self, business_ids: IntArray) -> IntArray:
        """Row of each id, −1 when unknown."""
        pos = np.minimum(np.searchsorted(self.ids, business_ids), max(len(self.ids) - 1, 0))
        return np.where(self.ids[pos] == business_ids, pos, -1).astype(np.int64)

    def nearest_rows(self, lat: float, lon: float, k: int) -> IntArray:
        """Rows of the ``k`` places nearest to a point. A place outside a latitude band of
        half-width ``h`` is at least ``h`` away along the meridian, so once the band holds
        ``k`` places within that distance they are the nearest of all; the band doubles
        until it does. Of places at the same distance the lower id comes first."""
        n = self.lat.shape[0]
        k = min(k, n)
        if k <= 0:
            return np.zeros(0, dtype=np.int64)
        ordered_lat = self.sorted_lat
        half = 0.0025
        while True:
            lo = int(np.searchsorted(ordered_lat, lat - half, side="left"))
            hi = int(np.searchsorted(ordered_lat, lat + half, side="right"))
            if hi - lo >= k:
                rows = self.by_lat[lo:hi]
                distance = self.distances_of_rows(lat, lon, rows)
                pick = _smallest(distance, rows, k)
                if (lo == 0 and hi == n) or distance[pick].max() <= EARTH_RADIUS_M * math.radians(
                    half
                ):
                    result: IntArray = rows[pick]
                    return result
            half *= 2.0

    def distances_m(self, lat: float, lon: float) -> FloatArray:
        """Great-circle distance from a point to every place."""
        return self.distances_of_rows(lat, lon, None)

    def distances_of_rows(self, lat: float, lon: float, rows: IntArray | None) -> FloatArray:
        """Great-circle distance from a point to the places of ``rows`` (all when None)."""
        lats = self.lat if rows is None else self.lat[rows]
        lons = self.lon if rows is None else self.lon[rows]
        p1, p2 = np.radians(lat), np.radians(lats)
        dp, dl = p2 - p1, np.radians(lons - lon)
        a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
        result: FloatArray = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))
        return result


def _smallest(distance: FloatArray, rows: IntArray, k: int) -> IntArray:
    """Positions of the ``k`` smallest distances; of equal ones at the cut, the lower row
    (ids are sorted, so the lower id) — one partition instead of a full sort."""
    kth = distance[np.argpartition(distance, k - 1)[:k]].max()
    inside = np.flatnonzero(distance < kth)
    tied = np.flatnonzero(distance == kth)
    tied = tied[np.argsort(rows[tied], kind="stable")][: k - inside.shape[0]]
    result: IntArray = np.concatenate([inside, tied])
    return result


@dataclass(frozen=True, slots=True)
class HoldoutData:
    """Training and holdout groups, and the baselines' figures on the holdout."""

    train: list[Group]
    holdout: list[Group]
    baselines: dict[str, Figures]
    model: InteractionModel
    earlier: list[Group] = field(default_factory=list)
    """Next visits before the training ones (each reader's third-to-last, asked from the
    fourth-to-last, with a model fitted without it): more training for the tree ranker."""


def _kind(weight: float, visit: bool) -> str:
    return "visit" if visit else _KIND_OF_WEIGHT.get(weight, "view")


def build_groups(
    events: EventArrays,
    places: Places,
    *,
    zone: tzinfo,
    weights: RankingWeights = DEFAULT_WEIGHTS,
    mix: MixProfile | None = None,
    nearest: int = 300,
    related: int = 100,
    max_queries: int = 1_500,
    params: FitParams | None = None,
    progress: Callable[[int], None] | None = None,
    earlier_visits: bool = True,
) -> HoldoutData:
    """The time-ordered training and holdout next visits (module docstring)."""
    users = events.users
    n = len(events)
    ends = np.r_[np.flatnonzero(np.diff(users)) + 1, n] if n else np.zeros(0, dtype=np.int64)
    starts = np.r_[0, ends[:-1]] if n else np.zeros(0, dtype=np.int64)
    cut_time = np.full(n, np.inf)
    chosen: list[tuple[int, NDArray[np.int64]]] = []
    # Readers and targets follow the model's trust rule: the visits of a key's visitors
    # beyond its per-place cap count nowhere, so they neither make a reader eligible nor
    # become a query.
    counted = events.visits & admitted_events(events, cap=(params or FitParams()).key_visitor_cap)
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        visit_rows = s + np.flatnonzero(counted[s:e])
        if visit_rows.shape[0] < 3:
            continue
        chosen.append((s, visit_rows))
        cut_time[s:e] = events.epoch_s[visit_rows[-2]]
    model = _fit_before(events, cut_time, params)
    # Deterministic, spread-out subset of readers when there are too many to score.
    if len(chosen) > max_queries:
        step = len(chosen) / max_queries
        chosen = [chosen[int(i * step)] for i in range(max_queries)]
    activity_all = model.activity_of(places.ids)
    popular = places.ids[np.lexsort((places.ids, -activity_all))[:20]]
    train: list[Group] = []
    holdout: list[Group] = []
    ranks: dict[str, list[int | None]] = {"user's most-visited": [], "most popular": []}
    for done, (s, visit_rows) in enumerate(chosen):
        for target_row, from_row, out in (
            (visit_rows[-2], visit_rows[-3], train),
            (visit_rows[-1], visit_rows[-2], holdout),
        ):
            group = _group(
                events,
                s,
                int(target_row),
                int(from_row),
                places,
                model,
                zone,
                weights,
                mix,
                nearest=nearest,
                related=related,
            )
            if group is None:
                continue
            out.append(group)
            if out is holdout:
                target = int(events.business_ids[target_row])
                ranks["most popular"].append(_index(popular.tolist(), target))
                ranks["user's most-visited"].append(_habit_rank(group))
        if progress is not None and (done + 1) % 100 == 0:
            progress(100)
    baselines = {name: Figures.from_ranks(r) for name, r in ranks.items()}
    earlier: list[Group] = []
    if earlier_visits:
        # One visit further back, with a model that has not seen it either.
        back = [(s, rows) for s, rows in chosen if rows.shape[0] >= 4]
        cut_back = np.full(n, np.inf)
        for s, rows in back:
            cut_back[s : int(ends[np.searchsorted(starts, s)])] = events.epoch_s[rows[-3]]
        model_back = _fit_before(events, cut_back, params)
        for s, rows in back:
            group = _group(
                events,
                s,
                int(rows[-3]),
                int(rows[-4]),
                places,
                model_back,
                zone,
                weights,
                mix,
                nearest=nearest,
                related=related,
            )
            if group is not None:
                earlier.append(group)
    return HoldoutData(train, holdout, baselines, model, earlier)


def _fit_before(
    events: EventArrays, cut_time: FloatArray, params: FitParams | None
) -> InteractionModel:
    """The model fitted on each reader's events before their cut time."""
    fit_events = events.subset(events.epoch_s < cut_time)  # stays sorted; no re-sort
    return InteractionModel.fit_arrays(fit_events, params=params)


def _index(ranked: list[int], target: int) -> int | None:
    return ranked.index(target) if target in ranked else None


def _habit_rank(group: Group) -> int | None:
    """The most-visited baseline's rank of the target (places the reader never went to
    are not in its list)."""
    if group.target is None:
        return None
    habit = group.features[:, COLUMN["habit"]]
    if habit[group.target] <= 0:
        return None
    ids = np.asarray(group.ids)
    t = group.target
    better = (habit > habit[t]) | ((habit == habit[t]) & (ids < ids[t]))
    rank = int(better.sum())
    return rank if rank < 20 else None


def _group(
    events: EventArrays,
    start: int,
    target_row: int,
    from_row: int,
    places: Places,
    model: InteractionModel,
    zone: tzinfo,
    weights: RankingWeights,
    mix: MixProfile | None,
    *,
    nearest: int,
    related: int,
) -> Group | None:
    origin = places.rows_of(np.array([events.business_ids[from_row]], dtype=np.int64))[0]
    if origin < 0:
        return None
    at = datetime.fromtimestamp(float(events.epoch_s[target_row]), tz=UTC).astimezone(zone)
    user = str(events.user_ids[events.users[start]])
    own = [
        (
            int(events.business_ids[i]),
            datetime.fromtimestamp(float(events.epoch_s[i]), tz=UTC).astimezone(zone),
            _kind(float(events.weights[i]), bool(events.visits[i])),
        )
        for i in range(start, target_row)
        if events.epoch_s[i] < events.epoch_s[target_row]
    ]
    if not own:
        return None
    categories = {
        int(places.ids[r]): places.category[r]
        for r in places.rows_of(np.array([b for b, _, _ in own], dtype=np.int64)).tolist()
        if r >= 0
    }
    history = build_history(own, user_id=user, categories=categories)
    lat, lon = float(places.lat[origin]), float(places.lon[origin])
    rows = set(places.nearest_rows(lat, lon, nearest).tolist())
    engagement = {b: math.log1p(c) for b, c in history.visit_counts.items()}
    wanted = {int(b) for b in history.distinct_ids.tolist()}
    wanted.update(b for b, _ in model.related_items(engagement, limit=related))
    if history.last_business_id is not None:
        wanted.update(
            b for b, _ in model.related_items([history.last_business_id], limit=related // 2)
        )
    rows.update(
        r for r in places.rows_of(np.array(sorted(wanted), dtype=np.int64)).tolist() if r >= 0
    )
    ordered = np.array(sorted(rows), dtype=np.int64)
    ids = places.ids[ordered]
    activity = model.activity_of(ids)
    visitors = model.visitors_of(ids)
    means = places.rating_mean[ordered]
    rated = ~np.isnan(means)
    rows_list = ordered.tolist()
    pool = [
        Candidate(
            business_id=b,
            lat=la,
            lon=lo,
            distance_m=dm,
            category=places.category[r],
            reach=places.reach[r],
            family=places.family[r],
            rating_mean=m if ok else None,
            rating_count=n if ok else 0,
            popularity=a,
            visitors=int(v),
        )
        for r, b, la, lo, dm, m, ok, n, a, v in zip(
            rows_list,
            ids.tolist(),
            places.lat[ordered].tolist(),
            places.lon[ordered].tolist(),
            places.distances_of_rows(lat, lon, ordered).tolist(),
            means.tolist(),
            rated.tolist(),
            places.rating_count[ordered].tolist(),
            activity.tolist(),
            visitors.tolist(),
            strict=True,
        )
    ]
    context = Context(lat=lat, lon=lon, at=at, user_id=user)
    scored = score_candidates(
        context, pool, history=history, model=model, weights=weights, blend=RAW, mix=mix
    )
    target = int(events.business_ids[target_row])
    hit = np.flatnonzero(ids == target)
    features = scored.contrib.copy()
    features[:, COLUMN["new_listing"]] = 0.0
    return Group(
        features=features,
        ids=ids.tolist(),
        target=int(hit[0]) if hit.size else None,
        extra=extra_features(scored.table.distance_m, scored.table.activity, scored.params),
        at_s=float(events.epoch_s[target_row]),
    )


__all__ = ["RAW", "SIGNALS", "HoldoutData", "Places", "VISIT_KINDS", "build_groups"]
