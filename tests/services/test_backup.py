"""SQLite backups: the backup API, integrity checks, rotation, restore and its refusals.

These build their own SQLite files (tests/backup_helpers.py) instead of using the shared
`app` fixture, which also runs on PostgreSQL: backups are an SQLite feature."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from flashcards.db.migrate import alembic_config
from flashcards.services import backup
from flashcards.services.backup import BackupError
from tests.backup_helpers import (
    alter,
    copy_file,
    corrupt_copy,
    dump,
    integrity,
    migrated_database,
    probe_words,
)

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("backup-template")
    return migrated_database(folder / "template.sqlite3", probe_rows=3000)


@pytest.fixture
def database(tmp_path: Path, template: Path) -> Path:
    return copy_file(template, tmp_path / "flashcards.sqlite3")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "backups"


def test_a_backup_is_one_checked_file_with_the_same_rows(database: Path, folder: Path) -> None:
    made = backup.make_backup(f"sqlite:///{database}", folder, "import", NOW)
    assert made == folder / "flashcards-2026-03-02T140000Z-import.sqlite3"
    assert dump(made) == dump(database)
    assert integrity(made) == ["ok"]
    # Self-contained: no -wal/-shm beside it, no partial file left behind.
    assert sorted(p.name for p in folder.iterdir()) == [made.name]
    [listed] = backup.list_backups(folder)
    assert (listed.path, listed.taken_at, listed.reason) == (made, NOW, "import")


def test_backup_uses_the_backup_api_while_another_connection_writes(
        database: Path, folder: Path) -> None:
    with closing(sqlite3.connect(database, isolation_level=None)) as app_connection:
        app_connection.execute("PRAGMA journal_mode = WAL")
        app_connection.execute("INSERT INTO probe (n, word) VALUES (1, 'committed')")
        # Committed, but still only in the WAL file: a copy of the main file would miss it.
        assert Path(f"{database}-wal").stat().st_size > 0
        app_connection.execute("BEGIN IMMEDIATE")
        app_connection.execute("INSERT INTO probe (n, word) VALUES (2, 'uncommitted')")
        made = backup.make_backup(database, folder, "manual", NOW)
        app_connection.execute("COMMIT")
    words = probe_words(made)
    assert words[-1] == "committed" and "uncommitted" not in words
    assert probe_words(database)[-2:] == ["committed", "uncommitted"]


def test_rotation_keeps_the_newest_n_and_never_the_one_just_made(
        database: Path, folder: Path) -> None:
    made = [backup.make_backup(database, folder, "daily", NOW + timedelta(days=day), keep=3)
            for day in range(5)]
    assert [b.path for b in backup.list_backups(folder)] == made[:-4:-1]
    only = backup.make_backup(database, folder, "manual", NOW + timedelta(days=9), keep=0)
    assert [b.path for b in backup.list_backups(folder)] == [only]
    # Two in the same second do not overwrite each other.
    twin = backup.make_backup(database, folder, "manual", NOW + timedelta(days=9), keep=5)
    assert twin.name == "flashcards-2026-03-11T140000Z-manual-1.sqlite3"
    assert backup.list_backups(folder)[0].path == twin


def test_newest_good_backup_skips_damaged_ones(database: Path, folder: Path) -> None:
    oldest, middle, newest = (backup.make_backup(database, folder, "manual",
                                                 NOW + timedelta(hours=h)) for h in range(3))
    assert backup.newest_good_backup(folder) == newest
    with newest.open("r+b") as handle:  # cut short, as by a full disk
        handle.truncate(newest.stat().st_size // 2)
    corrupt_copy(middle, middle.with_name("damaged.tmp")).replace(middle)
    assert integrity(middle) != ["ok"]
    assert backup.newest_good_backup(folder) == oldest
    oldest.write_bytes(b"not a database at all" * 100)
    assert backup.newest_good_backup(folder) is None


def test_a_damaged_source_gives_no_backup(database: Path, folder: Path, tmp_path) -> None:
    damaged = corrupt_copy(database, tmp_path / "damaged.sqlite3")
    with pytest.raises(BackupError, match="integrity check|malformed"):
        backup.make_backup(damaged, folder, "manual", NOW)
    assert backup.list_backups(folder) == []
    assert not any(folder.glob(".partial-*"))


def test_check_database_reports_problems_and_changes_nothing(
        database: Path, tmp_path: Path) -> None:
    assert backup.check_database(database) == []
    damaged = corrupt_copy(database, tmp_path / "damaged.sqlite3")
    before = damaged.read_bytes()
    assert backup.check_database(damaged)
    assert damaged.read_bytes() == before
    text = tmp_path / "notes.txt"
    text.write_text("front,back\n" * 100)
    assert backup.check_database(text) == [f"{text}: is not an SQLite database"]
    assert text.read_text() == "front,back\n" * 100
    assert backup.check_database(tmp_path / "missing.sqlite3") == [
        f"there is no database at {tmp_path / 'missing.sqlite3'}"]


def test_check_database_reports_broken_foreign_keys(database: Path) -> None:
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, "
                           "probe_id INTEGER REFERENCES probe (id))")
        connection.execute("INSERT INTO child (probe_id) VALUES (999999)")  # FKs are off
        connection.commit()
    assert backup.check_database(database) == [
        "table child, row 1: refers to a row of probe that does not exist"]


def test_restore_round_trip(database: Path, folder: Path) -> None:
    made = backup.make_backup(database, folder, "manual", NOW)
    original = dump(database)
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("DELETE FROM probe WHERE id > 10")
        connection.execute("INSERT INTO probe (n, word) VALUES (0, 'changed')")
        connection.commit()
    changed = dump(database)
    report = backup.restore(database, made, folder, NOW + timedelta(minutes=5))
    assert dump(database) == original
    assert report.before_restore is not None and dump(report.before_restore) == changed
    assert report.before_restore.name == "flashcards-2026-03-02T140500Z-before-restore.sqlite3"
    assert (report.moved_aside, report.needs_migration) == (None, False)
    assert integrity(database) == ["ok"]
    # Still in WAL mode, as the app left it.
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_restoring_the_oldest_backup_does_not_rotate_it_away(
        database: Path, folder: Path) -> None:
    oldest, newest = (backup.make_backup(database, folder, "daily", NOW + timedelta(days=d),
                                         keep=2) for d in range(2))
    report = backup.restore(database, oldest, folder, NOW + timedelta(days=3), keep=2)
    assert oldest.exists() and report.before_restore is not None
    # The newest two, plus the one being restored.
    assert {b.path for b in backup.list_backups(folder)} == {
        oldest, newest, report.before_restore}


@pytest.mark.parametrize(("content", "message"), [
    (b"front,back\nA,B\n", "is not an SQLite database"),
    (b"", "is empty"),
    (None, "there is no file"),
])
def test_restore_refuses_a_file_that_is_not_a_database(
        database: Path, folder: Path, tmp_path: Path, content: bytes | None,
        message: str) -> None:
    candidate = tmp_path / "candidate.sqlite3"
    if content is not None:
        candidate.write_bytes(content)
    assert_refused(database, folder, candidate, message)


def test_restore_refuses_a_damaged_backup(database: Path, folder: Path,
                                          tmp_path: Path) -> None:
    damaged = corrupt_copy(database, tmp_path / "damaged.sqlite3")
    assert_refused(database, folder, damaged, "damaged|malformed")


def test_restore_refuses_a_database_without_a_known_revision(
        database: Path, folder: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.sqlite3"
    with closing(sqlite3.connect(foreign)) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        connection.commit()
    assert_refused(database, folder, foreign, "has no alembic_version table")
    with closing(sqlite3.connect(foreign)) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.execute("INSERT INTO alembic_version VALUES ('9999')")
        connection.commit()
    assert_refused(database, folder, foreign, "revision '9999', which this version")


def test_restore_refuses_a_backup_whose_tables_were_dropped(
        database: Path, folder: Path, tmp_path: Path) -> None:
    """Its alembic_version names a known revision, but the cards went with the tables."""
    gutted = alter(copy_file(database, tmp_path / "gutted.sqlite3"),
                   "DROP TABLE review_logs", "DROP TABLE cards")
    assert backup.restore_problems(gutted) == [
        f"{gutted} does not have the tables of its schema revision {HEAD}: table cards is "
        "missing; table review_logs is missing"]
    assert_refused(database, folder, gutted, "table cards is missing; table review_logs is "
                                             "missing")
    made = backup.make_backup(database, folder, "manual", NOW)
    copy_file(gutted, folder / backup.backup_name(NOW + timedelta(hours=1), "manual"))
    assert backup.newest_good_backup(folder) == made  # the newer, gutted one is skipped


def test_check_database_names_each_schema_difference(database: Path) -> None:
    assert backup.check_database(database) == []
    alter(database, "DROP TABLE review_logs", "ALTER TABLE decks DROP COLUMN description",
          "ALTER TABLE decks ADD COLUMN colour TEXT", "DROP INDEX ix_cards_state_due")
    before = database.read_bytes()
    assert backup.check_database(database) == [
        "table cards lacks index ix_cards_state_due",
        "table decks lacks column description",
        f"table decks has a column colour that revision {HEAD} does not have",
        "table review_logs is missing"]
    assert database.read_bytes() == before


def test_a_sound_backup_at_an_older_revision_is_still_accepted(
        database: Path, folder: Path, tmp_path: Path) -> None:
    old = alter(migrated_database(tmp_path / "old.sqlite3", "0007"),
                "INSERT INTO decks (name, description, created_at) "
                "VALUES ('Old', '', '2026-01-01 00:00:00')")
    assert backup.restore_problems(old) == [] and backup.check_database(old) == []
    report = backup.restore(database, old, folder, NOW)
    assert (report.revision, report.needs_migration) == ("0007", True)
    # ... but one that lacks what 0007 had is not.
    alter(old, "ALTER TABLE cards DROP COLUMN is_html")
    assert backup.restore_problems(old) == [
        f"{old} does not have the tables of its schema revision 0007: table cards lacks "
        "column is_html"]


def assert_refused(database: Path, folder: Path, candidate: Path, message: str) -> None:
    before = database.read_bytes()
    with pytest.raises(BackupError, match=f"refusing to restore: .*({message})"):
        backup.restore(database, candidate, folder, NOW)
    assert database.read_bytes() == before
    assert backup.list_backups(folder) == []


def test_restore_over_a_database_too_damaged_to_back_up_moves_it_aside(
        database: Path, folder: Path, tmp_path: Path) -> None:
    made = backup.make_backup(database, folder, "manual", NOW)
    garbage = b"\x00garbage" * 4096
    database.write_bytes(garbage)
    report = backup.restore(database, made, folder, NOW)
    assert report.before_restore is None and report.moved_aside is not None
    assert "not an SQLite database" in (report.not_backed_up_because or "")
    assert report.moved_aside.read_bytes() == garbage
    assert dump(database) == dump(made)


def test_restore_over_a_damaged_database_keeps_it_aside_with_its_wal(
        database: Path, folder: Path, tmp_path: Path) -> None:
    made = backup.make_backup(database, folder, "manual", NOW)
    corrupt_copy(database, tmp_path / "damaged.sqlite3").replace(database)
    Path(f"{database}-wal").write_bytes(b"")
    report = backup.restore(database, made, folder, NOW)
    assert report.moved_aside == database.with_name(
        "flashcards.sqlite3.damaged-2026-03-02T140000Z")
    assert Path(f"{report.moved_aside}-wal").exists()
    assert integrity(report.moved_aside) != ["ok"] and dump(database) == dump(made)


def test_a_healthy_database_that_cannot_be_backed_up_is_not_replaced(
        database: Path, tmp_path: Path) -> None:
    made = backup.make_backup(database, tmp_path / "backups", "manual", NOW)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the backups folder should be")
    before = database.read_bytes()
    with pytest.raises(BackupError, match="nothing was restored: the current database could "
                                          "not be backed up first"):
        backup.restore(database, made, blocked, NOW)
    assert database.read_bytes() == before
    assert not list(tmp_path.glob("*damaged*"))  # not put aside


def test_restore_of_an_older_schema_says_it_needs_migrating(
        tmp_path: Path, database: Path, folder: Path) -> None:
    old = migrated_database(tmp_path / "old.sqlite3", "0005")
    report = backup.restore(database, old, folder, NOW)
    assert (report.revision, report.needs_migration) == ("0005", True)


def test_daily_backup_is_due_once_per_day(database: Path, folder: Path) -> None:
    assert backup.daily_backup_due(folder, NOW.date())
    backup.make_backup(database, folder, "import", NOW)
    assert not backup.daily_backup_due(folder, NOW.date())
    assert backup.daily_backup_due(folder, NOW.date() + timedelta(days=1))


@pytest.mark.parametrize("url", ["postgresql://flashcards@localhost/flashcards",
                                 "postgresql+psycopg://u:p@db:5432/cards"])
def test_postgresql_is_refused_with_a_pointer_to_pg_dump(url: str, folder: Path,
                                                         database: Path) -> None:
    calls = [lambda: backup.make_backup(url, folder, "manual", NOW),
             lambda: backup.check_database(url),
             lambda: backup.restore(url, database, folder, NOW)]
    for call in calls:
        with pytest.raises(BackupError, match="PostgreSQL: back it up with pg_dump"):
            call()
    assert not folder.exists()


def test_an_in_memory_database_has_nothing_to_back_up(folder: Path) -> None:
    with pytest.raises(BackupError, match="in memory"):
        backup.make_backup("sqlite://", folder, "manual", NOW)
