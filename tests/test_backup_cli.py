"""flask backup / restore / check-db, and the automatic backups: before a migration,
before an import, once a day at start.

Each test builds its own SQLite database and app rather than using the shared `app`
fixture, which also runs on PostgreSQL: backups are SQLite's alone."""

from __future__ import annotations

import io
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from flask import Flask

from flashcards import create_app
from flashcards.db import make_engine
from flashcards.db.migrate import is_current
from flashcards.maintenance.backup_hooks import backup_before_migration, daily_backup
from flashcards.maintenance.bootstrap import setup_database
from flashcards.services import backup
from tests.backup_helpers import (
    alter,
    copy_file,
    corrupt_copy,
    dump,
    integrity,
    migrated_database,
    probe_words,
)
from tests.conftest import Clock


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("backup-cli-template")
    return migrated_database(folder / "template.sqlite3", probe_rows=2000)


def sqlite_app(database: Path, clock: Clock, **config: object) -> Flask:
    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{database}",
                       "SECRET_KEY": "test-secret", "CLOCK": clock, **config})


@pytest.fixture
def database(tmp_path: Path, template: Path) -> Path:
    return copy_file(template, tmp_path / "flashcards.sqlite3")


@pytest.fixture
def app(database: Path, clock: Clock) -> Iterator[Flask]:
    app = sqlite_app(database, clock)
    yield app
    app.extensions["flashcards.engine"].dispose()


def folder_of(app: Flask) -> Path:
    # By default the backups sit beside the database file: here, in the test's tmp_path.
    return Path(app.config["DATABASE_URL"].removeprefix("sqlite:///")).parent / "backups"


def reasons(app: Flask) -> list[str]:
    return [b.reason for b in backup.list_backups(folder_of(app))]


def test_backup_prints_the_file_and_its_size(app: Flask, database: Path) -> None:
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    made = folder_of(app) / "flashcards-2026-03-02T140000Z-manual.sqlite3"
    assert result.output == f"Backed up to {made} ({made.stat().st_size // 1024}.0 KB).\n"
    assert dump(made) == dump(database)


def test_backup_keeps_backup_keep_files(database: Path, clock: Clock) -> None:
    app = sqlite_app(database, clock, BACKUP_KEEP=2)
    runner = app.test_cli_runner()
    for _ in range(4):
        assert runner.invoke(args=["backup"]).exit_code == 0
        clock.advance(hours=1)
    assert [b.taken_at.hour for b in backup.list_backups(folder_of(app))] == [17, 16]


def test_backup_of_a_damaged_database_fails_with_the_reason(
        app: Flask, database: Path) -> None:
    database.write_bytes(b"this is not a database" * 200)
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 1
    assert result.output == f"Error: cannot back up {database}: is not an SQLite database\n"
    assert backup.list_backups(folder_of(app)) == []


def test_check_db_says_ok(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["check-db"])
    assert (result.exit_code, result.output) == (0, "ok\n")


def test_check_db_on_a_damaged_database_names_the_newest_good_backup(
        app: Flask, database: Path, clock: Clock, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup"]).exit_code == 0
    clock.advance(hours=1)
    good = Path(runner.invoke(args=["backup"]).output.split()[3])
    clock.advance(hours=1)
    bad = Path(runner.invoke(args=["backup"]).output.split()[3])
    bad.write_bytes(bad.read_bytes()[:8192])  # a newer backup, cut short
    corrupt_copy(database, tmp_path / "damaged.sqlite3").replace(database)
    damaged = database.read_bytes()
    assert integrity(database) != ["ok"]
    result = runner.invoke(args=["check-db"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"{database} has problems:"
    assert f"Newest good backup: {good}" in lines
    assert lines[-1] == f"  flask --app app restore {good}"
    assert database.read_bytes() == damaged  # check-db never repairs, nor touches, the file


def test_check_db_on_a_file_that_is_not_a_database(app: Flask, database: Path) -> None:
    database.write_bytes(b"front,back\nA,B\n" * 100)
    before = database.read_bytes()
    result = app.test_cli_runner().invoke(args=["check-db"])
    assert result.exit_code == 1
    assert f"  {database}: is not an SQLite database" in result.output
    assert f"There is no good backup in {folder_of(app)}." in result.output
    assert database.read_bytes() == before


def test_check_db_names_dropped_tables_and_restore_refuses_such_a_backup(
        app: Flask, database: Path, clock: Clock, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    good = Path(runner.invoke(args=["backup"]).output.split()[3])
    gutted = alter(copy_file(database, tmp_path / "gutted.sqlite3"),
                   "DROP TABLE review_logs", "DROP TABLE cards")
    before = database.read_bytes()
    refused = runner.invoke(args=["restore", "--yes", str(gutted)])
    assert refused.exit_code == 1
    assert refused.output.startswith(f"Error: refusing to restore: {gutted} does not have the "
                                     "tables of its schema revision ")
    assert "table cards is missing; table review_logs is missing" in refused.output
    assert database.read_bytes() == before and reasons(app) == ["manual"]
    alter(database, "DROP TABLE review_logs", "DROP TABLE cards")
    result = runner.invoke(args=["check-db"])
    assert result.exit_code == 1
    assert result.output.splitlines()[:3] == [f"{database} has problems:",
                                              "  table cards is missing",
                                              "  table review_logs is missing"]
    assert f"Newest good backup: {good}" in result.output


def test_restore_of_a_sound_backup_at_revision_0007_is_accepted(
        app: Flask, tmp_path: Path) -> None:
    old = migrated_database(tmp_path / "old.sqlite3", "0007")
    result = app.test_cli_runner().invoke(args=["restore", "--yes", str(old)])
    assert result.exit_code == 0, result.output
    assert "(schema revision 0007)" in result.output


def test_restore_round_trip_through_the_cli(app: Flask, database: Path, clock: Clock) -> None:
    runner = app.test_cli_runner()
    made = Path(runner.invoke(args=["backup"]).output.split()[3])
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("DELETE FROM probe")
        connection.commit()
    clock.advance(minutes=1)
    declined = runner.invoke(args=["restore", str(made)], input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert probe_words(database) == []
    result = runner.invoke(args=["restore", str(made)], input="y\n")
    assert result.exit_code == 0, result.output
    before = folder_of(app) / "flashcards-2026-03-02T140100Z-before-restore.sqlite3"
    assert f"Backed up the current database to {before}." in result.output
    assert f"Restored {made} (schema revision " in result.output
    assert "If the app is running, restart it." in result.output
    assert len(probe_words(database)) == 2000 and probe_words(before) == []


def test_restore_of_an_older_backup_says_the_next_start_migrates_it(
        app: Flask, database: Path, tmp_path: Path) -> None:
    old = migrated_database(tmp_path / "old.sqlite3", "0005")
    result = app.test_cli_runner().invoke(args=["restore", "--yes", str(old)])
    assert result.exit_code == 0, result.output
    assert "(schema revision 0005)" in result.output
    assert "it is migrated when the app next starts" in result.output
    setup = sqlite_app(database, Clock())
    backup_before_migration(setup)  # what the next start does first
    assert reasons(setup) == ["migration", "before-restore"]


def test_restore_refuses_damaged_and_foreign_files(app: Flask, database: Path,
                                                   tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    before = database.read_bytes()
    text = tmp_path / "cards.csv"
    text.write_text("front,back\nA,B\n")
    damaged = corrupt_copy(database, tmp_path / "damaged.sqlite3")
    foreign = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(foreign)) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
        connection.commit()
    for candidate, why in [(text, "is not an SQLite database"),
                           (damaged, "is damaged"),
                           (foreign, "has no alembic_version table")]:
        result = runner.invoke(args=["restore", "--yes", str(candidate)])
        assert result.exit_code == 1
        assert result.output.startswith(f"Error: refusing to restore: {candidate}")
        assert why in result.output
    assert database.read_bytes() == before
    assert reasons(app) == []


def test_import_deck_backs_up_first_and_only_when_it_changes_something(
        app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    source = tmp_path / "words.csv"
    source.write_text("front,back\nA,B\nC,D\n", encoding="utf-8")
    assert runner.invoke(args=["import-deck", str(source), "--dry-run"]).exit_code == 0
    assert reasons(app) == []
    done = runner.invoke(args=["import-deck", str(source), "--deck", "Words"])
    assert done.exit_code == 0, done.output
    [made] = backup.list_backups(folder_of(app))
    assert made.reason == "import"
    with closing(sqlite3.connect(made.path)) as connection:  # taken before the import
        assert connection.execute("SELECT count(*) FROM cards").fetchone() == (0,)
    again = runner.invoke(args=["import-deck", str(source), "--deck", "Words"])
    assert "2 unchanged" in again.output and reasons(app) == ["import"]


def test_a_migration_is_preceded_by_a_backup(tmp_path: Path, clock: Clock) -> None:
    database = migrated_database(tmp_path / "flashcards.sqlite3", "0005")
    app = sqlite_app(database, clock)
    setup_database(app)
    assert is_current(app.extensions["flashcards.engine"])
    [made] = backup.list_backups(folder_of(app))
    assert made.reason == "migration"
    with closing(sqlite3.connect(made.path)) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (
            "0005",)
    setup_database(app)  # now current: no second backup
    assert reasons(app) == ["migration"]
    app.extensions["flashcards.engine"].dispose()


def test_a_new_database_is_not_backed_up_before_its_first_migration(
        tmp_path: Path, clock: Clock) -> None:
    app = sqlite_app(tmp_path / "new.sqlite3", clock)
    assert backup_before_migration(app) is None
    make_engine(app.config["DATABASE_URL"]).dispose()
    assert not folder_of(app).exists()


def test_daily_backup_once_per_day_in_one_line(app: Flask, clock: Clock) -> None:
    out = io.StringIO()
    first = daily_backup(app, out)
    assert first is not None and first.name.endswith("-daily.sqlite3")
    assert re.fullmatch(r"Daily backup of the database\.\.\. \S+ \(\d+\.\d KB\)\n",
                        out.getvalue())
    clock.advance(hours=9)  # 23:00 UTC, same day
    assert daily_backup(app, out) is None
    clock.advance(hours=2)
    assert daily_backup(app, io.StringIO()) is not None
    assert reasons(app) == ["daily", "daily"]


def test_a_failed_daily_backup_is_reported_and_the_app_starts(
        app: Flask, database: Path) -> None:
    database.write_bytes(b"not a database" * 100)
    out = io.StringIO()
    assert daily_backup(app, out) is None
    assert out.getvalue().startswith("Daily backup of the database... failed: cannot back up")
    assert "flask --app app check-db" in out.getvalue()


def test_backup_keep_and_backup_dir_from_the_environment(
        app: Flask, tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("BACKUP_DIR", str(elsewhere))
    monkeypatch.setenv("BACKUP_KEEP", "1")
    runner = app.test_cli_runner()
    for _ in range(2):
        assert runner.invoke(args=["backup"]).exit_code == 0
        clock.advance(hours=1)
    assert [b.taken_at.hour for b in backup.list_backups(elsewhere)] == [15]
    monkeypatch.setenv("BACKUP_KEEP", "none")
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 1
    assert "BACKUP_KEEP must be a whole number of at least 1, not 'none'" in result.output
