"""products: what an owner sells, moderated like listings

- ``product``: name, description, price in rupiah (NULL = "hubungi"), unit, a photo
  (a ``photo`` row without a business), minimum order, "siap ekspor", moderation status
  and reason, text edits waiting for an editor.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "business_id",
            sa.Integer(),
            sa.ForeignKey(
                "business.id", ondelete="CASCADE", name="fk_product_business_id_business"
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("price_idr", sa.BigInteger(), nullable=True),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column(
            "photo_id",
            sa.Integer(),
            sa.ForeignKey("photo.id", ondelete="SET NULL", name="fk_product_photo_id_photo"),
            nullable=True,
        ),
        sa.Column("min_order", sa.Integer(), nullable=True),
        sa.Column("export_ready", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("pending_changes", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
    )
    op.create_index("ix_product_business_id", "product", ["business_id"])
    op.create_index("ix_product_status", "product", ["status"])
    op.create_index("ix_product_status_business", "product", ["status", "business_id"])


def downgrade() -> None:
    op.drop_index("ix_product_status_business", table_name="product")
    op.drop_index("ix_product_status", table_name="product")
    op.drop_index("ix_product_business_id", table_name="product")
    op.drop_table("product")
