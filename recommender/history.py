"""One reader's past: ``UserHistory`` and the helper that builds it from their events.

The history is what makes a list personal: the places the reader returns to (and at what
hours), their favourite categories, and where they were last. It is built once per
request from that reader's interactions; the ranking reads it as numpy columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from recommender.events import Event, FloatArray, IntArray
from recommender.timeofday import epoch_s, hour_of_day, is_weekend
from recommender.weights import DEFAULT_KIND_WEIGHT, KIND_WEIGHTS, VISIT_KINDS

HistoryItem = tuple[int, datetime, str]
"""``(business_id, at, kind)``, the shape ``build_history`` takes."""


@dataclass(frozen=True, slots=True, eq=False)
class UserHistory:
    """A reader's interactions in time order, with the summaries the ranking needs.

    Columns are per event: ``business_ids``, ``epoch_s``, wall-clock ``hours``,
    ``weekend``, kind ``weights`` and ``visits`` (the reader was there). ``distinct_ids``
    are the places, sorted, and ``event_index`` maps each event to its place.
    ``visit_counts`` counts visits per place, ``category_counts`` kind-weighted interactions
    per primary category (when the builder was told the categories; ``place_categories``
    keeps that category per place), and ``last_business_id``/``last_at`` give the most
    recent visit: "where the reader is". These summaries cover every event given; the
    ranking recounts from the columns up to the query time, so that a query ``at`` a past
    moment never learns from what the reader did afterwards.
    """

    user_id: str | None
    business_ids: IntArray
    epoch_s: FloatArray
    hours: FloatArray
    weekend: NDArray[np.bool_]
    weights: FloatArray
    visits: NDArray[np.bool_]
    distinct_ids: IntArray
    event_index: IntArray
    visit_counts: Mapping[int, int]
    category_counts: Mapping[str, float]
    place_categories: Mapping[int, str]
    last_business_id: int | None
    last_at: datetime | None

    def __len__(self) -> int:
        return int(self.business_ids.shape[0])


def build_history(
    items: Iterable[HistoryItem | Event],
    *,
    user_id: str | None = None,
    categories: Mapping[int, str] | None = None,
    kind_weights: Mapping[str, float] = KIND_WEIGHTS,
) -> UserHistory:
    """A ``UserHistory`` from ``(business_id, at, kind)`` tuples or ``Event`` objects.

    ``categories`` maps business ids to their primary category, for the favourite-category
    signal; places missing from it are simply not counted there.
    """
    rows: list[tuple[float, int, datetime, str]] = []
    for item in items:
        if isinstance(item, Event):
            business_id, at, kind = item.business_id, item.at, item.kind
        else:
            business_id, at, kind = item
        rows.append((epoch_s(at), int(business_id), at, kind))
    rows.sort(key=lambda row: row[0])  # stable: equal instants keep their given order

    business_ids = np.array([row[1] for row in rows], dtype=np.int64)
    visits = np.array([row[3] in VISIT_KINDS for row in rows], dtype=np.bool_)
    weights = np.array(
        [kind_weights.get(row[3], DEFAULT_KIND_WEIGHT) for row in rows], dtype=np.float64
    )
    distinct_ids, event_index = np.unique(business_ids, return_inverse=True)

    visit_counts: dict[int, int] = {}
    category_counts: dict[str, float] = {}
    place_categories: dict[int, str] = {}
    for (_, business_id, _, _), visited, weight in zip(rows, visits, weights, strict=True):
        if visited:
            visit_counts[business_id] = visit_counts.get(business_id, 0) + 1
        category = categories.get(business_id) if categories is not None else None
        if category is not None:
            category_counts[category] = category_counts.get(category, 0.0) + float(weight)
            place_categories[business_id] = category

    visit_rows = np.flatnonzero(visits)
    last = rows[int(visit_rows[-1])] if visit_rows.shape[0] else None
    return UserHistory(
        user_id=user_id,
        business_ids=business_ids,
        epoch_s=np.array([row[0] for row in rows], dtype=np.float64),
        hours=np.array([hour_of_day(row[2]) for row in rows], dtype=np.float64),
        weekend=np.array([is_weekend(row[2]) for row in rows], dtype=np.bool_),
        weights=weights,
        visits=visits,
        distinct_ids=distinct_ids.astype(np.int64),
        event_index=event_index.astype(np.int64).reshape(-1),
        visit_counts=MappingProxyType(visit_counts),
        category_counts=MappingProxyType(category_counts),
        place_categories=MappingProxyType(place_categories),
        last_business_id=None if last is None else last[1],
        last_at=None if last is None else last[2],
    )
