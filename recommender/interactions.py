"""``InteractionModel``: what everyone's interactions teach about places.

Fitted from ``(user_id, business_id, at, kind)`` events, it holds

* activity per place, overall and per hour-of-week slot (is it busy at this hour?),
* the events themselves, sorted by place and time, to count recent activity (trending)
  as of any query time, and to refit after ``update``,
* co-visitation and transitions (``recommender.cooccurrence``),
* the deployment's fitted ``Blend`` and family shares (``recommender.blend``,
  ``recommender.mix``), when the caller attached them.

Nobody can buy a place's standing: activity counts *visitors*, not requests. One
visitor's interactions with one place count once per day (the strongest kind that day),
and one visitor adds at most ``FitParams.visitor_cap`` to a place's activity, however many
days they claim (``_trusted_weights``). The same de-duplicated events feed trending; in
the hourly profile each visitor's hours at a place weigh 1 in all; transitions count one
visitor's move between two places at most ``visitor_cap`` times. ``visitors`` counts the
distinct people per place.

Nor can an API client buy it by inventing people: of the visitors one client
(``Event.sender``, an API key) brings to one place, only the first
``FitParams.key_visitor_cap`` count at all; the events of the others with that place are
left out of every count (activity, visitors, busy hours, trending, co-visits,
transitions), although they stay stored (``_admitted``). In the hourly profile the
admitted ones are spread like everyone's activity, so a client cannot make a small place
look busy at the hour it picks. Events without a sender (the site's own pages, the
operator's import) are not capped as a group.

It knows nothing of storage: the caller feeds events and asks questions by business id;
``save``/``load`` use a compressed ``.npz`` read with ``allow_pickle=False``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from recommender.blend import Blend
from recommender.cooccurrence import SparseRows, covisitation, transitions
from recommender.events import Event, EventArrays, FloatArray, IntArray
from recommender.timeofday import SLOTS
from recommender.trees import TreeRanker
from recommender.weights import KIND_WEIGHTS

FORMAT_VERSION: Final = 2
READABLE_VERSIONS: Final = frozenset({1, 2})
RANKER_PREFIX: Final = "ranker_"
"""Prefix of the tree ranker's arrays in the ``.npz`` (absent when none was activated)."""
DAY_S: Final = 86_400.0


@dataclass(frozen=True, slots=True)
class FitParams:
    """How the model is fitted (saved with it, reused by ``update``)."""

    neighbours: int = 50
    """Co-visited and next places kept per place."""
    transition_max_gap_h: float = 24.0
    """A later visit counts as "next" only within this many hours."""
    max_items_per_user: int = 300
    """Most-engaged places per person used for co-visitation (bounds heavy accounts)."""
    visitor_cap: float = 3.0
    """Most one visitor adds to one place's activity (in visits), however often they come
    back: a regular counts like a few visitors, a thousand fake visits like three."""
    key_visitor_cap: int = 10
    """Most distinct visitors one API client (``Event.sender``) brings to one place; the
    rest of what it sends about that place is ignored, so a client inventing a thousand
    user ids counts like ten visitors, below the twenty distinct visitors "populer" needs
    (``RankingWeights.popular_min_visitors``)."""


@dataclass(frozen=True, slots=True, eq=False)
class InteractionModel:
    """Learned state from all interactions; immutable (``update`` returns a new model)."""

    items: IntArray
    activity: FloatArray
    slot_activity: FloatArray
    covisit: SparseRows
    transition: SparseRows
    transition_gap_h: FloatArray
    transition_out: FloatArray
    events: EventArrays
    trend_keys: IntArray
    trend_origin_s: float
    trend_span_s: int
    params: FitParams
    visitors: FloatArray = field(default_factory=lambda: np.zeros(0))
    """Distinct people who interacted with each place (aligned with ``items``)."""
    blend: Blend | None = None
    """The deployment's fitted blend of signals, when one was activated."""
    ranker: TreeRanker | None = None
    """The deployment's fitted tree ranker (``recommender.trees``), when one was activated."""
    family_share: Mapping[str, float] = field(default_factory=dict)
    """How often readers pick each family (``recommender.mix.learned_shares``)."""
    slot_totals: FloatArray = field(init=False, repr=False)
    """``slot_activity`` summed over places: constant, so computed once, not per query."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "slot_totals", self.slot_activity.sum(axis=0))

    # ------------------------------------------------------------------ fitting
    @classmethod
    def fit(
        cls,
        events: Iterable[Event],
        *,
        params: FitParams | None = None,
        kind_weights: Mapping[str, float] = KIND_WEIGHTS,
    ) -> InteractionModel:
        """Fit from ``Event`` objects."""
        arrays = EventArrays.from_events(events, kind_weights=kind_weights)
        return cls.fit_arrays(arrays, params=params)

    @classmethod
    def fit_arrays(
        cls, events: EventArrays, *, params: FitParams | None = None
    ) -> InteractionModel:
        """Fit from columns (the fast path for bulk callers)."""
        params = params or FitParams()
        stored = events
        items, item_of_event = np.unique(events.business_ids, return_inverse=True)
        item_of_event = item_of_event.reshape(-1).astype(np.int64)
        n = items.shape[0]
        admitted = _admitted(events, item_of_event, params.key_visitor_cap)
        if not admitted.all():
            events, item_of_event = events.subset(admitted), item_of_event[admitted]
        trusted, visitors = _trusted_weights(
            events.users, item_of_event, events.epoch_s, events.weights, params.visitor_cap, n
        )
        activity = np.bincount(item_of_event, weights=trusted, minlength=n).astype(np.float64)
        # "Busy at this hour" counts people: each visitor's hours at a place weigh 1 in all.
        per_person, _ = _trusted_weights(
            events.users, item_of_event, events.epoch_s, events.weights, 1.0, n
        )
        # API clients' visitors count as people but say nothing about *when*: their weight
        # is spread like everyone else's activity, so a client cannot choose the hour at
        # which a place looks busy.
        keyed = events.senders >= 0
        timed = np.where(keyed, 0.0, per_person) if keyed.any() else per_person
        slot_activity = (
            np.bincount(
                item_of_event * SLOTS + events.slots.astype(np.int64),
                weights=timed,
                minlength=n * SLOTS,
            )
            .reshape(n, SLOTS)
            .astype(np.float64)
        )
        if timed is not per_person:
            spread = np.bincount(item_of_event, weights=per_person - timed, minlength=n)
            everyone = slot_activity.sum(axis=0)
            slot_activity += np.outer(spread, everyone / max(float(everyone.sum()), 1e-12))
        covisit = covisitation(
            events.users,
            item_of_event,
            events.weights,
            n_items=n,
            k=params.neighbours,
            max_items_per_user=params.max_items_per_user,
        )
        visit = events.visits
        transition, gap_h, outgoing = transitions(
            events.users[visit],
            item_of_event[visit],
            events.epoch_s[visit],
            n_items=n,
            k=params.neighbours,
            max_gap_s=params.transition_max_gap_h * 3600.0,
            per_user_cap=params.visitor_cap,
        )
        origin = float(np.floor(events.epoch_s.min())) if len(events) else 0.0
        offsets = np.floor(events.epoch_s - origin).astype(np.int64)
        span = int(offsets.max()) + 1 if len(events) else 1
        counted = trusted > 0  # one event per visitor, place and day
        trend_keys = np.sort(item_of_event[counted] * span + offsets[counted])
        return cls(
            items=items.astype(np.int64),
            activity=activity,
            slot_activity=slot_activity,
            covisit=covisit,
            transition=transition,
            transition_gap_h=gap_h,
            transition_out=outgoing,
            events=stored,
            trend_keys=trend_keys,
            trend_origin_s=origin,
            trend_span_s=span,
            params=params,
            visitors=visitors,
        )

    def with_state(
        self,
        *,
        blend: Blend | None,
        family_share: Mapping[str, float],
        ranker: TreeRanker | None = None,
    ) -> InteractionModel:
        """The same model with a fitted blend, tree ranker and family shares attached."""
        return replace(self, blend=blend, ranker=ranker, family_share=dict(family_share))

    def update(
        self, events: Iterable[Event], *, kind_weights: Mapping[str, float] = KIND_WEIGHTS
    ) -> InteractionModel:
        """A model fitted on the stored events plus these (an exact refit, same cost as fit)."""
        more = EventArrays.from_events(events, kind_weights=kind_weights)
        return InteractionModel.fit_arrays(self.events.concat(more), params=self.params)

    # --------------------------------------------------------------- questions
    def index_of(self, business_ids: IntArray) -> IntArray:
        """Item index of each business id, −1 for places the model has never seen."""
        pos = np.searchsorted(self.items, business_ids)
        pos = np.minimum(pos, max(self.items.shape[0] - 1, 0))
        known = (self.items.shape[0] > 0) & (self.items[pos] == business_ids)
        return np.where(known, pos, -1).astype(np.int64)

    def visitors_of(self, business_ids: IntArray) -> FloatArray:
        """Distinct people who interacted with each place (0 when unknown)."""
        idx = self.index_of(business_ids)
        return np.where(idx >= 0, self.visitors[np.maximum(idx, 0)], 0.0)

    def activity_of(self, business_ids: IntArray) -> FloatArray:
        """Kind-weighted interaction count of each place (0 when unknown)."""
        idx = self.index_of(business_ids)
        return np.where(idx >= 0, self.activity[np.maximum(idx, 0)], 0.0)

    def recent_activity(
        self, business_ids: IntArray, *, at_s: float, window_s: float
    ) -> FloatArray:
        """Interactions with each place in ``[at − window, at)`` (counts, not weights)."""
        idx = self.index_of(business_ids)
        span = self.trend_span_s
        hi = int(np.clip(np.floor(at_s - self.trend_origin_s), 0, span))
        lo = int(np.clip(np.floor(at_s - window_s - self.trend_origin_s), 0, span))
        base = np.maximum(idx, 0) * span
        count = np.searchsorted(self.trend_keys, base + hi) - np.searchsorted(
            self.trend_keys, base + lo
        )
        return np.where(idx >= 0, count, 0).astype(np.float64)

    def slot_lift(self, business_ids: IntArray, *, kernel: FloatArray, prior: float) -> FloatArray:
        """How much busier than the average place each one is around the query time.

        ``kernel`` weights the 48 hour-of-week slots around the query (it sums to 1). Each
        place's share of activity near the query time, smoothed by ``prior``
        pseudo-interactions spread like all activity, over the share of all activity near
        it: 1 for "as usual" and for unknown places.
        """
        idx = self.index_of(business_ids)
        totals = self.slot_totals
        overall = float(totals.sum())
        if overall <= 0:
            return np.ones(business_ids.shape[0])
        usual = float(totals @ kernel) / overall
        rows = self.slot_activity[np.maximum(idx, 0)]
        near = np.where(idx >= 0, rows @ kernel, 0.0)
        active = np.where(idx >= 0, self.activity[np.maximum(idx, 0)], 0.0)
        share = (near + prior * usual) / (active + prior)
        result: FloatArray = share / usual
        return result

    def covisit_scores(
        self, sources: IntArray, source_weights: FloatArray, targets: IntArray
    ) -> FloatArray:
        """Weighted mean co-visitation similarity of each target with the source places."""
        src = self.index_of(sources)
        known = src >= 0
        total = float(source_weights[known].sum())
        if total <= 0:
            return np.zeros(targets.shape[0])
        cols, vals = self.covisit.gather(src[known], source_weights[known] / total)
        return _sum_at(cols, vals, self.index_of(targets))

    def transition_counts(self, from_id: int, targets: IntArray) -> tuple[FloatArray, float]:
        """Everyone's moves from ``from_id`` to each target, and all moves from it."""
        src = self.index_of(np.array([from_id], dtype=np.int64))
        if src[0] < 0:
            return np.zeros(targets.shape[0]), 0.0
        outgoing = float(self.transition_out[src[0]])
        cols, vals = self.transition.gather(src, np.array([outgoing]))
        return _sum_at(cols, vals, self.index_of(targets)), outgoing

    def related_items(
        self, business_ids: Iterable[int] | Mapping[int, float], *, limit: int = 50
    ) -> list[tuple[int, float]]:
        """Places co-visited with, or visited next after, the given ones; best first.

        The score adds co-visitation similarity and transition probability, weighted by
        the given weights (1 each for a plain iterable). The given places are left out.
        Use it to add candidates beyond the nearest ones.
        """
        given = (
            business_ids if isinstance(business_ids, Mapping) else dict.fromkeys(business_ids, 1.0)
        )
        if not given or limit <= 0:
            return []
        ids = np.fromiter(given.keys(), dtype=np.int64, count=len(given))
        weights = np.fromiter(given.values(), dtype=np.float64, count=len(given))
        src = self.index_of(ids)
        known = src >= 0
        parts = [
            self.covisit.gather(src[known], weights[known]),
            self.transition.gather(src[known], weights[known]),
        ]
        cols = np.concatenate([p[0] for p in parts])
        vals = np.concatenate([p[1] for p in parts])
        if cols.shape[0] == 0:
            return []
        uniq, inverse = np.unique(cols, return_inverse=True)
        scores = np.bincount(inverse.reshape(-1), weights=vals)
        out_ids = self.items[uniq]
        keep = ~np.isin(out_ids, ids)
        out_ids, scores = out_ids[keep], scores[keep]
        order = np.lexsort((out_ids, -scores))[:limit]
        return [(int(out_ids[i]), float(scores[i])) for i in order]

    # ---------------------------------------------------------------- storage
    def save(self, path: str | PathLike[str]) -> None:
        """Write a compressed ``.npz`` (plain arrays and JSON metadata, no pickles)."""
        meta = {
            "format_version": FORMAT_VERSION,
            "trend_origin_s": self.trend_origin_s,
            "trend_span_s": self.trend_span_s,
            "params": {
                "neighbours": self.params.neighbours,
                "transition_max_gap_h": self.params.transition_max_gap_h,
                "max_items_per_user": self.params.max_items_per_user,
                "visitor_cap": self.params.visitor_cap,
                "key_visitor_cap": self.params.key_visitor_cap,
            },
            "blend": self.blend.to_json() if self.blend is not None else None,
            "family_share": dict(self.family_share),
        }
        arrays: dict[str, NDArray[Any]] = {
            "meta": np.array(json.dumps(meta)),
            "items": self.items,
            "activity": self.activity,
            "slot_activity": self.slot_activity,
            "covisit_indptr": self.covisit.indptr,
            "covisit_indices": self.covisit.indices,
            "covisit_values": self.covisit.values,
            "transition_indptr": self.transition.indptr,
            "transition_indices": self.transition.indices,
            "transition_values": self.transition.values,
            "transition_gap_h": self.transition_gap_h,
            "transition_out": self.transition_out,
            "trend_keys": self.trend_keys,
            "visitors": self.visitors,
            "event_user_ids": self.events.user_ids,
            "event_users": self.events.users,
            "event_business_ids": self.events.business_ids,
            "event_epoch_s": self.events.epoch_s,
            "event_slots": self.events.slots,
            "event_weights": self.events.weights,
            "event_visits": self.events.visits,
            "event_senders": self.events.senders,
        }
        if self.ranker is not None:
            arrays.update(self.ranker.arrays(RANKER_PREFIX))
        with Path(path).open("wb") as handle:
            np.savez_compressed(handle, allow_pickle=False, **arrays)

    @classmethod
    def load(cls, path: str | PathLike[str]) -> InteractionModel:
        """Read a model written by ``save`` (``allow_pickle=False``)."""
        with np.load(Path(path), allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format_version") not in READABLE_VERSIONS:
                raise ValueError(f"unsupported model format {meta.get('format_version')!r}")
            a = {name: data[name] for name in data.files}
        events = EventArrays(
            user_ids=a["event_user_ids"],
            users=a["event_users"],
            business_ids=a["event_business_ids"],
            epoch_s=a["event_epoch_s"],
            slots=a["event_slots"],
            weights=a["event_weights"],
            visits=a["event_visits"],
            senders=a.get("event_senders", np.full(a["event_visits"].shape[0], -1, np.int64)),
        )
        params = FitParams(**meta["params"])
        if meta["format_version"] == 1:  # before trust counting: refit from the events
            return cls.fit_arrays(events, params=params)
        blend = meta.get("blend")
        return cls(
            items=a["items"],
            activity=a["activity"],
            slot_activity=a["slot_activity"],
            covisit=SparseRows(a["covisit_indptr"], a["covisit_indices"], a["covisit_values"]),
            transition=SparseRows(
                a["transition_indptr"], a["transition_indices"], a["transition_values"]
            ),
            transition_gap_h=a["transition_gap_h"],
            transition_out=a["transition_out"],
            events=events,
            trend_keys=a["trend_keys"],
            trend_origin_s=float(meta["trend_origin_s"]),
            trend_span_s=int(meta["trend_span_s"]),
            params=params,
            visitors=a["visitors"],
            blend=Blend.from_json(blend) if blend else None,
            ranker=TreeRanker.from_arrays(a, RANKER_PREFIX),
            family_share={str(k): float(v) for k, v in meta.get("family_share", {}).items()},
        )


def admitted_events(events: EventArrays, *, cap: int) -> NDArray[np.bool_]:
    """Which events the model counts under the per-key visitor cap (``_admitted``): the
    blend's holdout (``recommender.holdout``) picks its readers and targets by the same
    rule, so a key's invented visitors train the ranker no more than they move a place."""
    _, item_of_event = np.unique(events.business_ids, return_inverse=True)
    return _admitted(events, item_of_event.reshape(-1).astype(np.int64), cap)


def _admitted(events: EventArrays, items: IntArray, cap: int) -> NDArray[np.bool_]:
    """Which events count: all of those without a sender; of one sender's visitors to one
    place, the events of the first ``cap`` (by their first event there, then user index).
    """
    admitted = np.ones(len(events), dtype=bool)
    keyed = np.flatnonzero(events.senders >= 0)
    if keyed.shape[0] == 0:
        return admitted
    s, it, u, t = events.senders[keyed], items[keyed], events.users[keyed], events.epoch_s[keyed]
    order = np.lexsort((t, u, it, s))
    ks, ki, ku = s[order], it[order], u[order]
    head = np.ones(order.shape[0], dtype=bool)
    head[1:] = (ks[1:] != ks[:-1]) | (ki[1:] != ki[:-1]) | (ku[1:] != ku[:-1])
    triple = np.cumsum(head) - 1
    heads = np.flatnonzero(head)  # each (sender, place, visitor) at its first event
    hs, hi, hu, ht = ks[heads], ki[heads], ku[heads], t[order][heads]
    by_arrival = np.lexsort((hu, ht, hi, hs))
    ss, si = hs[by_arrival], hi[by_arrival]
    start = np.ones(by_arrival.shape[0], dtype=bool)
    start[1:] = (ss[1:] != ss[:-1]) | (si[1:] != si[:-1])
    positions = np.arange(by_arrival.shape[0])
    rank = positions - np.maximum.accumulate(np.where(start, positions, 0))
    kept = np.zeros(heads.shape[0], dtype=bool)
    kept[by_arrival] = rank < cap
    admitted[keyed[order]] = kept[triple]
    return admitted


def _trusted_weights(
    users: IntArray,
    items: IntArray,
    epoch_s: FloatArray,
    weights: FloatArray,
    cap: float,
    n_items: int,
) -> tuple[FloatArray, FloatArray]:
    """Each event's weight once repeats and heavy visitors are discounted, and the
    distinct visitors per item.

    Of one visitor's events at one place on one (UTC) day, only the strongest counts;
    then each visitor's total at a place is scaled down to at most ``cap``.
    """
    result = np.zeros(weights.shape[0])
    if weights.shape[0] == 0:
        return result, np.zeros(n_items)
    day = np.floor(epoch_s / DAY_S).astype(np.int64)
    order = np.lexsort((-weights, day, items, users))
    u, it, d = users[order], items[order], day[order]
    first_of_day = np.ones(order.shape[0], dtype=bool)
    first_of_day[1:] = (u[1:] != u[:-1]) | (it[1:] != it[:-1]) | (d[1:] != d[:-1])
    kept = order[first_of_day]
    pair_start = np.ones(kept.shape[0], dtype=bool)
    ku, ki = users[kept], items[kept]
    pair_start[1:] = (ku[1:] != ku[:-1]) | (ki[1:] != ki[:-1])
    pair = np.cumsum(pair_start) - 1
    totals = np.bincount(pair, weights=weights[kept])
    factor = np.minimum(1.0, cap / np.maximum(totals, 1e-12))
    result[kept] = weights[kept] * factor[pair]
    visitors = np.bincount(ki[pair_start], minlength=n_items).astype(np.float64)
    return result, visitors


def _sum_at(cols: IntArray, vals: FloatArray, targets: IntArray) -> FloatArray:
    """For each target item index, the sum of ``vals`` whose column is that index."""
    result = np.zeros(targets.shape[0])
    if cols.shape[0] == 0:
        return result
    uniq, inverse = np.unique(cols, return_inverse=True)
    sums = np.bincount(inverse.reshape(-1), weights=vals)
    pos = np.minimum(np.searchsorted(uniq, targets), uniq.shape[0] - 1)
    hit = (targets >= 0) & (uniq[pos] == targets)
    result[hit] = sums[pos[hit]]
    return result
