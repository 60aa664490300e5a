"""Interactions as the model and the histories read them: ``Event`` and columnar arrays.

An ``Event`` is one thing one person did with one place (visited it, called it, saved
it...). Bulk callers can skip the objects and pass columns to ``EventArrays.build``, which
is what the fitting code works on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from recommender.timeofday import epoch_s, slot_of
from recommender.weights import DEFAULT_KIND_WEIGHT, KIND_WEIGHTS, VISIT_KINDS

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Event:
    """One interaction: who, which place, when (see ``timeofday`` for time zones), what."""

    user_id: str
    business_id: int
    at: datetime
    kind: str = "visit"
    sender: int = -1
    """Which API client sent it (the caller's number for it, e.g. a key id), so the model
    can cap what one client brings to a place (``FitParams.key_visitor_cap``); −1 for the
    sources that are not capped as one (the site's own pages, the operator's import)."""


def kind_weight(kind: str, kind_weights: Mapping[str, float] = KIND_WEIGHTS) -> float:
    """How much one interaction of this kind counts (unknown kinds count as a view)."""
    return kind_weights.get(kind, DEFAULT_KIND_WEIGHT)


@dataclass(frozen=True, slots=True, eq=False)
class EventArrays:
    """Interactions as parallel columns, sorted by user and then time.

    ``users`` indexes ``user_ids``; ``slots`` are hour-of-week slots
    (``timeofday.slot_of``); ``weights`` are kind weights; ``visits`` marks the kinds that
    mean the person was there (``weights.VISIT_KINDS``), which alone make transitions.
    """

    user_ids: NDArray[np.str_]
    users: IntArray
    business_ids: IntArray
    epoch_s: FloatArray
    slots: NDArray[np.int8]
    weights: FloatArray
    visits: NDArray[np.bool_]
    senders: IntArray

    def __len__(self) -> int:
        return int(self.business_ids.shape[0])

    @classmethod
    def build(
        cls,
        *,
        user_ids: NDArray[np.str_],
        users: IntArray,
        business_ids: IntArray,
        epoch_s: FloatArray,
        slots: NDArray[np.int8],
        weights: FloatArray,
        visits: NDArray[np.bool_],
        senders: IntArray | None = None,
    ) -> EventArrays:
        """Check the columns and sort them by user, then time (stable for equal times).

        Without ``senders`` every event is from an uncapped source (−1)."""
        n = business_ids.shape[0]
        if senders is None:
            senders = np.full(n, -1, dtype=np.int64)
        columns: dict[str, NDArray[np.generic]] = {
            "users": users,
            "epoch_s": epoch_s,
            "slots": slots,
            "weights": weights,
            "visits": visits,
            "senders": senders,
        }
        for name, column in columns.items():
            if column.shape != (n,):
                raise ValueError(f"{name} must have shape ({n},)")
        if n and (users.min() < 0 or users.max() >= len(user_ids)):
            raise ValueError("users must index user_ids")
        if n and not np.isfinite(epoch_s).all():
            raise ValueError("epoch_s must be finite")
        order = np.lexsort((epoch_s, users))
        return cls(
            user_ids=np.asarray(user_ids, dtype=np.str_),
            users=users.astype(np.int64)[order],
            business_ids=business_ids.astype(np.int64)[order],
            epoch_s=epoch_s.astype(np.float64)[order],
            slots=slots.astype(np.int8)[order],
            weights=weights.astype(np.float64)[order],
            visits=visits.astype(np.bool_)[order],
            senders=senders.astype(np.int64)[order],
        )

    def subset(self, mask: NDArray[np.bool_]) -> EventArrays:
        """The events where ``mask`` is true (already sorted, users keep their indices)."""
        return EventArrays(
            user_ids=self.user_ids,
            users=self.users[mask],
            business_ids=self.business_ids[mask],
            epoch_s=self.epoch_s[mask],
            slots=self.slots[mask],
            weights=self.weights[mask],
            visits=self.visits[mask],
            senders=self.senders[mask],
        )

    @classmethod
    def from_events(
        cls, events: Iterable[Event], *, kind_weights: Mapping[str, float] = KIND_WEIGHTS
    ) -> EventArrays:
        """Columns from ``Event`` objects (about a second per million on one core)."""
        user_index: dict[str, int] = {}
        users: list[int] = []
        business_ids: list[int] = []
        times: list[float] = []
        slots: list[int] = []
        weights: list[float] = []
        visits: list[bool] = []
        senders: list[int] = []
        for event in events:
            users.append(user_index.setdefault(event.user_id, len(user_index)))
            business_ids.append(event.business_id)
            times.append(epoch_s(event.at))
            slots.append(slot_of(event.at))
            weights.append(kind_weights.get(event.kind, DEFAULT_KIND_WEIGHT))
            visits.append(event.kind in VISIT_KINDS)
            senders.append(event.sender)
        return cls.build(
            user_ids=np.array(list(user_index), dtype=np.str_),
            users=np.array(users, dtype=np.int64),
            business_ids=np.array(business_ids, dtype=np.int64),
            epoch_s=np.array(times, dtype=np.float64),
            slots=np.array(slots, dtype=np.int8),
            weights=np.array(weights, dtype=np.float64),
            visits=np.array(visits, dtype=np.bool_),
            senders=np.array(senders, dtype=np.int64),
        )

    def concat(self, other: EventArrays) -> EventArrays:
        """Both sets of events, users matched by id."""
        names = list(dict.fromkeys([*self.user_ids.tolist(), *other.user_ids.tolist()]))
        index = {name: i for i, name in enumerate(names)}
        remap = np.array([index[name] for name in other.user_ids.tolist()], dtype=np.int64)
        other_users = remap[other.users] if len(other) else other.users
        return EventArrays.build(
            user_ids=np.array(names, dtype=np.str_),
            users=np.concatenate([self.users, other_users]),
            business_ids=np.concatenate([self.business_ids, other.business_ids]),
            epoch_s=np.concatenate([self.epoch_s, other.epoch_s]),
            slots=np.concatenate([self.slots, other.slots]),
            weights=np.concatenate([self.weights, other.weights]),
            visits=np.concatenate([self.visits, other.visits]),
            senders=np.concatenate([self.senders, other.senders]),
        )
