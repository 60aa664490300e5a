"""category scopes: the ``(scope, geog)`` GiST index without scope 0

Revision 0005 gave scope 0 (every business) a partial GiST index of its own, but the
``(scope, geog)`` index of revision 0002 still held the scope-0 rows too: a third of its
entries, interleaved with the category scopes' in the same tree, which a category's
``<->`` walk has to step over. This revision rebuilds it as a partial index ``WHERE scope
<> 0``; the category queries say ``scope <> 0`` as a constant so that the planner can use
it with a generic plan (``directory/search/spatial.py``). Measured at 100,000 businesses
(EXPLAIN ANALYZE, 20 nearest in one category, 300 points, warm cache): 81 shared buffers
and 0.40 ms at the median with the old index as the indexer's inserts left it, 61 and
0.23 ms with the same index rebuilt, 33 and 0.19 ms with this one; the PostGIS anchor of
``benchmarks/search.py`` (a table of category rows only) reads 39. Building the index
also gives a tree packed from all rows at once instead of one grown by inserts. Only on
PostgreSQL with PostGIS (where ``search_geo`` exists); a no-op elsewhere.

Revision ID: 0017
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None


def _has_search_geo() -> bool:
    return sa.inspect(op.get_bind()).has_table("search_geo")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql" and _has_search_geo():
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_search_geo_cat_geog "
            "ON search_geo USING gist (scope, geog) WHERE scope <> 0"
        )
        op.execute("DROP INDEX IF EXISTS ix_search_geo_scope_geog")
        op.execute("ANALYZE search_geo")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql" and _has_search_geo():
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_search_geo_scope_geog "
            "ON search_geo USING gist (scope, geog)"
        )
        op.execute("DROP INDEX IF EXISTS ix_search_geo_cat_geog")
