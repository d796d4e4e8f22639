"""Alembic environment: migrates the database the app is configured for.

`flashcards.db.migrate` passes an open connection in `config.attributes`; the
plain `alembic` command line falls back to DATABASE_URL / the instance SQLite file.
"""

from __future__ import annotations

from alembic import context

from flashcards.config import default_database_url
from flashcards.db import check_foreign_keys, foreign_keys_off_for_migration, make_engine
from flashcards.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
        # Inside each migration's transaction: a broken key rolls that migration back.
        on_version_apply=[lambda **_: check_foreign_keys(connection)],
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or default_database_url()
    engine = make_engine(url)
    with engine.connect() as connection, foreign_keys_off_for_migration(connection):
        run_migrations(connection)
        connection.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
