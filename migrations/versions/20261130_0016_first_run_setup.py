"""First-run set-up: when the user chose (or skipped choosing) the interview date, the
daily minutes and the time zone. Until then, pages lead to the set-up page.

Users who have already started their plan (the app has set its first day) set up
before this change: they are marked done, so an upgrade asks nobody again.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import flashcards.db

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("setup_done_at", flashcards.db.UTCDateTime(timezone=True),
                                      nullable=True))
    op.execute("UPDATE settings SET setup_done_at = CURRENT_TIMESTAMP "
               "WHERE plan_start IS NOT NULL OR interview_date IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.drop_column("setup_done_at")
