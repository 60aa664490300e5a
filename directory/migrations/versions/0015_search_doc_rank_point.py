"""search_doc (rank_key, lat, lon) index: located full-text pages read no document rows

Autocomplete and every relevance search with a point ask the full-text index for its
matches *with their point* (``fulltext.TextStream.next_located``), so that each can be
bounded by distance before its document is read. FTS5 returns rank keys; the point was
then looked up through the unique ``rank_key`` index and the table row, a row holding
every folded word of the business. A common prefix ("ste", "ruma") reads some 1,800 such
points per keystroke; with this covering index the lookup stays inside an index of a few
dozen bytes a business (about half the page's time at 100,000 businesses). SQLite only:
PostgreSQL reads the points with its ``tsvector`` match from the same rows. Bulk loads drop
and rebuild it with the other secondary indexes (``bulk_insert.DeferredIndexes``).

Revision ID: 0015
Revises: 0013
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None

INDEX = "ix_search_doc_rank_point"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON search_doc (rank_key, lat, lon)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
