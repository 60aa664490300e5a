from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.hours import (
    DAY_CODES,
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    OpeningHours,
    OpeningHoursError,
    describe_week,
    format_opening_hours,
    from_json,
    is_open_at,
    next_change,
    parse_opening_hours,
    schema_org_specs,
    to_json,
)

DAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EXAMPLE = "Mo-Fr 08:00-21:00; Sa 09:00-02:00; Su off"
# 2024-06-03 is a Monday.
MONDAY = datetime(2024, 6, 3)


def at(day: int, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return MONDAY + timedelta(days=day, hours=hours, minutes=minutes)


# ------------------------------------------------------------------ examples


def test_example_with_saturday_night_until_sunday() -> None:
    hours = parse_opening_hours(EXAMPLE)
    assert hours.intervals == (
        *((d, 480, 1260) for d in range(5)),
        (5, 540, 1440),
        (6, 0, 120),
    )
    assert format_opening_hours(hours) == EXAMPLE
    assert is_open_at(hours, at(5, "23:30"))
    assert is_open_at(hours, at(6, "01:59"))
    assert not is_open_at(hours, at(6, "02:00"))
    assert not is_open_at(hours, at(6, "12:00"))
    assert is_open_at(hours, at(0, "08:00"))
    assert not is_open_at(hours, at(0, "21:00"))


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("24/7", "24/7"),
        ("Mo-Su 00:00-24:00", "24/7"),
        ("24/7; Su off", "Mo-Sa 00:00-24:00; Su off"),
        ("08:00-17:00", "Mo-Su 08:00-17:00"),
        ("mo-fr 8:00-12:00 , 13:00-17:00 ;", "Mo-Fr 08:00-12:00,13:00-17:00; Sa,Su off"),
        ("Fr-Mo 10:00-22:00", "Mo,Fr-Su 10:00-22:00; Tu-Th off"),
        ("Mo,We,Fr 09:00-17:00", "Mo,We,Fr 09:00-17:00; Tu,Th,Sa,Su off"),
        ("Mo-We,Fr 09:00-17:00", "Mo-We,Fr 09:00-17:00; Th,Sa,Su off"),
        ("Mo-Fr 08:00-12:00,12:00-17:00", "Mo-Fr 08:00-17:00; Sa,Su off"),
        ("Mo-Fr 18:00-00:00", "Mo-Fr 18:00-24:00; Sa,Su off"),
        ("Su 22:00-03:00", "Su 22:00-03:00; Mo-Sa off"),
        ("Sa 20:00-24:00; Su 00:00-21:00", "Sa 20:00-24:00; Su 00:00-21:00; Mo-Fr off"),
        ("Mo-Su 10:00-22:00; Fr CLOSED", "Mo-Th,Sa,Su 10:00-22:00; Fr off"),
        ("Sa,PH 10:00-14:00", "Sa 10:00-14:00; Mo-Fr,Su off"),
        ("Mo-Fr 09:00-17:00; PH off", "Mo-Fr 09:00-17:00; Sa,Su off"),
        ("off", "Mo-Su off"),
        ("PH off", "Mo-Su off"),
    ],
)
def test_canonical_form(text: str, canonical: str) -> None:
    hours = parse_opening_hours(text)
    assert format_opening_hours(hours) == canonical
    assert parse_opening_hours(canonical) == hours


def test_later_rules_override_earlier_ones_for_the_days_they_name() -> None:
    hours = parse_opening_hours("Mo-Su 08:00-22:00; We 12:00-14:00; Su off")
    assert format_opening_hours(hours) == "Mo,Tu,Th-Sa 08:00-22:00; We 12:00-14:00; Su off"


def test_later_rule_keeps_the_spill_over_of_an_earlier_overnight_range() -> None:
    hours = parse_opening_hours("Fr 20:00-03:00; Sa 10:00-12:00")
    assert (5, 0, 180) in hours.intervals
    assert (5, 600, 720) in hours.intervals


def test_always_open() -> None:
    hours = parse_opening_hours("24/7")
    assert hours.always_open
    assert not parse_opening_hours("Mo-Sa 00:00-24:00").always_open
    assert next_change(hours, MONDAY) is None
    assert parse_opening_hours("off").always_closed


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("", 0, "no opening hours"),
        ("Mo-Fr", 5, "after the days"),
        ("Mo-Fr 08-17", 6, "HH:MM"),
        ("Senin 08:00-17:00 kecuali libur", 18, "unknown word 'kecuali'"),
        ("Mo-Fr 08:00-25:00", 12, "invalid time"),
        ("Mo 08:60-10:00", 3, "invalid time"),
        ("Mo 24:00-02:00", 3, "24:00"),
        ("Mo 08:00-08:00", 3, "empty"),
        ("Mo-Mo 08:00-09:00", 0, "two different days"),
        ("Mo-PH 08:00-09:00", 3, "PH"),
        ("PH-Mo 08:00-09:00", 0, "PH"),
        ("Mo 08:00-", 9, "closing time"),
        ("Mo 08:00-12:00,", 15, "after ','"),
        ("Mo-Fr 24/7", 6, "after the days"),
        ("24/7 Mo", 5, "own"),
        ("Jan-Mar 08:00-17:00", 0, "unknown word"),
        ("Mo 08:00+", 8, "unexpected character"),
        ("Mo-Fr 08:00-17:00; Sa", 21, "after the days"),
    ],
)
def test_rejects_with_position(text: str, position: int, fragment: str) -> None:
    with pytest.raises(OpeningHoursError) as info:
        parse_opening_hours(text)
    assert info.value.position == position
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_rejects_overlong_text_and_non_text() -> None:
    with pytest.raises(OpeningHoursError, match="longer than"):
        parse_opening_hours("; " * 600)
    with pytest.raises(OpeningHoursError, match="must be text"):
        parse_opening_hours(None)  # type: ignore[arg-type]


def test_json_round_trip_and_validation() -> None:
    hours = parse_opening_hours(EXAMPLE)
    data = to_json(hours)
    assert data[-1] == [6, 0, 120]
    assert from_json(data) == hours
    assert from_json([[0, 600, 700], [0, 480, 620]]) == OpeningHours(((0, 480, 700),))
    for bad in (
        "x",
        [[7, 0, 10]],
        [[0, 10, 10]],
        [[0, 0, 1441]],
        [[0, -1, 10]],
        [[0, 0]],
        [[0, 0, "10"]],
        [[0, 0, 1.5]],
        [[True, 0, 10]],
        [3],
        [[[0], 0, 10]],
        None,
    ):
        with pytest.raises(OpeningHoursError):
            from_json(bad)


def test_constructor_canonicalises() -> None:
    hours = OpeningHours(((1, 60, 120), (0, 0, 30), (1, 100, 200)))
    assert hours.intervals == ((0, 0, 30), (1, 60, 200))
    with pytest.raises(OpeningHoursError):
        OpeningHours(((0, 30, 10),))


def test_schema_org_specs_use_closes_before_opens_for_overnight() -> None:
    specs = schema_org_specs(parse_opening_hours(EXAMPLE))
    assert specs == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [
                "https://schema.org/Monday",
                "https://schema.org/Tuesday",
                "https://schema.org/Wednesday",
                "https://schema.org/Thursday",
                "https://schema.org/Friday",
            ],
            "opens": "08:00",
            "closes": "21:00",
        },
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": ["https://schema.org/Saturday"],
            "opens": "09:00",
            "closes": "02:00",
        },
    ]
    midnight = schema_org_specs(parse_opening_hours("Fr 18:00-24:00"))
    assert (midnight[0]["opens"], midnight[0]["closes"]) == ("18:00", "00:00")
    always = schema_org_specs(parse_opening_hours("24/7"))
    assert len(always) == 1
    assert (always[0]["opens"], always[0]["closes"]) == ("00:00", "23:59")
    assert len(always[0]["dayOfWeek"]) == 7


def test_describe_week() -> None:
    hours = parse_opening_hours(EXAMPLE + "; We 08:00-12:00,13:00-24:00")
    assert describe_week(hours) == [
        ("Senin", "08.00–21.00"),
        ("Selasa", "08.00–21.00"),
        ("Rabu", "08.00–12.00, 13.00–24.00"),
        ("Kamis", "08.00–21.00"),
        ("Jumat", "08.00–21.00"),
        ("Sabtu", "09.00–02.00"),
        ("Minggu", "Tutup"),
    ]
    english = describe_week(parse_opening_hours("Mo 00:00-24:00"), lang="en")
    assert english[0] == ("Monday", "Open 24 hours")
    assert english[1] == ("Tuesday", "Closed")
    with pytest.raises(ValueError, match="language"):
        describe_week(hours, lang="fr")


def test_next_change_examples() -> None:
    hours = parse_opening_hours(EXAMPLE)
    assert next_change(hours, at(0, "07:59")) == at(0, "08:00")
    assert next_change(hours, at(0, "08:00")) == at(0, "21:00")
    assert next_change(hours, at(5, "22:00")) == at(6, "02:00")
    assert next_change(hours, at(6, "03:00")) == at(7, "08:00")
    assert next_change(parse_opening_hours("off"), MONDAY) is None


def test_aware_datetimes_are_read_as_wall_clock() -> None:
    hours = parse_opening_hours("Mo 08:00-09:00")
    jakarta = datetime(2024, 6, 3, 8, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert is_open_at(hours, jakarta)
    change = next_change(hours, jakarta)
    assert change == datetime(2024, 6, 3, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


# ---------------------------------------------------------------- properties


@st.composite
def interval_lists(draw: st.DrawFn) -> list[tuple[int, int, int]]:
    items = []
    for _ in range(draw(st.integers(0, 12))):
        day = draw(st.integers(0, 6))
        # Favour the edges of the day, where overnight joins happen.
        start = draw(st.one_of(st.just(0), st.integers(0, MINUTES_PER_DAY - 1)))
        end = draw(st.one_of(st.just(MINUTES_PER_DAY), st.integers(start + 1, MINUTES_PER_DAY)))
        items.append((day, start, end))
    return items


opening_hours = interval_lists().map(lambda items: OpeningHours(tuple(items)))


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def osm_texts(draw: st.DrawFn) -> tuple[str, list[bool]]:
    """A valid text in the supported syntax, and the week it means (one bool per minute)."""
    own: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    rules = []
    spaces = st.sampled_from(["", " ", "  ", "\t"])
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.integers(0, 9)) == 0:
            rules.append("24/7")
            for d in range(7):
                own[d] = [(0, MINUTES_PER_DAY)]
            continue
        days: list[int] = []
        selector_parts: list[str] = []
        if draw(st.booleans()):
            for _ in range(draw(st.integers(1, 3))):
                kind = draw(st.sampled_from(["day", "range", "ph"]))
                first = draw(st.integers(0, 6))
                if kind == "ph":
                    selector_parts.append(draw(st.sampled_from(["PH", "ph"])))
                elif kind == "day":
                    selector_parts.append(DAY_CODES[first])
                    days.append(first)
                else:
                    last = (first + draw(st.integers(1, 6))) % 7
                    selector_parts.append(f"{DAY_CODES[first]}{draw(spaces)}-{DAY_CODES[last]}")
                    days.extend((first + k) % 7 for k in range((last - first) % 7 + 1))
        else:
            days = list(range(7))
        ranges: list[tuple[int, int]] = []
        if draw(st.integers(0, 4)) == 0:
            body = draw(st.sampled_from(["off", "OFF", "closed"]))
        else:
            spans = []
            for _ in range(draw(st.integers(1, 3))):
                start = draw(st.integers(0, MINUTES_PER_DAY - 1))
                end = draw(st.integers(0, MINUTES_PER_DAY - 1))
                end += end >= start  # any of 00:00..24:00 except the start
                spans.append(f"{hhmm(start)}{draw(spaces)}-{draw(spaces)}{hhmm(end)}")
                ranges.append((start, end if end > start else end + MINUTES_PER_DAY))
            body = f"{draw(spaces)},{draw(spaces)}".join(spans)
        selector = f"{draw(spaces)},".join(selector_parts)
        if draw(st.booleans()):
            selector = selector.lower()
        rules.append(f"{selector} {body}" if selector else body)
        for d in days:
            own[d] = ranges
    week = [False] * MINUTES_PER_WEEK
    for d, ranges in enumerate(own):
        for start, end in ranges:
            for m in range(start, end):
                week[(d * MINUTES_PER_DAY + m) % MINUTES_PER_WEEK] = True
    return "; ".join(rules) + draw(st.sampled_from(["", ";", " ; "])), week


def week_of(hours: OpeningHours) -> list[bool]:
    week = [False] * MINUTES_PER_WEEK
    for d, start, end in hours.intervals:
        for m in range(start, end):
            week[d * MINUTES_PER_DAY + m] = True
    return week


@given(opening_hours)
def test_format_then_parse_round_trips(hours: OpeningHours) -> None:
    text = format_opening_hours(hours)
    assert parse_opening_hours(text) == hours
    assert format_opening_hours(parse_opening_hours(text)) == text
    assert from_json(to_json(hours)) == hours


@given(opening_hours)
def test_intervals_are_canonical(hours: OpeningHours) -> None:
    previous = None
    for day, start, end in hours.intervals:
        assert 0 <= day <= 6
        assert 0 <= start < end <= MINUTES_PER_DAY
        if previous is not None and previous[0] == day:
            assert previous[2] < start  # sorted, no overlap, no touching
        previous = (day, start, end)


@settings(max_examples=60)
@given(osm_texts())
def test_parse_matches_a_minute_by_minute_model(case: tuple[str, list[bool]]) -> None:
    text, expected_week = case
    hours = parse_opening_hours(text)
    assert week_of(hours) == expected_week
    canonical = format_opening_hours(hours)
    assert parse_opening_hours(canonical) == hours


@given(opening_hours, st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)))
def test_is_open_at_matches_brute_force(hours: OpeningHours, when: datetime) -> None:
    minute = when.hour * 60 + when.minute
    expected = any(
        d == when.weekday() and start <= minute < end for d, start, end in hours.intervals
    )
    assert is_open_at(hours, when) == expected


@settings(max_examples=40)
@given(opening_hours, st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)))
def test_next_change_is_the_first_flip(hours: OpeningHours, when: datetime) -> None:
    change = next_change(hours, when)
    state = is_open_at(hours, when)
    start = when.replace(second=0, microsecond=0)
    if change is None:
        week = week_of(hours)
        assert all(week) or not any(week)
        return
    minutes = round((change - start).total_seconds() / 60)
    assert 1 <= minutes <= MINUTES_PER_WEEK
    assert is_open_at(hours, change) != state
    for k in range(1, minutes):
        assert is_open_at(hours, start + timedelta(minutes=k)) == state


def minutes_of(hhmm_text: str) -> int:
    hours, minutes = map(int, hhmm_text.split(":"))
    return hours * 60 + minutes


@given(opening_hours)
def test_schema_org_specs_describe_the_same_week(hours: OpeningHours) -> None:
    week = [False] * MINUTES_PER_WEEK
    expected = week_of(hours)
    for spec in schema_org_specs(hours):
        opens, closes = minutes_of(spec["opens"]), minutes_of(spec["closes"])
        if closes <= opens:  # runs past midnight
            closes += MINUTES_PER_DAY
        for day_url in spec["dayOfWeek"]:
            day = [f"https://schema.org/{name}" for name in DAY_NAMES_EN].index(day_url)
            for m in range(opens, closes):
                week[(day * MINUTES_PER_DAY + m) % MINUTES_PER_WEEK] = True
            if (opens, closes) == (0, 23 * 60 + 59):
                # "All day" is written 00:00-23:59, which cannot tell 23:59 from 24:00.
                week[day * MINUTES_PER_DAY + 23 * 60 + 59] = expected[
                    day * MINUTES_PER_DAY + 23 * 60 + 59
                ]
    assert week == expected


@given(opening_hours)
def test_describe_week_has_a_row_per_day(hours: OpeningHours) -> None:
    rows = describe_week(hours, lang="en")
    assert [name for name, _ in rows] == list(DAY_NAMES_EN)
    for day, (_, text) in enumerate(rows):
        # A day reads "Closed" only when nothing starts on it after midnight.
        if any(d == day and start > 0 for d, start, _ in hours.intervals):
            assert text != "Closed"
        if not any(d == day for d, _, _ in hours.intervals):
            assert text == "Closed"


TOKENISH = st.text(alphabet="MoTuWeThFrSaSuPHofcled0123456789:-,;/. \t24", max_size=40)


@given(st.one_of(st.text(max_size=60), TOKENISH))
def test_parser_only_raises_opening_hours_error(text: str) -> None:
    try:
        hours = parse_opening_hours(text)
    except OpeningHoursError as exc:
        position = exc.position
        assert position is None or 0 <= position <= len(text)
        return
    assert parse_opening_hours(format_opening_hours(hours)) == hours
