"""Importing businesses: validation, idempotence, refusal, --skip-bad, categories, formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.businesses.input import BUSINESS_COLUMNS
from directory.errors import InvalidInput
from directory.io import business_validation, businesses_io, formats
from directory.io.businesses_io import ImportOptions, ImportReport, import_businesses
from directory.io.errors import FormatError, RowError
from directory.models import Business, BusinessCategory, Category
from directory.search.tables import search_doc
from tests.factories import BSD


def row(n: int, **changes: str) -> dict[str, str]:
    """A good business row near BSD; any column can be replaced."""
    values = {
        "external_id": f"x-{n}",
        "name": f"Kopi Uji {n}",
        "category": "kafe-kopi",
        "lat": f"{BSD[0] + n * 0.0001:.6f}",
        "lon": f"{BSD[1]:.6f}",
        "address": f"Jl. Uji No. {n}",
        "phone": f"0812-3456-78{n % 100:02d}",
        "website": f"kopi{n}.id",
        "opening_hours": "Mo-Fr 08:00-17:00",
        "price_level": "2",
        "rating": "4.5",
        "rating_count": "10",
        "description": "Kopi susu gula aren.",
    }
    values.update(changes)
    return values


def write_csv(
    path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = BUSINESS_COLUMNS
) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for r in rows:
            writer.writerow([r.get(c, "") for c in columns])
    return path


def run(session: Session, path: Path, **options: Any) -> ImportReport:
    return import_businesses(session, path, options=ImportOptions(workers=0, **options))


def snapshot(session: Session) -> list[tuple[object, ...]]:
    session.expire_all()
    return [
        tuple(r)
        for r in session.execute(
            select(
                Business.id,
                Business.external_id,
                Business.name,
                Business.lat,
                Business.lon,
                Business.phone,
                Business.website,
                Business.opening_hours,
                Business.price_level,
                Business.base_rating_sum,
                Business.rating_count,
                Business.primary_category_id,
                Business.area_id,
                Business.updated_at,
            ).order_by(Business.id)
        )
    ]


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Business)) or 0)


def category_id(session: Session, slug: str) -> int:
    found = session.scalar(select(Category.id).where(Category.slug == slug))
    assert found is not None
    return found


# ------------------------------------------------------------------ good files


def test_import_stores_normalised_fields(session: Session, tmp_path: Path) -> None:
    report = run(
        session, write_csv(tmp_path / "b.csv", [row(1), row(2, rating="", rating_count="")])
    )
    assert (report.rows, report.created, report.bad_rows, report.written) == (2, 2, 0, True)
    first = session.scalars(select(Business).where(Business.external_id == "x-1")).one()
    assert first.name == "Kopi Uji 1"
    assert first.phone == "+6281234567801"
    assert first.website == "https://kopi1.id/"
    assert first.opening_hours == "Mo-Fr 08:00-17:00; Sa,Su off"
    assert first.opening_hours_json
    assert first.primary_category_id == category_id(session, "kafe-kopi")
    assert first.area_id is not None
    assert first.rating == pytest.approx(4.5)
    assert first.rating_count == 10
    assert first.source == "import"
    assert [c.category_id for c in first.categories] == [first.primary_category_id]
    second = session.scalars(select(Business).where(Business.external_id == "x-2")).one()
    assert second.rating is None
    assert second.rating_count == 0


def test_imported_businesses_are_searchable(session: Session, tmp_path: Path) -> None:
    run(session, write_csv(tmp_path / "b.csv", [row(n) for n in range(1, 6)]))
    indexed = session.scalar(select(func.count()).select_from(search_doc))
    assert indexed == 5


@pytest.mark.parametrize("text", ["kafe-kopi", "Kafe & Kopi", "CAFES & COFFEE", "kafe kopi"])
def test_category_is_a_slug_or_a_name_in_either_language(
    session: Session, tmp_path: Path, text: str
) -> None:
    report = run(session, write_csv(tmp_path / "b.csv", [row(1, category=text)]))
    assert report.errors == []
    business = session.scalars(select(Business)).one()
    assert business.primary_category_id == category_id(session, "kafe-kopi")


def test_only_name_lat_lon_are_required_with_a_default_category(
    session: Session, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "b.csv",
        [{"name": "Warung Bu Sri", "lat": "-6.30", "lon": "106.65"}],
        columns=("name", "lat", "lon"),
    )
    report = run(session, path, default_category="kafe-kopi")
    assert report.created == 1
    assert report.inferred == 1  # "Warung …" says it
    business = session.scalars(select(Business)).one()
    assert business.primary_category_id == category_id(session, "warung-makan")
    assert business.external_id is None


def test_lainnya_is_the_default_category_when_it_exists(session: Session, tmp_path: Path) -> None:
    rows = [row(1, category="", name="Rizky Jaya", description="")]
    report = run(session, write_csv(tmp_path / "b.csv", rows))
    assert report.created == 1
    assert session.scalars(select(Business)).one().primary_category_id == category_id(
        session, "lainnya"
    )


def test_unknown_default_category_is_refused(session: Session, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="unknown category slug 'nope'"):
        run(session, write_csv(tmp_path / "b.csv", [row(1)]), default_category="nope")


# ------------------------------------------------------------------ idempotence


def test_second_import_updates_and_never_duplicates(session: Session, tmp_path: Path) -> None:
    rows = [row(n) for n in range(1, 6)]
    first = run(session, write_csv(tmp_path / "b.csv", rows))
    assert (first.created, first.updated, first.unchanged) == (5, 0, 0)
    before = snapshot(session)
    again = run(session, write_csv(tmp_path / "b.csv", rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert snapshot(session) == before  # not even updated_at moves

    # A live review on top of the imported baseline survives an update.
    target = session.scalars(select(Business).where(Business.external_id == "x-3")).one()
    target.rating_sum += 1.0
    target.rating_count += 1
    session.commit()
    rows[2] = row(3, name="Kopi Uji Tiga", rating="4.0", rating_count="4", category="restoran")
    third = run(session, write_csv(tmp_path / "b.csv", rows))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 4)
    assert count(session) == 5
    session.expire_all()
    target = session.scalars(select(Business).where(Business.external_id == "x-3")).one()
    assert target.name == "Kopi Uji Tiga"
    assert target.base_rating_count == 4
    assert target.rating_count == 5
    assert target.rating_sum == pytest.approx(4.0 * 4 + 1.0)
    assert target.primary_category_id == category_id(session, "restoran")
    assert [c.category_id for c in target.categories] == [category_id(session, "restoran")]


def test_rows_without_external_id_are_always_created(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", [row(1, external_id="")])
    run(session, path)
    run(session, path)
    slugs = sorted(session.scalars(select(Business.slug)))
    assert slugs == ["kopi-uji-1", "kopi-uji-1-2"]


def test_repeated_external_id_in_one_file_is_an_error(session: Session, tmp_path: Path) -> None:
    report = run(
        session, write_csv(tmp_path / "b.csv", [row(1), row(2), row(3, external_id="x-1")])
    )
    assert report.errors == [RowError(4, "external_id", "repeats the one on line 2")]
    assert count(session) == 0


# ------------------------------------------------------------------ bad rows


BAD_ROWS = [
    ({"name": ""}, "name", "is required"),
    ({"lat": "91"}, "lat", "between -90 and 90"),
    ({"lon": "abc"}, "lon", "'abc' is not a number"),
    ({"lon": "181"}, "lon", "between -180 and 180"),
    ({"lat": "0", "lon": "0"}, "lat", "(0, 0)"),
    ({"lat": ""}, "lat", "is required"),
    ({"phone": "12"}, "phone", "not a valid phone number"),
    ({"website": "not a url"}, "website", "must not contain spaces"),
    ({"website": "http://localhost"}, "website", "not a public host name"),
    ({"opening_hours": "Mo 25:00-26:00"}, "opening_hours", "invalid time"),
    ({"price_level": "5"}, "price_level", "must be 1, 2, 3 or 4"),
    ({"rating": "6"}, "rating", "must be between 1 and 5"),
    ({"rating_count": "-1"}, "rating_count", "whole number"),
    ({"category": "Toko Kue Basah"}, "category", "unknown category 'Toko Kue Basah'"),
    ({"name": "K" * 201}, "name", "at most 200 characters"),
    ({"address": "A" * 301}, "address", "at most 300 characters"),
    ({"description": "D" * 1_000_000}, "description", "at most 2000 characters"),
    ({"external_id": "e" * 101}, "external_id", "at most 100 characters"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_ROWS)
def test_each_bad_row_is_reported_with_line_and_field(
    session: Session, tmp_path: Path, changes: dict[str, str], field: str, message: str
) -> None:
    path = write_csv(tmp_path / "b.csv", [row(1), row(2, **changes), row(3)])
    report = run(session, path)
    assert report.written is False
    assert report.bad_rows == 1
    assert [(e.line, e.field) for e in report.errors] == [(3, field)]
    assert message in report.errors[0].message
    assert count(session) == 0


def test_invalid_utf8_is_reported_on_its_line(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", [row(1), row(2, address="Jl. MARKER"), row(3)])
    path.write_bytes(path.read_bytes().replace(b"MARKER", b"Caf\xe9"))
    report = run(session, path)
    assert report.errors == [RowError(3, "address", "is not valid UTF-8 (byte 0xe9)")]
    assert count(session) == 0


def test_every_bad_value_of_a_row_is_reported(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", [row(1, name="", price_level="9", phone="12")])
    report = run(session, path)
    assert sorted(e.field for e in report.errors) == ["name", "phone", "price_level"]
    assert report.bad_rows == 1
    assert report.error_count == 3


def test_refused_file_leaves_the_database_unchanged(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(session, write_csv(tmp_path / "a.csv", [row(n) for n in range(1, 4)]))
    before = snapshot(session)
    indexed = session.scalar(select(func.count()).select_from(search_doc))
    # Small batches, so that several are written before the bad row at the end is met.
    monkeypatch.setattr(businesses_io, "BATCH", 2)
    rows = [row(n, name=f"Baru {n}") for n in range(1, 12)] + [row(99, lat="91")]
    report = run(session, write_csv(tmp_path / "b.csv", rows))
    assert report.written is False
    assert (report.created, report.updated) == (0, 0)
    assert report.errors == [RowError(13, "lat", "must be between -90 and 90")]
    assert snapshot(session) == before
    assert session.scalar(select(func.count()).select_from(search_doc)) == indexed


def test_skip_bad_writes_the_good_rows(session: Session, tmp_path: Path) -> None:
    rows = [row(1), row(2, lat="91"), row(3), row(4, category="nope"), row(5)]
    report = run(session, write_csv(tmp_path / "b.csv", rows), skip_bad=True)
    assert report.written is True
    assert (report.rows, report.bad_rows, report.created) == (5, 2, 3)
    assert [(e.line, e.field) for e in report.errors] == [(3, "lat"), (5, "category")]
    assert sorted(str(e) for e in session.scalars(select(Business.external_id))) == [
        "x-1",
        "x-3",
        "x-5",
    ]


def test_errors_kept_are_capped_but_all_counted(session: Session, tmp_path: Path) -> None:
    rows = [row(n, lat="91") for n in range(1, 8)]
    report = run(session, write_csv(tmp_path / "b.csv", rows), max_errors=3)
    assert len(report.errors) == 3
    assert report.error_count == 7
    assert report.bad_rows == 7


# ------------------------------------------------------------------ categories


def test_create_categories_makes_unknown_ones(session: Session, tmp_path: Path) -> None:
    rows = [row(1, category="Toko Kue Basah"), row(2, category="toko kue basah")]
    path = write_csv(tmp_path / "b.csv", rows)
    assert run(session, path).bad_rows == 2
    report = run(session, path, create_categories=True)
    assert report.created == 2
    assert report.categories_created == ["toko-kue-basah"]
    created = session.scalars(select(Category).where(Category.slug == "toko-kue-basah")).one()
    assert (created.name_id, created.name_en, created.parent_id) == (
        "Toko Kue Basah",
        "Toko Kue Basah",
        category_id(session, "lainnya"),
    )
    assert created.path == "/lainnya/toko-kue-basah/"
    ids = set(session.scalars(select(BusinessCategory.category_id)))
    assert ids == {created.id}


def test_created_categories_go_under_lainnya_when_it_exists(
    session: Session, tmp_path: Path
) -> None:
    other = session.scalars(select(Category).where(Category.slug == "lainnya")).one()
    path = write_csv(tmp_path / "b.csv", [row(1, category="Jasa Titip")])
    run(session, path, create_categories=True)
    created = session.scalars(select(Category).where(Category.slug == "jasa-titip")).one()
    assert created.parent_id == other.id
    assert created.path == "/lainnya/jasa-titip/"


def test_refused_import_creates_no_category(session: Session, tmp_path: Path) -> None:
    rows = [row(1, category="Jasa Titip"), row(2, lat="91")]
    report = run(session, write_csv(tmp_path / "b.csv", rows), create_categories=True)
    assert report.written is False
    assert report.categories_created == []
    assert session.scalar(select(Category).where(Category.slug == "jasa-titip")) is None


# ------------------------------------------------------------------ hostile input


def test_hostile_text_is_stored_as_text(session: Session, tmp_path: Path) -> None:
    rows = [
        row(1, name='=HYPERLINK("http://evil.example","x")'),
        row(2, name="+SUM(1,2)", address="@import"),
        row(3, name="-2+3", description="Nul\x00byte <script>alert(1)</script>ok"),
    ]
    report = run(session, write_csv(tmp_path / "b.csv", rows))
    assert report.errors == []
    names = dict(session.execute(select(Business.external_id, Business.name)).all())
    assert names == {
        "x-1": '=HYPERLINK("http://evil.example","x")',
        "x-2": "+SUM(1,2)",
        "x-3": "-2+3",
    }
    description = session.scalar(select(Business.description).where(Business.external_id == "x-3"))
    assert description == "Nulbyte ok"


# ------------------------------------------------------------------ formats and workers


def test_geojson_and_jsonl_files_import_like_csv(session: Session, tmp_path: Path) -> None:
    geo = tmp_path / "b.geojson"
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [BSD[1], BSD[0]]},
        "properties": {"external_id": "g-1", "name": "Kopi Geo", "category": "kafe-kopi",
                       "price_level": 2, "rating": 4.5, "rating_count": 3},
    }  # fmt: skip
    geo.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    lines = tmp_path / "b.jsonl"
    lines.write_text(
        json.dumps({"external_id": "j-1", "name": "Kopi Lines", "category": "kafe-kopi",
                    "lat": BSD[0], "lon": BSD[1], "price_level": None}) + "\n"
        + json.dumps({"external_id": "j-2", "name": "K", "lat": 1, "lon": 2}) + "\n"
    )  # fmt: skip
    assert run(session, geo).created == 1
    report = run(session, lines)
    assert report.created == 0
    # a missing category is no error: it falls back to "lainnya"
    assert sorted((e.line, e.field) for e in report.errors) == [(2, "name")]
    assert run(session, lines, skip_bad=True).created == 1
    stored = session.scalars(select(Business).where(Business.external_id == "g-1")).one()
    assert (stored.lat, stored.lon, stored.price_level) == (BSD[0], BSD[1], 2)


def test_geojson_errors_name_the_feature(session: Session, tmp_path: Path) -> None:
    geo = tmp_path / "b.geojson"
    props = {"name": "Kopi", "category": "kafe-kopi"}
    features = [{"type": "Feature", "geometry": None, "properties": props}]
    geo.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    report = run(session, geo)
    assert {(e.line, e.feature, e.field) for e in report.errors} == {(1, 1, "lat"), (1, 1, "lon")}


def test_worker_processes_give_the_same_result(session: Session, tmp_path: Path) -> None:
    rows = [row(n) for n in range(1, 40)] + [row(40, lat="91")] + [row(41, category="Jasa Titip")]
    path = write_csv(tmp_path / "b.csv", rows)
    in_process = import_businesses(
        session, path, options=ImportOptions(workers=0, create_categories=True)
    )
    parallel = import_businesses(
        session, path, options=ImportOptions(workers=2, create_categories=True)
    )
    assert (
        in_process.errors == parallel.errors == [RowError(41, "lat", "must be between -90 and 90")]
    )
    assert parallel.written is False
    kept = import_businesses(
        session, path, options=ImportOptions(workers=2, create_categories=True, skip_bad=True)
    )
    assert (kept.created, kept.bad_rows, kept.categories_created) == (40, 1, ["jasa-titip"])


def _tricky_csv(path: Path) -> Path:
    """A CSV whose awkward parts fall across the 64-byte blocks the workers read."""
    rows = [row(n) for n in range(1, 30)]
    rows[3]["description"] = 'Dua baris\nkopi "susu"\r\nlagi'
    rows[10]["address"] = "Jl. Panjang, " + "Blok A\n" * 12  # longer than a block
    rows[20]["name"] = "NAME-TO-BREAK"
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(BUSINESS_COLUMNS)
    for r in rows:
        writer.writerow([r.get(c, "") for c in BUSINESS_COLUMNS])
    data = out.getvalue().encode()
    data = data.replace(b"NAME-TO-BREAK", b"Kopi Caf\xe9")  # Latin-1, not UTF-8
    lines = data.split(b"\r\n")
    lines.insert(8, b"")  # a blank line
    lines.insert(30, lines[30] + b",extra cell")  # then the row itself again
    path.write_bytes(b"\r\n".join(lines))
    return path


def test_worker_processes_read_a_csv_file_like_the_main_process(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With workers, they read the CSV bytes themselves, in blocks cut at line ends: cells
    with line breaks that span blocks, blank lines, bad bytes and malformed rows give the
    same records, values and error lines as reading the file in one process."""
    monkeypatch.setattr(formats, "CSV_BLOCK_BYTES", 64)
    path = _tricky_csv(tmp_path / "b.csv")
    options = {"create_categories": True, "skip_bad": True}
    parallel = import_businesses(session, path, options=ImportOptions(workers=2, **options))
    in_process = import_businesses(session, path, options=ImportOptions(workers=0, **options))
    errors = [(e.line, e.field) for e in parallel.errors]
    assert errors == [(37, "name"), (44, "row")]
    assert [(e.line, e.field, e.message) for e in in_process.errors] == [
        (e.line, e.field, e.message) for e in parallel.errors
    ]
    assert parallel.rows == in_process.rows == 30
    assert parallel.created == 28
    assert in_process.unchanged == 28  # the same values were read both ways
    stored = session.scalars(select(Business).where(Business.external_id == "x-4")).one()
    assert stored.description == 'Dua baris\nkopi "susu"\nlagi'  # line ends made \\n
    stored = session.scalars(select(Business).where(Business.external_id == "x-11")).one()
    assert stored.address.count("Blok A") == 12


def test_a_single_worker_leaves_reading_the_csv_to_the_main_process(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One worker that also parsed every row would hold up the writer on a two-core machine;
    with one worker the main process reads the file and the worker only validates, with the
    same records and errors as reading in one process."""
    monkeypatch.setattr(formats, "CSV_BLOCK_BYTES", 64)

    def no_blocks(self: formats.RecordReader, size: int | None = None) -> None:
        raise AssertionError("a single worker must not be handed raw CSV blocks")

    path = _tricky_csv(tmp_path / "b.csv")
    options: dict[str, Any] = {"create_categories": True, "skip_bad": True}
    with monkeypatch.context() as patched:
        patched.setattr(formats.RecordReader, "csv_blocks", no_blocks)
        one_worker = import_businesses(session, path, options=ImportOptions(workers=1, **options))
    in_process = import_businesses(session, path, options=ImportOptions(workers=0, **options))
    assert [(e.line, e.field) for e in one_worker.errors] == [(37, "name"), (44, "row")]
    assert [(e.line, e.field, e.message) for e in in_process.errors] == [
        (e.line, e.field, e.message) for e in one_worker.errors
    ]
    assert one_worker.rows == in_process.rows == 30
    assert one_worker.created == 28
    assert in_process.unchanged == 28


@pytest.mark.parametrize(
    ("tail", "line"),
    [
        (b'x-90,"Kopi Rusak"x,kafe-kopi,-6.3,106.6\r\nx-91,Kopi,kafe-kopi,-6.3,106.6\r\n', 48),
        (b'x-90,"Kopi Terpotong\r\nJl. Uji\r\n', 48),  # the file ends inside a quote
    ],
)
def test_worker_processes_stop_at_a_broken_csv_line_like_the_main_process(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tail: bytes, line: int
) -> None:
    monkeypatch.setattr(formats, "CSV_BLOCK_BYTES", 64)
    path = _tricky_csv(tmp_path / "b.csv")
    path.write_bytes(path.read_bytes() + b"\r\n" + tail)
    messages = []
    for workers in (0, 2):
        with pytest.raises(FormatError) as caught:
            import_businesses(session, path, options=ImportOptions(workers=workers))
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert f"b.csv: line {line}: " in messages[0]
    assert session.scalar(select(func.count()).select_from(Business)) == 0


def test_large_import_compacts_the_search_index_after_committing(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big import ends with the FTS merge / ANALYZE step; the data is committed first."""
    calls: list[int] = []

    def spy(s: Session) -> None:
        # The import's rows are already committed when the optimisation runs.
        calls.append(s.scalar(select(func.count()).select_from(Business)) or 0)
        real_optimize(s)

    real_optimize = businesses_io.optimize_search_indexes
    monkeypatch.setattr(businesses_io, "optimize_search_indexes", spy)
    monkeypatch.setattr(businesses_io, "OPTIMIZE_FROM_ROWS", 3)
    run(session, write_csv(tmp_path / "small.csv", [row(1), row(2)]))
    assert calls == []  # below the threshold: nothing to compact
    run(session, write_csv(tmp_path / "big.csv", [row(n) for n in range(3, 8)]))
    assert calls == [7]
    found = session.scalars(select(search_doc.c.business_id)).all()
    assert len(found) == 7  # every imported business is still searchable


@pytest.mark.parametrize(
    ("cpus", "workers"), [(None, 1), (1, 1), (2, 2), (3, 2), (4, 3), (5, 4), (16, 4)]
)
def test_large_files_get_validation_workers_by_core_count(
    monkeypatch: pytest.MonkeyPatch, cpus: int | None, workers: int
) -> None:
    """Two cores get two workers (they read the CSV too and the writer does not wait for a
    single one); from three cores on, one core is left to the writer; never more than four."""
    monkeypatch.setattr(business_validation.os, "cpu_count", lambda: cpus)
    assert business_validation.auto_workers(1_000_000) == workers
    assert business_validation.auto_workers(business_validation.PARALLEL_FROM_RECORDS - 1) == 0
