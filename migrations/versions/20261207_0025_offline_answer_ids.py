"""Offline answers keep the id the client gave them, so a retried or doubled sync
records each answer once: unique per user; NULL for every grade given online.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_answer_id", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_review_logs_client_answer", ["user_id", "client_answer_id"],
                              unique=True)


def downgrade() -> None:
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_review_logs_client_answer")
        batch_op.drop_column("client_answer_id")
