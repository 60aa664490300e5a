"""The full-text index: businesses matching the query words, best quality first.

SQLite uses the FTS5 table ``search_fts`` whose rowid is ``search_doc.rank_key``
(quality first, then lowest business id), so "matches in rowid order, descending" is "matches,
best rated first", and a page of them reads only that page of the index, however many
shop fronts carry the word. PostgreSQL uses the generated ``tsvector`` with its GIN
index and orders by the same ``rank_key``. Both receive the same boolean query built from
:class:`~directory.search.text_match.QueryWord`: every word an OR of its alternatives
(and ``prefix*`` for the last word), words combined with AND — or, relaxed, "all but one".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    MetaData,
    Table,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Session

from directory.search.rawsql import FastStatement
from directory.search.tables import search_doc, search_term, split_rank_key
from directory.search.text_match import QueryWord

TextHit = tuple[int, int, float, float]
"""A located text match: (business_id, quality_key, lat, lon)."""

_fts_metadata = MetaData()
# Only the columns queries touch, so that statements can be built with SQLAlchemy.
search_fts = Table("search_fts", _fts_metadata, Column("rowid", BigInteger))
search_doc_tsv = Table(
    "search_doc", _fts_metadata, Column("rank_key", BigInteger), Column("tsv", TSVECTOR),
    Column("lat", Float), Column("lon", Float),
)  # fmt: skip
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
# The same pages with each match's point, so the executor can bound a candidate's score
# (quality from the rank key, distance from the point) before reading its document.
# The point is read from the covering index ``search_doc (rank_key, lat, lon)`` (migration
# 0015), not the document row (every folded word of the business) for two floats. Written
# as a one-key range: on an equality SQLite always picks the unique ``rank_key`` index and
# then reads the row; on a range it picks the covering index (and without it, the unique
# one: the same rows either way).
_FTS5_LOCATED_PAGE = (
    select(search_fts.c.rowid, search_doc.c.lat, search_doc.c.lon)
    .select_from(
        search_fts.join(
            search_doc, search_doc.c.rank_key.between(search_fts.c.rowid, search_fts.c.rowid)
        )
    )
    .where(
        literal_column("search_fts").op("MATCH")(bindparam("q")),
        search_fts.c.rowid < bindparam("before"),
    )
    .order_by(search_fts.c.rowid.desc())
    .limit(bindparam("n"))
)
_TSQUERY_LOCATED_PAGE = (
    select(search_doc_tsv.c.rank_key, search_doc_tsv.c.lat, search_doc_tsv.c.lon)
    .where(
        search_doc_tsv.c.tsv.bool_op("@@")(func.to_tsquery("simple", bindparam("q"))),
        search_doc_tsv.c.rank_key < bindparam("before"),
    )
    .order_by(search_doc_tsv.c.rank_key.desc())
    .limit(bindparam("n"))
)


def _alternatives(word: QueryWord) -> list[str]:
    """The words a query word matches exactly; for the last word, those its prefix does
    not already cover (its completions): the same matches, and the index reads one
    prefix list instead of merging dozens of posting lists on every page."""
    alts = sorted({*word.terms, *word.categories})
    if word.prefix:
        alts = [t for t in alts if not t.startswith(word.token)]
    return alts


PREFIX_INDEXED = 4
"""The longest prefix FTS5 keeps an index for (``prefix='2 3 4'``, migration 0013)."""
MAX_SPELLED = 64
"""At most this many words are spelt out for a longer prefix (see :func:`spelled_prefixes`)."""

_WORDS_FROM = select(search_term.c.term).where(
    search_term.c.term >= bindparam("lo"), search_term.c.term < bindparam("hi"),
    search_term.c.df > 0,
).order_by(search_term.c.term).limit(bindparam("n"))  # fmt: skip


def spelled_prefixes(session: Session, words: Sequence[QueryWord]) -> dict[str, list[str]]:
    """Every vocabulary word that begins with each typed-last word longer than FTS5's
    prefix indexes, when there are at most ``MAX_SPELLED`` (SQLite only).

    Without a prefix index FTS5 answers ``"pondo"*`` by merging the whole posting list of
    every word beginning so, before the first row: 200 ms at a million businesses when
    one of them is on every other address ("pondok"). The same words spelt out are read
    lazily, best rank first, like any word. The vocabulary counts every word of every
    document, so the matches are the same.
    """
    if session.get_bind().dialect.name != "sqlite":
        return {}
    out: dict[str, list[str]] = {}
    for word in words:
        token = word.token
        if not word.prefix or len(token) <= PREFIX_INDEXED or not token.isascii():
            continue
        hi = token[:-1] + chr(ord(token[-1]) + 1)
        found = [
            str(row[0])
            for row in session.execute(_WORDS_FROM, {"lo": token, "hi": hi, "n": MAX_SPELLED + 1})
        ]
        if len(found) <= MAX_SPELLED and all(t.isascii() for t in found):
            out[token] = found
    return out


def _fts5_word(word: QueryWord, spelled: Mapping[str, Sequence[str]]) -> str:
    alts = [f'"{t}"' for t in _alternatives(word)]
    if word.prefix:
        full = spelled.get(word.token)
        if full is not None and (full or alts):
            alts.extend(f'"{t}"' for t in full)
        else:
            alts.append(f'"{word.token}"*')
    return "(" + " OR ".join(alts) + ")"


def _tsquery_word(word: QueryWord) -> str:
    alts = [f"'{t}'" for t in _alternatives(word)]
    if word.prefix:
        alts.append(f"'{word.token}':*")
    return "(" + " | ".join(alts) + ")"


def build_query(
    words: Sequence[QueryWord],
    *,
    required: int,
    dialect: str,
    spelled: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """The boolean full-text query: businesses matching at least ``required`` words
    (``spelled``: :func:`spelled_prefixes`, SQLite only).

    Words hold only folded letters and digits (``textnorm.fold``), so quoting them is
    enough to keep the query language out of reach of user input.
    """
    and_, or_ = (" & ", " | ") if dialect == "postgresql" else (" AND ", " OR ")
    if dialect == "postgresql":
        parts = [_tsquery_word(w) for w in words]
    else:
        parts = [_fts5_word(w, spelled or {}) for w in words]
    if required >= len(parts):
        return and_.join(parts)
    groups = ["(" + and_.join(combo) + ")" for combo in combinations(parts, required)]
    return or_.join(groups)


# The page statements, compiled once per dialect and run on the raw cursor: a page is
# less index work than a trip through the ORM session (see ``rawsql``).
_PAGE = FastStatement(_FTS5_PAGE)
_LOCATED_PAGE = FastStatement(_FTS5_LOCATED_PAGE)
_TS_PAGE = FastStatement(_TSQUERY_PAGE)
_TS_LOCATED_PAGE = FastStatement(_TSQUERY_LOCATED_PAGE)


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
        self.pages = 0
        """Pages read so far."""

    def next_batch(self) -> list[int]:
        """The next business ids in rank order (empty once exhausted)."""
        stmt = _TS_PAGE if self._postgres else _PAGE
        return [split_rank_key(int(row[0]))[1] for row in self._page(stmt)]

    def next_located(self) -> list[TextHit]:
        """The next matches in rank order as (business_id, quality_key, lat, lon)."""
        stmt = _TS_LOCATED_PAGE if self._postgres else _LOCATED_PAGE
        out: list[TextHit] = []
        for row in self._page(stmt):
            quality, bid = split_rank_key(int(row[0]))
            out.append((bid, quality, float(row[1]), float(row[2])))
        return out

    def _page(self, stmt: FastStatement) -> Sequence[Sequence[Any]]:
        if self.exhausted:
            return []
        params = {"q": self._query, "before": self._before, "n": self._batch}
        rows = stmt.rows(self._session, params)
        self.pages += 1
        if len(rows) < self._batch:
            self.exhausted = True
        self._batch = min(self._batch * 2, 4096)
        if not rows:
            return []
        self._before = int(rows[-1][0])
        self.last_quality_key, self.last_id = split_rank_key(self._before)
        return rows
