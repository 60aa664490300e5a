"""``dekat eval search``: the grading rules, the metrics and the command's edges."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import directory.cli.search_commands  # noqa: F401  (registers the command)
from directory.cli.main import app
from directory.evaluation.search import RELEVANCE_DIR
from directory.hours import parse_opening_hours
from directory.search.judging import (
    JudgedBusiness,
    JudgedQuery,
    dcg,
    grade,
    judge_results,
    load_queries,
    summarise,
)

NOW = datetime(2026, 12, 2, 10, 0)
HERE = (-6.30, 106.66)


def _biz(name: str, *facets: str, price: int | None = None, hours: str | None = None,
         north_m: float = 0.0) -> JudgedBusiness:  # fmt: skip
    return JudgedBusiness(
        id=hash(name) & 0xFFFF, name_words=frozenset(name.lower().split()),
        facets=frozenset(facets), lat=HERE[0] + north_m / 111_320, lon=HERE[1],
        price_level=price, hours=parse_opening_hours(hours) if hours else None,
    )  # fmt: skip


def _grade(q: JudgedQuery, b: JudgedBusiness, in_area: bool | None = None) -> int:
    return grade(q, b, point=HERE, in_area=None if in_area is None else (lambda _: in_area),
                 now=NOW)  # fmt: skip


def test_sense_rules() -> None:
    q = JudgedQuery(q="kopi", want=frozenset({"kedai-kopi"}), related=frozenset({"kafe"}),
                    q_words=("kopi",))  # fmt: skip
    assert _grade(q, _biz("Senja", "kedai-kopi")) == 3
    assert _grade(q, _biz("Ruang", "kafe")) == 1
    assert _grade(q, _biz("Kopi Ruang", "kafe")) == 2  # the name says what was typed
    assert _grade(q, _biz("Fotokopi Jaya", "fotokopi-percetakan")) == 0
    brand = JudgedQuery(q="kopi kenangan", want=frozenset({"kedai-kopi"}),
                        name=("kopi", "kenangan"))  # fmt: skip
    assert _grade(brand, _biz("Kopi Kenangan BSD", "kedai-kopi")) == 3
    assert _grade(brand, _biz("Kopi Senja", "kedai-kopi")) == 1


def test_constraint_rules() -> None:
    want = frozenset({"apotek"})
    assert _grade(JudgedQuery(q="a", want=want), _biz("A", "apotek"), in_area=False) == 1
    cheap = JudgedQuery(q="a", want=want, price_max=1)
    assert _grade(cheap, _biz("A", "apotek", price=1)) == 3
    assert _grade(cheap, _biz("A", "apotek")) == 2
    assert _grade(cheap, _biz("A", "apotek", price=3)) == 1
    always = JudgedQuery(q="a", want=want, open="24h")
    assert _grade(always, _biz("A", "apotek", hours="24/7")) == 3
    assert _grade(always, _biz("A", "apotek", hours="Mo-Su 08:00-22:00")) == 1
    near = JudgedQuery(q="a", want=want, near=True)
    assert _grade(near, _biz("A", "apotek", north_m=1_000)) == 3
    assert _grade(near, _biz("A", "apotek", north_m=3_000)) == 2
    assert _grade(near, _biz("A", "apotek", north_m=9_000)) == 1


def test_metrics() -> None:
    assert dcg([3, 0, 1]) == pytest.approx(7 + 0 + 1 / math.log2(4))
    q = JudgedQuery(q="kopi", want=frozenset({"x"}))
    perfect = judge_results(q, [1, 2], {1: 3, 2: 3})
    assert perfect.ndcg == 1.0
    assert perfect.precision == pytest.approx(0.4)
    wrong = judge_results(q, [9, 1], {1: 3, 2: 3})
    assert wrong.wrong_sense
    assert wrong.ndcg < 1.0
    empty = judge_results(q, [], {1: 3})
    s = summarise([perfect, wrong, empty])
    assert (s.queries, s.answerable, s.zero, s.wrong_sense) == (3, 3, 1, 1)


def test_query_files_are_large_enough_with_a_held_out_part() -> None:
    demo = load_queries(RELEVANCE_DIR / "demo.toml")
    zomato = load_queries(RELEVANCE_DIR / "zomato.toml")
    assert len(demo) + len(zomato) >= 200
    for queries in (demo, zomato):
        held = [q for q in queries if q.heldout]
        assert 0.2 <= len(held) / len(queries) <= 0.3


def test_command_skips_missing_real_data(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["eval", "search", "--dataset", "zomato", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "not found" in result.output
    assert "skipped" in result.output


def test_command_refuses_unknown_data_sets(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "search", "--dataset", "nyc"])
    assert result.exit_code != 0
