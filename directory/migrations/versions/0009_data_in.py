"""data in as people have it: longer phone values, OpenStreetMap provenance

- ``business.phone`` holds an extension (``+628111234567;ext=2``): 20 → 32 characters
  (SQLite does not enforce VARCHAR lengths; only PostgreSQL needs the change);
- ``business.osm_id`` (``osm:node/123``): the OpenStreetMap object a listing was imported
  from or matched with, so ``dekat import osm`` is idempotent also for listings that have
  their own ``external_id``;
- ``business.osm_values``: the field values OpenStreetMap gave last time, so a re-import
  only overwrites a field nobody changed since (an owner's or editor's value is kept).

Revision ID: 0009
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("business", "phone", type_=sa.String(32), existing_type=sa.String(20))
    with op.batch_alter_table("business") as batch:
        batch.add_column(sa.Column("osm_id", sa.String(40), nullable=True))
        batch.add_column(sa.Column("osm_values", sa.JSON(), nullable=True))
    op.create_index("ix_business_osm_id", "business", ["osm_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_business_osm_id", table_name="business")
    with op.batch_alter_table("business") as batch:
        batch.drop_column("osm_values")
        batch.drop_column("osm_id")
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("business", "phone", type_=sa.String(20), existing_type=sa.String(32))
