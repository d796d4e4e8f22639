"""Tasks are ticked off one part at a time: a task the plan splits over days records the
minutes done so far, and the latest part's day and minutes (so that day can undo it).

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan_tasks", schema=None,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column("minutes_done", sa.Integer(), nullable=False,
                                      server_default=sa.text("0")))
        batch_op.add_column(sa.Column("part_done_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("part_minutes", sa.Integer(), nullable=True))
        batch_op.create_check_constraint("minutes_done_not_negative", "minutes_done >= 0")


def downgrade() -> None:
    with op.batch_alter_table("plan_tasks", schema=None,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_constraint("minutes_done_not_negative", type_="check")
        batch_op.drop_column("part_minutes")
        batch_op.drop_column("part_done_on")
        batch_op.drop_column("minutes_done")
