"""Deck names are unique per user without regard to case: decks.name_key.

`name_key` is the name as deck names compare (flashcards.core.cards.deck_name_key:
NFC, trimmed, casefolded), filled here for every deck, and (user_id, name_key) is
unique instead of (user_id, name).

Before this revision an import could make a second deck whose name differed from an
existing one only in case ("Terminology" and "terminology"). Such decks are not merged
here (which cards belong together is the user's call, and a merge could not be undone):
the oldest (lowest id) keeps its name, and each later one is renamed with the first free
number, "terminology (2)", "terminology (3)", ... Every deck keeps all its cards and
their reviews. A downgrade keeps the new names.

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from flashcards.core.cards import MAX_DECK_NAME, MAX_DECK_NAME_KEY, deck_name_key

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DECKS = sa.table("decks", sa.column("id", sa.Integer()), sa.column("user_id", sa.Integer()),
                 sa.column("name", sa.String()), sa.column("name_key", sa.String()))


def unique_names(rows: Sequence[tuple[int, int, str]]) -> list[tuple[int, str, str]]:
    """(id, name, key) for each (id, user_id, name): the oldest deck keeps its name, a
    later one whose key is taken gets the first "name (n)" that no deck of its user has."""
    used = {(user_id, deck_name_key(name)) for _, user_id, name in rows}
    kept: set[tuple[int, str]] = set()
    result = []
    for deck_id, user_id, name in sorted(rows):
        key = deck_name_key(name)
        number = 1
        while (user_id, key) in kept:
            number += 1
            suffix = f" ({number})"
            candidate = name.strip()[:MAX_DECK_NAME - len(suffix)].rstrip() + suffix
            if (user_id, deck_name_key(candidate)) not in used:
                name, key = candidate, deck_name_key(candidate)
                used.add((user_id, key))
        kept.add((user_id, key))
        result.append((deck_id, name, key))
    return result


def upgrade() -> None:
    with op.batch_alter_table("decks", schema=None,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=MAX_DECK_NAME_KEY),
                                      nullable=True))
    bind = op.get_bind()
    rows = [(row.id, row.user_id, row.name) for row in bind.execute(
        sa.select(DECKS.c.id, DECKS.c.user_id, DECKS.c.name))]
    changes = [{"b_id": deck_id, "b_name": name, "b_key": key}
               for deck_id, name, key in unique_names(rows)]
    if changes:
        bind.execute(DECKS.update().where(DECKS.c.id == sa.bindparam("b_id"))
                     .values(name=sa.bindparam("b_name"), name_key=sa.bindparam("b_key")),
                     changes)
    with op.batch_alter_table("decks", schema=None,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.String(length=MAX_DECK_NAME_KEY),
                              nullable=False)
        batch_op.drop_constraint("uq_decks_user_name", type_="unique")
        batch_op.create_unique_constraint("uq_decks_user_name_key", ["user_id", "name_key"])


def downgrade() -> None:
    with op.batch_alter_table("decks", schema=None,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_constraint("uq_decks_user_name_key", type_="unique")
        batch_op.create_unique_constraint("uq_decks_user_name", ["user_id", "name"])
        batch_op.drop_column("name_key")
