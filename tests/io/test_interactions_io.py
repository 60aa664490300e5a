"""Importing interactions: validation, unknown businesses, duplicates and counters."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.io.errors import FormatError, RowError
from directory.io.interactions_io import INTERACTION_COLUMNS, import_interactions
from directory.models import Business, Interaction
from tests.factories import make_business

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def write_csv(
    path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = INTERACTION_COLUMNS
) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for r in rows:
            writer.writerow([r.get(c, "") for c in columns])
    return path


def event(
    user: str = "u1", ext: str = "b-1", kind: str = "visit", at: str = "2026-05-01T19:30:00+07:00"
) -> dict[str, str]:
    return {"user_id": user, "business_external_id": ext, "kind": kind, "at": at}


@pytest.fixture
def places(session: Session) -> list[Business]:
    return [make_business(session, external_id=f"b-{n}") for n in (1, 2)]


def counts(session: Session) -> dict[str | None, int]:
    session.expire_all()
    return dict(session.execute(select(Business.external_id, Business.interaction_count)).all())


def test_interactions_are_stored_and_counted(
    session: Session, tmp_path: Path, places: list[Business]
) -> None:
    rows = [
        event(),
        event(user="u2", kind="VIEW", at="2026-05-01T12:30:00Z"),
        event(ext="b-2", kind="call", at="2026-05-02 08:00"),
        {"user_id": "u3", "business_id": str(places[1].id), "kind": "save", "at": "2026-05-03"},
    ]
    report = import_interactions(session, write_csv(tmp_path / "i.csv", rows), now=NOW)
    assert (report.rows, report.inserted, report.duplicates, report.written) == (4, 4, 0, True)
    assert counts(session) == {"b-1": 2, "b-2": 2}
    stored = session.scalars(select(Interaction).order_by(Interaction.id)).all()
    assert [i.kind for i in stored] == ["visit", "view", "call", "save"]
    assert stored[0].at == datetime(2026, 5, 1, 12, 30, tzinfo=UTC)
    # Without an offset, the time is local (Asia/Jakarta, UTC+7).
    assert stored[2].at == datetime(2026, 5, 2, 1, 0, tzinfo=UTC)


def test_same_file_twice_adds_nothing(
    session: Session, tmp_path: Path, places: list[Business]
) -> None:
    rows = [event(), event(kind="click"), event(), event(user="u2")]
    path = write_csv(tmp_path / "i.csv", rows)
    first = import_interactions(session, path, now=NOW)
    assert (first.inserted, first.duplicates) == (3, 1)
    second = import_interactions(session, path, now=NOW)
    assert (second.inserted, second.duplicates) == (0, 4)
    assert session.scalar(select(func.count()).select_from(Interaction)) == 3
    assert counts(session)["b-1"] == 3


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"business_external_id": "nope"}, "business_external_id", "unknown business 'nope'"),
        ({"business_external_id": ""}, "business_external_id", "is required"),
        ({"user_id": ""}, "user_id", "is required"),
        ({"user_id": "u" * 101}, "user_id", "at most 100"),
        ({"kind": "like"}, "kind", "must be one of view, click, save, call, visit"),
        ({"at": "yesterday"}, "at", "not an ISO 8601 time"),
        ({"at": "2030-01-01T00:00:00Z"}, "at", "is in the future"),
        ({"at": ""}, "at", "is required"),
        ({"business_id": "abc"}, "business_id", "positive whole number"),
        ({"business_id": "999999"}, "business_id", "unknown business 999999"),
    ],
)
def test_bad_rows_are_reported_and_nothing_is_written(
    session: Session,
    tmp_path: Path,
    places: list[Business],
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    rows = [event(), {**event(), **changes}, event(user="u3")]
    report = import_interactions(session, write_csv(tmp_path / "i.csv", rows), now=NOW)
    assert report.written is False
    assert [(e.line, e.field) for e in report.errors] == [(3, field)]
    assert message in report.errors[0].message
    assert session.scalar(select(func.count()).select_from(Interaction)) == 0
    assert counts(session) == {"b-1": 0, "b-2": 0}


def test_business_id_and_external_id_must_agree(
    session: Session, tmp_path: Path, places: list[Business]
) -> None:
    rows = [{**event(), "business_id": str(places[1].id)}]
    report = import_interactions(session, write_csv(tmp_path / "i.csv", rows), now=NOW)
    assert report.errors == [
        RowError(2, "business_id", "names a different business than business_external_id")
    ]


def test_skip_bad_stores_the_good_rows(
    session: Session, tmp_path: Path, places: list[Business]
) -> None:
    rows = [event(), event(ext="unknown"), event(kind="like"), event(ext="b-2")]
    path = write_csv(tmp_path / "i.csv", rows)
    report = import_interactions(session, path, skip_bad=True, now=NOW)
    assert (report.written, report.inserted, report.bad_rows) == (True, 2, 2)
    assert [(e.line, e.field) for e in report.errors] == [
        (3, "business_external_id"),
        (4, "kind"),
    ]
    assert counts(session) == {"b-1": 1, "b-2": 1}


def test_jsonl_is_accepted_and_geojson_is_not(
    session: Session, tmp_path: Path, places: list[Business]
) -> None:
    path = tmp_path / "i.jsonl"
    path.write_text(json.dumps(event()) + "\n" + json.dumps({**event(), "business_id": None}))
    report = import_interactions(session, path, now=NOW)
    assert (report.inserted, report.duplicates) == (1, 1)
    with pytest.raises(FormatError, match="cannot be used here"):
        import_interactions(session, tmp_path / "i.geojson", now=NOW)


def test_csv_needs_a_business_column(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "i.csv", [], columns=("user_id", "kind", "at"))
    with pytest.raises(FormatError, match="missing column business_external_id"):
        import_interactions(session, path, now=NOW)
