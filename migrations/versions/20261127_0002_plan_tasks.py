"""Plan tasks: the preparation checklist as timed tasks, seeded from decks/tasks.csv.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import flashcards.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("earliest_week", sa.SmallInteger(), nullable=False),
        sa.Column("latest_week", sa.SmallInteger(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", flashcards.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("edited_at", flashcards.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("earliest_week <= latest_week", name=op.f("ck_plan_tasks_week_order")),
        sa.CheckConstraint("minutes > 0", name=op.f("ck_plan_tasks_minutes_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_tasks")),
        sa.UniqueConstraint("key", name=op.f("uq_plan_tasks_key")),
    )


def downgrade() -> None:
    op.drop_table("plan_tasks")
