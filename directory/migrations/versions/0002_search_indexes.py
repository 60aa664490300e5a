"""search indexes

The tables behind ``GET /api/v1/businesses`` and autocomplete (``docs/search.md``):

* ``search_doc`` — folded words, quality and point of each published business. SQLite adds
  the FTS5 index ``search_fts`` over it; PostgreSQL a generated ``tsvector`` with GIN.
* ``search_cell`` — the linear quadtree (Morton keys per category scope) in a B-tree; the
  spatial index on SQLite, and on PostgreSQL when PostGIS cannot be installed.
* ``search_geo`` — on PostgreSQL with PostGIS: ``geography`` points with a GiST index on
  ``(scope, geog)`` (``btree_gist``), answering nearest-first with ``<->``.
* ``search_term`` / ``search_term_variant`` — vocabulary and SymSpell deletions for typos.
* Partial indexes on ``business`` for the reviews / newest sort orders (the rating order
  is ``search_doc.rank_key``).
* ``search_meta`` — which spatial backend this database uses.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FTS5_SQL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "name_terms, cat_terms, addr_terms, desc_terms, "
    "content='search_doc', content_rowid='rank_key', detail=none, "
    "tokenize='unicode61 remove_diacritics 0')"
)
TSV_SQL = (
    "to_tsvector('simple'::regconfig, name_terms || ' ' || cat_terms || ' ' || "
    "addr_terms || ' ' || desc_terms)"
)
SEARCH_GEO_SQL = (
    "CREATE TABLE search_geo ("
    "scope integer NOT NULL, business_id integer NOT NULL, "
    "lat double precision NOT NULL, lon double precision NOT NULL, "
    "geog geography(Point,4326) NOT NULL)"
)


def _try_postgis(conn: sa.engine.Connection) -> bool:
    """Install PostGIS and btree_gist if the server has them; False when it cannot."""
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS btree_gist")
    except DBAPIError:
        return False
    return True


def _create_doc_table(postgres: bool) -> None:
    columns: list[sa.Column[object]] = [
        sa.Column("business_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("rank_key", sa.BigInteger(), nullable=False),
        sa.Column("quality_key", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("scopes", sa.String(400), nullable=False),
        sa.Column("name_terms", sa.Text(), nullable=False),
        sa.Column("cat_terms", sa.Text(), nullable=False),
        sa.Column("addr_terms", sa.Text(), nullable=False),
        sa.Column("desc_terms", sa.Text(), nullable=False),
    ]
    if postgres:
        columns.append(
            sa.Column("tsv", postgresql.TSVECTOR(), sa.Computed(TSV_SQL, persisted=True))
        )
    op.create_table(
        "search_doc", *columns, sa.PrimaryKeyConstraint("business_id", name="pk_search_doc")
    )
    op.create_index("uq_search_doc_rank_key", "search_doc", ["rank_key"], unique=True)
    if postgres:
        op.create_index("ix_search_doc_tsv", "search_doc", ["tsv"], postgresql_using="gin")
    else:
        op.execute(FTS5_SQL)


def _create_cell_table(postgres: bool) -> None:
    op.create_table(
        "search_cell",
        sa.Column("cell_key", sa.BigInteger(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "cell_key",
            "business_id",
            name="pk_search_cell",
            **({"postgresql_include": ["lat", "lon"]} if postgres else {}),
        ),
        sqlite_with_rowid=False,
    )


def _create_geo_table() -> None:
    op.execute(SEARCH_GEO_SQL)
    op.execute("CREATE INDEX ix_search_geo_scope_geog ON search_geo USING gist (scope, geog)")
    op.create_index("ix_search_geo_business_id", "search_geo", ["business_id"])


def _create_vocabulary() -> None:
    op.create_table(
        "search_term",
        sa.Column("term", sa.String(48), nullable=False),
        sa.Column("df", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", name="pk_search_term"),
    )
    op.create_table(
        "search_term_variant",
        sa.Column("variant", sa.String(48), nullable=False),
        sa.Column("term", sa.String(48), nullable=False),
        sa.PrimaryKeyConstraint("variant", "term", name="pk_search_term_variant"),
        sqlite_with_rowid=False,
    )


def _create_sort_indexes() -> None:
    published = sa.text("status = 'published'")
    op.create_index(
        "ix_search_business_reviews",
        "business",
        [sa.text("rating_count DESC"), "id"],
        sqlite_where=published,
        postgresql_where=published,
    )
    op.create_index(
        "ix_search_business_newest",
        "business",
        [sa.text("created_at DESC"), "id"],
        sqlite_where=published,
        postgresql_where=published,
    )


def upgrade() -> None:
    conn = op.get_bind()
    postgres = conn.dialect.name == "postgresql"
    spatial = "postgis" if postgres and _try_postgis(conn) else "cells"
    meta = op.create_table(
        "search_meta",
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_search_meta"),
    )
    _create_doc_table(postgres)
    _create_cell_table(postgres)
    if spatial == "postgis":
        _create_geo_table()
    _create_vocabulary()
    _create_sort_indexes()
    op.bulk_insert(meta, [{"key": "spatial", "value": spatial}])
    # A database that already holds businesses gets its indexes filled now.
    if conn.execute(sa.text("SELECT 1 FROM business LIMIT 1")).first() is not None:
        from sqlalchemy.orm import Session

        from directory.search.indexer import rebuild_search_indexes

        rebuild_search_indexes(Session(bind=conn))


def downgrade() -> None:
    conn = op.get_bind()
    for name in ("ix_search_business_newest", "ix_search_business_reviews"):
        op.drop_index(name, table_name="business")
    if conn.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.execute("DROP TABLE IF EXISTS search_geo")
    for table in ("search_term_variant", "search_term", "search_cell", "search_doc",
                  "search_meta"):  # fmt: skip
        op.drop_table(table)
