"""The schema comes only from Alembic, and the migrations agree with the models
(on SQLite and on PostgreSQL)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from flashcards.db import make_engine
from flashcards.migrate import downgrade, is_current, upgrade
from flashcards.models import Base, Settings


def test_upgrade_head_equals_models_and_downgrade_base_works(databases) -> None:
    engine = make_engine(databases.create(migrated=False))
    assert not is_current(engine)
    upgrade(engine)
    assert is_current(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        settings = connection.execute(select(Settings.__table__)).one()
        assert (settings.new_per_day, settings.rollover_hour) == (20, 4)
    if engine.dialect.name == "postgresql":
        # Instants are stored with their time zone, not as naive local times.
        due = next(c for c in inspect(engine).get_columns("cards") if c["name"] == "due")
        assert due["type"].timezone is True
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade(engine)
    assert is_current(engine)
    engine.dispose()


def test_upgrading_an_older_database_keeps_every_review(databases) -> None:
    """Batch mode rebuilds tables by dropping them: with foreign keys on, rebuilding
    `cards` (0008, 0009) cascaded into review_logs and deleted the whole history."""
    engine = make_engine(databases.create(migrated=False))
    upgrade(engine, "0007")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO decks (id, name, description, created_at) "
            "VALUES (1, 'Deck', '', '2026-03-01 10:00:00')")
        connection.exec_driver_sql(
            "INSERT INTO cards (id, deck_id, guid, kind, front, back, tags, source, is_html, "
            "position, state, reps, lapses, suspended, version, created_at) VALUES "
            "(1, 1, 'g1', 'basic', 'Front', 'Back', '', '', false, 1, 2, 2, 0, false, 3, "
            "'2026-03-01 10:00:00')")
        for version in (1, 2):
            connection.exec_driver_sql(
                "INSERT INTO review_logs (card_id, reviewed_at, rating, card_version, "
                "state_before, state_after, leech_tagged, leech_suspended) VALUES "
                f"(1, '2026-03-0{version} 10:00:00', 3, {version}, 0, 2, false, false)")
    upgrade(engine)
    with engine.connect() as connection:
        logs = connection.exec_driver_sql(
            "SELECT card_id, card_version, user_id FROM review_logs ORDER BY id").all()
        card = connection.exec_driver_sql("SELECT id, user_id, front FROM cards").one()
    assert [tuple(log) for log in logs] == [(1, 1, 1), (1, 2, 1)]
    assert tuple(card) == (1, 1, "Front")
    engine.dispose()


def test_ids_are_never_reused(databases) -> None:
    """Deleting the newest row frees no id for the next one (SQLite AUTOINCREMENT,
    PostgreSQL sequences): an undo record naming an old id never reaches a new row."""
    engine = make_engine(databases.create())
    tables = {"decks": "(user_id, name, description, created_at) VALUES "
                       "(1, 'D{n}', '', '2026-03-01 10:00:00')",
              "plan_tasks": "(user_id, title, details, kind, minutes, earliest_week, "
                            "latest_week, source, position, pinned, created_at) VALUES "
                            "(1, 'T{n}', '', 'research', 5, 1, 1, '', 1, false, "
                            "'2026-03-01 10:00:00')"}
    with engine.begin() as connection:
        for table, values in tables.items():
            first = connection.exec_driver_sql(
                f"INSERT INTO {table} {values.format(n=1)} RETURNING id").scalar_one()
            connection.exec_driver_sql(f"DELETE FROM {table} WHERE id = {first}")
            second = connection.exec_driver_sql(
                f"INSERT INTO {table} {values.format(n=2)} RETURNING id").scalar_one()
            assert second > first, table
    engine.dispose()
