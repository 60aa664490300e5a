"""The relevance formula, in one place (``docs/search.md`` explains the choices).

    score = W_TEXT · text + W_DISTANCE · proximity + W_QUALITY · quality

* ``text`` ∈ [0, 1]: how well the words match (:func:`directory.search.text_match`); 0
  without a text query.
* ``proximity`` = HALF_DISTANCE_M / (HALF_DISTANCE_M + distance_m) ∈ (0, 1]: 1 at the
  reader, ½ at 1 km; 0 when no point is known.
* ``quality`` ∈ [0, 1]: the Bayesian average rating mapped from 1–5 to 0–1, so that a
  single 5★ review counts for less than forty 4.6★ ones.

Every term is bounded by 1, which is what lets the executor stop early: a business it has
not looked at yet cannot beat the bound built from where each sorted stream has got to.
The score depends only on the business and the query (never on corpus statistics that a
new listing would change), so cursors over ``(score, id)`` stay valid while data grows.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

W_TEXT = 1.0
W_DISTANCE = 0.6
W_QUALITY = 0.4
HALF_DISTANCE_M = 1000.0

PRIOR_MEAN = 3.5
"""Rating a business is assumed to have before its first review (neutral-positive)."""
PRIOR_WEIGHT = 5.0
"""How many reviews the prior counts for."""

QUALITY_STEPS = 1_000_000
"""Quality is stored quantised to these steps so that index order and score agree."""


def bayesian_rating(rating_sum: float, rating_count: int) -> float:
    """Mean rating shrunk toward the prior; a few reviews move it only a little.

    >>> round(bayesian_rating(5.0, 1), 3)
    3.75
    >>> round(bayesian_rating(184.0, 40), 3)
    4.478
    """
    return (rating_sum + PRIOR_WEIGHT * PRIOR_MEAN) / (rating_count + PRIOR_WEIGHT)


def quality_key(rating_sum: float, rating_count: int) -> int:
    """The quantised quality in [0, QUALITY_STEPS] that indexes store and order by."""
    bayes = bayesian_rating(rating_sum, max(0, rating_count))
    unit = min(1.0, max(0.0, (bayes - 1.0) / 4.0))
    return round(unit * QUALITY_STEPS)


def quality_from_key(key: int) -> float:
    """The quality term of the score for a stored key.

    >>> quality_from_key(QUALITY_STEPS)
    1.0
    """
    return key / QUALITY_STEPS


def proximity(distance_m: float) -> float:
    """Closeness in (0, 1]: 1 at the reader, ½ at HALF_DISTANCE_M.

    >>> proximity(0.0), proximity(1000.0)
    (1.0, 0.5)
    """
    return HALF_DISTANCE_M / (HALF_DISTANCE_M + max(0.0, distance_m))


def proximity_array(distances_m: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """:func:`proximity` of many distances at once."""
    return HALF_DISTANCE_M / (HALF_DISTANCE_M + np.maximum(0.0, distances_m))


def relevance(*, text: float | None, distance_m: float | None, quality: float) -> float:
    """The score results are ordered by when ``sort=relevance`` (higher first)."""
    score = W_QUALITY * quality
    if text is not None:
        score += W_TEXT * text
    if distance_m is not None:
        score += W_DISTANCE * proximity(distance_m)
    return score


def relevance_bound(*, text: float | None, quality: float, distance_m: float | None) -> float:
    """Highest score any business can reach with a text score ≤ ``text`` (None: no text in
    the query), quality ≤ ``quality`` and distance ≥ ``distance_m`` (None: no point)."""
    return relevance(text=text, distance_m=distance_m, quality=quality)
