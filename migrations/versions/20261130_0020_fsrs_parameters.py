"""Personal FSRS parameters: the parameters in use (settings.fsrs_parameters; NULL: the
defaults) and each run of the optimiser (fsrs_fits), with what it replaced.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import flashcards.db

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("fsrs_fits",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("created_at", flashcards.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column("reviews_used", sa.Integer(), nullable=False),
    sa.Column("adopted", sa.Boolean(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("parameters", sa.Text(), nullable=True),
    sa.Column("previous_parameters", sa.Text(), nullable=True),
    sa.Column("log_loss_before", sa.Float(), nullable=True),
    sa.Column("rmse_bins_before", sa.Float(), nullable=True),
    sa.Column("log_loss_after", sa.Float(), nullable=True),
    sa.Column("rmse_bins_after", sa.Float(), nullable=True),
    sa.Column("undone_at", flashcards.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column("rescheduled_at", flashcards.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_fsrs_fits_user_id_users"),
                            ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_fsrs_fits")),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table("fsrs_fits", schema=None) as batch_op:
        batch_op.create_index("ix_fsrs_fits_user_created", ["user_id", "created_at"], unique=False)

    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fsrs_parameters", sa.Text(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.drop_column("fsrs_parameters")

    with op.batch_alter_table("fsrs_fits", schema=None) as batch_op:
        batch_op.drop_index("ix_fsrs_fits_user_created")

    op.drop_table("fsrs_fits")
