"""Hostile files through the CLI importer, and formula injection through the exporter.

``dekat import businesses`` must report a bad file or row (exit 1 or 2, one line per
problem) and never crash or store undecodable bytes; ``dekat export businesses`` must
write spreadsheet formulas as text (``'=HYPERLINK(...)``), and a re-import of the export
must give back the original text.
"""

from __future__ import annotations

import csv
import io
import subprocess
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from directory.cli import io_commands  # noqa: F401  (registers import/export)
from directory.cli.main import app as cli
from directory.models import Business
from directory.settings import get_settings
from tests.factories import BSD, make_business
from tests.reliability.loader import load_script
from tests.reliability.snapshots import half_written_businesses, integrity_problems
from tests.security import corpus

serverctl = load_script("serverctl")


def dekat(args: list[str], db_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run the real ``dekat`` command against the test's database."""
    return subprocess.run(
        [*serverctl.dekat_command(), *args],
        env=serverctl.dekat_env(db_url, tmp_path / "media"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stderr: str


@pytest.fixture
def dekat_in_process(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[list[str]], CliResult]]:
    """``dekat`` run in this process (no interpreter start-up per file): same commands,
    same code; an escaping exception is reported as a traceback, as the shell would."""
    monkeypatch.setenv("DEKAT_DATABASE_URL", db_url)
    monkeypatch.setenv("DEKAT_MEDIA_DIR", str(tmp_path / "media"))
    get_settings.cache_clear()
    runner = CliRunner()

    def run(args: list[str]) -> CliResult:
        result = runner.invoke(cli, args)
        stderr = result.stderr if result.stderr_bytes is not None else result.output
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            stderr += "\nTraceback: " + "".join(traceback.format_exception(result.exception))
            return CliResult(returncode=99, stderr=stderr)
        return CliResult(returncode=result.exit_code, stderr=stderr)

    yield run
    get_settings.cache_clear()


def _hostile_rows_csv() -> bytes:
    """One row per hostile string, in name, address and description."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["external_id", "name", "category", "lat", "lon", "address", "description"])
    for n, value in enumerate(corpus.TEXT + corpus.SIZES[:3]):
        safe = value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        writer.writerow([f"h{n}", f"Kopi {safe}", "kafe-kopi", BSD[0], BSD[1], safe, safe])
    return out.getvalue().encode("utf-8")


HOSTILE_FILES: dict[str, bytes] = {
    **{f"bad-utf8-{n}.csv": content for n, content in enumerate(corpus.INVALID_UTF8_CSV)},
    "hostile-text.csv": _hostile_rows_csv(),
    "numbers.csv": (
        "name,category,lat,lon\n"
        + "".join(f"Kopi {v},kafe-kopi,{v},{v}\n" for v in corpus.NUMBERS if "," not in v)
    ).encode(),
    "empty.csv": b"",
    "header-only.csv": b"name,lat,lon\n",
    "binary.csv": bytes(range(256)) * 40,
    "wide.csv": (",".join(f"c{i}" for i in range(5000)) + "\n").encode(),
    "bomb.jsonl": corpus.nesting_bomb(50_000) + b"\n",
    "bomb.geojson": b'{"type": "FeatureCollection", "features": [{"type": "Feature", '
    b'"geometry": {"type": "Point", "coordinates": ' + corpus.nesting_bomb(50_000) + b"}}]}",
    "bad.geojson": b'{"type": "FeatureCollection", "features": [{"type": "Feature", '
    b'"geometry": {"type": "Point", "coordinates": [NaN, Infinity]}, "properties": {}}]}',
}


STRICT_TOO = {"bad-utf8-0.csv", "hostile-text.csv", "bomb.jsonl"}


def test_hostile_import_files_are_reported_never_crash(
    dekat_in_process: Callable[[list[str]], CliResult], tmp_path: Path, engine: Engine
) -> None:
    failures = []
    for name, content in HOSTILE_FILES.items():
        path = tmp_path / name
        path.write_bytes(content)
        # Every file with --skip-bad (every row is read); a few also without it.
        for extra in (["--skip-bad"], *([[]] if name in STRICT_TOO else [])):
            result = dekat_in_process(["import", "businesses", "--workers", "0", str(path), *extra])
            what = f"{name} {' '.join(extra)}"
            if result.returncode not in (0, 1, 2):
                failures.append(f"{what}: exit {result.returncode}\n{result.stderr[-800:]}")
            elif "Traceback" in result.stderr:
                failures.append(f"{what}: traceback\n{result.stderr[-800:]}")
            elif result.returncode != 0 and not result.stderr.strip():
                failures.append(f"{what}: refused without saying why")
    assert not failures, "\n\n".join(failures)
    with engine.connect() as conn:
        stored = list(conn.execute(select(Business.name, Business.address, Business.description)))
    for row in stored:
        for text in row:
            assert "\x00" not in text
            assert not any("\ud800" <= c <= "\udfff" for c in text), repr(text)
            assert "\ufffd" not in text or "Kopi" in row[0]
    assert integrity_problems(engine) == []
    assert half_written_businesses(engine) == []


def test_exports_write_formulas_as_text_and_reimport_them(
    db_url: str, tmp_path: Path, sessions: sessionmaker[Session], engine: Engine
) -> None:
    originals = {}
    with sessions() as session:
        for n, formula in enumerate(corpus.FORMULAS):
            business = make_business(
                session,
                name=formula.strip() or f"=kosong{n}",
                address=formula,
                external_id=f"formula-{n}",
            )
            originals[business.external_id] = (business.name, business.address)
    out = tmp_path / "export.csv"
    result = dekat(["export", "businesses", str(out)], db_url, tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig", newline="")))
    by_id = {r["external_id"]: r for r in rows}
    for external_id, (name, address) in originals.items():
        row = by_id[external_id]
        for stored, cell in ((name, row["name"]), (address, row["address"])):
            if stored[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert cell == "'" + stored, f"{stored!r} exported as {cell!r}"
    # No cell of the file can start a formula.
    for row in rows:
        for value in row.values():
            assert (value or "")[:1] not in ("=", "+", "@", "\t", "\r"), value
    # Round trip: importing the export gives back the same text.
    with sessions() as session:
        session.query(Business).filter(Business.external_id.like("formula-%")).update(
            {Business.name: "diubah"}, synchronize_session=False
        )
        session.commit()
    result = dekat(["import", "businesses", str(out)], db_url, tmp_path)
    assert result.returncode == 0, result.stderr
    with engine.connect() as conn:
        rows_back = conn.execute(
            select(Business.external_id, Business.name).where(
                Business.external_id.like("formula-%")
            )
        )
        back = {row.external_id: row.name for row in rows_back}
    assert back == {k: v[0] for k, v in originals.items()}
