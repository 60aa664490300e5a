"""The full-text index: businesses matching the query words, best quality first.

SQLite uses the FTS5 table ``search_fts`` whose rowid is ``search_doc.rank_key``
(quality first, then lowest business id), so "matches in rowid order, descending" is "matches,
best rated first", and a page of them costs a fraction of a millisecond even for a word on
a hundred thousand shop fronts. PostgreSQL uses the generated ``tsvector`` with its GIN
index and orders by the same ``rank_key``. Both receive the same boolean query built from
:class:`~directory.search.text_match.QueryWord`: every word an OR of its alternatives
(and ``prefix*`` for the last word), words combined with AND — or, relaxed, "all but one".
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from sqlalchemy import BigInteger, Column, MetaData, Table, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Session

from directory.search.tables import split_rank_key
from directory.search.text_match import QueryWord

_fts_metadata = MetaData()
# Only the columns queries touch, so that statements can be built with SQLAlchemy.
search_fts = Table("search_fts", _fts_metadata, Column("rowid", BigInteger))
search_doc_tsv = Table(
    "search_doc", _fts_metadata, Column("rank_key", BigInteger), Column("tsv", TSVECTOR)
)
_FTS5_PAGE = (
    select(search_fts.c.rowid)
    .where(
        literal_column("search_fts").op("MATCH")(bindparam("q")),
        search_fts.c.rowid < bindparam("before"),
    )
    .order_by(search_fts.c.rowid.desc())
    .limit(bindparam("n"))
)
_TSQUERY_PAGE = (
    select(search_doc_tsv.c.rank_key)
    .where(
        search_doc_tsv.c.tsv.bool_op("@@")(func.to_tsquery("simple", bindparam("q"))),
        search_doc_tsv.c.rank_key < bindparam("before"),
    )
    .order_by(search_doc_tsv.c.rank_key.desc())
    .limit(bindparam("n"))
)


def _fts5_word(word: QueryWord) -> str:
    alts = [f'"{t}"' for t in sorted({*word.terms, *word.categories})]
    if word.prefix:
        alts.append(f'"{word.token}"*')
    return "(" + " OR ".join(alts) + ")"


def _tsquery_word(word: QueryWord) -> str:
    alts = [f"'{t}'" for t in sorted({*word.terms, *word.categories})]
    if word.prefix:
        alts.append(f"'{word.token}':*")
    return "(" + " | ".join(alts) + ")"


def build_query(words: Sequence[QueryWord], *, required: int, dialect: str) -> str:
    """The boolean full-text query: businesses matching at least ``required`` words.

    Words hold only folded letters and digits (``textnorm.fold``), so quoting them is
    enough to keep the query language out of reach of user input.
    """
    render = _tsquery_word if dialect == "postgresql" else _fts5_word
    and_, or_ = (" & ", " | ") if dialect == "postgresql" else (" AND ", " OR ")
    parts = [render(w) for w in words]
    if required >= len(parts):
        return and_.join(parts)
    groups = ["(" + and_.join(combo) + ")" for combo in combinations(parts, required)]
    return or_.join(groups)


class TextStream:
    """Pages through the businesses matching a query, best ``rank_key`` first."""

    def __init__(self, session: Session, query: str, *, batch: int = 256) -> None:
        self._session = session
        self._query = query
        self._before = 1 << 62
        self._batch = batch
        self._postgres = session.get_bind().dialect.name == "postgresql"
        self.exhausted = False
        self.last_quality_key: int | None = None
        self.last_id = 0

    def next_batch(self) -> list[int]:
        """The next business ids in rank order (empty once exhausted)."""
        if self.exhausted:
            return []
        stmt = _TSQUERY_PAGE if self._postgres else _FTS5_PAGE
        params = {"q": self._query, "before": self._before, "n": self._batch}
        keys = [int(k) for k in self._session.scalars(stmt, params)]
        if len(keys) < self._batch:
            self.exhausted = True
        self._batch = min(self._batch * 2, 4096)
        if not keys:
            return []
        self._before = keys[-1]
        self.last_quality_key, self.last_id = split_rank_key(keys[-1])
        return [split_rank_key(k)[1] for k in keys]
