"""Readiness history: each deck's predicted recall on interview day, one number per deck
per study day, stored when the plan is built (the statistics page draws how it moved);
and an index covering what the statistics page reads of the review log.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "readiness_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("deck_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("recall", sa.Float(), nullable=False),
        sa.CheckConstraint("recall BETWEEN 0 AND 1",
                           name=op.f("ck_readiness_history_recall_range")),
        sa.ForeignKeyConstraint(["deck_id"], ["decks.id"],
                                name=op.f("fk_readiness_history_deck_id_decks"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_readiness_history_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readiness_history")),
        # One number per deck per day; the statistics page reads a user's days in order.
        sa.UniqueConstraint("user_id", "deck_id", "day",
                            name="uq_readiness_history_user_deck_day"),
        sqlite_autoincrement=True,
    )
    # The statistics page sums the log by study day: a range scan of this index, which
    # covers every column it reads (the table itself is not touched).
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.create_index("ix_review_logs_stats",
                              ["user_id", "reviewed_at", "card_id", "state_before", "rating",
                               "duration_ms", "due_before", "last_review_before"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_review_logs_stats")
    op.drop_table("readiness_history")
