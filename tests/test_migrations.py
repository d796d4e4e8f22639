"""The schema comes only from Alembic, and the migrations agree with the models
(on SQLite and on PostgreSQL)."""

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from flashcards.db import check_foreign_keys, foreign_keys_off_for_migration, make_engine
from flashcards.db.migrate import downgrade, is_current, upgrade
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
    tables = {"decks": "(user_id, name, name_key, description, created_at) VALUES "
                       "(1, 'D{n}', 'd{n}', '', '2026-03-01 10:00:00')",
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


def _insert_card_with_review(connection, deck_name: str = "Terminology", *,
                             owned: bool = False) -> int:
    """A deck with one reviewed card, written with SQL (the models are newer); `owned`
    from revision 0008 on, when rows belong to user 1. Returns the deck's id."""
    moment = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    owner, one = (", user_id", ", 1") if owned else ("", "")
    deck_id = connection.execute(text(
        f"INSERT INTO decks (name, description, created_at{owner}) "
        f"VALUES (:name, '', :at{one}) RETURNING id"),
        {"name": deck_name, "at": moment}).scalar_one()
    card_id = connection.execute(text(
        f"INSERT INTO cards (deck_id, guid, kind, front, back, tags, source, is_html, "
        f"position, state, reps, lapses, suspended, version, created_at{owner}) VALUES "
        f"(:deck, :guid, 'basic', 'RACI', 'roles', '', '', :no, 1, 1, 1, 0, :no, 2, :at{one}) "
        "RETURNING id"), {"deck": deck_id, "guid": f"g-{deck_id}", "no": False,
                          "at": moment}).scalar_one()
    connection.execute(text(
        f"INSERT INTO review_logs (card_id, reviewed_at, rating, card_version, state_before, "
        f"state_after{owner}) VALUES (:card, :at, 3, 1, 0, 1{one})"),
        {"card": card_id, "at": moment})
    return int(deck_id)


def test_migrating_a_collection_keeps_its_cards_and_reviews(databases) -> None:
    # SQLite batch mode rebuilds a table by dropping it: with foreign keys on, dropping
    # `decks` (0008) deleted every card and review through ON DELETE CASCADE.
    engine = make_engine(databases.create(migrated=False))
    upgrade(engine, "0007")
    with engine.begin() as connection:
        _insert_card_with_review(connection)
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM cards")).scalar_one() == 1
        assert connection.execute(text("SELECT count(*) FROM review_logs")).scalar_one() == 1
        if engine.dialect.name == "sqlite":  # and the keys are enforced again afterwards
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    engine.dispose()


def test_a_migration_that_breaks_a_foreign_key_is_refused(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'keys.sqlite3'}")
    upgrade(engine)
    with engine.connect() as connection, foreign_keys_off_for_migration(connection):
        connection.execute(text("INSERT INTO review_logs (card_id, user_id, reviewed_at, "
                                "rating, card_version, state_before, state_after) "
                                "VALUES (99, 1, '2026-01-05 09:00:00', 3, 1, 0, 1)"))
        with pytest.raises(RuntimeError, match="1 row.* referring to missing rows: "
                                               "review_logs row 1 -> cards"):
            check_foreign_keys(connection)
    with engine.connect() as connection:  # rolled back, and the keys are on again
        assert connection.execute(text("SELECT count(*) FROM review_logs")).scalar_one() == 0
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    engine.dispose()


def test_decks_named_alike_but_for_case_both_survive_the_name_key_migration(
        databases) -> None:
    engine = make_engine(databases.create(migrated=False))
    upgrade(engine, "0008")
    with engine.begin() as connection:
        ids = [_insert_card_with_review(connection, name, owned=True)
               for name in ("Terminology", "terminology", "Terminology (2)", "TERMINOLOGY ")]
    upgrade(engine, "0011")
    with engine.connect() as connection:
        decks = connection.execute(text("SELECT id, name, name_key FROM decks ORDER BY id")
                                   ).all()
        cards = connection.execute(text("SELECT deck_id, count(*) FROM cards "
                                        "GROUP BY deck_id ORDER BY deck_id")).all()
        reviews = connection.execute(text("SELECT count(*) FROM review_logs")).scalar_one()
    # The oldest keeps its name; later ones get the first number no deck has.
    assert [tuple(deck) for deck in decks] == [
        (ids[0], "Terminology", "terminology"),
        (ids[1], "terminology (3)", "terminology (3)"),
        (ids[2], "Terminology (2)", "terminology (2)"),
        (ids[3], "TERMINOLOGY (4)", "terminology (4)")]
    assert [tuple(row) for row in cards] == [(deck_id, 1) for deck_id in ids]
    assert reviews == 4
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("INSERT INTO decks (user_id, name, name_key, description, "
                                "created_at) VALUES (1, 'TERMINOLOGY', 'terminology', '', "
                                ":at)"), {"at": datetime(2026, 1, 6, tzinfo=UTC)})
    engine.dispose()


def test_task_priority_migration_makes_mocks_and_rest_required(databases) -> None:
    engine = make_engine(databases.create(migrated=False))
    upgrade(engine, "0012")
    with engine.begin() as connection:
        for number, kind in enumerate(("stories", "mock", "research", "rest"), start=1):
            connection.execute(text(
                "INSERT INTO plan_tasks (user_id, key, title, details, kind, minutes, "
                "earliest_week, latest_week, source, position, pinned, created_at) VALUES "
                "(1, :key, :title, '', :kind, 30, 1, 4, '', :n, :no, :at)"),
                {"key": f"t-{number}", "title": f"Task {number}", "kind": kind, "n": number,
                 "no": False, "at": datetime(2026, 1, 5, 9, 0, tzinfo=UTC)})
    upgrade(engine)
    with engine.connect() as connection:
        priorities = connection.execute(text(
            "SELECT kind, priority FROM plan_tasks ORDER BY id")).all()
    assert [tuple(row) for row in priorities] == [
        ("stories", "optional"), ("mock", "required"), ("research", "optional"),
        ("rest", "required")]
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("UPDATE plan_tasks SET priority = 'urgent'"))
    downgrade(engine, "0012")
    assert "priority" not in {c["name"] for c in inspect(engine).get_columns("plan_tasks")}
    engine.dispose()


def test_first_run_migration_marks_users_who_started_their_plan_as_set_up(databases) -> None:
    """An upgrade sends nobody who has used the plan to the set-up; a new database's
    user (no plan started yet) goes there."""
    engine = make_engine(databases.create(migrated=False))
    upgrade(engine, "0013")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO users (id, name, created_at) VALUES (2, 'ann', :at)"),
                           {"at": datetime(2026, 1, 5, 9, 0, tzinfo=UTC)})
        connection.execute(text(
            "INSERT INTO settings (id, desired_retention, new_per_day, max_reviews_per_day, "
            "timezone, rollover_hour, plan_start, interview_date) "
            "VALUES (2, 0.9, 20, 200, 'UTC', 4, :start, :interview)"),
                           {"start": datetime(2026, 1, 5).date(),
                            "interview": datetime(2026, 2, 4).date()})
    upgrade(engine)
    with engine.connect() as connection:
        done = dict(connection.execute(text(
            "SELECT id, setup_done_at IS NOT NULL FROM settings ORDER BY id")).all())
    assert done == {1: False, 2: True}
    downgrade(engine, "0013")
    assert "setup_done_at" not in {c["name"] for c in inspect(engine).get_columns("settings")}
    engine.dispose()


def test_weekday_minutes_migration_keeps_each_users_easy_days_and_marks_mocks(
        databases) -> None:
    """Easy Days become minutes (normal: blank, reduced: half the budget, minimum: 0) and
    back again on a downgrade; mock interviews become one-sitting tasks."""
    engine = make_engine(databases.create(migrated=False))
    upgrade(engine, "0022")
    at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO users (id, name, created_at) VALUES (2, 'ann', :at)"),
                           {"at": at})
        connection.execute(text(
            "INSERT INTO settings (id, desired_retention, new_per_day, max_reviews_per_day, "
            "timezone, rollover_hour, daily_minutes, easy_days) "
            "VALUES (2, 0.9, 20, 200, 'UTC', 4, 45, 'nrnmnrm')"))
        connection.execute(text("UPDATE settings SET daily_minutes = 60, easy_days = 'nnnnnrr' "
                                "WHERE id = 1"))
        for number, kind in enumerate(("stories", "mock"), start=1):
            connection.execute(text(
                "INSERT INTO plan_tasks (user_id, key, title, details, kind, minutes, "
                "earliest_week, latest_week, source, position, pinned, created_at) VALUES "
                "(1, :key, :title, '', :kind, 30, 1, 4, '', :n, :no, :at)"),
                {"key": f"t-{number}", "title": f"Task {number}", "kind": kind, "n": number,
                 "no": False, "at": at})
    upgrade(engine)
    with engine.connect() as connection:
        minutes = dict(connection.execute(text(
            "SELECT id, weekday_minutes FROM settings ORDER BY id")).all())
        tasks = [tuple(row) for row in connection.execute(text(
            "SELECT kind, sitting, anyway, after_ids FROM plan_tasks ORDER BY id")).all()]
    # 45 min: half is 22.5, rounded half up.
    assert minutes == {1: ",,,,,30,30", 2: ",23,,0,,23,0"}
    assert tasks == [("stories", False, False, ""), ("mock", True, False, "")]
    assert "easy_days" not in {c["name"] for c in inspect(engine).get_columns("settings")}
    with engine.begin() as connection:  # a day given more than the budget
        connection.execute(text("UPDATE settings SET weekday_minutes = '90,,,,,30,30' "
                                "WHERE id = 1"))
    downgrade(engine, "0022")
    with engine.connect() as connection:
        letters = dict(connection.execute(text(
            "SELECT id, easy_days FROM settings ORDER BY id")).all())
    assert letters == {1: "nnnnnrr", 2: "nrnmnrm"}
    assert not {"after_ids", "sitting", "anyway"} & {
        c["name"] for c in inspect(engine).get_columns("plan_tasks")}
    engine.dispose()


def test_offline_answer_id_migration_adds_a_unique_id_per_user_and_takes_it_back(
        databases) -> None:
    engine = make_engine(databases.create(migrated=False))
    upgrade(engine, "0024")

    def columns() -> set[str]:
        return {c["name"] for c in inspect(engine).get_columns("review_logs")}

    assert "client_answer_id" not in columns()
    upgrade(engine)
    assert "client_answer_id" in columns()
    index = next(i for i in inspect(engine).get_indexes("review_logs")
                 if i["name"] == "ix_review_logs_client_answer")
    assert index["unique"] and index["column_names"] == ["user_id", "client_answer_id"]
    downgrade(engine, "0024")
    assert "client_answer_id" not in columns()
    assert "ix_review_logs_client_answer" not in {
        i["name"] for i in inspect(engine).get_indexes("review_logs")}
    engine.dispose()
