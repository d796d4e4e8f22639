"""The plan: interview date, daily budget, interview-day target, Easy Days; task days.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import flashcards.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scheduled_for", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("pinned", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("done_at", flashcards.db.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_start", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("interview_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("daily_minutes", sa.Integer(), server_default=sa.text("60"), nullable=False)
        )
        batch_op.add_column(sa.Column("interview_retention", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "easy_days",
                sa.String(length=7),
                server_default=sa.text("'nnnnnnn'"),
                nullable=False,
            )
        )
        batch_op.create_check_constraint("daily_minutes_positive", "daily_minutes > 0")


def downgrade() -> None:
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.drop_constraint("daily_minutes_positive", type_="check")
        batch_op.drop_column("easy_days")
        batch_op.drop_column("interview_retention")
        batch_op.drop_column("daily_minutes")
        batch_op.drop_column("interview_date")
        batch_op.drop_column("plan_start")

    with op.batch_alter_table("plan_tasks", schema=None) as batch_op:
        batch_op.drop_column("done_at")
        batch_op.drop_column("pinned")
        batch_op.drop_column("scheduled_for")
