"""Ids are never reused: SQLite AUTOINCREMENT on every table with an integer id.

Without it SQLite gives a new row the highest id + 1, so deleting the newest card (or
deck, task, action...) frees its id for the next row, which may be another user's: an
undo record, an open tab or a bookmark that names the old id would then reach the new
row. PostgreSQL's sequences never hand an id out twice: nothing to do there.

Each table is rebuilt (batch mode; `flashcards.db.migrate` runs migrations with foreign
keys off, so rebuilding a parent table cascades nothing) and keeps its rows and ids.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("users", "login_failures", "decks", "cards", "review_logs", "plan_tasks",
          "card_actions")


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always",
                                  table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
