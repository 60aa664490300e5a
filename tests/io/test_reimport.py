"""Re-imports: an absent column leaves its field alone, an empty cell clears it, and
--dry-run / the summary say per field what changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import Business
from tests.cli.test_io_commands import cli_db, dekat  # noqa: F401  (fixture)
from tests.io.test_businesses_io import row, run, write_csv

FEW = ("external_id", "name", "lat", "lon")


def stored(session: Session, ext: str) -> Business:
    session.expire_all()
    return session.scalars(select(Business).where(Business.external_id == ext)).one()


def test_fewer_columns_leave_the_other_fields_alone(session: Session, tmp_path: Path) -> None:
    run(session, write_csv(tmp_path / "full.csv", [row(1), row(2)]))
    before = stored(session, "x-1")
    kept = (before.phone, before.website, before.opening_hours, before.price_level,
            before.rating, before.description, before.primary_category_id)  # fmt: skip
    renamed = [row(1, name="Kopi Baru"), row(2)]
    report = run(session, write_csv(tmp_path / "few.csv", renamed, columns=FEW))
    assert (report.updated, report.unchanged) == (1, 1)
    assert report.field_changes == {"name": 1}
    after = stored(session, "x-1")
    assert after.name == "Kopi Baru"
    assert (after.phone, after.website, after.opening_hours, after.price_level,
            after.rating, after.description, after.primary_category_id) == kept  # fmt: skip


def test_a_present_empty_cell_clears_the_field(session: Session, tmp_path: Path) -> None:
    run(session, write_csv(tmp_path / "full.csv", [row(1)]))
    columns = (*FEW, "phone", "website")
    report = run(session, write_csv(tmp_path / "clear.csv", [row(1, phone="")], columns=columns))
    assert report.field_changes == {"phone": 1}
    business = stored(session, "x-1")
    assert business.phone is None
    assert business.website == "https://kopi1.id/"


def test_json_null_clears_and_a_missing_key_keeps(session: Session, tmp_path: Path) -> None:
    run(session, write_csv(tmp_path / "full.csv", [row(1)]))
    lines = tmp_path / "b.jsonl"
    record = {"external_id": "x-1", "name": "Kopi Uji 1", "lat": row(1)["lat"],
              "lon": row(1)["lon"], "website": None}  # fmt: skip
    lines.write_text(json.dumps(record) + "\n")
    report = run(session, lines)
    assert report.field_changes == {"website": 1}
    business = stored(session, "x-1")
    assert business.website is None
    assert business.phone == "+6281234567801"


def test_dry_run_counts_per_field_and_writes_nothing(session: Session, tmp_path: Path) -> None:
    run(session, write_csv(tmp_path / "full.csv", [row(1), row(2), row(3)]))
    changed = [row(1, phone="0812-0000-1111"), row(2, phone="", website="baru.id"), row(3)]
    path = write_csv(tmp_path / "new.csv", changed + [row(4)])
    report = run(session, path, dry_run=True)
    assert (report.created, report.updated, report.unchanged) == (1, 2, 1)
    assert report.field_changes == {"phone": 2, "website": 1}
    assert not report.written
    assert stored(session, "x-2").phone == "+6281234567802"
    assert session.scalars(select(Business).where(Business.external_id == "x-4")).first() is None


@pytest.mark.usefixtures("cli_db")
def test_cli_dry_run_and_summary_print_field_counts(tmp_path: Path) -> None:
    full = write_csv(tmp_path / "full.csv", [row(1), row(2)])
    assert dekat("import", "businesses", full).exit_code == 0
    few = write_csv(tmp_path / "few.csv", [row(1, name="Kopi Baru"), row(2)], columns=FEW)
    result = dekat("import", "businesses", few, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "changed fields: name 1" in result.stderr
    assert "dry run, nothing written: would import few.csv" in result.stderr
    assert "1 would be updated" in result.stderr
    result = dekat("import", "businesses", few)
    assert "changed fields: name 1" in result.stderr
    assert "0 created, 1 updated, 1 unchanged" in result.stderr
