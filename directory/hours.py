"""Weekly opening hours: a small, documented subset of OpenStreetMap ``opening_hours``.

Owners and imports write hours as OSM text; we store them structured (a sorted tuple of
``(weekday, start_min, end_min)`` intervals) so that "open now" is a lookup, not a parse.

Accepted (anything else is rejected with :class:`OpeningHoursError` naming the piece):

- OpenStreetMap ``opening_hours`` as real data uses it: rules separated by ``;`` (later
  rules replace earlier ones for their days) or ``,`` before a day (an additional rule
  that adds ranges: ``We-Su 15:00-00:00, Mo 15:00-00:00``); ``24/7``; days ``Mo``..``Su``,
  ranges (also wrapping: ``Fr-Mo``) and lists; times ``HH:MM-HH:MM``, several per day;
  an end at or before the start runs overnight (``16:00-02:00``); ``off``/``closed``;
  ``PH``/``SH`` accepted and ignored (no holiday calendar: ``PH off`` changes nothing);
- the way Indonesians (and English speakers) type hours: day names ``Senin``..``Minggu``
  (``Sen``, ``Jum'at``, ``Ahad``), ``Monday``/``Mon``..; ``Setiap hari``/``Tiap hari``/
  ``Daily``, ``Weekdays``/``Hari kerja``, ``Weekend``/``Akhir pekan``; ranges with ``-``,
  ``–``, ``s/d``, ``sampai``, ``to``; lists with ``,``, ``&``, ``dan``, ``and``; times with
  dots or colons (``08.00``); ``24 jam``/``Buka 24 jam``/``Open 24 hours``;
  ``tutup``/``libur``; ``hari libur`` as ``PH``; filler words (``buka``, ``jam``,
  ``pukul``, ``WIB``) and ``:`` after a day are ignored; rules may follow each other
  without a separator and the days may come after the times (``08.00-17.00 Senin-Jumat``).

Not supported: months, dates, weeks, ``sunrise``, comments, ``+`` open ends, ``kecuali``
(except) and times past ``24:00``. Texts longer than :data:`MAX_TEXT_LEN` are refused.
Times have minute resolution and intervals are
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
from zoneinfo import ZoneInfo

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
    (?P<ws>\s+|[:.()\[\]"])
    |(?P<holiday>(?:hari\s+libur|libur|tanggal\s+merah)\s+nasional|hari\s+libur|tanggal\s+merah)
    |(?P<always>24\s*/\s*7)
    |(?P<allday>24\s*(?:jam|hours?|hrs?)(?![^\W\d_]))
    |(?P<until>s\.?\s*/\s*d\.?|s\.d\.?(?![^\W\d_]))
    |(?P<time>\d{1,2}[:.]\d\d)(?![\d:.]\d)
    |(?P<badtime>\d[\d:.]*)
    |(?P<word>[^\W\d_]+(?:['’`][^\W\d_]+)?)
    |(?P<punct>[-–—~,;|&/])
    """,
    re.VERBOSE | re.IGNORECASE,
)
_PH: Final = -1
_OFF: Final = -2
_FILLER: Final = -3
_UNTIL: Final = -4
_ALL_DAYS: Final = tuple(range(7))
_WEEKDAYS: Final = (0, 1, 2, 3, 4)
_WEEKEND: Final = (5, 6)
_DAY_WORDS: Final = {
    0: ("mo", "mon", "monday", "senin", "sen", "snn"),
    1: ("tu", "tue", "tues", "tuesday", "selasa", "sel", "sls"),
    2: ("we", "wed", "wednesday", "rabu", "rab", "rb"),
    3: ("th", "thu", "thur", "thurs", "thursday", "kamis", "kam", "kms"),
    4: ("fr", "fri", "friday", "jumat", "jum", "jmt"),
    5: ("sa", "sat", "saturday", "sabtu", "sab", "sbt"),
    6: ("su", "sun", "sunday", "minggu", "min", "mgg", "ahad"),
}
_WORDS: Final[dict[str, int]] = {w: d for d, words in _DAY_WORDS.items() for w in words} | {
    "ph": _PH,
    "sh": _PH,  # school holidays: no calendar either, accepted and ignored like PH
    "off": _OFF,
    "closed": _OFF,
    "close": _OFF,
    "tutup": _OFF,
    "libur": _OFF,
    "to": _UNTIL,
    "until": _UNTIL,
    "till": _UNTIL,
    "sampai": _UNTIL,
    "hingga": _UNTIL,
    "sd": _UNTIL,
}
# Words naming several days at once ("Setiap hari", "Weekdays", "hari kerja").
_GROUP_WORDS: Final[dict[str, tuple[int, ...]]] = {
    "setiap": _ALL_DAYS,
    "tiap": _ALL_DAYS,
    "daily": _ALL_DAYS,
    "everyday": _ALL_DAYS,
    "every": _ALL_DAYS,
    "weekdays": _WEEKDAYS,
    "weekday": _WEEKDAYS,
    "kerja": _WEEKDAYS,
    "weekend": _WEEKEND,
    "weekends": _WEEKEND,
    "pekan": _WEEKEND,
}
# Words that carry no schedule: "Buka 08.00-17.00 WIB", "Jam buka", "pukul", "hari".
_FILLER_WORDS: Final = frozenset(
    {"buka", "open", "opening", "jam", "pukul", "pkl", "wib", "wita", "wit", "hari", "day",
     "days", "akhir", "from", "dari", "mulai", "hours", "hrs"}
)  # fmt: skip

# A token: (kind, value, position). Kinds: "day" (value = weekday or _PH), "group" (value
# = index into _GROUPS), "off", "time" (value = minutes), "always" (24/7), "allday"
# ("24 jam": a 00:00-24:00 range), "-", ",", ";", "end".
_Token = tuple[str, int, int]
_GROUPS: Final = (_ALL_DAYS, _WEEKDAYS, _WEEKEND)


def _fold_word(word: str) -> str:
    return re.sub(r"['’`]", "", word).casefold()


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
            _word(tokens, value, pos)
        elif kind == "badtime":
            raise OpeningHoursError(
                f"invalid time {value!r}, expected HH:MM or HH.MM", position=pos
            )
        elif kind == "holiday":
            tokens.append(("day", _PH, pos))
        elif kind in ("always", "allday"):
            tokens.append((kind, 0, pos))
        elif kind == "until":
            tokens.append(("-", 0, pos))
        elif kind == "punct":
            tokens.append((_PUNCT[value], 0, pos))
        pos = m.end()
    tokens.append(("end", 0, n))
    return tokens


_PUNCT: Final = {"-": "-", "–": "-", "—": "-", "~": "-", ",": ",", "&": ",", "/": ",",
                 ";": ";", "|": ";"}  # fmt: skip


def _word(tokens: list[_Token], value: str, pos: int) -> None:
    key = _fold_word(value)
    group = _GROUP_WORDS.get(key)
    if group is not None:
        tokens.append(("group", _GROUPS.index(group), pos))
        return
    if key in _FILLER_WORDS:
        return
    if key in ("dan", "and"):
        tokens.append((",", 0, pos))
        return
    code = _WORDS.get(key)
    if code is None:
        raise OpeningHoursError(
            f"unknown word {value!r} (expected days like Mo-Fr or Senin-Jumat, 'Setiap "
            "hari', times like 08:00-17:00 or 08.00-17.00, '24 jam', '24/7', 'off' or "
            "'tutup')",
            position=pos,
        )
    if code == _OFF:
        tokens.append(("off", 0, pos))
    elif code == _UNTIL:
        tokens.append(("-", 0, pos))
    else:
        tokens.append(("day", code, pos))


_RULE_START: Final = frozenset({"day", "group", "always", "allday", "time", "off"})


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
        """Each day's own ranges ``(start, end)``; ``end > 1440`` spills into the next day.

        Rules after ``;`` (or simply written one after another) replace earlier ones for
        the days they name; a rule after ``,`` (an OSM "additional rule") adds its ranges.
        """
        own: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        saw_rule = False
        additive = False
        while True:
            if self.peek()[0] not in (";", ",", "end"):
                days, ranges = self.rule()
                saw_rule = True
                for day in days:
                    own[day] = own[day] + ranges if additive and ranges else ranges
            kind, _, pos = self.peek()
            if kind == "end":
                break
            if kind in (";", ","):
                additive = kind == "," and saw_rule
                self.i += 1
            elif kind in _RULE_START:
                additive = False  # "Senin-Jumat 08.00-17.00 Sabtu 08.00-12.00"
            else:
                raise OpeningHoursError("expected ';' between rules", position=pos)
        if not saw_rule:
            raise OpeningHoursError("no opening hours given", position=0)
        return own

    def rule(self) -> tuple[list[int], list[tuple[int, int]]]:
        kind, _, pos = self.peek()
        if kind == "always":
            self.i += 1
            if self.peek()[0] not in (";", ",", "end"):
                raise OpeningHoursError("'24/7' must be a rule of its own", position=self.peek()[2])
            return list(range(7)), [(0, MINUTES_PER_DAY)]
        if kind in ("day", "group"):
            days = self.days()
            kind, _, pos = self.peek()
            if kind not in ("time", "off", "allday"):
                raise OpeningHoursError(
                    "expected a time range like 08:00-17:00, '24 jam' or 'off' after the days",
                    position=pos,
                )
        else:
            days = list(range(7))
        if kind == "off":
            self.i += 1
            return days, []
        if kind in ("time", "allday"):
            ranges = self.times()
            if days == list(range(7)) and self.peek()[0] in ("day", "group"):
                days = self.days()  # days written after the times: "08.00-17.00 Senin-Jumat"
            return days, ranges
        raise OpeningHoursError(
            "expected days (Mo-Su, Senin-Minggu), a time range like 08:00-17:00, 'off' or '24/7'",
            position=pos,
        )

    def days(self) -> list[int]:
        selected: list[int] = []
        while True:
            kind, first, pos = self.peek()
            if kind == "group":
                self.i += 1
                selected.extend(_GROUPS[first])
            else:
                _, first, pos = self.take("day", "a day (Mo..Su, Senin..Minggu or PH)")
                if self.peek()[0] == "-":
                    if first == _PH:
                        raise OpeningHoursError("'PH' cannot start a day range", position=pos)
                    self.i += 1
                    _, last, last_pos = self.take("day", "a day after '-'")
                    if last == _PH:
                        raise OpeningHoursError("'PH' cannot end a day range", position=last_pos)
                    if last == first:
                        raise OpeningHoursError(
                            "a day range needs two different days", position=pos
                        )
                    span = (last - first) % 7
                    selected.extend((first + k) % 7 for k in range(span + 1))
                elif first != _PH:
                    selected.append(first)
            if self.peek()[0] == "," and self.tokens[self.i + 1][0] in ("day", "group"):
                self.i += 1
            elif self.peek()[0] not in ("day", "group"):
                return list(dict.fromkeys(selected))

    def times(self) -> list[tuple[int, int]]:
        ranges: list[tuple[int, int]] = []
        while True:
            if self.peek()[0] == "allday":
                self.i += 1
                ranges.append((0, MINUTES_PER_DAY))
            else:
                ranges.append(self.time_range())
            if self.peek()[0] != ",":
                return ranges
            following = self.tokens[self.i + 1][0]
            if following in ("day", "group", "always", "off"):
                return ranges  # "…, Mo 15:00-00:00": an additional rule, not another range
            self.i += 1
            if self.peek()[0] not in ("time", "allday"):
                raise OpeningHoursError("expected a time range after ','", position=self.peek()[2])

    def time_range(self) -> tuple[int, int]:
        _, start, pos = self.take("time", "a time like 08:00")
        self.take("-", "'-' between opening and closing time")
        _, end, end_pos = self.take("time", "a closing time like 17:00")
        if start == MINUTES_PER_DAY:
            raise OpeningHoursError("a time range cannot start at 24:00", position=pos)
        if end == start:
            raise OpeningHoursError("empty time range (use 00:00-24:00 for all day)", position=pos)
        if end < start:  # overnight: the part after midnight belongs to the next day
            end += MINUTES_PER_DAY
        return start, end


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


def hours_from_picker(opens: Sequence[str], closes: Sequence[str]) -> str:
    """Hours text from a form's per-day picker: ``opens[i]``/``closes[i]`` for Mo..Su
    (``"08:00"`` or empty). Days left empty are closed; all empty gives ``""`` (no hours
    given). A day with only one of the two times is kept as written (``Tu 08:00-``), so the
    parser's error names it."""
    rules: list[str] = []
    for day, code in enumerate(DAY_CODES):
        start = opens[day].strip() if day < len(opens) else ""
        end = closes[day].strip() if day < len(closes) else ""
        if start or end:
            rules.append(f"{code} {start}-{end}")
    if not rules:
        return ""
    # Later rules override earlier ones, so the closed days come first.
    return "; ".join(["Mo-Su off", *rules])


def local_now(timezone: str) -> datetime:
    """Wall-clock time in the city, which is what opening hours are written in."""
    return datetime.now(ZoneInfo(timezone))
