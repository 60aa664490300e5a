"""The small pure functions the ranking formula is built from.

Each maps a raw quantity (metres, stars, counts, shares) to a bounded value, works on
numpy arrays element-wise, and is monotone in the direction its docstring says; the
ranking's invariants (closer never scores lower, more good reviews never score lower)
rest on those directions.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def distance_decay(distance_m: FloatArray, *, half_life_m: float | FloatArray) -> FloatArray:
    """``half-life / (half-life + distance)``: 1 at the reader, ½ at one half-life, then a
    long tail (⅓ at two, ⅒ at nine); decreasing.

    The tail is the point: how far people travel falls off like a power of the distance
    (the gravity model), not exponentially, so a place 5 km away is worth less than one
    next door but still far more than nothing.

    >>> distance_decay(np.array([0.0, 1500.0, 3000.0]), half_life_m=1500.0).round(3).tolist()
    [1.0, 0.5, 0.333]
    """
    result: FloatArray = half_life_m / (half_life_m + distance_m)
    return result


def half_life_decay(elapsed: FloatArray, *, half_life: float) -> FloatArray:
    """``2^(−elapsed / half-life)`` for elapsed times (any unit, the same as half-life).

    >>> half_life_decay(np.array([0.0, 2.0]), half_life=2.0).tolist()
    [1.0, 0.5]
    """
    result: FloatArray = np.exp2(-np.maximum(elapsed, 0.0) / half_life)
    return result


def bayesian_rating(
    mean: FloatArray, count: FloatArray, *, prior_mean: float, prior_weight: float
) -> FloatArray:
    """Mean rating shrunk toward the prior by ``prior_weight`` pseudo-reviews.

    Increasing in the count when the mean is above the prior, and always increasing when
    a review of at least the current shrunk value is added. A count of 0 gives the prior.

    >>> bayesian_rating(np.array([5.0, 4.6]), np.array([1.0, 40.0]), prior_mean=3.5,
    ...                 prior_weight=5.0).round(3).tolist()
    [3.75, 4.478]
    """
    result: FloatArray = (mean * count + prior_mean * prior_weight) / (count + prior_weight)
    return result


def saturating_log(count: FloatArray, *, saturation: float) -> FloatArray:
    """``log(1 + count) / log(1 + saturation)`` capped at 1: increasing, then flat.

    >>> saturating_log(np.array([0.0, 9.0, 99.0, 1e6]), saturation=99.0).round(2).tolist()
    [0.0, 0.5, 1.0, 1.0]
    """
    result: FloatArray = np.minimum(1.0, np.log1p(count) / np.log1p(saturation))
    return result


def log_share(share: FloatArray, *, floor: float) -> FloatArray:
    """A share in [0, 1] on a log scale in [0, 1]: 0 at 0, 1 at 1, increasing.

    Shares far below ``floor`` count for almost nothing, and above it each doubling adds
    about the same amount, which is how evidence from counts behaves.

    >>> log_share(np.array([0.0, 0.01, 1.0]), floor=0.01).round(3).tolist()
    [0.0, 0.15, 1.0]
    """
    result: FloatArray = np.log1p(share / floor) / np.log1p(1.0 / floor)
    return result


def log_lift(lift: FloatArray, *, max_lift: float) -> FloatArray:
    """``log(lift) / log(max_lift)`` clipped to [−1, 1]: 0 for "as usual", increasing.

    >>> log_lift(np.array([0.25, 1.0, 2.0, 16.0]), max_lift=4.0).tolist()
    [-1.0, 0.0, 0.5, 1.0]
    """
    result: FloatArray = np.clip(np.log(lift) / np.log(max_lift), -1.0, 1.0)
    return result
