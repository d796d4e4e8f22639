"""Users: every deck, card, review, task, action and setting belongs to one.

The collection so far becomes user 1, "local", who has no password: without a user
that has one, the app has no login and serves this computer only.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import flashcards.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNED = ("decks", "cards", "review_logs", "plan_tasks", "card_actions")


def _add_owner(table: str) -> None:
    # Existing rows belong to the local user; new rows must say whose they are, so the
    # default goes again once the column is filled.
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=False,
                                      server_default=sa.text("1")))
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.alter_column("user_id", server_default=None)
        batch_op.create_foreign_key(batch_op.f(f"fk_{table}_user_id_users"), "users",
                                    ["user_id"], ["id"], ondelete="CASCADE")


def upgrade() -> None:
    users = op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("created_at", flashcards.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", flashcards.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.bulk_insert(users, [{"id": 1, "name": "local", "password_hash": None,
                            "created_at": datetime.now(UTC)}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), 1)")
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", flashcards.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failures_at"), ["at"], unique=False)

    for table in OWNED:
        _add_owner(table)
    with op.batch_alter_table("decks", schema=None) as batch_op:
        batch_op.drop_constraint("uq_decks_name", type_="unique")
        batch_op.drop_constraint("uq_decks_bundle_key", type_="unique")
        batch_op.create_unique_constraint("uq_decks_user_name", ["user_id", "name"])
        batch_op.create_unique_constraint("uq_decks_user_bundle_key", ["user_id", "bundle_key"])
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_constraint("uq_cards_guid", type_="unique")
        batch_op.create_unique_constraint("uq_cards_user_guid", ["user_id", "guid"])
        batch_op.drop_index("ix_cards_state_due")
        batch_op.create_index(
            "ix_cards_state_due",
            ["user_id", "state", "suspended", "due", "buried_until", "deck_id", "stability",
             "difficulty", "last_review"], unique=False,
            sqlite_where=sa.text("due IS NOT NULL"), postgresql_where=sa.text("due IS NOT NULL"))
        batch_op.drop_index("ix_cards_new_position")
        batch_op.create_index(
            "ix_cards_new_position",
            ["user_id", "state", "suspended", "position", "buried_until", "deck_id"],
            unique=False, sqlite_where=sa.text("state = 0"),
            postgresql_where=sa.text("state = 0"))
        batch_op.drop_index("ix_cards_deck_state_due")
        batch_op.create_index(
            "ix_cards_deck_state_due",
            ["user_id", "deck_id", "state", "suspended", "due", "buried_until"], unique=False,
            sqlite_where=sa.text("due IS NOT NULL"), postgresql_where=sa.text("due IS NOT NULL"))
        batch_op.drop_index("ix_cards_deck_new_position")
        batch_op.create_index(
            "ix_cards_deck_new_position",
            ["user_id", "deck_id", "state", "suspended", "position", "buried_until"],
            unique=False, sqlite_where=sa.text("state = 0"),
            postgresql_where=sa.text("state = 0"))
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_review_logs_reviewed_at")
        batch_op.create_index("ix_review_logs_reviewed_at",
                              ["user_id", "reviewed_at", "state_before"], unique=False)
    with op.batch_alter_table("plan_tasks", schema=None) as batch_op:
        batch_op.drop_constraint("uq_plan_tasks_key", type_="unique")
        batch_op.create_unique_constraint("uq_plan_tasks_user_key", ["user_id", "key"])
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f("fk_settings_id_users"), "users", ["id"],
                                    ["id"], ondelete="CASCADE")
    # seeded_bundles: the key alone was the primary key; now (user_id, key).
    with op.batch_alter_table("seeded_bundles", schema=None,
                              recreate="always") as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=False,
                                      server_default=sa.text("1")))
        batch_op.drop_constraint("pk_seeded_bundles", type_="primary")
        batch_op.create_primary_key("pk_seeded_bundles", ["user_id", "key"])
    with op.batch_alter_table("seeded_bundles", schema=None) as batch_op:
        batch_op.alter_column("user_id", server_default=None)
        batch_op.create_foreign_key(batch_op.f("fk_seeded_bundles_user_id_users"), "users",
                                    ["user_id"], ["id"], ondelete="CASCADE")


def downgrade() -> None:
    """Back to one collection: only the local user's rows remain."""
    for table in ("card_actions", "plan_tasks", "decks"):
        op.execute(sa.text(f"DELETE FROM {table} WHERE user_id != 1"))
    op.execute(sa.text("DELETE FROM seeded_bundles WHERE user_id != 1"))
    op.execute(sa.text("DELETE FROM settings WHERE id != 1"))
    with op.batch_alter_table("seeded_bundles", schema=None, recreate="always") as batch_op:
        batch_op.drop_constraint("fk_seeded_bundles_user_id_users", type_="foreignkey")
        batch_op.drop_constraint("pk_seeded_bundles", type_="primary")
        batch_op.drop_column("user_id")
        batch_op.create_primary_key("pk_seeded_bundles", ["key"])
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.drop_constraint("fk_settings_id_users", type_="foreignkey")
    with op.batch_alter_table("plan_tasks", schema=None) as batch_op:
        batch_op.drop_constraint("uq_plan_tasks_user_key", type_="unique")
        batch_op.create_unique_constraint("uq_plan_tasks_key", ["key"])
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_review_logs_reviewed_at")
        batch_op.create_index("ix_review_logs_reviewed_at", ["reviewed_at", "state_before"],
                              unique=False)
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_index("ix_cards_deck_new_position")
        batch_op.create_index(
            "ix_cards_deck_new_position",
            ["deck_id", "state", "suspended", "position", "buried_until"], unique=False,
            sqlite_where=sa.text("state = 0"), postgresql_where=sa.text("state = 0"))
        batch_op.drop_index("ix_cards_deck_state_due")
        batch_op.create_index(
            "ix_cards_deck_state_due", ["deck_id", "state", "suspended", "due", "buried_until"],
            unique=False, sqlite_where=sa.text("due IS NOT NULL"),
            postgresql_where=sa.text("due IS NOT NULL"))
        batch_op.drop_index("ix_cards_new_position")
        batch_op.create_index(
            "ix_cards_new_position", ["state", "suspended", "position", "buried_until",
                                      "deck_id"], unique=False,
            sqlite_where=sa.text("state = 0"), postgresql_where=sa.text("state = 0"))
        batch_op.drop_index("ix_cards_state_due")
        batch_op.create_index(
            "ix_cards_state_due",
            ["state", "suspended", "due", "buried_until", "deck_id", "stability",
             "difficulty", "last_review"], unique=False,
            sqlite_where=sa.text("due IS NOT NULL"), postgresql_where=sa.text("due IS NOT NULL"))
        batch_op.drop_constraint("uq_cards_user_guid", type_="unique")
        batch_op.create_unique_constraint("uq_cards_guid", ["guid"])
    with op.batch_alter_table("decks", schema=None) as batch_op:
        batch_op.drop_constraint("uq_decks_user_bundle_key", type_="unique")
        batch_op.drop_constraint("uq_decks_user_name", type_="unique")
        batch_op.create_unique_constraint("uq_decks_bundle_key", ["bundle_key"])
        batch_op.create_unique_constraint("uq_decks_name", ["name"])
    for table in reversed(OWNED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_user_id_users", type_="foreignkey")
            batch_op.drop_column("user_id")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failures_at"))
    op.drop_table("login_failures")
    op.drop_table("users")
