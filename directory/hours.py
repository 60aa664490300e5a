"""Weekly opening hours: a small, documented subset of OpenStreetMap ``opening_hours``.

Owners and imports write hours as OSM text; we store them structured (a sorted tuple of
``(weekday, start_min, end_min)`` intervals) so that "open now" is a lookup, not a parse.

Supported syntax (anything else is rejected with :class:`OpeningHoursError`):

- rules separated by ``;`` (empty rules, e.g. a trailing ``;``, are ignored);
- a rule is ``[days] times``, ``[days] off`` (``closed`` is a synonym) or ``24/7``;
- days: ``Mo Tu We Th Fr Sa Su``, ranges ``Mo-Fr``, wrap-around ranges ``Fr-Mo``
  (Fr, Sa, Su, Mo), lists and mixes ``Mo,We,Fr`` / ``Mo-We,Fr``; a rule without days
  applies to every day;
- times: ``HH:MM-HH:MM`` (one-digit hours are accepted), lists
  ``08:00-12:00,13:00-17:00``; the end may be ``24:00``; an end at or before the start
  is an overnight range (``18:00-02:00``) whose part after midnight belongs to the next
  day (``18:00-00:00`` means until midnight);
- later rules replace earlier ones for the days they name (OSM semantics), but an
  overnight range keeps its spill-over: ``Sa 09:00-02:00; Su off`` is open on Sunday
  until 02:00;
- ``PH`` (public holidays) may appear in a day selector; it is accepted and ignored, so
  ``Sa,PH 10:00-14:00`` means Saturday and ``PH off`` changes nothing (we keep no
  holiday calendar);
- day names, ``PH``, ``off`` and ``closed`` are case-insensitive; whitespace is free.

Not supported: months, dates, weeks, ``SH``, ``sunrise``, comments, ``+`` open ends,
additional rules separated by ``,``, ``HH.MM`` times and times past ``24:00``. Texts longer
than :data:`MAX_TEXT_LEN` are refused. Times have minute resolution and intervals are
half-open: a place open ``08:00-17:00`` is closed at 17:00.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Final

MINUTES_PER_DAY: Final = 1440
MINUTES_PER_WEEK: Final = 7 * MINUTES_PER_DAY
MAX_TEXT_LEN: Final = 1000
DAY_CODES: Final = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
SCHEMA_ORG_DAYS: Final = tuple(
    f"https://schema.org/{d}"
    for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
)
_DAY_NAMES: Final = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_CLOSED_TEXT: Final = {"id": "Tutup", "en": "Closed"}
_ALL_DAY_TEXT: Final = {"id": "Buka 24 jam", "en": "Open 24 hours"}
_TIME_SEP: Final = {"id": ".", "en": ":"}

Interval = tuple[int, int, int]


class OpeningHoursError(ValueError):
    """Opening hours that are not in the supported syntax or not a valid schedule.

    ``position`` is the 0-based character offset in the text at fault (None when the
    error is not about a place in a text, e.g. bad JSON).
    """

    def __init__(self, message: str, *, position: int | None = None) -> None:
        self.message = message
        self.position = position
        where = "" if position is None else f" at position {position}"
        super().__init__(f"{message}{where}")


def _canonical(intervals: Iterable[Any]) -> tuple[Interval, ...]:
    """Validate intervals, then sort and merge the ones that overlap or touch."""
    checked: list[Interval] = []
    for item in intervals:
        if not isinstance(item, (tuple, list)) or len(item) != 3:
            raise OpeningHoursError(f"an interval must be [weekday, start_min, end_min]: {item!r}")
        day, start, end = item
        if not all(type(v) is int for v in item):
            raise OpeningHoursError(f"interval values must be integers: {item!r}")
        if not (0 <= day <= 6 and 0 <= start < end <= MINUTES_PER_DAY):
            raise OpeningHoursError(
                f"interval out of range (0 <= weekday <= 6, 0 <= start < end <= 1440): {item!r}"
            )
        checked.append((day, start, end))
    checked.sort()
    merged: list[Interval] = []
    for day, start, end in checked:
        if merged and merged[-1][0] == day and start <= merged[-1][2]:
            last = merged[-1]
            merged[-1] = (day, last[1], max(last[2], end))
        else:
            merged.append((day, start, end))
    return tuple(merged)


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """A weekly schedule: ``(weekday 0=Mo..6=Su, start_min, end_min)`` intervals.

    Always canonical (sorted, merged, each within one day), so equal schedules compare
    equal however they were written. An empty tuple means closed all week.
    """

    intervals: tuple[Interval, ...] = ()

    def __post_init__(self) -> None:
        canonical = _canonical(self.intervals)
        if canonical != self.intervals:
            object.__setattr__(self, "intervals", canonical)

    @property
    def always_open(self) -> bool:
        """True for ``24/7``."""
        return self.intervals == _ALWAYS

    @property
    def always_closed(self) -> bool:
        """True when no day has any opening time."""
        return not self.intervals


_ALWAYS: Final = tuple((d, 0, MINUTES_PER_DAY) for d in range(7))

# ----------------------------------------------------------------------------- parsing

_TOKEN_RE: Final = re.compile(
    r"""
    (?P<ws>\s+)
    |(?P<always>24/7)
    |(?P<time>\d{1,2}:\d\d)(?![\d:])
    |(?P<badtime>[\d:.]+)
    |(?P<word>[^\W\d_]+)
    |(?P<punct>[-,;])
    """,
    re.VERBOSE,
)
_WORDS: Final = {code.lower(): i for i, code in enumerate(DAY_CODES)} | {
    "ph": -1,
    "off": -2,
    "closed": -2,
}
_PH: Final = -1
_OFF: Final = -2

# A token: (kind, value, position). Kinds: "day" (value = weekday or _PH), "off", "time"
# (value = minutes), "always", "-", ",", ";", "end".
_Token = tuple[str, int, int]


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos, n = 0, len(text)
    while pos < n:
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            raise OpeningHoursError(f"unexpected character {text[pos]!r}", position=pos)
        kind, value = m.lastgroup, m.group()
        if kind == "time":
            hours, minutes = int(value[:-3]), int(value[-2:])
            if minutes > 59 or hours > 24 or (hours == 24 and minutes):
                raise OpeningHoursError(f"invalid time {value!r}", position=pos)
            tokens.append(("time", hours * 60 + minutes, pos))
        elif kind == "word":
            code = _WORDS.get(value.lower())
            if code is None:
                raise OpeningHoursError(
                    f"unknown word {value!r} (expected Mo..Su, PH, off or closed)",
                    position=pos,
                )
            tokens.append(("off", 0, pos) if code == _OFF else ("day", code, pos))
        elif kind == "badtime":
            raise OpeningHoursError(f"invalid time {value!r}, expected HH:MM", position=pos)
        elif kind == "always":
            tokens.append(("always", 0, pos))
        elif kind == "punct":
            tokens.append((value, 0, pos))
        pos = m.end()
    tokens.append(("end", 0, n))
    return tokens


class _Parser:
    """Recursive descent over the token list; builds each day's own time ranges."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self, kind: str, expected: str) -> _Token:
        tok = self.tokens[self.i]
        if tok[0] != kind:
            raise OpeningHoursError(f"expected {expected}", position=tok[2])
        self.i += 1
        return tok

    def schedule(self) -> list[list[tuple[int, int]]]:
        """Each day's own ranges ``(start, end)``; ``end > 1440`` spills into the next day."""
        own: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        saw_rule = False
        while True:
            if self.peek()[0] not in (";", "end"):
                days, ranges = self.rule()
                saw_rule = True
                for day in days:
                    own[day] = ranges
            kind, _, pos = self.peek()
            if kind == "end":
                break
            if kind != ";":
                raise OpeningHoursError("expected ';' between rules", position=pos)
            self.i += 1
        if not saw_rule:
            raise OpeningHoursError("no opening hours given", position=0)
        return own

    def rule(self) -> tuple[list[int], list[tuple[int, int]]]:
        kind, _, pos = self.peek()
        if kind == "always":
            self.i += 1
            if self.peek()[0] not in (";", "end"):
                raise OpeningHoursError("'24/7' must be a rule of its own", position=self.peek()[2])
            return list(range(7)), [(0, MINUTES_PER_DAY)]
        if kind == "day":
            days = self.days()
            kind, _, pos = self.peek()
            if kind not in ("time", "off"):
                raise OpeningHoursError(
                    "expected a time range like 08:00-17:00 or 'off' after the days", position=pos
                )
        else:
            days = list(range(7))
        if kind == "off":
            self.i += 1
            return days, []
        if kind == "time":
            return days, self.times()
        raise OpeningHoursError(
            "expected days (Mo-Su), a time range like 08:00-17:00, 'off' or '24/7'", position=pos
        )

    def days(self) -> list[int]:
        selected: list[int] = []
        while True:
            _, first, pos = self.take("day", "a day (Mo..Su or PH)")
            if self.peek()[0] == "-":
                if first == _PH:
                    raise OpeningHoursError("'PH' cannot start a day range", position=pos)
                self.i += 1
                _, last, last_pos = self.take("day", "a day after '-'")
                if last == _PH:
                    raise OpeningHoursError("'PH' cannot end a day range", position=last_pos)
                if last == first:
                    raise OpeningHoursError("a day range needs two different days", position=pos)
                span = (last - first) % 7
                selected.extend((first + k) % 7 for k in range(span + 1))
            elif first != _PH:
                selected.append(first)
            if self.peek()[0] != ",":
                return selected
            self.i += 1

    def times(self) -> list[tuple[int, int]]:
        ranges: list[tuple[int, int]] = []
        while True:
            _, start, pos = self.take("time", "a time like 08:00")
            self.take("-", "'-' between opening and closing time")
            _, end, end_pos = self.take("time", "a closing time like 17:00")
            if start == MINUTES_PER_DAY:
                raise OpeningHoursError("a time range cannot start at 24:00", position=pos)
            if end == start:
                raise OpeningHoursError(
                    "empty time range (use 00:00-24:00 for all day)", position=pos
                )
            if end < start:  # overnight: the part after midnight belongs to the next day
                end += MINUTES_PER_DAY
            ranges.append((start, end))
            if self.peek()[0] != ",":
                return ranges
            self.i += 1
            if self.peek()[0] != "time":
                raise OpeningHoursError("expected a time range after ','", position=self.peek()[2])


def _from_own(own: Sequence[Sequence[tuple[int, int]]]) -> OpeningHours:
    intervals: list[Interval] = []
    for day, ranges in enumerate(own):
        for start, end in ranges:
            if end <= MINUTES_PER_DAY:
                intervals.append((day, start, end))
            else:  # overnight: split at midnight
                intervals.append((day, start, MINUTES_PER_DAY))
                intervals.append(((day + 1) % 7, 0, end - MINUTES_PER_DAY))
    return OpeningHours(tuple(intervals))


@lru_cache(maxsize=8192)
def _parse_cached(text: str) -> OpeningHours:
    return _from_own(_Parser(_tokenize(text)).schedule())


def parse_opening_hours(text: str) -> OpeningHours:
    """Parse OSM-style hours text (see the module docstring); cached, imports repeat texts."""
    if not isinstance(text, str):
        raise OpeningHoursError(f"opening hours must be text, not {type(text).__name__}")
    if len(text) > MAX_TEXT_LEN:
        raise OpeningHoursError(
            f"opening hours text is longer than {MAX_TEXT_LEN} characters", position=MAX_TEXT_LEN
        )
    return _parse_cached(text)


# -------------------------------------------------------------------------- formatting


def _own_ranges(hours: OpeningHours) -> list[list[tuple[int, int]]]:
    """Each day's ranges with overnight pieces re-joined (end > 1440 means next day).

    A piece ending at 24:00 is joined with the next day's piece starting at 00:00 only
    when the result reads as overnight (closing time before opening time), so that the
    text parses back to exactly the same intervals.
    """
    by_day: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for day, start, end in hours.intervals:
        by_day[day].append((start, end))
    joins = [
        bool(today and tomorrow)
        and today[-1][1] == MINUTES_PER_DAY
        and tomorrow[0][0] == 0
        and tomorrow[0][1] < today[-1][0]
        for today, tomorrow in zip(by_day, by_day[1:] + by_day[:1], strict=True)
    ]
    own: list[list[tuple[int, int]]] = []
    for day in range(7):
        ranges = list(by_day[day])
        if joins[day - 1]:  # our first piece belongs to yesterday's overnight range
            ranges.pop(0)
        if joins[day]:
            start, _ = ranges[-1]
            ranges[-1] = (start, MINUTES_PER_DAY + by_day[(day + 1) % 7][0][1])
        own.append(ranges)
    return own


def _hhmm(minutes: int, sep: str = ":") -> str:
    if minutes > MINUTES_PER_DAY:
        minutes -= MINUTES_PER_DAY
    return f"{minutes // 60:02d}{sep}{minutes % 60:02d}"


def _day_selector(days: Sequence[int]) -> str:
    """``Mo-Fr`` for runs of three or more consecutive days, ``Sa,Su`` for shorter ones."""
    parts: list[str] = []
    run_start = prev = days[0]
    for day in [*days[1:], -10]:
        if day == prev + 1:
            prev = day
            continue
        if prev - run_start >= 2:
            parts.append(f"{DAY_CODES[run_start]}-{DAY_CODES[prev]}")
        else:
            parts.extend(DAY_CODES[d] for d in range(run_start, prev + 1))
        run_start = prev = day
    return ",".join(parts)


@lru_cache(maxsize=8192)
def format_opening_hours(hours: OpeningHours) -> str:
    """Canonical OSM text: ``24/7``, or one rule per distinct day schedule, closed days ``off``.

    ``parse_opening_hours(format_opening_hours(h)) == h`` for every ``h``.
    """
    if hours.always_open:
        return "24/7"
    groups: dict[str, list[int]] = {}
    for day, ranges in enumerate(_own_ranges(hours)):
        text = ",".join(f"{_hhmm(s)}-{_hhmm(e)}" for s, e in ranges) or "off"
        groups.setdefault(text, []).append(day)
    # Open days first (in weekday order), closed days last: "Sa 10:00-14:00; Mo-Fr,Su off".
    rules = sorted(groups.items(), key=lambda item: item[0] == "off")
    return "; ".join(f"{_day_selector(days)} {text}" for text, days in rules)


# ------------------------------------------------------------------------------- JSON


def to_json(hours: OpeningHours) -> list[list[int]]:
    """Intervals as JSON-ready ``[[weekday, start_min, end_min], ...]``."""
    return [list(interval) for interval in hours.intervals]


@lru_cache(maxsize=8192)
def _from_json_cached(key: tuple[tuple[Any, ...], ...]) -> OpeningHours:
    return OpeningHours(key)  # validated by __post_init__


def from_json(data: object) -> OpeningHours:
    """Rebuild hours from :func:`to_json` output, validating every value."""
    if not isinstance(data, (list, tuple)):
        raise OpeningHoursError("opening hours JSON must be a list of [weekday, start, end]")
    try:
        key = tuple(tuple(item) for item in data)
    except TypeError:
        raise OpeningHoursError("each interval must be a list [weekday, start, end]") from None
    try:
        return _from_json_cached(key)
    except TypeError:  # unhashable members: let the validator name them
        return OpeningHours(key)


# ------------------------------------------------------------------------------ queries


def _minute_of_week(at: datetime) -> int:
    return at.weekday() * MINUTES_PER_DAY + at.hour * 60 + at.minute


def _open_at_minute(hours: OpeningHours, day: int, minute: int) -> bool:
    intervals = hours.intervals
    i = bisect_right(intervals, (day, minute, MINUTES_PER_DAY + 1)) - 1
    if i < 0:
        return False
    iday, start, end = intervals[i]
    return iday == day and start <= minute < end


def is_open_at(hours: OpeningHours, at: datetime) -> bool:
    """Whether open at local wall-clock time ``at`` (its fields are read, never converted)."""
    return _open_at_minute(hours, at.weekday(), at.hour * 60 + at.minute)


def next_change(hours: OpeningHours, at: datetime) -> datetime | None:
    """The first minute after ``at`` when the open/closed state flips; None if it never does.

    The result keeps ``at``'s tzinfo; seconds are dropped (hours have minute resolution).
    """
    points: list[int] = []
    for day, start, end in hours.intervals:
        week_start, week_end = day * MINUTES_PER_DAY + start, day * MINUTES_PER_DAY + end
        before = (week_start - 1) % MINUTES_PER_WEEK
        if not _open_at_minute(hours, *divmod(before, MINUTES_PER_DAY)):
            points.append(week_start)
        after = week_end % MINUTES_PER_WEEK
        if not _open_at_minute(hours, *divmod(after, MINUTES_PER_DAY)):
            points.append(after)
    if not points:
        return None
    now = _minute_of_week(at)
    delta = min((p - now) % MINUTES_PER_WEEK or MINUTES_PER_WEEK for p in points)
    return at.replace(second=0, microsecond=0) + timedelta(minutes=delta)


def schema_org_specs(hours: OpeningHours) -> list[dict[str, Any]]:
    """schema.org ``openingHoursSpecification`` values, one per distinct time range.

    Conventions (schema.org): a range past midnight is one spec whose ``closes`` is
    earlier than ``opens`` (``09:00``-``02:00``, and ``18:00``-``00:00`` for "until
    midnight"); a whole day is ``00:00``-``23:59`` as Google asks (so a place that really
    closes at 23:59 reads as open all day: one minute off); closed days are left out.
    """
    groups: dict[tuple[str, str], list[int]] = {}
    for day, ranges in enumerate(_own_ranges(hours)):
        for start, end in ranges:
            all_day = (start, end) == (0, MINUTES_PER_DAY)
            closes = "23:59" if all_day else _hhmm(end % MINUTES_PER_DAY)
            groups.setdefault((_hhmm(start), closes), []).append(day)
    specs = sorted(groups.items(), key=lambda item: (item[1][0], item[0]))
    return [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [SCHEMA_ORG_DAYS[d] for d in days],
            "opens": opens,
            "closes": closes,
        }
        for (opens, closes), days in specs
    ]


def describe_week(hours: OpeningHours, lang: str = "id") -> list[tuple[str, str]]:
    """Monday-first ``(day name, "08.00–21.00")`` rows for pages, in ``id`` or ``en``.

    A day shows the ranges that start on it, so Saturday reads ``09.00–02.00`` and a
    Sunday with no own hours reads "Tutup" even though Saturday's range runs into it.
    """
    if lang not in _DAY_NAMES:
        raise ValueError(f"unsupported language {lang!r} (expected one of {sorted(_DAY_NAMES)})")
    sep = _TIME_SEP[lang]
    rows: list[tuple[str, str]] = []
    for name, ranges in zip(_DAY_NAMES[lang], _own_ranges(hours), strict=True):
        if not ranges:
            text = _CLOSED_TEXT[lang]
        elif ranges == [(0, MINUTES_PER_DAY)]:
            text = _ALL_DAY_TEXT[lang]
        else:
            text = ", ".join(f"{_hhmm(s, sep)}–{_hhmm(e, sep)}" for s, e in ranges)
        rows.append((name, text))
    return rows
