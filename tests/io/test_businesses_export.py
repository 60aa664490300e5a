"""Exporting businesses: canonical files, and export → import → export gives the same bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from directory.io.businesses_io import ImportOptions, export_businesses, import_businesses
from directory.io.errors import FormatError
from directory.models import Business, BusinessCategory
from directory.search import indexing
from tests.io.test_businesses_io import row, write_csv

# Rows that exercise every column and the awkward cases of each format.
VARIED = [
    row(1),
    row(
        2,
        name='=HYPERLINK("http://evil.example","klik")',
        address="-Jl. Minus",
        description='Baris satu\nBaris dua\n\nBaris empat, "kutip"',
        rating="4.333",
        rating_count="3",
        lat="-6.30160049",
        lon="106.652712345",
    ),
    row(3, external_id="", name="Bakmi 'Ayam' Ibu", phone="(021) 5312 6817", price_level=""),
    row(4, name="+Plus @at", rating="", rating_count="", website="", opening_hours="24/7"),
    row(5, name="Kedai Kopi ☕ Kenangan", category="Restoran", address="'=quoted"),
    row(6, name="Warung\tTab", description="\tindented", lat="-6.1", lon="106.8"),
]


def fresh_import(session: Session, path: Path) -> None:
    """Empty the business table, then import ``path`` (as if into a new database)."""
    ids = list(session.scalars(select(Business.id)))
    indexing.unindex_businesses(session, ids)
    session.execute(delete(BusinessCategory))
    session.execute(delete(Business))
    session.commit()
    report = import_businesses(session, path, options=ImportOptions(workers=0))
    assert report.errors == []


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".jsonl"])
def test_export_import_export_is_identical(session: Session, tmp_path: Path, suffix: str) -> None:
    fresh_import(session, write_csv(tmp_path / "source.csv", VARIED))
    first = tmp_path / f"first{suffix}"
    second = tmp_path / f"second{suffix}"
    assert export_businesses(session, first) == len(VARIED)
    fresh_import(session, first)
    assert export_businesses(session, second) == len(VARIED)
    assert second.read_bytes() == first.read_bytes()


def test_formats_convert_into_each_other_without_loss(session: Session, tmp_path: Path) -> None:
    fresh_import(session, write_csv(tmp_path / "source.csv", VARIED))
    export_businesses(session, tmp_path / "a.csv")
    export_businesses(session, tmp_path / "b.geojson")
    fresh_import(session, tmp_path / "b.geojson")
    export_businesses(session, tmp_path / "c.jsonl")
    fresh_import(session, tmp_path / "c.jsonl")
    export_businesses(session, tmp_path / "d.csv")
    assert (tmp_path / "d.csv").read_bytes() == (tmp_path / "a.csv").read_bytes()


def test_reimporting_an_export_changes_nothing(session: Session, tmp_path: Path) -> None:
    fresh_import(session, write_csv(tmp_path / "source.csv", VARIED))
    # A review arrives: the export still carries the imported baseline, not the aggregate.
    business = session.scalars(select(Business).where(Business.external_id == "x-1")).one()
    business.rating_sum += 1.0
    business.rating_count += 1
    session.commit()
    export_businesses(session, tmp_path / "out.csv")
    report = import_businesses(session, tmp_path / "out.csv", options=ImportOptions(workers=0))
    # Row 3 has no external_id, so it is created again; row 2's coordinates were stored
    # with more than 7 decimals and come back rounded to 7 (1 cm), the export's precision.
    assert (report.created, report.updated, report.unchanged) == (1, 1, 4)
    session.refresh(business)
    assert business.rating_count == 11


def test_csv_export_is_canonical_and_escapes_formulas(session: Session, tmp_path: Path) -> None:
    fresh_import(session, write_csv(tmp_path / "source.csv", VARIED))
    path = tmp_path / "out.csv"
    export_businesses(session, path)
    text = path.read_bytes().decode("utf-8")
    header, line1, line2 = text.split("\r\n")[:3]
    assert header == (
        "external_id,name,category,lat,lon,address,phone,website,opening_hours,"
        "price_level,rating,rating_count,description"
    )
    assert line1 == (
        "x-1,Kopi Uji 1,kafe-kopi,-6.3015,106.6527,Jl. Uji No. 1,+6281234567801,"
        'https://kopi1.id/,"Mo-Fr 08:00-17:00; Sa,Su off",2,4.5,10,Kopi susu gula aren.'
    )
    # Text that starts a formula gets an apostrophe; the negative latitude does not.
    assert line2.startswith('x-2,"\'=HYPERLINK(""http://evil.example"",""klik"")",')
    assert ",-6.3016005,106.6527123,'-Jl. Minus," in line2
    assert ",4.33,3," in text


def test_json_exports_use_numbers_and_nulls(session: Session, tmp_path: Path) -> None:
    fresh_import(session, write_csv(tmp_path / "source.csv", VARIED))
    export_businesses(session, tmp_path / "out.jsonl")
    export_businesses(session, tmp_path / "out.geojson")
    lines = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert lines[1]["lat"] == -6.3016005
    assert lines[1]["rating"] == 4.33
    assert lines[3]["rating"] is None
    assert lines[3]["rating_count"] == 0
    assert lines[2]["external_id"] is None
    collection = json.loads((tmp_path / "out.geojson").read_text())
    assert collection["type"] == "FeatureCollection"
    feature = collection["features"][1]
    assert feature["geometry"] == {"type": "Point", "coordinates": [106.6527123, -6.3016005]}
    assert "lat" not in feature["properties"]
    assert feature["properties"]["name"] == '=HYPERLINK("http://evil.example","klik")'


def test_only_published_businesses_are_exported(session: Session, tmp_path: Path) -> None:
    fresh_import(session, write_csv(tmp_path / "source.csv", VARIED[:3]))
    hidden = session.scalars(select(Business).where(Business.external_id == "x-2")).one()
    hidden.status = "hidden"
    session.commit()
    assert export_businesses(session, tmp_path / "out.jsonl") == 2


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".jsonl"])
def test_empty_export_is_a_valid_file(session: Session, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    assert export_businesses(session, path) == 0
    report = import_businesses(session, path, options=ImportOptions(workers=0))
    assert (report.rows, report.written) == (0, True)


def test_unknown_export_format_writes_nothing(session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(FormatError, match="unknown file type"):
        export_businesses(session, folder / "out.xlsx")
    assert list(folder.iterdir()) == []
