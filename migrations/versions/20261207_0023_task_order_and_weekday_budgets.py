"""Tasks in order and a budget per weekday (issue 23).

Plan tasks get `after_ids` (the ids of the user's tasks that must be done on an earlier
day, space-separated), `sitting` (done in one sitting: never split or shortened; every
mock interview is) and `anyway` ("Plan it anyway": the user accepts its day running
over). Settings get `weekday_minutes`, Monday..Sunday, each a whole number of minutes
or empty for the daily budget; it absorbs Easy Days: a normal day becomes empty, a
reduced one half the daily budget (rounded half up), a minimum one 0. The downgrade
turns them back into Easy Days letters (empty or at least the daily budget: normal; 0:
minimum; anything else: reduced).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here rather than imported: a migration keeps meaning what it meant.
_SAME_EVERY_DAY = ",,,,,,"


def _weekday_minutes(easy_days: str, daily_minutes: int) -> str:
    """Easy Days letters as weekday minutes (an unknown or missing letter: normal)."""
    entries = []
    for k in range(7):
        letter = easy_days[k] if len(easy_days) == 7 else "n"
        if letter == "r":
            entries.append(str((daily_minutes + 1) // 2))  # half, rounded half up
        elif letter == "m":
            entries.append("0")
        else:
            entries.append("")
    return ",".join(entries)


def _easy_days(weekday_minutes: str, daily_minutes: int) -> str:
    """Weekday minutes as Easy Days letters (anything unreadable: normal)."""
    entries = weekday_minutes.split(",")
    if len(entries) != 7:
        return "nnnnnnn"
    letters = []
    for entry in entries:
        text = entry.strip()
        if not text.isdigit() or int(text) >= daily_minutes:
            letters.append("n")
        elif int(text) == 0:
            letters.append("m")
        else:
            letters.append("r")
    return "".join(letters)


def upgrade() -> None:
    with op.batch_alter_table("plan_tasks", schema=None,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column("after_ids", sa.Text(), nullable=False,
                                      server_default=sa.text("''")))
        batch_op.add_column(sa.Column("sitting", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("anyway", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    bind = op.get_bind()
    # Mock interviews, the user's own included, are done in one sitting.
    bind.execute(sa.text("UPDATE plan_tasks SET sitting = :yes WHERE kind = 'mock'"),
                 {"yes": True})

    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("weekday_minutes", sa.String(length=64), nullable=False,
                                      server_default=sa.text(f"'{_SAME_EVERY_DAY}'")))
    rows = bind.execute(sa.text("SELECT id, easy_days, daily_minutes FROM settings")).all()
    for settings_id, easy_days, daily_minutes in rows:
        bind.execute(sa.text("UPDATE settings SET weekday_minutes = :minutes WHERE id = :id"),
                     {"minutes": _weekday_minutes(easy_days or "", daily_minutes),
                      "id": settings_id})
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.drop_column("easy_days")


def downgrade() -> None:
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("easy_days", sa.String(length=7), nullable=False,
                                      server_default=sa.text("'nnnnnnn'")))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, weekday_minutes, daily_minutes FROM settings")
                        ).all()
    for settings_id, weekday_minutes, daily_minutes in rows:
        bind.execute(sa.text("UPDATE settings SET easy_days = :letters WHERE id = :id"),
                     {"letters": _easy_days(weekday_minutes or "", daily_minutes),
                      "id": settings_id})
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.drop_column("weekday_minutes")

    with op.batch_alter_table("plan_tasks", schema=None,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column("anyway")
        batch_op.drop_column("sitting")
        batch_op.drop_column("after_ids")
