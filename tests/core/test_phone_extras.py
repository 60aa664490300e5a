"""Phones as written: extensions kept, Indonesian special numbers kept, drops warned."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import Business
from directory.phones import (
    InvalidPhoneError,
    format_phone_national,
    normalize_phone,
    parse_phone,
    whatsapp_url,
)
from tests.io.test_businesses_io import row, run, write_csv


@pytest.mark.parametrize(
    ("text", "stored", "shown"),
    [
        ("0811 1234 567 ext 2", "+628111234567;ext=2", "0811-1234-567 ext. 2"),
        ("0811-1234-567 ext.2", "+628111234567;ext=2", "0811-1234-567 ext. 2"),
        ("(021) 5312 6817 pes. 12", "+622153126817;ext=12", "(021) 53126817 ext. 12"),
        ("1500-123", "1500123", "1500-123"),
        ("1500 888", "1500888", "1500-888"),
        ("14045", "14045", "14045"),
        ("112", "112", "112"),
        ("0812-3456-7890", "+6281234567890", "0812-3456-7890"),
    ],
)
def test_written_phones(text: str, stored: str, shown: str) -> None:
    result = parse_phone(text)
    assert result.value == stored
    assert result.dropped is None
    assert format_phone_national(result.value) == shown
    assert normalize_phone(result.value) == result.value  # stored values read back the same


def test_extension_keeps_the_whatsapp_link_of_the_main_line() -> None:
    assert whatsapp_url(normalize_phone("0811 1234 567 ext 2")) == "https://wa.me/628111234567"


@pytest.mark.parametrize(
    ("text", "dropped"),
    [
        ("0812-3456-7890 / 0813-1111-2222", "/ 0813-1111-2222"),
        ("0812-3456-7890 atau 0813-1111-2222", "atau 0813-1111-2222"),
        ("0812-3456-7890 (WA)", "(WA)"),
    ],
)
def test_dropped_parts_are_reported(text: str, dropped: str) -> None:
    result = parse_phone(text)
    assert result.value == "+6281234567890"
    assert result.dropped == dropped


def test_special_numbers_are_only_the_known_shapes() -> None:
    with pytest.raises(InvalidPhoneError):
        normalize_phone("1234")


def test_import_keeps_extension_and_hotline_and_warns(session: Session, tmp_path: Path) -> None:
    rows = [
        row(1, phone="0811 1234 567 ext 2"),
        row(2, phone="1500-123"),
        row(3, phone="0812-3456-7890 / 0813-1111-2222"),
    ]
    report = run(session, write_csv(tmp_path / "b.csv", rows))
    assert report.errors == []
    phones = {
        str(r[0]): r[1] for r in session.execute(select(Business.external_id, Business.phone)).all()
    }
    assert phones == {"x-1": "+628111234567;ext=2", "x-2": "1500123", "x-3": "+6281234567890"}
    [warning] = report.warnings
    assert (warning.line, warning.field) == (4, "phone")
    assert "dropped '/ 0813-1111-2222'" in warning.message
