"""The default mix of a general list: what readers go out for, at this time of day.

Without a query or an asked category, a list near a point should look like what readers
choose there: food, coffee, shopping and leisure, not police stations and pesantren. A
``MixProfile`` says, per *family* (top-level group of the taxonomy, carried by
``Candidate.family``):

* ``family_share`` — how often readers pick each family (learned from the site's
  interactions by the caller, smoothed toward a shipped prior; see ``learned_shares``);
* ``daypart`` — multipliers by part of the day, per family or per category (breakfast
  places in the morning, coffee in the afternoon, dinner at night);
* ``restricted`` — families that are errands, not outings (public services, places of
  worship, schools, banks, transport): in a general list they take a penalty unless the
  reader's own history includes that family.

On a place page (``anchor_family`` set) the same signal favours the place's own family
and its complements (``complements``), so "also nearby" lists similar places.

The library ships no taxonomy: the directory builds the profile from its categories.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Final

import numpy as np

from recommender.candidates import Candidate, Context
from recommender.events import FloatArray

DAYPARTS: Final = ("morning", "midday", "afternoon", "evening", "night")
"""Parts of the day on the wall clock: 05–10, 10–14, 14–17, 17–23, 23–05."""


def daypart_of(at: datetime) -> int:
    """Index in ``DAYPARTS`` of the wall-clock hour of ``at``."""
    hour = at.hour + at.minute / 60.0
    if 5 <= hour < 10:
        return 0
    if 10 <= hour < 14:
        return 1
    if 14 <= hour < 17:
        return 2
    if 17 <= hour < 23:
        return 3
    return 4


@dataclass(frozen=True, slots=True)
class MixProfile:
    """Family shares, time-of-day multipliers and restricted families (module docstring)."""

    family_share: Mapping[str, float]
    daypart: Mapping[str, tuple[float, float, float, float, float]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    restricted: frozenset[str] = frozenset()
    complements: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        for name, share in self.family_share.items():
            if not (share >= 0.0 and np.isfinite(share)):
                raise ValueError(f"family_share[{name!r}] must be finite and ≥ 0")
        for name, parts in self.daypart.items():
            if len(parts) != len(DAYPARTS) or min(parts) < 0:
                raise ValueError(f"daypart[{name!r}] needs {len(DAYPARTS)} values ≥ 0")


def learned_shares(
    prior: Mapping[str, float], activity: Mapping[str, float], *, prior_weight: float
) -> dict[str, float]:
    """Family shares from the site's activity, smoothed toward ``prior``.

    ``share(f) = (prior_weight × prior(f) + activity(f)) / (prior_weight + Σ activity)``,
    with ``prior`` normalised to sum to 1: a new site reads the shipped prior, a busy one
    what its readers actually pick. ``activity`` should already count distinct visitors
    (``InteractionModel.activity``), so one account cannot move it much.
    """
    total_prior = sum(prior.values()) or 1.0
    total = sum(max(0.0, a) for a in activity.values())
    families = set(prior) | set(activity)
    return {
        f: (prior_weight * prior.get(f, 0.0) / total_prior + max(0.0, activity.get(f, 0.0)))
        / (prior_weight + total)
        for f in sorted(families)
    }


def mix_signals(
    pool: Sequence[Candidate],
    context: Context,
    mix: MixProfile,
    *,
    own_families: Iterable[str],
    anchor_family: str | None,
) -> tuple[FloatArray, FloatArray]:
    """Per candidate: the family affinity in [0, 1] and the restricted-family flag (0/1).

    A general list (no text, no asked category) scores each place by its family's share
    times the daypart multiplier of its category (or family), relative to the best
    family, and flags restricted families the reader has no history with. Around a place
    (``anchor_family``), the same family scores 1, complements ½, others 0, and nothing
    is flagged unless it is restricted and of another family.
    """
    n = len(pool)
    affinity = np.zeros(n)
    restricted = np.zeros(n)
    if context.text or context.category or n == 0:
        return affinity, restricted
    own = frozenset(own_families)
    part = daypart_of(context.at)
    if anchor_family is not None:
        complements = mix.complements.get(anchor_family, frozenset())
        for i, c in enumerate(pool):
            if c.family == anchor_family:
                affinity[i] = 1.0
            elif c.family in complements:
                affinity[i] = 0.5
            if c.family in mix.restricted and c.family != anchor_family and c.family not in own:
                restricted[i] = 1.0
        return affinity, restricted
    values: dict[tuple[str, str], float] = {}
    for i, c in enumerate(pool):
        key = (c.family, c.category)
        value = values.get(key)
        if value is None:
            parts = mix.daypart.get(c.category) or mix.daypart.get(c.family)
            value = mix.family_share.get(c.family, 0.0) * (parts[part] if parts else 1.0)
            values[key] = value
        affinity[i] = value
        if c.family in mix.restricted and c.family not in own:
            restricted[i] = 1.0
    top = float(affinity.max())
    if top > 0:
        affinity /= top
    return affinity, restricted
