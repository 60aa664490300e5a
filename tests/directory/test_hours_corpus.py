"""Opening hours as written in the wild: a corpus of typed Indonesian/English forms and
OpenStreetMap values, each with the weekly schedule it must give."""

from __future__ import annotations

from pathlib import Path

import pytest

from directory.hours import format_opening_hours, parse_opening_hours

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
