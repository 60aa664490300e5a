"""Clock arithmetic for the ranking: instants, hours of the day and kinds of day.

Two readings of a ``datetime`` are used. For elapsed time (recency, gaps, trending
windows) the instant matters: aware datetimes are exact, naive ones are taken as UTC. For
habits (what someone does at 8 in the morning) the wall clock matters: the hour and the
weekday are read from the datetime as given, so pass datetimes in the place's own time
zone (the directory uses Asia/Jakarta).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

HOURS_PER_DAY = 24
SLOTS = 2 * HOURS_PER_DAY
"""Hour-of-week profile slots: 24 weekday hours, then 24 weekend hours."""


def epoch_s(at: datetime) -> float:
    """Seconds since the Unix epoch; a naive datetime is read as UTC.

    >>> epoch_s(datetime(1970, 1, 2))
    86400.0
    """
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.timestamp()


def hour_of_day(at: datetime) -> float:
    """Wall-clock hour with minutes as a fraction.

    >>> hour_of_day(datetime(2024, 5, 1, 7, 30))
    7.5
    """
    return at.hour + at.minute / 60.0 + at.second / 3600.0


def is_weekend(at: datetime) -> bool:
    """Saturday or Sunday on the wall clock."""
    return at.weekday() >= 5


def slot_of(at: datetime) -> int:
    """Hour-of-week slot: the hour of the day, plus 24 on weekends.

    >>> slot_of(datetime(2024, 5, 4, 9, 59))  # a Saturday
    33
    """
    return at.hour + (HOURS_PER_DAY if is_weekend(at) else 0)


def hour_kernel(delta_h: NDArray[np.float64], *, concentration: float) -> NDArray[np.float64]:
    """Circular (von Mises) similarity of hours of day, 1 at the same hour.

    The day wraps, so 23:00 and 01:00 are two hours apart. Larger concentrations make a
    narrower window; at 2 the weight halves about 3.3 hours away.

    >>> [round(float(x), 3) for x in hour_kernel(np.array([0.0, 3.0, 12.0]), concentration=2.0)]
    [1.0, 0.557, 0.018]
    """
    angle = delta_h * (2.0 * math.pi / HOURS_PER_DAY)
    result: NDArray[np.float64] = np.exp(concentration * (np.cos(angle) - 1.0))
    return result


def slot_kernel(at: datetime, *, concentration: float, other_daytype: float) -> NDArray[np.float64]:
    """Weights over the 48 hour-of-week slots for a query at ``at``.

    Slots of the same kind of day get the hour kernel; slots of the other kind get it
    scaled by ``other_daytype``. The result sums to one.
    """
    hours = np.arange(HOURS_PER_DAY, dtype=np.float64) + 0.5
    near = hour_kernel(hours - hour_of_day(at), concentration=concentration)
    if is_weekend(at):
        weights = np.concatenate([near * other_daytype, near])
    else:
        weights = np.concatenate([near, near * other_daytype])
    total = float(weights.sum())
    result: NDArray[np.float64] = weights / total
    return result
