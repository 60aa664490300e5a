"""Dekat's hours parser against the opening-hours-py library on the hours corpus.

For each string of ``tests/core/data/hours_corpus.tsv`` (typed Indonesian/English
forms and OpenStreetMap values, with the expected week written by hand): does each parser
accept it, and does the week it gives (open minutes of a reference week without public
holidays, Monday 2024-06-03) equal the expected one?

    pip install opening-hours-py   # not a Dekat dependency: only for this comparison
    python benchmarks/hours_parser_eval.py
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from directory.hours import MINUTES_PER_DAY, OpeningHoursError, parse_opening_hours  # noqa: E402

CORPUS = ROOT / "tests/core/data/hours_corpus.tsv"
MONDAY = datetime(2024, 6, 3)


def corpus() -> list[tuple[str, str]]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line and not line.startswith("#")]  # type: ignore[misc]


def ours(text: str) -> frozenset[int] | None:
    try:
        hours = parse_opening_hours(text)
    except OpeningHoursError:
        return None
    return frozenset(
        d * MINUTES_PER_DAY + m for d, start, end in hours.intervals for m in range(start, end)
    )


def library(text: str) -> frozenset[int] | None:
    from opening_hours import OpeningHours  # type: ignore[import-not-found]

    try:
        oh = OpeningHours(text)
        spans = list(oh.intervals(MONDAY, MONDAY + timedelta(days=7)))
    except Exception:  # noqa: BLE001 - any parser error counts as "not accepted"
        return None
    minutes: set[int] = set()
    for start, end, state, _ in spans:
        if str(state).lower().endswith("open"):
            first = int((start - MONDAY).total_seconds() // 60)
            last = int((end - MONDAY).total_seconds() // 60)
            minutes.update(range(first, last))
    return frozenset(minutes)


def main() -> None:
    rows = corpus()
    try:
        import opening_hours  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        parsers = {"dekat": ours}
        print("opening-hours-py not installed: only Dekat's parser measured")
    else:
        parsers = {"dekat": ours, "opening-hours-py": library}
    for name, parse in parsers.items():
        accepted = right = 0
        for text, expected in rows:
            got = parse(text)
            if got is not None:
                accepted += 1
                right += got == ours(expected)
        print(
            f"{name}: {len(rows)} strings, accepted {accepted} ({accepted / len(rows):.0%}), "
            f"expected week {right} ({right / len(rows):.0%})"
        )


if __name__ == "__main__":
    main()
