"""daily counts per business: appearances in search results and recommendations

``business_daily_count`` (business_id, day, metric) → count, the owner dashboard's
appearances; ``day`` is the local date in the site's time zone. Only counts are kept.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "business_daily_count",
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["business.id"],
            name=op.f("fk_business_daily_count_business_id_business"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "business_id", "day", "metric", name=op.f("pk_business_daily_count")
        ),
    )


def downgrade() -> None:
    op.drop_table("business_daily_count")
