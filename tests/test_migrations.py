"""The schema comes only from Alembic, and the migrations agree with the models."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from flashcards.db import make_engine
from flashcards.migrate import downgrade, is_current, upgrade
from flashcards.models import Base, Settings


def test_upgrade_head_equals_models_and_downgrade_base_works(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    assert not is_current(engine)
    upgrade(engine)
    assert is_current(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        settings = connection.execute(select(Settings.__table__)).one()
        assert (settings.new_per_day, settings.rollover_hour) == (20, 4)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade(engine)
    assert is_current(engine)
    engine.dispose()
