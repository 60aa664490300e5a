"""Candidate streams: the sorted (or finite) sources the executor draws businesses from.

Each stream is *complete*: drained to the end it returns every business that can match,
so draining any one of them finishes a query. Ordered streams also say how far they
have got, which bounds the sort key of everything they have not returned yet:

* :class:`TextStream` (``fulltext``) — text matches, best quality first.
* :class:`QualityStream` — every document, best quality first (no text in the query).
* :class:`DistanceStream` — nearest first, from the spatial index.
* :class:`OrderStream` — the business table in review-count or newest order, through
  the partial indexes of migration 0002 (the rating order is the quality stream's).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Integer, and_, any_, bindparam, column, exists, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from directory.models import Business, BusinessStatus
from directory.search.params import Sort
from directory.search.rawsql import FastStatement
from directory.search.spatial import Hit, SpatialIndex
from directory.search.tables import RANK_SHIFT, search_doc, split_rank_key
from directory.search.text_match import DocFields, QueryWord

MAX_BATCH = 4096


class Doc:
    """A search document as the executor uses it."""

    __slots__ = ("business_id", "quality_key", "lat", "lon", "_scopes", "_scope_text", "fields")

    def __init__(
        self,
        business_id: int,
        quality_key: int,
        lat: float,
        lon: float,
        scopes: frozenset[int] | None,
        fields: DocFields,
        scope_text: str = "",
    ) -> None:
        self.business_id = business_id
        self.quality_key = quality_key
        self.lat = lat
        self.lon = lon
        self._scopes = scopes
        self._scope_text = scope_text
        self.fields = fields

    @property
    def scopes(self) -> frozenset[int]:
        """The category scopes of the business, parsed when first asked: only a category
        search reading text matches needs them, and autocomplete reads thousands of rows."""
        if self._scopes is None:
            self._scopes = frozenset(int(s) for s in self._scope_text.split())
        return self._scopes


def doc_from_row(row: Sequence[object]) -> Doc:
    """A ``search_doc`` row in ``DOC_COLUMNS`` order to a :class:`Doc`."""
    bid, rank_key, lat, lon, scopes, name, cats, addr, desc = row
    return Doc(
        business_id=int(bid),  # type: ignore[call-overload]
        quality_key=int(rank_key) >> RANK_SHIFT,  # type: ignore[call-overload]
        lat=float(lat),  # type: ignore[arg-type]
        lon=float(lon),  # type: ignore[arg-type]
        scopes=None,
        fields=DocFields(str(name), str(cats), str(addr), str(desc)),
        scope_text=str(scopes),
    )


DOC_COLUMNS = (
    search_doc.c.business_id,
    search_doc.c.rank_key,
    search_doc.c.lat,
    search_doc.c.lon,
    search_doc.c.scopes,
    search_doc.c.name_terms,
    search_doc.c.cat_terms,
    search_doc.c.addr_terms,
    search_doc.c.desc_terms,
)


_DOCS_BY_ID = {
    # One fixed statement per dialect taking the whole id list as one parameter: run on
    # the raw cursor it costs a fraction of an expanding ``IN (...)`` through the ORM,
    # which autocomplete pays for every chunk of candidates it reads.
    "sqlite": FastStatement(
        select(*DOC_COLUMNS).where(
            search_doc.c.business_id.in_(
                select(column("value")).select_from(func.json_each(bindparam("ids")))
            )
        )
    ),
    "postgresql": FastStatement(
        select(*DOC_COLUMNS).where(
            search_doc.c.business_id == any_(bindparam("ids", type_=ARRAY(Integer)))
        )
    ),
}


_ALL_WORDS = (
    literal(" ") + search_doc.c.name_terms + literal(" ") + search_doc.c.cat_terms
    + literal(" ") + search_doc.c.addr_terms + literal(" ") + search_doc.c.desc_terms
    + literal(" ")
)  # fmt: skip
_PATTERN = func.json_each(bindparam("patterns")).table_valued("value")
_WORD_DOCS_BY_ID = FastStatement(
    select(*DOC_COLUMNS).where(
        search_doc.c.business_id.in_(
            select(column("value")).select_from(func.json_each(bindparam("ids")))
        ),
        exists().where(_ALL_WORDS.like(_PATTERN.c.value)),
    )
)


def word_patterns(word: QueryWord) -> list[str]:
    """``LIKE`` patterns, over a document's words joined by spaces with a space at each
    end, one of which any document matching ``word`` fits: each exact alternative as a
    whole word, and (the last word) any word starting with what was typed. Words hold
    only folded letters and digits, so none carries a ``LIKE`` wildcard."""
    alts = {*word.terms, *word.categories}
    out = [f"% {t} %" for t in sorted(alts) if not (word.prefix and t.startswith(word.token))]
    if word.prefix:
        out.append(f"% {word.token}%")
    return out


def fetch_docs(
    session: Session, ids: Sequence[int], *, word: QueryWord | None = None
) -> dict[int, Doc]:
    """Documents of the given businesses (missing: not searchable).

    With ``word`` (SQLite), only those that can match it: a spatial candidate (the
    nearest businesses, whatever they sell) is most often not a match, and telling so in
    SQL costs a fraction of building its document in Python to find out.
    """
    out: dict[int, Doc] = {}
    dialect = session.get_bind().dialect.name
    fast = _DOCS_BY_ID.get(dialect)
    patterns = json.dumps(word_patterns(word)) if word is not None else None
    if patterns is not None and dialect == "sqlite":
        fast = _WORD_DOCS_BY_ID
    for start in range(0, len(ids), 900):
        chunk = [int(i) for i in ids[start : start + 900]]
        if fast is not None:
            param: object = json.dumps(chunk) if dialect == "sqlite" else chunk
            params = {"ids": param} if fast is not _WORD_DOCS_BY_ID else {
                "ids": param, "patterns": patterns}  # fmt: skip
            rows: Iterable[Sequence[object]] = fast.rows(session, params)
        else:
            rows = session.execute(select(*DOC_COLUMNS).where(search_doc.c.business_id.in_(chunk)))
        for row in rows:
            doc = doc_from_row(tuple(row))
            out[doc.business_id] = doc
    return out


class QualityStream:
    """Every document, best quality first (ties: lowest id first)."""

    def __init__(self, session: Session, *, batch: int = 256) -> None:
        self._session = session
        self._before = 1 << 62
        self._batch = batch
        self.exhausted = False
        self.last_quality_key: int | None = None
        self.last_id = 0

    def next_docs(self) -> list[Doc]:
        if self.exhausted:
            return []
        rows = self._session.execute(
            select(*DOC_COLUMNS)
            .where(search_doc.c.rank_key < self._before)
            .order_by(search_doc.c.rank_key.desc())
            .limit(self._batch)
        ).all()
        self.exhausted = len(rows) < self._batch
        self._batch = min(self._batch * 2, MAX_BATCH)
        if not rows:
            return []
        self._before = int(rows[-1][1])
        self.last_quality_key, self.last_id = split_rank_key(self._before)
        return [doc_from_row(tuple(r)) for r in rows]


class DistanceStream:
    """Nearest first from the spatial index, in batches."""

    def __init__(
        self,
        index: SpatialIndex,
        lat: float,
        lon: float,
        *,
        scopes: Sequence[int],
        after: tuple[float, int] | None,
        max_distance_m: float | None,
        batch: int,
    ) -> None:
        self._hits: Iterator[Hit] = index.nearest(
            lat, lon, scopes=scopes, after=after, max_distance_m=max_distance_m,
            wanted=max(1, batch),
        )  # fmt: skip
        self._batch = max(1, batch)
        self.exhausted = False
        self.last: tuple[float, int] | None = after

    def next_hits(self) -> list[Hit]:
        if self.exhausted:
            return []
        hits = list(itertools.islice(self._hits, self._batch))
        self.exhausted = len(hits) < self._batch
        self._batch = min(self._batch * 2, MAX_BATCH)
        if hits:
            self.last = (hits[-1][0], hits[-1][1])
        return hits


def created_micros(at: datetime | None) -> int:
    """Microseconds since the epoch (UTC), the 'newest' sort key."""
    if at is None:
        return 0
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    delta = at - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    """Inverse of :func:`created_micros` (exact)."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)


def order_key(
    sort: Sort, bid: int, rating_sum: float, count: int, created: datetime | None
) -> tuple[float | int, ...]:
    """The ascending sort key of a business for the table-ordered sorts."""
    del rating_sum
    if sort is Sort.REVIEWS:
        return (-count, bid)
    return (-created_micros(created), bid)


class OrderStream:
    """Published businesses in review-count or newest order (keyset pages)."""

    def __init__(
        self, session: Session, sort: Sort, *, after: tuple[float | int, ...] | None, batch: int
    ) -> None:
        self._session = session
        self._sort = sort
        self._after = after
        self._batch = batch
        self.exhausted = False
        self.last: tuple[float | int, ...] | None = after

    def _statement(self) -> object:
        cols = (Business.id, Business.rating_sum, Business.rating_count, Business.created_at)
        stmt = select(*cols).where(Business.status == BusinessStatus.PUBLISHED)
        last = self.last
        if self._sort is Sort.REVIEWS:
            stmt = stmt.order_by(Business.rating_count.desc(), Business.id)
            if last is not None:
                count, bid = -int(last[0]), int(last[1])
                stmt = stmt.where(
                    Business.rating_count <= count,
                    or_(
                        Business.rating_count < count,
                        and_(Business.rating_count == count, Business.id > bid),
                    ),
                )
        else:
            stmt = stmt.order_by(Business.created_at.desc(), Business.id)
            if last is not None:
                at, bid = from_micros(-int(last[0])), int(last[1])
                stmt = stmt.where(
                    Business.created_at <= at,
                    or_(
                        Business.created_at < at,
                        and_(Business.created_at == at, Business.id > bid),
                    ),
                )
        return stmt.limit(self._batch)

    def next_rows(self) -> list[tuple[tuple[float | int, ...], int]]:
        """(key, business id) pairs, in key order, strictly after the previous page."""
        if self.exhausted:
            return []
        rows = self._session.execute(self._statement()).all()  # type: ignore[call-overload]
        self.exhausted = len(rows) < self._batch
        self._batch = min(self._batch * 2, MAX_BATCH)
        out = [
            (order_key(self._sort, bid, rsum or 0.0, count or 0, created), bid)
            for bid, rsum, count, created in rows
        ]
        if out:
            self.last = out[-1][0]
        return out
