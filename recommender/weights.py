"""Every weight and constant of the ranking formula, in one documented place.

``docs/recommender.md`` explains the formula these plug into. A score is a sum of signal
contributions; most are ``weight × value`` with the value in ``[0, 1]``, so a weight reads
as "the most this signal can add". The defaults were chosen from the meaning of each
signal and then tuned, a few at a time, on the Foursquare NYC next-visit evaluation
(``benchmarks/eval_nextpoi_lib.py --split val``: each user's second-to-last visit, so the
reported last-visit figures stay untouched by tuning).

The directory builds its own instance from its settings (``dataclasses.replace``); the
recommender never reads the environment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Final

REACH_CLASSES: Final = ("walk", "local", "district", "city")
"""How far people travel for a category, from the taxonomy in ``data/categories.toml``."""

KIND_WEIGHTS: Final = MappingProxyType(
    {"visit": 1.0, "checkin": 1.0, "call": 0.8, "save": 0.6, "click": 0.3, "view": 0.1}
)
"""How much one interaction of each kind counts, relative to a visit.

A visit is the strongest evidence that someone goes to a place; calling comes close,
saving is an intention, a click or a view is mere curiosity. Unknown kinds count as a
view.
"""

DEFAULT_KIND_WEIGHT: Final = 0.1
VISIT_KINDS: Final = frozenset({"visit", "checkin"})
"""Kinds that mean the person was there (the "you visit often" reason counts these)."""


@dataclass(frozen=True, slots=True)
class RankingWeights:
    """Weights and constants of the ranking formula; see the module docstring."""

    # ----------------------------------------------------------------- distance
    distance: float = 1.0
    """Most the distance signal adds: ``distance × half_life / (half_life + distance_m)``."""
    half_life_walk_m: float = 400.0
    """Distance at which a "walk" place (warung, minimarket) keeps half its distance score."""
    half_life_local_m: float = 1_500.0
    """Half-life for "local" places (bengkel, apotek, salon): the neighbourhood."""
    half_life_district_m: float = 5_000.0
    """Half-life for "district" places (mall, cinema, hotel): across the kecamatan."""
    half_life_city_m: float = 15_000.0
    """Half-life for "city" places (hospital, campus): people cross the city for them."""

    # ------------------------------------------------------------------- rating
    rating: float = 1.0
    """Score per star of the shrunk rating above (or below) the prior mean, divided by 4."""
    rating_prior_mean: float = 3.5
    """Rating assumed before any review; the same neutral-positive prior that search uses."""
    rating_prior_weight: float = 5.0
    """How many reviews the prior counts for: one 5★ review moves 3.5 only to 3.75."""

    # --------------------------------------------------------------- popularity
    popularity: float = 0.3
    """Most the long-run popularity adds (reviews plus interactions, log scale)."""
    popularity_saturation: float = 1_000.0
    """Activity count (reviews + interactions) at which popularity reaches its maximum."""
    popular_now: float = 0.8
    """Weight of how much busier than usual a place is at this hour and kind of day."""
    popular_now_max_lift: float = 4.0
    """A place this many times busier than average at this hour gets the full weight."""
    popular_now_prior: float = 10.0
    """Pseudo-interactions that pull a quiet place's hourly profile toward the average."""
    trending: float = 0.5
    """Most that recent activity (the last ``trending_window_h`` hours) adds."""
    trending_window_h: float = 24.0
    """Window for trending activity: a day catches events without going stale."""
    trending_saturation: float = 20.0
    """Interactions in the window at which trending reaches its maximum."""
    trending_min_recent: int = 3
    """Distinct visits in the window before "busy lately" counts at all (fewer count as
    none): one person's visit yesterday is not a trend, and cannot be bought as one."""

    # ------------------------------------------------------ open now and match
    open_now: float = 0.3
    """Bonus for a place known to be open at the query time."""
    closed_penalty: float = 2.0
    """Penalty for a place known to be closed: it should rarely top a list."""
    text_match: float = 2.0
    """Score of a perfect text match (the caller's 0..1 score is multiplied by it)."""
    category_match: float = 1.0
    """Bonus when the place is in the category the reader asked for."""

    # ----------------------------------------------------------------- personal
    revisit: float = 3.0
    """Most the reader's own visits add (their time-weighted share of the reader's visits)."""
    revisit_share_floor: float = 0.002
    """Share of the reader's visits below which a place hardly counts as "theirs"."""
    revisit_recency_days: float = 30.0
    """Time constant of the recency weight of a past visit."""
    revisit_recency_floor: float = 0.2
    """Weight an old visit keeps however old it is (habits outlive a month)."""
    revisit_time_concentration: float = 4.0
    """von Mises concentration of the hour-of-day kernel (4: the weight halves ≈2.3 h away)."""
    revisit_time_prior: float = 1.0
    """Pseudo-interactions pulling the reader's profile at this hour toward their overall one.

    A reader with many interactions around the query hour is judged by what they do then;
    one with few (or none) falls back on their habits at any hour.
    """
    revisit_other_daytype: float = 0.6
    """Weight of a weekday visit for a weekend query and vice versa."""
    just_visited: float = 1.5
    """Penalty for a place visited moments ago: nobody wants to be sent where they are."""
    just_visited_half_life_h: float = 2.0
    """The just-visited penalty halves every this many hours."""
    favourite_category: float = 0.3
    """Most the reader's taste for the category adds (their share of visits in it)."""
    favourite_category_min_visits: int = 3
    """Visits in a category before it counts as a favourite."""
    co_visit: float = 1.0
    """Most that "people who go where you go also go here" adds."""
    co_visit_floor: float = 0.01
    """Co-visitation similarity below which the signal hardly counts."""
    next_place: float = 1.0
    """Most that "this is where people go next from where you are" adds."""
    next_place_floor: float = 0.02
    """Transition probability below which the signal hardly counts."""
    next_place_half_life_h: float = 6.0
    """The next-place signal halves for every this many hours since the last visit."""
    next_place_own_weight: float = 3.0
    """How many of everyone's transitions one of the reader's own transitions is worth."""
    recent_half_life_days: float = 7.0
    """``recent`` (fitted-only): the reader's last time at a place counts half after this."""
    own_area_half_life_m: float = 500.0
    """``own_area`` (fitted-only): closeness to the nearest of the reader's places halves
    at this distance."""
    distance_scale_factor: float = 4.0
    """``distance_short``/``distance_long`` (fitted-only): the distance decay at the
    half-life divided and multiplied by this factor."""

    # -------------------------------------------------------------- new listing
    new_listing: float = 0.3
    """Exposure boost weight for new listings; at most ``popularity`` (see below)."""
    new_listing_age_days: float = 90.0
    """Listings younger than this get the boost, fading linearly to nothing at this age."""
    new_listing_virtual_activity: float = 20.0
    """A new listing is treated as having at least this much activity (fading with age).

    The boost is ``new_listing × (pop(max(n, virtual × fade)) − pop(n))``: it is zero once a
    listing has this much real activity, it never decreases when reviews arrive (because
    ``new_listing ≤ popularity``), and ``rank`` caps it below every established listing that
    is nearer, better rated and scored at least as high without it.
    """

    # ------------------------------------------------------------- default mix
    family_mix: float = 1.5
    """Most the family's share of readers' choices adds to a general list (no query, no
    category): the family readers pick most at this time of day gets all of it."""
    restricted_penalty: float = 2.5
    """Penalty in a general list for errands (public services, worship, schools, banks,
    transport) unless the reader's own history includes that family."""

    # ------------------------------------------------------------ evidence
    popular_min_reviews: int = 20
    """Reviews a place needs before "populer" may be said of it (or the visitors below)."""
    popular_min_visitors: int = 20
    """Distinct visitors a place needs before "populer" may be said of it."""
    rating_reason_min_reviews: int = 5
    """Reviews before the rating becomes a reason ("4,6★ dari 12 ulasan"): as many as the
    prior counts for, so the shown figure is at least half evidence."""

    # ---------------------------------------------------------------- diversity
    diversity_max_per_category: int = 3
    """At most this many places of one category in the top ``diversity_window``."""
    diversity_window: int = 10
    """How many top positions the diversity rule covers."""
    diversity_max_per_family: int = 4
    """At most this many places of one family (top-level group) in the top
    ``diversity_window`` of a general list (no query, no category)."""

    # ------------------------------------------------------------------ reasons
    reason_min_contribution: float = 0.02
    """A signal counts as having fired, and gets a reason, when it adds at least this."""

    _half_lives: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for f in fields(self):
            if not f.init:
                continue
            value = getattr(self, f.name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{f.name} must be a finite number ≥ 0, got {value!r}")
        if self.new_listing > self.popularity:
            raise ValueError("new_listing must not exceed popularity (keeps scores monotone)")
        for name in (
            "popularity_saturation",
            "trending_saturation",
            "popular_now_max_lift",
            "distance_scale_factor",
        ):
            if getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be > 1")
        for name in ("revisit_share_floor", "co_visit_floor", "next_place_floor"):
            if not 0.0 < getattr(self, name) < 1.0:
                raise ValueError(f"{name} must lie strictly between 0 and 1")
        half_lives = (
            self.half_life_walk_m,
            self.half_life_local_m,
            self.half_life_district_m,
            self.half_life_city_m,
        )
        if min(half_lives) <= 0:
            raise ValueError("half-lives must be positive")
        object.__setattr__(self, "_half_lives", half_lives)

    def half_life_m(self, reach: str) -> float:
        """Distance half-life for a reach class ("walk", "local", "district", "city")."""
        return self._half_lives[REACH_CLASSES.index(reach)]


DEFAULT_WEIGHTS: Final = RankingWeights()
