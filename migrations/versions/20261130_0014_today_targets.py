"""Learn more today: extra new cards the user asked for on one study day, on top of the
day's fixed target (paced_new).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extra_new_day", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("extra_new", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.drop_column("extra_new")
        batch_op.drop_column("extra_new_day")
