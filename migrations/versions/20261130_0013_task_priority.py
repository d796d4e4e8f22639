"""Plan tasks get a priority, required or optional; mocks and the rest day are required.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plan_tasks", schema=None,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.String(length=16),
                                      server_default=sa.text("'optional'"), nullable=False))
        batch_op.create_check_constraint("priority_values",
                                         "priority IN ('required', 'optional')")
    # Existing tasks, the user's included: the kinds the bundled plan cannot skip.
    op.execute("UPDATE plan_tasks SET priority = 'required' WHERE kind IN ('mock', 'rest')")


def downgrade() -> None:
    with op.batch_alter_table("plan_tasks", schema=None,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_constraint("priority_values", type_="check")
        batch_op.drop_column("priority")
