"""Autocomplete and relevance searches with a point read each text match's point before its
document (migration 0015's covering index on SQLite): the distances readers see follow
every write, and are the same with or without that index."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from directory.businesses.input import parse_business_fields
from directory.businesses.writes import update_business
from directory.geo import distance_m
from directory.models import Business, Category
from directory.search.indexing import index_businesses, unindex_businesses
from directory.search.service import autocomplete
from tests.factories import make_business

READER = (-6.3016, 106.6527)


def _suggested(session: Session, q: str) -> dict[str, float | None]:
    found = autocomplete(session, q=q, lat=READER[0], lon=READER[1], limit=20)
    return {b.name: b.distance_m for b in found.businesses}


def _input(session: Session, **fields: Any) -> Any:
    by_slug = dict(session.execute(select(Category.slug, Category.id)).all())
    raw = {"name": "Sate Uji", "lat": str(READER[0]), "lon": str(READER[1]),
           "category": "kafe-kopi"}  # fmt: skip
    raw.update({k: str(v) for k, v in fields.items()})
    return parse_business_fields(raw, resolve_category=by_slug.get)


def test_suggestion_distances_follow_create_move_and_delete(session: Session) -> None:
    # Enough matches of "sate" that the candidates are bounded by their points.
    for i in range(60):
        make_business(session, name=f"Sate Ayam {i}", lat=READER[0] + 0.02 + i * 1e-4,
                      lon=READER[1] + 0.02)  # fmt: skip
    moved = make_business(session, name="Sate Pindah", lat=READER[0] + 0.05, lon=READER[1])
    far = distance_m(*READER, READER[0] + 0.05, READER[1])
    assert _suggested(session, "sate pin") == {"Sate Pindah": pytest.approx(far, abs=1.0)}

    update_business(session, moved, _input(session, name="Sate Pindah", lat=READER[0] + 0.001,
                                           lon=READER[1]))  # fmt: skip
    session.commit()
    near = distance_m(*READER, READER[0] + 0.001, READER[1])
    assert _suggested(session, "sate pin") == {"Sate Pindah": pytest.approx(near, abs=1.0)}
    # The nearest match now comes first among all the "sate" places.
    assert next(iter(_suggested(session, "sat"))) == "Sate Pindah"

    unindex_businesses(session, [moved.id])
    session.execute(delete(Business).where(Business.id == moved.id))
    session.commit()
    assert _suggested(session, "sate pin") == {}
    assert "Sate Pindah" not in _suggested(session, "sat")


def test_same_suggestions_without_the_covering_index(session: Session) -> None:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the covering index is SQLite's (migration 0015)")
    for i in range(80):
        b = make_business(session, name=f"Warung Sate {i}", lat=READER[0] + (i % 9) * 3e-3,
                          lon=READER[1] + (i % 7) * 3e-3)  # fmt: skip
        if i % 5 == 0:
            b.rating_sum, b.rating_count = 4.0 * (i % 4 + 1), i % 4 + 1
    session.commit()
    index_businesses(session, list(session.scalars(select(Business.id))))
    session.commit()
    plan = session.execute(text(
        "EXPLAIN QUERY PLAN SELECT d.lat FROM search_fts JOIN search_doc d ON d.rank_key "
        "BETWEEN search_fts.rowid AND search_fts.rowid WHERE search_fts MATCH 'sate'"
    )).all()  # fmt: skip
    assert any("ix_search_doc_rank_point" in str(row) for row in plan)
    with_index = [_suggested(session, q) for q in ("wa", "warung sa", "sate 1", "sat")]
    session.execute(text("DROP INDEX ix_search_doc_rank_point"))
    without = [_suggested(session, q) for q in ("wa", "warung sa", "sate 1", "sat")]
    assert with_index == without
    assert all(with_index)
