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
