"""Opening hours as written in the wild: a corpus of typed Indonesian/English forms and
OpenStreetMap values, each with the weekly schedule it must give."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.hours import OpeningHours, describe_week, format_opening_hours, parse_opening_hours
from tests.core.test_hours import opening_hours

CORPUS = Path(__file__).parent / "data" / "hours_corpus.tsv"


def corpus() -> list[tuple[str, str]]:
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, expected = line.split("\t")
            rows.append((text, expected))
    return rows


def test_corpus_is_large_enough() -> None:
    assert len(corpus()) >= 100


@pytest.mark.parametrize(("text", "expected"), corpus())
def test_written_hours_give_the_expected_week(text: str, expected: str) -> None:
    hours = parse_opening_hours(text)
    assert hours.intervals == parse_opening_hours(expected).intervals
    assert format_opening_hours(hours) == expected


@settings(max_examples=300, deadline=None)
@given(opening_hours)
def test_the_week_as_pages_print_it_parses_back(hours: OpeningHours) -> None:
    """What a listing page shows ("Senin 08.00–17.00", "Minggu Tutup", "Buka 24 jam"),
    typed back into a form, is the same schedule, in Indonesian and in English."""
    for lang in ("id", "en"):
        text = "; ".join(f"{day} {ranges}" for day, ranges in describe_week(hours, lang))
        assert parse_opening_hours(text) == hours, text


@settings(max_examples=300, deadline=None)
@given(opening_hours, st.sampled_from([":", "."]))
def test_canonical_text_with_dots_parses_the_same(hours: OpeningHours, sep: str) -> None:
    text = format_opening_hours(hours)
    assert parse_opening_hours(text.replace(":", sep)) == hours
