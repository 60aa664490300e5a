"""submissions and moderation

* ``photo.submission_id``: a photo sent with a submission waits there, without a business,
  until an editor approves the submission (so ``photo.business_id`` becomes nullable).
* ``rate_limit_hit``: per-client request counters per fixed window, kept in the database
  so that every worker process shares them (``directory/api/limits.py``).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission_id", sa.String(length=40), nullable=True))
        batch_op.alter_column("business_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_photo_submission_id"), ["submission_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_photo_submission_id_submission"),
            "submission",
            ["submission_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_table(
        "rate_limit_hit",
        sa.Column("bucket", sa.String(length=20), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "bucket", "client_key", "window_start", name=op.f("pk_rate_limit_hit")
        ),
    )
    with op.batch_alter_table("rate_limit_hit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_limit_hit_window_start"), ["window_start"])


def downgrade() -> None:
    with op.batch_alter_table("rate_limit_hit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limit_hit_window_start"))
    op.drop_table("rate_limit_hit")
    op.execute(sa.text("DELETE FROM photo WHERE business_id IS NULL"))
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_photo_submission_id_submission"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_photo_submission_id"))
        batch_op.alter_column("business_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("submission_id")
