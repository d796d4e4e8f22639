"""Calendar subscription: a private feed URL per user (its token stored hashed) and a
daily reminder time for the plan's calendar events.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import flashcards.db

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # One feed per user: creating a new link replaces the token, revoking deletes the row.
    op.create_table(
        "calendar_feeds",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", flashcards.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_calendar_feeds_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )
    with op.batch_alter_table("settings", schema=None) as batch_op:
        # Minutes after midnight on each plan day; NULL: no reminder.
        batch_op.add_column(sa.Column("calendar_reminder", sa.SmallInteger(), nullable=True))
        batch_op.create_check_constraint("calendar_reminder_range",
                                         "calendar_reminder BETWEEN 0 AND 1439")


def downgrade() -> None:
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.drop_constraint("calendar_reminder_range", type_="check")
        batch_op.drop_column("calendar_reminder")
    op.drop_table("calendar_feeds")
