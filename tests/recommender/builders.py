"""Small deterministic builders for recommender tests: places, queries, histories, models.

Everything is plain library data (no database): a ``place`` is a ``Candidate`` with dull
defaults (an established, unrated, open-hours-unknown coffee shop 500 m away) so each
test states only the features it is about.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from recommender import (
    DEFAULT_WEIGHTS,
    Candidate,
    Context,
    Event,
    InteractionModel,
    Ranked,
    RankingWeights,
    UserHistory,
    build_history,
    rank,
)

NOW = datetime(2024, 5, 1, 10, 0)  # a Wednesday morning, wall clock (Asia/Jakarta)
LAT, LON = -6.3019, 106.6527  # BSD City

REACH_OF = {
    "kedai-kopi": "walk",
    "warung-makan": "walk",
    "minimarket": "walk",
    "apotek": "local",
    "bengkel": "local",
    "salon": "local",
    "bioskop": "district",
    "mal": "district",
    "rumah-sakit": "city",
    "kampus": "city",
}
"""Reach classes as the shipped taxonomy gives them (``data/categories.toml``)."""


def place(business_id: int, **overrides: Any) -> Candidate:
    """A candidate with dull defaults; ``category`` also sets the reach unless given."""
    category = overrides.get("category", "kedai-kopi")
    fields: dict[str, Any] = {
        "business_id": business_id,
        "lat": LAT,
        "lon": LON,
        "distance_m": 500.0,
        "category": category,
        "reach": REACH_OF.get(category, "local"),
        "age_days": 1_000.0,
    }
    fields.update(overrides)
    return Candidate(**fields)


def moved(candidate: Candidate, **changes: Any) -> Candidate:
    """The same candidate with some features changed."""
    return dataclasses.replace(candidate, **changes)


def query(**overrides: Any) -> Context:
    """A query at BSD City on a Wednesday morning, anonymous, nothing asked."""
    fields: dict[str, Any] = {"lat": LAT, "lon": LON, "at": NOW}
    fields.update(overrides)
    return Context(**fields)


def ranked_all(
    context: Context,
    candidates: Sequence[Candidate],
    *,
    history: UserHistory | None = None,
    model: InteractionModel | None = None,
    weights: RankingWeights = DEFAULT_WEIGHTS,
) -> list[Ranked]:
    """Every candidate ranked (the limit is the pool size)."""
    return rank(
        context,
        candidates,
        history=history,
        model=model,
        weights=weights,
        limit=max(1, len(candidates)),
    )


def score_of(business_id: int, results: Iterable[Ranked]) -> float:
    """The score of one business in a ranked list."""
    for r in results:
        if r.business_id == business_id:
            return r.score
    raise AssertionError(f"business {business_id} was not ranked")


def ids(results: Iterable[Ranked]) -> list[int]:
    """Business ids in ranked order."""
    return [r.business_id for r in results]


def visits(
    business_id: int, *, times: int, every: timedelta, until: datetime = NOW
) -> list[tuple[int, datetime, str]]:
    """``times`` visits to one place, the last one ``every`` before ``until``."""
    return [(business_id, until - every * (n + 1), "visit") for n in range(times)]


def history_of(
    items: Iterable[tuple[int, datetime, str]],
    *,
    categories: dict[int, str] | None = None,
) -> UserHistory:
    """A reader's history from ``(business_id, at, kind)`` tuples."""
    return build_history(items, user_id="reader", categories=categories)


def model_of(events: Iterable[Event]) -> InteractionModel:
    """An interaction model fitted on these events."""
    return InteractionModel.fit(list(events))
