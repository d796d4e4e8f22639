"""Card management: leech settings, leech marks on the review log, undoable bulk actions.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import flashcards.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leech_threshold", sa.Integer(),
                                      server_default=sa.text("8"), nullable=False))
        batch_op.add_column(sa.Column("leech_action", sa.String(length=16),
                                      server_default=sa.text("'suspend'"), nullable=False))
        batch_op.create_check_constraint(op.f("ck_settings_leech_threshold_positive"),
                                         "leech_threshold > 0")
        batch_op.create_check_constraint(op.f("ck_settings_leech_action_known"),
                                         "leech_action IN ('suspend', 'tag')")
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leech_tagged", sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("leech_suspended", sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
    op.create_table(
        "card_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("card_count", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", flashcards.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("undone_at", flashcards.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_actions")),
    )


def downgrade() -> None:
    op.drop_table("card_actions")
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.drop_column("leech_suspended")
        batch_op.drop_column("leech_tagged")
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_settings_leech_action_known"), type_="check")
        batch_op.drop_constraint(op.f("ck_settings_leech_threshold_positive"), type_="check")
        batch_op.drop_column("leech_action")
        batch_op.drop_column("leech_threshold")
