"""Background jobs in the database (imports, the optimiser): the upload, its options,
state, progress, result and the worker running it with its heartbeat, so that any app
server can run a job, show it, and take it over when its worker stops.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import flashcards.db

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("jobs",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("token", sa.String(length=40), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("state", sa.String(length=16), nullable=False),
    sa.Column("data", sa.LargeBinary(), nullable=True),
    sa.Column("options", sa.Text(), nullable=False),
    sa.Column("done", sa.Integer(), nullable=False),
    sa.Column("total", sa.Integer(), nullable=False),
    sa.Column("result", sa.Text(), nullable=True),
    sa.Column("error", sa.Text(), nullable=True),
    sa.Column("worker", sa.String(length=100), nullable=True),
    sa.Column("heartbeat_at", flashcards.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("created_at", flashcards.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column("updated_at", flashcards.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_jobs_user_id_users"),
                            ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    sa.UniqueConstraint("token", name=op.f("uq_jobs_token")),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_state_heartbeat", ["state", "heartbeat_at"],
                              unique=False)
        batch_op.create_index("ix_jobs_user_kind_state", ["user_id", "kind", "state"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_user_kind_state")
        batch_op.drop_index("ix_jobs_state_heartbeat")

    op.drop_table("jobs")
