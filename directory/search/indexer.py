"""Keeping the search indexes equal to the business table, inside the writer's transaction.

``index_businesses`` re-derives the index entries of the given businesses from their
current rows (a published business gets a document, spatial entries for every category
scope and vocabulary counts; anything else gets none), compares them with what is stored
and rewrites only what changed. It works in bulk (one statement per table per call), so
the 5,000-row batches of an import cost about as much as the import itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    cast,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from directory.models import Business, BusinessCategory, BusinessStatus, Category
from directory.search import quadtree
from directory.search.ranking import quality_key
from directory.search.tables import (
    SPATIAL_POSTGIS,
    Geography,
    make_rank_key,
    search_cell,
    search_doc,
    search_geo,
    search_meta,
    search_term,
    search_term_variant,
)
from directory.search.text_match import DocFields, doc_fields
from directory.search.vocabulary import apply_df_changes

_CHUNK = 900
_fts_md = MetaData()
# The FTS5 table with its hidden command column, for 'delete' / 'delete-all'.
_search_fts = Table(
    "search_fts",
    _fts_md,
    Column("rowid", Integer),
    Column("name_terms", Text),
    Column("cat_terms", Text),
    Column("addr_terms", Text),
    Column("desc_terms", Text),
    Column("search_fts", String),
)
_TEXT_COLUMNS = ("name_terms", "cat_terms", "addr_terms", "desc_terms")


@dataclass(frozen=True, slots=True)
class IndexedDoc:
    """Everything the indexes hold for one business."""

    business_id: int
    rank_key: int
    quality_key: int
    lat: float
    lon: float
    scopes: tuple[int, ...]
    fields: DocFields

    def row(self) -> dict[str, object]:
        return {
            "business_id": self.business_id,
            "rank_key": self.rank_key,
            "quality_key": self.quality_key,
            "lat": self.lat,
            "lon": self.lon,
            "scopes": " ".join(map(str, self.scopes)),
            "name_terms": self.fields.name,
            "cat_terms": self.fields.categories,
            "addr_terms": self.fields.address,
            "desc_terms": self.fields.description,
        }

    def fts_row(self) -> dict[str, object]:
        return {
            "rowid": self.rank_key,
            "name_terms": self.fields.name,
            "cat_terms": self.fields.categories,
            "addr_terms": self.fields.address,
            "desc_terms": self.fields.description,
        }

    def cell_rows(self) -> list[dict[str, object]]:
        x, y = quadtree.quantize(self.lat, self.lon)
        code = quadtree.morton(x, y)
        return [
            {
                "cell_key": (s << quadtree.SCOPE_SHIFT) | code,
                "business_id": self.business_id,
                "lat": self.lat,
                "lon": self.lon,
            }
            for s in self.scopes
        ]


def spatial_backend(session: Session) -> str:
    """'cells' or 'postgis', as chosen by the migration for this database."""
    value = session.scalar(select(search_meta.c.value).where(search_meta.c.key == "spatial"))
    return value or "cells"


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def _category_parents(session: Session) -> dict[int, int | None]:
    return dict(session.execute(select(Category.id, Category.parent_id)).tuples().all())


def _scopes(cat_ids: Iterable[int], parents: dict[int, int | None]) -> tuple[int, ...]:
    out: set[int] = {0}
    for cid in cat_ids:
        current: int | None = cid
        while current is not None and current not in out:
            out.add(current)
            current = parents.get(current)
    return tuple(sorted(out))


def _wanted_docs(session: Session, ids: Sequence[int]) -> dict[int, IndexedDoc]:
    """The documents the given businesses should have now (published ones only)."""
    parents = _category_parents(session)
    cats: dict[int, list[int]] = {}
    rows: list[tuple[Any, ...]] = []
    for chunk in _chunks(ids):
        rows.extend(
            session.execute(
                select(
                    Business.id, Business.name, Business.address, Business.description,
                    Business.lat, Business.lon, Business.rating_sum, Business.rating_count,
                    Business.primary_category_id,
                ).where(Business.id.in_(chunk), Business.status == BusinessStatus.PUBLISHED)
            ).tuples()
        )  # fmt: skip
        for bid, cid in session.execute(
            select(BusinessCategory.business_id, BusinessCategory.category_id).where(
                BusinessCategory.business_id.in_(chunk)
            )
        ):
            cats.setdefault(bid, []).append(cid)
    docs: dict[int, IndexedDoc] = {}
    for bid, name, address, description, lat, lon, rsum, rcount, primary in rows:
        scopes = _scopes([primary, *cats.get(bid, [])], parents)
        qkey = quality_key(rsum or 0.0, rcount or 0)
        docs[bid] = IndexedDoc(
            business_id=bid,
            rank_key=make_rank_key(qkey, bid),
            quality_key=qkey,
            lat=lat,
            lon=lon,
            scopes=scopes,
            fields=doc_fields(
                name=name, address=address or "", description=description or "", scopes=scopes
            ),
        )
    return docs


def _stored_docs(session: Session, ids: Sequence[int]) -> dict[int, IndexedDoc]:
    docs: dict[int, IndexedDoc] = {}
    for chunk in _chunks(ids):
        for r in session.execute(
            select(search_doc).where(search_doc.c.business_id.in_(chunk))
        ).mappings():
            docs[r["business_id"]] = IndexedDoc(
                business_id=r["business_id"],
                rank_key=r["rank_key"],
                quality_key=r["quality_key"],
                lat=r["lat"],
                lon=r["lon"],
                scopes=tuple(int(s) for s in r["scopes"].split()),
                fields=DocFields(r["name_terms"], r["cat_terms"], r["addr_terms"], r["desc_terms"]),
            )
    return docs


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _remove(session: Session, docs: Sequence[IndexedDoc], backend: str) -> None:
    if not docs:
        return
    ids = [d.business_id for d in docs]
    if _is_sqlite(session):
        session.execute(
            insert(_search_fts),
            [{**d.fts_row(), "search_fts": "delete"} for d in docs],
        )
    for chunk in _chunks(ids):
        session.execute(delete(search_doc).where(search_doc.c.business_id.in_(chunk)))
    if backend == SPATIAL_POSTGIS:
        for chunk in _chunks(ids):
            session.execute(delete(search_geo).where(search_geo.c.business_id.in_(chunk)))
    keys = sorted(
        ({"k": r["cell_key"], "b": r["business_id"]} for d in docs for r in d.cell_rows()),
        key=lambda r: (r["k"], r["b"]),
    )
    session.connection().execute(_CELL_DELETE, keys)


_CELL_DELETE = delete(search_cell).where(
    search_cell.c.cell_key == bindparam("k"), search_cell.c.business_id == bindparam("b")
)
_GEO_INSERT = insert(search_geo).values(
    scope=bindparam("scope"),
    business_id=bindparam("business_id"),
    lat=bindparam("lat"),
    lon=bindparam("lon"),
    geog=cast(
        func.ST_SetSRID(func.ST_MakePoint(bindparam("lon"), bindparam("lat")), 4326),
        Geography(),
    ),
)


def _add(session: Session, docs: Sequence[IndexedDoc], backend: str) -> None:
    if not docs:
        return
    session.execute(insert(search_doc), [d.row() for d in docs])
    if _is_sqlite(session):
        session.execute(insert(_search_fts), [d.fts_row() for d in docs])
    cells = sorted(
        (r for d in docs for r in d.cell_rows()),
        key=lambda r: (r["cell_key"], r["business_id"]),
    )
    if backend == SPATIAL_POSTGIS:
        geo = [
            {"scope": s, "business_id": d.business_id, "lat": d.lat, "lon": d.lon}
            for d in docs
            for s in d.scopes
        ]
        session.connection().execute(_GEO_INSERT, geo)
    else:
        session.execute(insert(search_cell), cells)


def index_businesses(session: Session, business_ids: Sequence[int]) -> None:
    """Bring the index entries of these businesses in line with their rows."""
    ids = sorted(set(business_ids))
    if not ids:
        return
    backend = spatial_backend(session)
    wanted = _wanted_docs(session, ids)
    stored = _stored_docs(session, ids)
    stale = [d for bid, d in stored.items() if wanted.get(bid) != d]
    fresh = [d for bid, d in wanted.items() if stored.get(bid) != d]
    delta: Counter[str] = Counter()
    for d in stale:
        delta.subtract(d.fields.all_terms())
    for d in fresh:
        delta.update(d.fields.all_terms())
    _remove(session, stale, backend)
    _add(session, fresh, backend)
    apply_df_changes(session, delta)


def unindex_businesses(session: Session, business_ids: Sequence[int]) -> None:
    """Remove these businesses from every search index."""
    ids = sorted(set(business_ids))
    if not ids:
        return
    stored = _stored_docs(session, ids)
    delta: Counter[str] = Counter()
    for d in stored.values():
        delta.subtract(d.fields.all_terms())
    _remove(session, list(stored.values()), spatial_backend(session))
    apply_df_changes(session, delta)


def rebuild_search_indexes(session: Session, *, batch: int = 5000) -> int:
    """Empty every search index and index all businesses again; returns documents made."""
    if _is_sqlite(session):
        session.execute(insert(_search_fts).values(search_fts="delete-all"))
    backend = spatial_backend(session)
    for table in (search_doc, search_cell, search_term_variant, search_term):
        session.execute(delete(table))
    if backend == SPATIAL_POSTGIS:
        session.execute(delete(search_geo))
    last = 0
    while True:
        ids = list(
            session.scalars(
                select(Business.id)
                .where(Business.id > last, Business.status == BusinessStatus.PUBLISHED)
                .order_by(Business.id)
                .limit(batch)
            )
        )
        if not ids:
            break
        index_businesses(session, ids)
        last = ids[-1]
    return int(session.scalar(select(func.count()).select_from(search_doc)) or 0)
