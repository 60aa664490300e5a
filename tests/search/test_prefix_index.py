"""The full-text prefix index (migration 0013) follows every write, and prefix queries
answer exactly what the words of the documents say: create, rename, hide, delete, bulk
import, rebuild, and a database migrated while it already held businesses."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from sqlalchemy import delete, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from directory.areas.service import seed_areas
from directory.areas.taxonomy import seed_categories
from directory.businesses.input import parse_business_fields
from directory.businesses.writes import bulk_upsert_businesses, update_business
from directory.db import make_engine, make_session_factory, session_scope
from directory.migrate import alembic_config, upgrade_database
from directory.models import Business, Category
from directory.search.fulltext import TextStream, build_query, spelled_prefixes
from directory.search.indexer import rebuild_search_indexes
from directory.search.indexing import index_businesses, unindex_businesses
from directory.search.service import autocomplete
from directory.search.tables import search_doc
from directory.search.text_match import QueryWord
from tests.factories import make_business

CENTRE = (-6.3016, 106.6527)
PREFIXES = ["wa", "war", "waru", "warun", "warung", "se", "sej", "seja", "sejah", "ba", "bak",
            "bakso", "ko", "kop", "kopit", "zzzzz"]  # fmt: skip


def _suggested(session: Session, q: str) -> set[str]:
    found = autocomplete(session, q=q, lat=CENTRE[0], lon=CENTRE[1], limit=20)
    return {b.name for b in found.businesses}


def _prefix_ids(session: Session, prefix: str, *, spelled: bool = False) -> set[int]:
    """Business ids the full-text index returns for ``prefix*`` alone (``spelled``: a
    prefix longer than the prefix indexes written as the vocabulary words it begins)."""
    word = QueryWord(token=prefix, terms={prefix: 1.0}, prefix=True)
    dialect = session.get_bind().dialect.name
    words = spelled_prefixes(session, [word]) if spelled else {}
    query = build_query([word], required=1, dialect=dialect, spelled=words)
    stream = TextStream(session, query, batch=4096)
    out: set[int] = set()
    while not stream.exhausted:
        out.update(stream.next_batch())
    return out


def _brute_force(session: Session, prefix: str) -> set[int]:
    """Business ids one of whose stored words starts with ``prefix``."""
    rows = session.execute(
        select(search_doc.c.business_id, search_doc.c.name_terms, search_doc.c.cat_terms,
               search_doc.c.addr_terms, search_doc.c.desc_terms)
    )  # fmt: skip
    return {
        bid for bid, *fields in rows
        if any(w.startswith(prefix) for f in fields for w in f.split())
    }  # fmt: skip


def _agrees(session: Session) -> None:
    for prefix in PREFIXES:
        expected = _brute_force(session, prefix)
        assert _prefix_ids(session, prefix) == expected, prefix
        assert _prefix_ids(session, prefix, spelled=True) == expected, prefix
    if session.get_bind().dialect.name == "sqlite":
        # FTS5 compares every index, the prefix indexes included, with the documents.
        session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')"))


def _input(session: Session, **fields: Any) -> Any:
    by_slug = dict(session.execute(select(Category.slug, Category.id)).all())
    raw = {"name": "Kopi Uji", "lat": str(CENTRE[0]), "lon": str(CENTRE[1]),
           "category": "kafe-kopi"}  # fmt: skip
    raw.update({k: str(v) for k, v in fields.items()})
    return parse_business_fields(raw, resolve_category=by_slug.get)


def test_sqlite_full_text_index_has_prefix_indexes(session: Session) -> None:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL answers prefixes from its GIN index")
    sql = session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'search_fts'"))
    assert "prefix='2 3 4'" in str(sql)


def test_prefixes_follow_create_rename_hide_delete(session: Session) -> None:
    b = make_business(session, name="Warung Sejahtera", address="Jl. Merpati 5")
    make_business(session, name="Kopi Senja", address="Jl. Waru 2")
    _agrees(session)
    assert "Warung Sejahtera" in _suggested(session, "war")
    assert "Warung Sejahtera" in _suggested(session, "warung seja")

    update_business(session, b, _input(session, name="Bakso Pagi"))
    session.commit()
    _agrees(session)
    assert "Bakso Pagi" in _suggested(session, "bak")
    assert _suggested(session, "warung seja") == set()

    b.status = "hidden"
    index_businesses(session, [b.id])
    session.commit()
    _agrees(session)
    assert _suggested(session, "bak") == set()

    b.status = "published"
    index_businesses(session, [b.id])
    session.commit()
    assert "Bakso Pagi" in _suggested(session, "bak")

    unindex_businesses(session, [b.id])
    session.execute(delete(Business).where(Business.id == b.id))
    session.commit()
    _agrees(session)
    assert _suggested(session, "bak") == set()


def test_prefixes_follow_bulk_import_and_rebuild(session: Session) -> None:
    names = ["Warung", "Waroeng", "Sate", "Bakso", "Seblak"]
    inputs = [
        _input(session, name=f"{names[i % 5]} {['Sejati', 'Barokah', 'Kopi'][i % 3]} {i}",
               lat=CENTRE[0] + (i % 17) * 1e-3, lon=CENTRE[1] + (i % 13) * 1e-3,
               external_id=f"p-{i}")
        for i in range(80)
    ]  # fmt: skip
    bulk_upsert_businesses(session, inputs, source="import")
    session.commit()
    _agrees(session)
    assert "Waroeng Barokah 1" in _suggested(session, "waroeng bar")
    renamed = [
        _input(session, name=f"Bakmi {i}", lat=CENTRE[0], lon=CENTRE[1], external_id=f"p-{i}")
        for i in range(40)
    ]
    bulk_upsert_businesses(session, renamed, source="import")
    session.commit()
    _agrees(session)
    assert _suggested(session, "bakmi 3") >= {"Bakmi 3"}
    assert rebuild_search_indexes(session) == 80
    session.commit()
    _agrees(session)


@pytest.fixture
def sqlite_engine(tmp_path: Any) -> Any:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    yield engine
    engine.dispose()


def test_migration_builds_the_prefix_index_over_existing_businesses(sqlite_engine: Engine) -> None:
    upgrade_database(sqlite_engine, revision="0009")
    sessions = make_session_factory(sqlite_engine)
    with session_scope(sessions) as session:
        seed_categories(session)
        seed_areas(session)
        make_business(session, name="Warung Sejahtera")
        make_business(session, name="Bakso Pagi")
    upgrade_database(sqlite_engine, revision="0013")
    with sessions() as session:
        _agrees(session)
        assert "Warung Sejahtera" in _suggested(session, "wa")
    cfg = alembic_config(sqlite_engine.url.render_as_string(hide_password=False))
    with sqlite_engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0009")
    with sessions() as session:
        sql = session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'search_fts'"))
        assert "prefix" not in str(sql)
        _agrees(session)
