"""The search index tables, created by migration 0002 and maintained by the indexer.

They live on their own ``MetaData`` (not ``Base.metadata``): they are derived data, the
FTS5 virtual table and PostGIS column cannot be expressed as ORM models, and keeping them
apart means model autogeneration never tries to "fix" them.

* ``search_doc``: one row per searchable (published) business: the folded words of each
  field, the stored quality and the point. ``rank_key`` (:func:`make_rank_key`) orders
  documents best first; on SQLite it is also the rowid of the FTS5 index
  ``search_fts`` (external content, no positions), on
  PostgreSQL the table carries a generated ``tsv`` column with a GIN index instead.
* ``search_cell``: the linear quadtree (see :mod:`directory.search.quadtree`): one row per
  business and scope, where scope 0 holds every business and scope *c* those in category
  *c* or below it. ``search_geo`` is the PostGIS equivalent (``geography`` + GiST on
  ``(scope, geog)``), used instead when PostGIS is installed.
* ``search_term`` / ``search_term_variant``: the vocabulary with document frequencies and
  its SymSpell deletion neighbourhoods, so a misspelt word finds its candidates with one
  indexed lookup instead of comparing it with every name.
* ``search_meta``: which spatial backend the migration chose.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import UserDefinedType

search_metadata = MetaData()

MAX_TERM_LEN = 48
RANK_SHIFT = 32
ID_MASK = (1 << RANK_SHIFT) - 1


def make_rank_key(quality_key: int, business_id: int) -> int:
    """Best quality first, then lowest id first, when read in descending order."""
    return (quality_key << RANK_SHIFT) | (ID_MASK - business_id)


def split_rank_key(rank_key: int) -> tuple[int, int]:
    """(quality_key, business_id) of a rank key."""
    return rank_key >> RANK_SHIFT, ID_MASK - (rank_key & ID_MASK)


class Geography(UserDefinedType[Any]):
    """PostGIS ``geography``; only used in SQL expressions (casts and the column)."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "geography"


search_doc = Table(
    "search_doc",
    search_metadata,
    Column("business_id", Integer, primary_key=True, autoincrement=False),
    Column("rank_key", BigInteger, nullable=False, unique=True),
    Column("quality_key", Integer, nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("scopes", String(400), nullable=False),
    Column("name_terms", Text, nullable=False),
    Column("cat_terms", Text, nullable=False),
    Column("addr_terms", Text, nullable=False),
    Column("desc_terms", Text, nullable=False),
)

search_cell = Table(
    "search_cell",
    search_metadata,
    Column("cell_key", BigInteger, primary_key=True, autoincrement=False),
    Column("business_id", Integer, primary_key=True, autoincrement=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    sqlite_with_rowid=False,
)

search_geo = Table(
    "search_geo",
    search_metadata,
    Column("scope", Integer, nullable=False),
    Column("business_id", Integer, nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("geog", Geography(), nullable=False),
)

search_term = Table(
    "search_term",
    search_metadata,
    Column("term", String(MAX_TERM_LEN), primary_key=True),
    Column("df", Integer, nullable=False),
)

search_term_variant = Table(
    "search_term_variant",
    search_metadata,
    Column("variant", String(MAX_TERM_LEN), primary_key=True),
    Column("term", String(MAX_TERM_LEN), primary_key=True),
    sqlite_with_rowid=False,
)

search_meta = Table(
    "search_meta",
    search_metadata,
    Column("key", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
)

SPATIAL_CELLS = "cells"
SPATIAL_POSTGIS = "postgis"
