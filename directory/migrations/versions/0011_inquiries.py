"""buyer inquiries: a buyer's question to a business, its answer and abuse reports

``inquiry.product_id`` is a plain nullable integer (no foreign key) and ``product_name``
a snapshot of the product's name when asked, so an inquiry reads the same after the
product changes or goes. Only hashes are stored of the receipt token and of the
sender's address.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inquiry",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("product_name", sa.String(length=200), nullable=True),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=254), nullable=False),
        sa.Column("quantity", sa.String(length=100), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("receipt_token_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("reported_reason", sa.Text(), nullable=True),
        sa.Column("reported_at", sa.DateTime(), nullable=True),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["business.id"],
            name=op.f("fk_inquiry_business_id_business"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry")),
    )
    op.create_index(
        "ix_inquiry_business_created", "inquiry", ["business_id", "created_at"], unique=False
    )
    op.create_index(op.f("ix_inquiry_status"), "inquiry", ["status"], unique=False)
    op.create_index(op.f("ix_inquiry_created_at"), "inquiry", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_inquiry_created_at"), table_name="inquiry")
    op.drop_index(op.f("ix_inquiry_status"), table_name="inquiry")
    op.drop_index("ix_inquiry_business_created", table_name="inquiry")
    op.drop_table("inquiry")
