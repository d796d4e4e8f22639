"""Plan tasks remember the minutes the plan gives them on the day they show on (0 when
the budget dropped them from the plan), so pages that do not build the plan (home,
how today went) count what the plan counts.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan_tasks", schema=None,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column("plan_minutes", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_tasks", schema=None,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column("plan_minutes")
