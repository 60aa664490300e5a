"""The bulk path of a first import: indexes built once at the end, same result, all or nothing.

A large file going into an empty directory is loaded with the secondary indexes dropped
and the search indexes only appended to, then everything is built once before the commit
(``businesses_io._bulk_load``). These tests lower the size threshold so that small files
take that path, and check what a user and an operator would see: the schema's indexes,
search results, and a database left as it was when the import fails.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from directory.io import businesses_io
from directory.io.businesses_io import ImportOptions, ImportReport, import_businesses
from directory.models import Business, BusinessCategory
from directory.search import indexer
from directory.search.params import SearchParams, Sort
from directory.search.service import search_businesses
from directory.search.tables import (
    SPATIAL_POSTGIS,
    search_cell,
    search_doc,
    search_geo,
    search_term,
    search_term_variant,
)
from tests.factories import BSD
from tests.io.test_businesses_io import row, write_csv

NOW = datetime.fromisoformat("2026-12-02T10:30:00+07:00")
KINDS = (
    ("Roti Harum", "toko-roti"),
    ("Bakmi Lezat", "restoran"),
    ("Kopi Senja", "kafe-kopi"),
    ("Bengkel Maju", "bengkel-mobil"),
)


def rows(count: int) -> list[dict[str, str]]:
    out = []
    for n in range(count):
        name, category = KINDS[n % len(KINDS)]
        out.append(row(n, name=f"{name} {n}", category=category))
    return out


def run(session: Session, path: Path, **options: Any) -> ImportReport:
    return import_businesses(
        session, path, options=ImportOptions(workers=0, create_categories=True, **options)
    )


@pytest.fixture
def bulk_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every import into an empty directory takes the bulk path, however small."""
    monkeypatch.setattr(businesses_io, "BULK_FROM_ROWS", 0)


def index_definitions(session: Session) -> list[tuple[str, str]]:
    """Every index of the database as the database itself defines it."""
    if session.get_bind().dialect.name == "sqlite":
        query = text(
            "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index' ORDER BY name"
        )
    else:
        query = text(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() ORDER BY indexname"
        )
    return [(name, sql) for name, sql in session.execute(query)]


def search_state(session: Session) -> dict[str, list[tuple[object, ...]]]:
    """Everything the search indexes hold, in a stable order."""
    session.expire_all()
    geo = select(
        search_geo.c.scope,
        search_geo.c.business_id,
        search_geo.c.lat,
        search_geo.c.lon,
        func.ST_AsEWKT(search_geo.c.geog),
    ).order_by("scope", "business_id")
    postgis = indexer.spatial_backend(session) == SPATIAL_POSTGIS
    return {
        "geo": [tuple(r) for r in session.execute(geo)] if postgis else [],
        "doc": [tuple(r) for r in session.execute(select(search_doc).order_by("business_id"))],
        "cell": [
            tuple(r)
            for r in session.execute(select(search_cell).order_by("cell_key", "business_id"))
        ],  # fmt: skip
        "term": [
            tuple(r)
            for r in session.execute(
                select(search_term).where(search_term.c.df > 0).order_by("term")
            )
        ],
        "variant": [
            tuple(r)
            for r in session.execute(select(search_term_variant).order_by("variant", "term"))
        ],
    }


def names(session: Session, **params: Any) -> list[str]:
    page = search_businesses(session, SearchParams(**params), now=NOW)
    return [item.name for item in page.items]


def test_bulk_import_keeps_every_index_of_the_schema(
    session: Session, tmp_path: Path, bulk_always: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = index_definitions(session)
    spy: list[int] = []
    original = businesses_io.DeferredIndexes.rebuild

    def rebuild(self: businesses_io.DeferredIndexes) -> None:
        spy.append(len(self.dropped))
        original(self)

    monkeypatch.setattr(businesses_io.DeferredIndexes, "rebuild", rebuild)
    report = run(session, write_csv(tmp_path / "b.csv", rows(40)))
    assert report.written
    assert report.created == 40
    assert spy
    assert spy[0] > 0
    assert index_definitions(session) == before


def test_bulk_import_indexes_search_like_the_row_by_row_indexer(
    session: Session, tmp_path: Path, bulk_always: None
) -> None:
    report = run(session, write_csv(tmp_path / "b.csv", rows(60)))
    assert report.written
    assert report.bulk_load
    assert report.created == 60
    bulk = search_state(session)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')"))
    # Readers find what was imported: by name, by a word with a typo, by category nearby.
    assert "Roti Harum 4" in names(session, q="roti harum 4")
    found = names(session, q="bakmi lezta", limit=50)
    assert len(found) == 15
    assert all(n.startswith("Bakmi Lezat") for n in found)
    near = names(session, lat=BSD[0], lon=BSD[1], categories=("bengkel-mobil",), sort=Sort.DISTANCE)
    assert near[:3] == ["Bengkel Maju 3", "Bengkel Maju 7", "Bengkel Maju 11"]
    # The same index content as indexing every business again through the row path.
    assert indexer.rebuild_search_indexes(session) == 60
    session.commit()
    assert search_state(session) == bulk
    assert bulk["doc"]
    assert bulk["cell"] or bulk["geo"]  # the spatial index of this backend
    assert bulk["term"]
    assert bulk["variant"]


def test_a_refused_bulk_import_leaves_the_database_as_it_was(
    session: Session, tmp_path: Path, bulk_always: None
) -> None:
    before = index_definitions(session)
    bad = rows(30)
    bad[-1]["lat"] = "north"  # the last row is bad: the first 29 were already written
    report = run(session, write_csv(tmp_path / "b.csv", bad))
    assert not report.written
    assert report.bad_rows == 1
    assert report.errors[0].line == 31
    assert report.errors[0].field == "lat"
    assert session.scalar(select(func.count()).select_from(Business)) == 0
    assert session.scalar(select(func.count()).select_from(search_doc)) == 0
    assert index_definitions(session) == before


def test_a_bulk_import_that_fails_while_finishing_leaves_the_database_as_it_was(
    session: Session, tmp_path: Path, bulk_always: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = index_definitions(session)

    def broken(self: indexer.BulkLoad) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(indexer.BulkLoad, "finish", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        run(session, write_csv(tmp_path / "b.csv", rows(30)))
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Business)) == 0
    assert session.scalar(select(func.count()).select_from(BusinessCategory)) == 0
    assert session.scalar(select(func.count()).select_from(search_doc)) == 0
    assert index_definitions(session) == before
    monkeypatch.undo()
    # ... and the same file then imports normally.
    monkeypatch.setattr(businesses_io, "BULK_FROM_ROWS", 0)
    report = run(session, write_csv(tmp_path / "b.csv", rows(30)))
    assert report.written
    assert report.created == 30
    assert "Kopi Senja 2" in names(session, q="kopi senja 2")


def test_an_import_into_a_directory_with_businesses_keeps_its_indexes(
    session: Session, tmp_path: Path, bulk_always: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(session, write_csv(tmp_path / "a.csv", rows(3)))
    dropped: list[object] = []
    monkeypatch.setattr(
        businesses_io,
        "DeferredIndexes",
        lambda *a: dropped.append(a),  # type: ignore[arg-type]
    )
    more = [row(n + 100, name=f"Roti Harum {n + 100}", category="toko-roti") for n in range(5)]
    report = run(session, write_csv(tmp_path / "b.csv", more))
    assert report.written
    assert report.created == 5
    assert dropped == []  # the row-by-row path: live readers are never locked out
    assert not report.bulk_load
    assert len(names(session, q="roti harum", limit=50)) == 6


def test_search_works_right_after_a_bulk_import_read_by_worker_processes(
    session: Session, tmp_path: Path, bulk_always: None
) -> None:
    """The bulk path as a large file takes it: workers read the file, the writer indexes
    the rows it holds; text, typo and nearest searches answer from the first query on, and
    the full-text index merges later writes as usual again."""
    path = write_csv(tmp_path / "b.csv", rows(60))
    report = import_businesses(
        session, path, options=ImportOptions(workers=2, create_categories=True)
    )
    assert report.written
    assert report.bulk_load
    assert report.created == 60
    assert names(session, q="roti harum 4")[:1] == ["Roti Harum 4"]
    assert len(names(session, q="bakmi lezta", limit=50)) == 15
    near = names(session, lat=BSD[0], lon=BSD[1], categories=("kafe-kopi",), sort=Sort.DISTANCE)
    assert near[:3] == ["Kopi Senja 2", "Kopi Senja 6", "Kopi Senja 10"]
    bulk = search_state(session)
    assert indexer.rebuild_search_indexes(session) == 60
    session.commit()
    assert search_state(session) == bulk
    if session.get_bind().dialect.name == "sqlite":
        settings = dict(session.execute(text("SELECT k, v FROM search_fts_config")).all())
        assert (settings.get("automerge", 4), settings.get("crisismerge", 16)) == (4, 16)
