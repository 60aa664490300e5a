"""Keeping the search indexes equal to the business table, inside the writer's transaction.

``index_businesses`` re-derives the index entries of the given businesses from their
current rows (a published business gets a document, spatial entries for every category
scope and vocabulary counts; anything else gets none), compares them with what is stored
and rewrites only what changed. It works in bulk (one statement per table per call), so
the 5,000-row batches of an import cost about as much as the import itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
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
    text,
)
from sqlalchemy.orm import Session

from directory.bulk_insert import BulkInsert
from directory.models import Business, BusinessCategory, BusinessStatus, Category
from directory.search import quadtree
from directory.search.ranking import quality_key
from directory.search.rawsql import FastStatement
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
from directory.search.text_match import DocFields, TextTerms, doc_fields
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
    Column("rank", Integer),  # the value of a configuration command
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

    def row(self) -> tuple[object, ...]:
        """Values of ``DOC_NAMES``."""
        f = self.fields
        return (
            self.business_id, self.rank_key, self.quality_key, self.lat, self.lon,
            " ".join(map(str, self.scopes)), f.name, f.categories, f.address, f.description,
        )  # fmt: skip

    def fts_row(self) -> tuple[object, ...]:
        """Values of ``FTS_NAMES``."""
        f = self.fields
        return (self.rank_key, f.name, f.categories, f.address, f.description)

    def cell_rows(self) -> list[tuple[int, int, float, float]]:
        """Values of ``CELL_NAMES``, one row per scope."""
        x, y = quadtree.quantize(self.lat, self.lon)
        code = quadtree.morton(x, y)
        return [
            ((s << quadtree.SCOPE_SHIFT) | code, self.business_id, self.lat, self.lon)
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
    return dict(session.execute(select(Category.id, Category.parent_id)).all())


def _scopes(cat_ids: Iterable[int], parents: dict[int, int | None]) -> tuple[int, ...]:
    out: set[int] = {0}
    for cid in cat_ids:
        current: int | None = cid
        while current is not None and current not in out:
            out.add(current)
            current = parents.get(current)
    return tuple(sorted(out))


_BUSINESS_COLUMNS = (
    Business.id, Business.name, Business.address, Business.description, Business.lat,
    Business.lon, Business.rating_sum, Business.rating_count, Business.primary_category_id,
)  # fmt: skip
_BUSINESS_RANGE = FastStatement(
    select(*_BUSINESS_COLUMNS).where(
        Business.id.between(bindparam("lo"), bindparam("hi")),
        Business.status == BusinessStatus.PUBLISHED,
    )
)
_CATEGORY_RANGE = FastStatement(
    select(BusinessCategory.business_id, BusinessCategory.category_id).where(
        BusinessCategory.business_id.between(bindparam("lo"), bindparam("hi"))
    )
)


def _business_rows(
    session: Session, ids: Sequence[int]
) -> tuple[list[Sequence[Any]], list[Sequence[Any]]]:
    """Business rows (published only) and category links of the given (sorted) ids.

    A contiguous id range, which is what bulk imports index, is read with two range scans.
    """
    if ids and ids[-1] - ids[0] + 1 == len(ids):
        bounds = {"lo": ids[0], "hi": ids[-1]}
        return list(_BUSINESS_RANGE.rows(session, bounds)), list(
            _CATEGORY_RANGE.rows(session, bounds)
        )
    rows: list[Sequence[Any]] = []
    links: list[Sequence[Any]] = []
    for chunk in _chunks(ids):
        rows.extend(
            session.execute(
                select(*_BUSINESS_COLUMNS).where(
                    Business.id.in_(chunk), Business.status == BusinessStatus.PUBLISHED
                )
            ).all()
        )
        links.extend(
            session.execute(
                select(BusinessCategory.business_id, BusinessCategory.category_id).where(
                    BusinessCategory.business_id.in_(chunk)
                )
            ).all()
        )
    return rows, links


_TERMS_HINT = "search_text_terms"


@contextmanager
def precomputed_terms(
    session: Session, terms: Mapping[tuple[str, str, str], TextTerms]
) -> Iterator[None]:
    """Within the block, index with these ``text_terms`` results, keyed by their
    (name, address, description) arguments, instead of computing them again.

    Bulk imports compute them in their validation workers. A memo of a pure function:
    a business whose stored texts are not among the keys is folded as usual.
    """
    session.info[_TERMS_HINT] = terms
    try:
        yield
    finally:
        session.info.pop(_TERMS_HINT, None)


def _indexed_doc(
    business_id: int,
    name: str,
    address: str,
    description: str,
    lat: float,
    lon: float,
    scopes: tuple[int, ...],
    rating: tuple[float, int],
    terms: TextTerms | None,
) -> IndexedDoc:
    """The document of a published business from its stored values."""
    qkey = quality_key(rating[0], rating[1])
    return IndexedDoc(
        business_id=business_id,
        rank_key=make_rank_key(qkey, business_id),
        quality_key=qkey,
        lat=lat,
        lon=lon,
        scopes=scopes,
        fields=doc_fields(
            name=name, address=address, description=description, scopes=scopes, terms=terms
        ),
    )


def _wanted_docs(session: Session, ids: Sequence[int]) -> dict[int, IndexedDoc]:
    """The documents the given (sorted) businesses should have now (published ones only)."""
    hint: Mapping[tuple[str, str, str], TextTerms] = session.info.get(_TERMS_HINT) or {}
    parents = _category_parents(session)
    rows, links = _business_rows(session, ids)
    cats: dict[int, list[int]] = {}
    for bid, cid in links:
        cats.setdefault(bid, []).append(cid)
    docs: dict[int, IndexedDoc] = {}
    for bid, name, address, description, lat, lon, rsum, rcount, primary in rows:
        address, description = address or "", description or ""
        docs[bid] = _indexed_doc(
            bid, name, address, description, lat, lon,
            _scopes([primary, *cats.get(bid, ())], parents),
            (rsum or 0.0, rcount or 0),
            hint.get((name, address, description)) if hint else None,
        )  # fmt: skip
    return docs


@dataclass(frozen=True, slots=True)
class NewBusiness:
    """A published business just inserted, with the values the indexer would read back
    (``category_ids``: primary first; ``terms``: ``text_terms`` when known)."""

    business_id: int
    name: str
    address: str | None
    description: str | None
    lat: float
    lon: float
    rating_sum: float
    rating_count: int
    category_ids: tuple[int, ...]
    terms: TextTerms | None = None


def _new_docs(session: Session, rows: Sequence[NewBusiness]) -> list[IndexedDoc]:
    """What :func:`_wanted_docs` gives for these businesses, without reading them back."""
    parents = _category_parents(session)
    scopes: dict[tuple[int, ...], tuple[int, ...]] = {}
    docs: list[IndexedDoc] = []
    for r in rows:
        found = scopes.get(r.category_ids)
        if found is None:
            found = scopes[r.category_ids] = _scopes(r.category_ids, parents)
        docs.append(
            _indexed_doc(
                r.business_id,
                r.name,
                r.address or "",
                r.description or "",
                r.lat,
                r.lon,
                found,
                (r.rating_sum or 0.0, r.rating_count or 0),
                r.terms,
            )  # fmt: skip
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


def _binds(names: Sequence[str]) -> dict[str, Any]:
    return {name: bindparam(name) for name in names}


DOC_NAMES = (
    "business_id", "rank_key", "quality_key", "lat", "lon", "scopes", "name_terms",
    "cat_terms", "addr_terms", "desc_terms",
)  # fmt: skip
FTS_NAMES = ("rowid", *_TEXT_COLUMNS)
CELL_NAMES = ("cell_key", "business_id", "lat", "lon")
_DOC_INSERT = FastStatement(insert(search_doc).values(_binds(DOC_NAMES)))
_DOC_DELETE = FastStatement(delete(search_doc).where(search_doc.c.business_id == bindparam("b")))
_FTS_INSERT = FastStatement(insert(_search_fts).values(_binds(FTS_NAMES)))
_FTS_DELETE = FastStatement(insert(_search_fts).values(_binds(["search_fts", *FTS_NAMES])))
_CELL_INSERT = FastStatement(insert(search_cell).values(_binds(CELL_NAMES)))
_CELL_DELETE = FastStatement(
    delete(search_cell).where(
        search_cell.c.cell_key == bindparam("k"), search_cell.c.business_id == bindparam("b")
    )
)
_GEO_DELETE = FastStatement(delete(search_geo).where(search_geo.c.business_id == bindparam("b")))
_GEO_INSERT = FastStatement(
    insert(search_geo).values(
        scope=bindparam("scope"),
        business_id=bindparam("business_id"),
        lat=bindparam("lat"),
        lon=bindparam("lon"),
        geog=cast(
            func.ST_SetSRID(func.ST_MakePoint(bindparam("lon"), bindparam("lat")), 4326),
            Geography(),
        ),
    )
)


def _remove(session: Session, docs: Sequence[IndexedDoc], backend: str) -> None:
    if not docs:
        return
    if _is_sqlite(session):
        # FTS5 flushes its buffer whenever rowids go down: feed them in ascending order.
        ordered = sorted(docs, key=lambda d: d.rank_key)
        _FTS_DELETE.execute_tuples(
            session, ("search_fts", *FTS_NAMES), [("delete", *d.fts_row()) for d in ordered]
        )
    ids = [{"b": d.business_id} for d in docs]
    _DOC_DELETE.execute_many(session, ids)
    if backend == SPATIAL_POSTGIS:
        _GEO_DELETE.execute_many(session, ids)
    keys = sorted((r[0], r[1]) for d in docs for r in d.cell_rows())
    _CELL_DELETE.execute_tuples(session, ("k", "b"), keys)


def _add(session: Session, docs: Sequence[IndexedDoc], backend: str) -> None:
    if not docs:
        return
    _DOC_INSERT.execute_tuples(session, DOC_NAMES, [d.row() for d in docs])
    if _is_sqlite(session):
        ordered = sorted(docs, key=lambda d: d.rank_key)
        _FTS_INSERT.execute_tuples(session, FTS_NAMES, [d.fts_row() for d in ordered])
    if backend == SPATIAL_POSTGIS:
        geo = [
            {"scope": s, "business_id": d.business_id, "lat": d.lat, "lon": d.lon}
            for d in docs
            for s in d.scopes
        ]
        _GEO_INSERT.execute_many(session, geo)
    else:
        cells = sorted(r for d in docs for r in d.cell_rows())
        _CELL_INSERT.execute_tuples(session, CELL_NAMES, cells)


_BULK_HINT = "search_bulk_load"


class BulkLoad:
    """Indexing many new businesses into empty search indexes, with the shared parts once.

    While a bulk load is open on a session, :func:`index_businesses` only appends: the
    documents and spatial entries of the (new) businesses, without reading stored entries
    back. The vocabulary counts are summed in memory and the SQLite full-text index is left
    alone until :meth:`finish` writes them once (the full-text index filled from
    ``search_doc`` in one pass, in rowid order). Only for businesses that have no index
    entries yet, such as the first import into an empty directory; an id given twice is an
    error.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._backend = spatial_backend(session)
        self._delta: Counter[str] = Counter()
        self._last_id = 0
        self.documents = 0
        # Plain appends: through COPY on PostgreSQL (the point as EWKT text, which the
        # geography column parses to the same value ST_MakePoint gives).
        self._docs = BulkInsert(session, search_doc, DOC_NAMES)
        self._cells = BulkInsert(session, search_cell, CELL_NAMES)
        self._geo = BulkInsert(session, search_geo, ("scope", "business_id", "lat", "lon", "geog"))

    def add(self, ids: Sequence[int]) -> None:
        """Index these (sorted, new) businesses, bar the parts :meth:`finish` does."""
        self._check(ids[0], ids[-1])
        self._append(list(_wanted_docs(self._session, ids).values()))

    def add_new(self, rows: Sequence[NewBusiness]) -> None:
        """:meth:`add` for businesses whose values the caller holds (in ascending id order):
        nothing is read back from the business tables."""
        if rows:
            self._check(rows[0].business_id, rows[-1].business_id)
            self._append(_new_docs(self._session, rows))

    def _check(self, first: int, last: int) -> None:
        if first <= self._last_id or last < first:
            raise RuntimeError("a bulk search-index load got a business it already indexed")
        self._last_id = last

    def _append(self, docs: list[IndexedDoc]) -> None:
        for d in docs:
            self._delta.update(d.fields.all_terms())
        self._docs.execute([d.row() for d in docs])
        if self._backend == SPATIAL_POSTGIS:
            self._geo.execute(
                [
                    (s, d.business_id, d.lat, d.lon, f"SRID=4326;POINT({d.lon!r} {d.lat!r})")
                    for d in docs
                    for s in d.scopes
                ]
            )
        elif docs:
            # IndexedDoc.cell_rows for the whole batch, the grid codes computed at once.
            codes = quadtree.morton_many([d.lat for d in docs], [d.lon for d in docs]).tolist()
            shift = quadtree.SCOPE_SHIFT
            self._cells.execute(
                sorted(
                    ((s << shift) | code, d.business_id, d.lat, d.lon)
                    for d, code in zip(docs, codes, strict=True)
                    for s in d.scopes
                )
            )
        self.documents += len(docs)

    def finish(self) -> None:
        """Write the vocabulary counts and build the full-text index; call once, last."""
        apply_df_changes(self._session, self._delta)
        self._delta = Counter()
        if _is_sqlite(self._session):
            # Not FTS5's 'rebuild': it reads search_doc in business order, so the rowids
            # (rank keys) arrive unsorted and FTS5 flushes a segment at every step down
            # (72 CPU-s for a million documents, against 17 s when fed in rowid order).
            self._session.execute(insert(_search_fts).values(search_fts="delete-all"))
            with _fts_merging_deferred(self._session):
                self._session.execute(
                    insert(_search_fts).from_select(
                        list(FTS_NAMES),
                        select(
                            search_doc.c.rank_key, *(search_doc.c[c] for c in _TEXT_COLUMNS)
                        ).order_by(search_doc.c.rank_key),
                    )
                )


# FTS5's own defaults for the merge settings a bulk fill turns off (see below).
_FTS_MERGE_DEFAULTS = {"automerge": 4, "crisismerge": 16}
_FTS_NO_MERGING = {"automerge": 0, "crisismerge": 2000}  # FTS5 caps crisismerge at 1999


@contextmanager
def _fts_merging_deferred(session: Session) -> Iterator[None]:
    """While filling the full-text index in one statement, no incremental merging.

    By default FTS5 merges segments as it writes them (``automerge``, and a "crisis"
    merge at 16 segments of a level); a fill that is compacted by ``optimize`` right after
    (``optimize_search_indexes``) then merges the same data twice: 18 CPU-s for a million
    documents, against 9 s with merging off (``benchmarks/README.md``). The settings are
    stored in the index's config table, so they are put back (to the values stored
    before, else FTS5's defaults) in the same transaction.
    """
    stored: dict[str, object] = {
        str(k): v
        for k, v in session.execute(
            text("SELECT k, v FROM search_fts_config WHERE k IN ('automerge', 'crisismerge')")
        )
    }

    def configure(values: Mapping[str, object]) -> None:
        for key, value in values.items():
            session.execute(insert(_search_fts).values(search_fts=key, rank=value))

    configure(_FTS_NO_MERGING)
    yield  # an error inside rolls the whole import back, settings included
    configure({k: stored.get(k, default) for k, default in _FTS_MERGE_DEFAULTS.items()})


@contextmanager
def bulk_load(session: Session) -> Iterator[BulkLoad]:
    """Within the block, :func:`index_businesses` appends through the yielded
    :class:`BulkLoad`; call its ``finish()`` before the transaction commits."""
    load = BulkLoad(session)
    session.info[_BULK_HINT] = load
    try:
        yield load
    finally:
        session.info.pop(_BULK_HINT, None)


def index_new_businesses(session: Session, rows: Sequence[NewBusiness]) -> None:
    """Index businesses just inserted (published, ascending ids); inside a bulk load
    straight from the given values, otherwise like :func:`index_businesses`."""
    load: BulkLoad | None = session.info.get(_BULK_HINT)
    if load is None:
        index_businesses(session, [r.business_id for r in rows])
        return
    session.flush()
    load.add_new(rows)


def index_businesses(session: Session, business_ids: Sequence[int]) -> None:
    """Bring the index entries of these businesses in line with their rows."""
    ids = sorted(set(business_ids))
    if not ids:
        return
    load: BulkLoad | None = session.info.get(_BULK_HINT)
    if load is not None:
        session.flush()
        load.add(ids)
        return
    session.flush()  # pending ORM changes (status, name, ...) must be what we read
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
    optimize_search_indexes(session)
    return int(session.scalar(select(func.count()).select_from(search_doc)) or 0)


_ANALYZE = ("ANALYZE search_doc", "ANALYZE search_cell", "ANALYZE search_term")


def optimize_search_indexes(session: Session) -> None:
    """Compact the indexes after a bulk import.

    Batched inserts leave the FTS5 index in many segments, and a query has to merge them
    all, which slows common-word queries until they are merged. On PostgreSQL the planner
    statistics are refreshed instead.
    """
    conn = session.connection()
    if _is_sqlite(session):
        session.execute(insert(_search_fts).values(search_fts="optimize"))
    for statement in _ANALYZE:
        conn.exec_driver_sql(statement)
    if spatial_backend(session) == SPATIAL_POSTGIS:
        conn.exec_driver_sql("ANALYZE search_geo")
