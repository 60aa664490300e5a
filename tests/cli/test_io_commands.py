"""``dekat import ...`` / ``dekat export ...`` through the real command line (CliRunner)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner, Result

import directory.cli.io_commands  # noqa: F401  (registers the commands)
from directory.cli import console
from directory.cli.main import app
from directory.models import Business, Category, Interaction
from directory.settings import get_settings
from tests.areas.test_service import square, write_geojson
from tests.io.test_businesses_io import row, write_csv
from tests.io.test_interactions_io import event
from tests.io.test_interactions_io import write_csv as write_interactions

BAR_CHARS = ("━", "╸", "━━")


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The CLI pointed at this test's database (settings are cached: cleared around)."""
    monkeypatch.setenv("DEKAT_DATABASE_URL", db_url)
    get_settings.cache_clear()
    engine = create_engine(db_url)
    yield engine
    engine.dispose()
    get_settings.cache_clear()


def dekat(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def count(engine: Engine, model: type[object]) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(model)) or 0)


def test_import_then_reimport(cli_db: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", [row(n) for n in range(1, 4)])
    result = dekat("import", "businesses", path)
    assert result.exit_code == 0, result.output
    assert "imported b.csv: 3 businesses — 3 created, 0 updated, 0 unchanged" in result.stderr
    assert not any(c in result.stderr for c in BAR_CHARS)  # not a terminal: no progress bar
    result = dekat("import", "businesses", path)
    assert result.exit_code == 0
    assert "0 created, 0 updated, 3 unchanged" in result.stderr
    assert count(cli_db, Business) == 3


def test_bad_rows_refuse_the_file_one_line_each(cli_db: Engine, tmp_path: Path) -> None:
    rows = [row(1), row(2, lat="91", phone="12"), row(3, category="Kue\nBasah")]
    result = dekat("import", "businesses", write_csv(tmp_path / "b.csv", rows))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[:3] == [
        "line 3: lat: must be between -90 and 90",
        "line 3: phone: not a valid phone number for its country",
        "line 4: category: unknown category 'Kue\\nBasah'",
    ]
    assert lines[3].startswith("error: refused: 2 of 3 rows are bad; nothing was written")
    assert len(lines) == 4
    assert count(cli_db, Business) == 0


def test_skip_bad_imports_the_good_rows_and_exits_2(cli_db: Engine, tmp_path: Path) -> None:
    rows = [row(1), row(2, lat="91"), row(3)]
    result = dekat("import", "businesses", write_csv(tmp_path / "b.csv", rows), "--skip-bad")
    assert result.exit_code == 2
    assert "line 3: lat: must be between -90 and 90" in result.stderr
    assert "2 created" in result.stderr
    assert "skipped 1 bad rows of 3" in result.stderr
    assert count(cli_db, Business) == 2


def test_category_options(cli_db: Engine, tmp_path: Path) -> None:
    rows = [row(1, category="Jasa Titip"), row(2, category="")]
    path = write_csv(tmp_path / "b.csv", rows)
    result = dekat(
        "import", "businesses", path, "--create-categories", "--default-category", "restoran"
    )
    assert result.exit_code == 0, result.stderr
    assert "created category 'jasa-titip'" in result.stderr
    with cli_db.connect() as conn:
        assert conn.scalar(select(Category.id).where(Category.slug == "jasa-titip"))
    result = dekat("import", "businesses", path, "--default-category", "nope")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith(
        "error: --default-category: unknown category slug 'nope' (slugs are listed in"
    )


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".jsonl"])
def test_export_import_export_via_cli(cli_db: Engine, tmp_path: Path, suffix: str) -> None:
    dekat("import", "businesses", write_csv(tmp_path / "b.csv", [row(n) for n in range(1, 4)]))
    first, second = tmp_path / f"1{suffix}", tmp_path / f"2{suffix}"
    result = dekat("export", "businesses", first)
    assert result.exit_code == 0
    assert result.stderr.strip() == f"exported 3 businesses to {first}"
    assert dekat("import", "businesses", first).exit_code == 0
    assert dekat("export", "businesses", second).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("b.xlsx", "x", "error: b.xlsx: unknown file type '.xlsx'"),
        ("b.csv", "name,lat\n", "error: b.csv: line 1: missing required column(s): lon"),
        ("b.geojson", "[1]", "error: line 1: expected a GeoJSON object ('{'), found '['"),
        ("b.csv", 'name,lat,lon\n"x,1,2\n', "error: b.csv: line 2: unexpected end of data"),
    ],
)
def test_file_errors_are_one_line(
    cli_db: Engine, tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    result = dekat("import", "businesses", path)
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(message)


def test_missing_file_is_one_line(cli_db: Engine, tmp_path: Path) -> None:
    result = dekat("import", "businesses", tmp_path / "missing.csv")
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert "cannot read" in result.stderr


def test_progress_bar_on_a_terminal(
    cli_db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "is_tty", lambda: True)
    path = write_csv(tmp_path / "b.csv", [row(1)])
    result = dekat("import", "businesses", path)
    assert result.exit_code == 0
    assert "import businesses" in result.stderr
    assert "1/1" in result.stderr


def test_import_areas(cli_db: Engine, tmp_path: Path) -> None:
    dekat("import", "businesses", write_csv(tmp_path / "b.csv", [row(1)]))
    feature = square(-6.3015, 106.6527, 0.001, name="Cluster Uji", kind="neighbourhood")
    result = dekat("import", "areas", write_geojson(tmp_path / "a.geojson", [feature]))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == (
        "imported a.geojson: 1 areas created, 0 updated; 1 businesses moved to another area"
    )
    bad = square(-6.3, 106.6, 0.001, name="X", kind="village")
    result = dekat("import", "areas", write_geojson(tmp_path / "bad.geojson", [bad]))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith("line 4 (feature 1): kind: must be one of")


def test_import_interactions(cli_db: Engine, tmp_path: Path) -> None:
    dekat("import", "businesses", write_csv(tmp_path / "b.csv", [row(1)]))
    path = write_interactions(
        tmp_path / "i.csv", [event(ext="x-1"), event(ext="nope"), event(ext="x-1", kind="save")]
    )
    result = dekat("import", "interactions", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "line 3: business_external_id: unknown business 'nope'"
    )
    assert count(cli_db, Interaction) == 0
    result = dekat("import", "interactions", path, "--skip-bad")
    assert result.exit_code == 2
    assert "2 interactions added, 0 already present" in result.stderr
    with cli_db.connect() as conn:
        assert conn.scalar(select(Business.interaction_count)) == 2


def test_max_errors_limits_the_listing(cli_db: Engine, tmp_path: Path) -> None:
    rows = [row(n, lat="91") for n in range(1, 6)]
    result = dekat("import", "businesses", write_csv(tmp_path / "b.csv", rows), "--max-errors", "2")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[2] == "... and 3 more bad values (--max-errors 0 lists all)"


def test_jsonl_errors(cli_db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    path.write_text(json.dumps(row(1)) + "\n{oops\n")
    result = dekat("import", "businesses", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith("line 2: row: is not valid JSON")
