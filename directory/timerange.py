"""The span of dates the service reasons about, and the check every datetime input gets.

Python datetimes stop at years 1 and 9999. A value near either end with a UTC offset
(``9999-12-31T23:59:59-23:59``, ``0001-01-01T00:00:00+14:00``) cannot be converted to
another zone without ``OverflowError``, and nothing in a city guide means the year 1 or
9999 anyway. Every datetime a client sends is checked here first, before any zone
arithmetic, and a value outside the span is a 422 naming the field.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from directory.errors import invalid

EARLIEST: Final = datetime(2000, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(2100, 1, 1, tzinfo=UTC)
_MARGIN: Final = timedelta(days=2)  # wider than any UTC offset (±26 h at most)
_REASON: Final = "must be between 2000-01-01 and 2100-01-01"


def out_of_range(value: datetime) -> str | None:
    """Why ``value`` is outside the span (naive values too), or None when it is inside."""
    wall = value.replace(tzinfo=None)
    earliest, latest = EARLIEST.replace(tzinfo=None), LATEST.replace(tzinfo=None)
    # Compare wall-clock time first: converting an extreme value could overflow.
    if not earliest - _MARGIN <= wall <= latest + _MARGIN:
        return _REASON
    if value.utcoffset() is not None:
        return None if EARLIEST <= value.astimezone(UTC) <= LATEST else _REASON
    return None if earliest <= wall <= latest else _REASON


def check_in_range(value: datetime, field: str, *, location: str = "query") -> datetime:
    """``value`` unchanged when inside the span, else a 422 naming ``field``."""
    reason = out_of_range(value)
    if reason is not None:
        raise invalid(field, reason, location=location)
    return value
