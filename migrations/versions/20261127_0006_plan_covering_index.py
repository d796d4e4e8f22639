"""Studied cards' FSRS state in the due index, so the plan reads it from the index alone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE = ["state", "suspended", "due", "buried_until"]
PLAN = ["deck_id", "stability", "difficulty", "last_review"]


def _recreate(columns: list[str]) -> None:
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_index("ix_cards_state_due")
        batch_op.create_index(
            "ix_cards_state_due", columns, unique=False,
            sqlite_where=sa.text("due IS NOT NULL"),
            postgresql_where=sa.text("due IS NOT NULL"),
        )


def upgrade() -> None:
    _recreate(QUEUE + PLAN)


def downgrade() -> None:
    _recreate(QUEUE)
