"""``dekat recommender refresh`` and ``dekat eval nextpoi`` on the command line."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from directory.cli import recommender_commands  # noqa: F401  (registers the commands)
from tests.cli.test_io_commands import cli_db, dekat  # noqa: F401  (fixture)


def test_refresh_says_which_ranker_it_uses(cli_db: Engine) -> None:  # noqa: F811
    result = dekat("recommender", "refresh")
    assert result.exit_code == 0, result.output
    assert "too little history to fit the ranker" in result.output
    assert "ranker: default" in result.output


def test_eval_says_when_the_shared_data_are_missing(tmp_path: Path) -> None:
    result = dekat("eval", "nextpoi", "--data-dir", tmp_path / "nowhere")
    assert result.exit_code == 0
    assert "not found" in result.output
    result = dekat("eval", "nextpoi", "--data-dir", tmp_path)
    assert result.exit_code == 0
    assert "no next-visit data set found" in result.output


def test_eval_refuses_an_unknown_data_set(tmp_path: Path) -> None:
    result = dekat("eval", "nextpoi", "--data-dir", tmp_path, "--dataset", "tokyo")
    assert result.exit_code == 2
    assert "unknown data set 'tokyo'" in result.output
