"""Run Alembic migrations from the app (python app.py, flask commands, tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from flashcards.db import foreign_keys_off_for_migration
from flashcards.scoping import ALL_USERS

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision` (default: the newest)."""
    _migrate(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Take the database back to `revision` (default: before the first migration)."""
    _migrate(engine, command.downgrade, revision)


def _migrate(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    config = alembic_config()
    # Foreign keys off on SQLite, or batch mode's table copies cascade-delete cards.
    with engine.connect() as connection, foreign_keys_off_for_migration(connection):
        # Migrations work on every user's rows at once, on purpose.
        connection.execution_options(**{ALL_USERS: True})
        config.attributes["connection"] = connection
        step(config, revision)
        connection.commit()


def is_current(engine: Engine) -> bool:
    """Whether the database schema is at the newest revision."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current == head


def has_pending_migrations(engine: Engine) -> bool:
    """Whether the database holds a schema older than the newest revision (False for a
    database with no schema yet: there is nothing in it to lose)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current is not None and current != head
