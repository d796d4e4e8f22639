"""Initial schema: decks, cards with their FSRS state, the review log, settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import flashcards.db

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "decks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("bundle_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", flashcards.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("edited_at", flashcards.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decks")),
        sa.UniqueConstraint("bundle_key", name=op.f("uq_decks_bundle_key")),
        sa.UniqueConstraint("name", name=op.f("uq_decks_name")),
    )
    op.create_table(
        "seeded_bundles",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("guids", sa.Text(), nullable=False),
        sa.Column("seeded_at", flashcards.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_seeded_bundles")),
    )
    settings = op.create_table(
        "settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("desired_retention", sa.Float(), nullable=False),
        sa.Column("new_per_day", sa.Integer(), nullable=False),
        sa.Column("max_reviews_per_day", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("rollover_hour", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint(
            "desired_retention > 0 AND desired_retention < 1",
            name=op.f("ck_settings_retention_range"),
        ),
        sa.CheckConstraint("max_reviews_per_day >= 0", name=op.f("ck_settings_max_reviews_range")),
        sa.CheckConstraint("new_per_day >= 0", name=op.f("ck_settings_new_per_day_range")),
        sa.CheckConstraint(
            "rollover_hour BETWEEN 0 AND 23", name=op.f("ck_settings_rollover_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settings")),
    )
    # The one settings row; the app fills in the local time zone on first start.
    op.bulk_insert(
        settings,
        [
            {
                "id": 1,
                "desired_retention": 0.9,
                "new_per_day": 20,
                "max_reviews_per_day": 200,
                "timezone": "UTC",
                "rollover_hour": 4,
            }
        ],
    )
    op.create_table(
        "cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deck_id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("front", sa.Text(), nullable=False),
        sa.Column("back", sa.Text(), nullable=False),
        sa.Column("weak_answer", sa.Text(), nullable=True),
        sa.Column("strong_answer", sa.Text(), nullable=True),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("state", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due", flashcards.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_review", flashcards.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reps", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("lapses", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("suspended", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("buried_until", flashcards.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", flashcards.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("edited_at", flashcards.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state BETWEEN 0 AND 3", name=op.f("ck_cards_state_range")),
        sa.ForeignKeyConstraint(
            ["deck_id"], ["decks.id"], name=op.f("fk_cards_deck_id_decks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cards")),
        sa.UniqueConstraint("guid", name=op.f("uq_cards_guid")),
    )
    with op.batch_alter_table("cards", schema=None) as batch_op:
        # The review queues, covering the hidden-card filter so counts read only the
        # index; partial, so a new card sits in the two position indexes only.
        batch_op.create_index(
            "ix_cards_deck_state_due",
            ["deck_id", "state", "suspended", "due", "buried_until"],
            unique=False,
            sqlite_where=sa.text("due IS NOT NULL"),
            postgresql_where=sa.text("due IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_cards_state_due",
            ["state", "suspended", "due", "buried_until"],
            unique=False,
            sqlite_where=sa.text("due IS NOT NULL"),
            postgresql_where=sa.text("due IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_cards_deck_new_position",
            ["deck_id", "state", "suspended", "position", "buried_until"],
            unique=False,
            sqlite_where=sa.text("state = 0"),
            postgresql_where=sa.text("state = 0"),
        )
        batch_op.create_index(
            "ix_cards_new_position",
            ["state", "suspended", "position", "buried_until", "deck_id"],
            unique=False,
            sqlite_where=sa.text("state = 0"),
            postgresql_where=sa.text("state = 0"),
        )

    op.create_table(
        "review_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", flashcards.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("card_version", sa.Integer(), nullable=False),
        sa.Column("state_before", sa.SmallInteger(), nullable=False),
        sa.Column("step_before", sa.Integer(), nullable=True),
        sa.Column("stability_before", sa.Float(), nullable=True),
        sa.Column("difficulty_before", sa.Float(), nullable=True),
        sa.Column("due_before", flashcards.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_review_before", flashcards.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("state_after", sa.SmallInteger(), nullable=False),
        sa.Column("step_after", sa.Integer(), nullable=True),
        sa.Column("stability_after", sa.Float(), nullable=True),
        sa.Column("difficulty_after", sa.Float(), nullable=True),
        sa.Column("due_after", flashcards.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("rating BETWEEN 1 AND 4", name=op.f("ck_review_logs_rating_range")),
        sa.ForeignKeyConstraint(
            ["card_id"], ["cards.id"], name=op.f("fk_review_logs_card_id_cards"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_logs")),
        sa.UniqueConstraint("card_id", "card_version", name="uq_review_logs_card_version"),
    )
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_logs_card_id"), ["card_id"], unique=False)
        batch_op.create_index(
            "ix_review_logs_reviewed_at", ["reviewed_at", "state_before"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_review_logs_reviewed_at")
        batch_op.drop_index(batch_op.f("ix_review_logs_card_id"))

    op.drop_table("review_logs")
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_index("ix_cards_new_position")
        batch_op.drop_index("ix_cards_deck_new_position")
        batch_op.drop_index("ix_cards_state_due")
        batch_op.drop_index("ix_cards_deck_state_due")

    op.drop_table("cards")
    op.drop_table("settings")
    op.drop_table("seeded_bundles")
    op.drop_table("decks")
