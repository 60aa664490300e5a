"""The search indexes follow every write: create, edit, hide, delete, bulk import, rebuild."""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from directory.businesses.input import parse_business_fields
from directory.businesses.writes import bulk_upsert_businesses, update_business
from directory.models import Business, Category
from directory.search import service as search_service
from directory.search.catalog import get_catalog
from directory.search.indexer import rebuild_search_indexes, spatial_backend
from directory.search.indexing import index_businesses, unindex_businesses
from directory.search.params import SearchParams, Sort
from directory.search.service import nearest_candidates, search_businesses
from directory.search.tables import search_cell, search_doc, search_geo, search_meta, search_term
from tests.factories import make_business
from tests.search.test_service import NOW

CENTRE = (-6.3016, 106.6527)


def _ids(session: Session, q: str) -> list[int]:
    page = search_businesses(session, SearchParams(q=q), now=NOW)
    return [item.id for item in page.items]


def _snapshot(session: Session) -> dict[str, Any]:
    """Everything the indexes hold, in a comparable form."""
    backend = spatial_backend(session)
    spatial = (
        sorted(session.execute(select(search_geo.c.scope, search_geo.c.business_id)).all())
        if backend == "postgis"
        else sorted(
            session.execute(select(search_cell.c.cell_key, search_cell.c.business_id)).all()
        )
    )
    return {
        "docs": sorted(session.execute(select(search_doc)).all()),
        "spatial": spatial,
        "terms": dict(
            session.execute(
                select(search_term.c.term, search_term.c.df).where(search_term.c.df > 0)
            ).all()
        ),
    }


def _recount(session: Session) -> Counter[str]:
    counts: Counter[str] = Counter()
    for row in session.execute(
        select(search_doc.c.name_terms, search_doc.c.cat_terms, search_doc.c.addr_terms,
               search_doc.c.desc_terms)
    ):  # fmt: skip
        counts.update({t for field in row for t in field.split()})
    return counts


def _input(session: Session, **fields: Any) -> Any:
    by_slug = dict(session.execute(select(Category.slug, Category.id)).all())
    raw = {
        "name": "Kopi Uji",
        "lat": str(CENTRE[0]),
        "lon": str(CENTRE[1]),
        "category": "kafe-kopi",
    }
    raw.update({k: str(v) for k, v in fields.items()})
    return parse_business_fields(raw, resolve_category=by_slug.get)


def test_create_edit_hide_delete(session: Session) -> None:
    b = make_business(session, name="Kopi Senja", address="Jl. Merpati 5")
    assert _ids(session, "senja") == [b.id]
    assert _recount(session) == Counter(_snapshot(session)["terms"])

    update_business(session, b, _input(session, name="Bakso Pagi", lat=-6.40, lon=106.70))
    session.commit()
    assert _ids(session, "senja") == []
    assert _ids(session, "bakso pagi") == [b.id]
    assert nearest_candidates(session, lat=-6.40, lon=106.70, limit=1)[0][0] == b.id
    assert _recount(session) == Counter(_snapshot(session)["terms"])

    b.status = "hidden"
    index_businesses(session, [b.id])
    session.commit()
    assert _ids(session, "bakso") == []
    assert nearest_candidates(session, lat=-6.40, lon=106.70, limit=5) == []

    b.status = "published"
    index_businesses(session, [b.id])
    session.commit()
    assert _ids(session, "bakso") == [b.id]

    unindex_businesses(session, [b.id])
    session.execute(delete(Business).where(Business.id == b.id))
    session.commit()
    assert _ids(session, "bakso") == []
    assert _snapshot(session)["docs"] == []
    assert _snapshot(session)["terms"] == {}


def test_reindexing_an_unchanged_business_changes_nothing(session: Session) -> None:
    b = make_business(session, name="Kopi Senja")
    before = _snapshot(session)
    index_businesses(session, [b.id, b.id, 999_999])
    session.commit()
    assert _snapshot(session) == before


def test_category_change_moves_spatial_scopes(session: Session) -> None:
    b = make_business(session, name="Serba Ada", category="kafe-kopi")
    kafe = session.scalar(select(Category.id).where(Category.slug == "kafe-kopi"))
    apotek = session.scalar(select(Category.id).where(Category.slug == "apotek"))
    assert kafe is not None
    assert apotek is not None
    near = nearest_candidates
    assert near(session, lat=CENTRE[0], lon=CENTRE[1], limit=1, category_ids=[kafe])
    update_business(session, b, _input(session, name="Serba Ada", category="apotek"))
    session.commit()
    assert near(session, lat=CENTRE[0], lon=CENTRE[1], limit=1, category_ids=[kafe]) == []
    assert near(session, lat=CENTRE[0], lon=CENTRE[1], limit=1, category_ids=[apotek])


def test_bulk_import_then_rebuild_gives_the_same_indexes(session: Session) -> None:
    inputs = [
        _input(
            session,
            name=f"{['Kopi', 'Sate', 'Bakso'][i % 3]} Nomor {i}",
            lat=CENTRE[0] + (i % 17) * 1e-3,
            lon=CENTRE[1] + (i % 13) * 1e-3,
            external_id=f"x-{i}",
            address=f"Jl. Uji {i}",
            rating="4.5" if i % 2 else "",
            rating_count="10" if i % 2 else "",
        )
        for i in range(120)
    ]
    report = bulk_upsert_businesses(session, inputs, source="import")
    session.commit()
    assert report.created == 120
    imported = _snapshot(session)
    assert len(imported["docs"]) == 120
    assert _recount(session) == Counter(imported["terms"])
    # the same rows again: an update of every row, indexes unchanged
    bulk_upsert_businesses(session, inputs, source="import")
    session.commit()
    assert _snapshot(session) == imported
    assert rebuild_search_indexes(session) == 120
    session.commit()
    assert _snapshot(session) == imported
    page = search_businesses(
        session, SearchParams(q="sate nomor 7", sort=Sort.RELEVANCE, limit=3), now=NOW
    )
    assert page.items[0].name == "Sate Nomor 7"


def test_other_sessions_see_index_changes(session: Session, sessions: Any) -> None:
    """Database-resident indexes: a second worker sees a write as soon as it commits."""
    other = sessions()
    try:
        assert nearest_candidates(other, lat=CENTRE[0], lon=CENTRE[1], limit=1) == []
        other.rollback()
        b = make_business(session, name="Kopi Baru")
        assert nearest_candidates(other, lat=CENTRE[0], lon=CENTRE[1], limit=1)[0][0] == b.id
    finally:
        other.close()


@pytest.mark.postgis
def test_cells_fallback_on_postgres_matches_postgis(session: Session) -> None:
    for i in range(60):
        make_business(
            session, name=f"Toko {i}", lat=CENTRE[0] + (i % 7) * 7e-4, lon=CENTRE[1] + i * 3e-4,
            category=["kafe-kopi", "apotek"][i % 2], commit=False,
        )  # fmt: skip
    session.commit()
    assert spatial_backend(session) == "postgis"
    queries = [(CENTRE[0] + d, CENTRE[1] - d) for d in (0.0, 0.004, 0.03, 1.0)]
    postgis = [nearest_candidates(session, lat=a, lon=b, limit=25) for a, b in queries]
    session.execute(search_meta.update().values(value="cells"))
    search_service.forget_spatial_backends()
    rebuild_search_indexes(session)
    session.commit()
    cells = [nearest_candidates(session, lat=a, lon=b, limit=25) for a, b in queries]
    assert cells == postgis
    assert session.scalar(text("SELECT count(*) FROM search_cell")) > 0


@pytest.mark.postgis
def test_postgis_category_and_radius_streams_match_cells_past_the_first_read(
    session: Session,
) -> None:
    """Category, two-category and radius nearest on PostGIS equal the portable index,
    also when the first ``<->`` read cannot settle the answer: 70 businesses on one ring
    around the query point are all within the spheroid slack of each other, so the
    stream has to read on (OFFSET) before it can hand any of them out."""
    ring = 70
    for i in range(ring):
        angle = 2 * math.pi * i / ring
        make_business(
            session, name=f"Toko Cincin {i}", lat=CENTRE[0] + 0.004 * math.sin(angle),
            lon=CENTRE[1] + 0.004 * math.cos(angle),
            category="apotek" if i % 3 == 0 else "kafe-kopi", commit=False,
        )  # fmt: skip
    for i in range(40):
        make_business(
            session, name=f"Toko Luar {i}", lat=CENTRE[0] + 0.0011 * i, lon=CENTRE[1] - 0.0007 * i,
            category="apotek", commit=False,
        )  # fmt: skip
    session.commit()
    assert spatial_backend(session) == "postgis"
    catalog = get_catalog(session)
    coffee, pharmacy = (catalog.category_by_slug[s].id for s in ("kafe-kopi", "apotek"))

    def answers() -> list[list[tuple[int, float]]]:
        out = []
        for limit in (5, 30, 90):
            out.append(nearest_candidates(session, lat=CENTRE[0], lon=CENTRE[1], limit=limit,
                                          category_ids=[coffee]))  # fmt: skip
            out.append(nearest_candidates(session, lat=CENTRE[0], lon=CENTRE[1], limit=limit,
                                          category_ids=[coffee, pharmacy]))  # fmt: skip
            out.append(nearest_candidates(session, lat=CENTRE[0], lon=CENTRE[1], limit=limit,
                                          max_distance_m=600.0))  # fmt: skip
        return out

    postgis = answers()
    assert len(postgis[7]) == 90  # two categories, limit 90: past several reads
    session.execute(search_meta.update().values(value="cells"))
    search_service.forget_spatial_backends()
    rebuild_search_indexes(session)
    session.commit()
    assert answers() == postgis


@pytest.mark.postgis
def test_category_statements_reach_the_partial_index_with_a_generic_plan(
    session: Session,
) -> None:
    """A statement run often is prepared, and may get a generic plan: the category
    nearest-first statement must still walk ``ix_search_geo_cat_geog`` (revision 0017)
    then, which it can only because it says ``scope <> 0`` as a constant (with ``scope =
    $1`` alone the planner cannot prove the index's predicate and falls back to a scan)."""
    from directory.search.spatial import _knn_statement

    sql, order, _ = _knn_statement(inner=False, outer=False)._compile(session.connection().dialect)
    types = {"scope": "integer", "lat": "float8", "lon": "float8", "n": "integer",
             "skip": "integer", "ST_SetSRID_1": "integer"}  # fmt: skip
    names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", sql)))
    numbered = re.sub(r"%\((\w+)\)s", lambda m: f"${names.index(m.group(1)) + 1}", sql)
    session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
    session.execute(text("SET LOCAL enable_seqscan = off"))  # the test table is tiny
    session.execute(text(f"PREPARE knn_cat ({', '.join(types[n] for n in names)}) AS {numbered}"))
    args = {"scope": 5, "lat": CENTRE[0], "lon": CENTRE[1], "n": 20, "skip": 0,
            "ST_SetSRID_1": 4326}  # fmt: skip
    plan = "\n".join(
        row[0]
        for row in session.execute(
            text(f"EXPLAIN EXECUTE knn_cat ({', '.join(repr(args[n]) for n in names)})")
        )
    )
    session.execute(text("DEALLOCATE knn_cat"))
    assert "ix_search_geo_cat_geog" in plan, plan
