"""full-text prefix index: ``search_fts`` with FTS5 prefix indexes for 2, 3 and 4 letters

Autocomplete (and the last word of every query, as readers type) asks the full-text index
for ``"war"*``: without a prefix index FTS5 merges the posting lists of every word that
starts with the letters, on every page, which made short prefixes of common words
("war", "nasi ka", "ser") the slowest queries. FTS5 keeps the prefix indexes up to date
itself on every insert and delete the indexer already makes, so write paths and imports
need nothing new. Only on SQLite (PostgreSQL answers ``'war':*`` from its GIN index);
the table is recreated and rebuilt from ``search_doc``, which takes about a minute per
million businesses.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_FTS5_SQL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "name_terms, cat_terms, addr_terms, desc_terms, "
    "content='search_doc', content_rowid='rank_key', detail=none, {prefix}"
    "tokenize='unicode61 remove_diacritics 0')"
)


def _recreate(prefix: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE IF EXISTS search_fts")
    op.execute(_FTS5_SQL.format(prefix=prefix))
    op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")


def upgrade() -> None:
    _recreate("prefix='2 3 4', ")


def downgrade() -> None:
    _recreate("")
