"""SQLite backups: made with SQLite's online backup API (never a file copy), each checked
with `PRAGMA integrity_check`, kept to a bounded number, and restored the same way.

No Flask here: the caller passes the database (an SQLAlchemy URL, or the SQLite file's
path), the backups folder and the current time. On any database other than SQLite the
functions that take one refuse, pointing at pg_dump."""

from __future__ import annotations

import functools
import os
import re
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterable
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, make_url

from flashcards.db import make_engine
from flashcards.db.migrate import alembic_config, upgrade
from flashcards.services.errors import ServiceError

DEFAULT_KEEP = 10
REASONS = ("import", "migration", "daily", "manual", "before-restore")
BUSY_TIMEOUT_SECONDS = 30
STAMP_FORMAT = "%Y-%m-%dT%H%M%SZ"
BACKUP_NAME = re.compile(
    r"flashcards-(?P<stamp>\d{4}-\d{2}-\d{2}T\d{6}Z)-(?P<reason>[a-z]+(?:-[a-z]+)*?)"
    r"(?:-(?P<counter>\d+))?\.sqlite3")
# A backup still being written (or left by a killed process): hidden, never listed.
TEMPORARY_PREFIX = ".partial-"
STALE_TEMPORARY_SECONDS = 24 * 3600

Database = str | URL | Path


class BackupError(ServiceError):
    """A backup, check or restore that could not be done; the message says why."""


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    taken_at: datetime
    reason: str
    counter: int = 0

    @property
    def size(self) -> int:
        return self.path.stat().st_size


@dataclass(frozen=True, slots=True)
class RestoreReport:
    restored_from: Path
    revision: str
    before_restore: Path | None  # the backup of the database it replaced
    moved_aside: Path | None  # the replaced database, when it was too damaged to back up
    not_backed_up_because: str | None
    needs_migration: bool  # the backup's schema is older than this version's


def sqlite_path(database: Database) -> Path:
    """The SQLite file behind `database`; refuses other databases and in-memory ones."""
    if isinstance(database, Path):
        return database
    url = make_url(database) if isinstance(database, str) else database
    backend = url.get_backend_name()
    if backend == "postgresql":
        raise BackupError(
            "this database is PostgreSQL: back it up with pg_dump (pg_dump -Fc -f "
            "flashcards.dump DBNAME; restore with pg_restore --clean -d DBNAME "
            "flashcards.dump), and keep an export with schedules as the portable backup "
            "(see README.md, \"Where your data lives, and backups\")")
    if backend != "sqlite":
        raise BackupError(f"backups are made for SQLite only; this database is {backend}: "
                          "use its own backup tool")
    if url.database in (None, "", ":memory:") or "mode=memory" in str(url.database):
        raise BackupError("this SQLite database lives in memory: there is no file to back up")
    return Path(url.database)


def backup_name(taken_at: datetime, reason: str, counter: int = 0) -> str:
    stamp = taken_at.astimezone(UTC).strftime(STAMP_FORMAT)
    suffix = f"-{counter}" if counter else ""
    return f"flashcards-{stamp}-{reason}{suffix}.sqlite3"


def list_backups(folder: Path) -> list[Backup]:
    """The backups in `folder`, newest first (by the time in their names)."""
    found = []
    try:
        paths = list(folder.iterdir())
    except FileNotFoundError:
        return []
    for path in paths:
        match = BACKUP_NAME.fullmatch(path.name)
        if match is None or not path.is_file():
            continue
        taken_at = datetime.strptime(match["stamp"], STAMP_FORMAT).replace(tzinfo=UTC)
        found.append(Backup(path, taken_at, match["reason"], int(match["counter"] or 0)))
    # Within one second, the file written last comes first.
    found.sort(key=lambda b: (b.taken_at, b.counter, _mtime_ns(b.path), b.path.name),
               reverse=True)
    return found


def _mtime_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def make_backup(database: Database, folder: Path, reason: str, now: datetime, *,
                keep: int = DEFAULT_KEEP, protect: Iterable[Path] = ()) -> Path:
    """Copy the database into `folder` with the backup API, check the copy, give it its
    final name atomically, then keep only the newest `keep` backups (never the new one,
    nor any path in `protect`). Returns the new backup's path."""
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    source = sqlite_path(database)
    if not source.is_file():
        raise BackupError(f"there is no database at {source} to back up")
    header = _header_problem(source)
    if header:
        raise BackupError(f"cannot back up {source}: {header}")
    temporary = folder / (f"{TEMPORARY_PREFIX}{backup_name(now, reason)}."
                          f"{os.getpid()}.{threading.get_ident()}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _copy(source, temporary, single_file=True)
        problems = _integrity_problems(temporary)
        if problems:
            raise BackupError(f"the backup of {source} failed its integrity check, so the "
                              f"database itself is probably damaged (run `flask --app app "
                              f"check-db`): {'; '.join(problems[:5])}")
        final = _free_name(folder, now, reason)
        os.replace(temporary, final)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"could not back up {source}: {exc}") from exc
    finally:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)
    _sync_folder(folder)
    rotate(folder, keep, protect=[final, *protect])
    return final


def rotate(folder: Path, keep: int, *, protect: Iterable[Path] = ()) -> list[Path]:
    """Delete all but the newest `keep` backups (at least one is kept; paths in
    `protect` never go), and partial files left by a killed backup. Returns what went."""
    kept = {path.resolve() for path in protect}
    removed = []
    for old in list_backups(folder)[max(keep, 1):]:
        if old.path.resolve() not in kept:
            old.path.unlink(missing_ok=True)
            removed.append(old.path)
    cutoff = time.time() - STALE_TEMPORARY_SECONDS
    for partial in folder.glob(f"{TEMPORARY_PREFIX}*"):
        try:
            if partial.stat().st_mtime < cutoff:
                partial.unlink()
        except OSError:
            pass
    return removed


def daily_backup_due(folder: Path, today: date) -> bool:
    """True when no backup (for whatever reason) was made on `today` (UTC, as in the
    backups' names)."""
    return all(b.taken_at.date() != today for b in list_backups(folder))


def check_database(database: Database) -> list[str]:
    """What is wrong with the database (integrity_check, foreign_key_check, and tables,
    columns or indexes that differ from what the migrations give at its revision), as
    text; an empty list when it is sound. Opens the file read-only: it is never changed."""
    path = sqlite_path(database)
    if not path.is_file():
        return [f"there is no database at {path}"]
    header = _header_problem(path)
    if header:
        return [f"{path}: {header}"]
    problems = _integrity_problems(path)
    if problems:
        return problems
    try:
        with closing(_open_read_only(path)) as connection:
            rows = connection.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.Error as exc:
        return [f"{path}: {exc}"]
    problems = [f"table {table}, row {rowid}: refers to a row of {parent} that does not "
                "exist" for table, rowid, parent, _ in rows]
    revision, problem = _known_revision(path)
    if problem:
        return [*problems, f"{path}: {problem}"]
    return problems + _schema_differences(path, str(revision))


def newest_good_backup(folder: Path) -> Path | None:
    """The newest backup in `folder` that could be restored (it passes the integrity
    check and has a known schema revision with all of that revision's tables), or None."""
    for backup in list_backups(folder):
        if not restore_problems(backup.path):
            return backup.path
    return None


def restore_problems(backup_file: Path) -> list[str]:
    """Why `backup_file` cannot be restored: not an SQLite database, damaged, not a
    flashcards database at a schema revision this app knows, or without the tables,
    columns and indexes that revision has. Empty when it can be."""
    if not backup_file.is_file():
        return [f"there is no file {backup_file}"]
    header = _header_problem(backup_file)
    if header:
        return [f"{backup_file}: {header}"]
    problems = _integrity_problems(backup_file)
    if problems:
        return [f"{backup_file} is damaged (integrity check: {'; '.join(problems[:5])})"]
    revision, problem = _known_revision(backup_file)
    if problem:
        return [f"{backup_file}: {problem}"]
    differences = _schema_differences(backup_file, str(revision))
    if differences:
        return [f"{backup_file} does not have the tables of its schema revision {revision}: "
                + "; ".join(differences)]
    return []


def restore(database: Database, backup_file: Path, folder: Path, now: datetime, *,
            keep: int = DEFAULT_KEEP) -> RestoreReport:
    """Replace the database's content with `backup_file`'s, through the backup API (so
    the live database's WAL and shared-memory files stay consistent, even with the app
    running). Refuses, changing nothing, a file that is not a sound flashcards backup.
    The current database is backed up first (reason `before-restore`); one too damaged
    to back up is renamed aside instead. An older schema is migrated on the next start."""
    path = sqlite_path(database)
    problems = restore_problems(backup_file)
    if problems:
        raise BackupError("refusing to restore: " + "; ".join(problems))
    if path.exists() and path.resolve() == backup_file.resolve():
        raise BackupError(f"refusing to restore: {backup_file} is the database itself")
    revision, _ = _revision(backup_file)
    before = moved = why = None
    if path.exists():
        try:
            before = make_backup(path, folder, "before-restore", now, keep=keep,
                                 protect=[backup_file])
        except BackupError as exc:
            # Only a damaged database is put aside; any other failure (busy, disk
            # full) stops the restore with the database as it was.
            if not (_header_problem(path) or _integrity_problems(path)):
                raise BackupError(f"nothing was restored: the current database could not "
                                  f"be backed up first ({exc})") from exc
            why = str(exc)
            moved = path.with_name(f"{path.name}.damaged-{now.astimezone(UTC):{STAMP_FORMAT}}")
            _move_with_journals(path, moved)
    try:
        _copy(backup_file, path, single_file=False)
    except (sqlite3.Error, OSError) as exc:
        if moved is not None:
            for leftover in _with_journals(path):
                leftover.unlink(missing_ok=True)
            _move_with_journals(moved, path)
            moved = None
        raise BackupError(f"could not restore {backup_file} into {path}: {exc}") from exc
    return RestoreReport(backup_file, str(revision), before, moved, why,
                         needs_migration=revision != _head_revision())


def _copy(source: Path, target: Path, *, single_file: bool) -> None:
    """Copy `source` into `target` with SQLite's backup API, in one step (a consistent
    snapshot; in WAL mode writers go on meanwhile)."""
    with closing(_open_read_only(source)) as reader:
        with closing(sqlite3.connect(target, timeout=BUSY_TIMEOUT_SECONDS)) as writer:
            reader.backup(writer)
            if single_file:
                # A backup is one self-contained file, without -wal/-shm beside it.
                writer.execute("PRAGMA journal_mode = DELETE")


def _open_read_only(path: Path) -> sqlite3.Connection:
    # sqlite3's own context manager only commits; `closing` closes.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                           timeout=BUSY_TIMEOUT_SECONDS)


def _header_problem(path: Path) -> str | None:
    """Why `path` is not an SQLite database, or None. Only `stat` and SQLite itself look
    at the file: opening a database file any other way in a process that holds SQLite
    connections to it, and closing it, drops all of the process's locks on that file
    (POSIX), after which another process deletes the live WAL (lost commits)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if size == 0:
        return "is empty (0 bytes), not a flashcards database"
    try:
        with closing(_open_read_only(path)) as connection:
            connection.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "encrypted" in str(exc):
            return "is not an SQLite database"
        return f"cannot be read ({exc})"
    return None


def _integrity_problems(path: Path) -> list[str]:
    try:
        with closing(_open_read_only(path)) as connection:
            rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.Error as exc:
        return [f"{path}: {exc}"]
    return [] if rows == ["ok"] else [str(row) for row in rows]


def _revision(path: Path) -> tuple[str | None, str | None]:
    try:
        with closing(_open_read_only(path)) as connection:
            has_table = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' "
                "AND name = 'alembic_version'").fetchone()
            if not has_table:
                return None, ("has no alembic_version table, so it is not a flashcards "
                              "database (or was never migrated)")
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error as exc:
        return None, str(exc)
    if len(rows) != 1:
        return None, f"its alembic_version table holds {len(rows)} revisions, not one"
    return str(rows[0][0]), None


@dataclass(frozen=True, slots=True)
class _Table:
    columns: frozenset[str]
    # "index NAME" for a named index, "unique constraint on (a, b)" / "primary key on
    # (a, b)" for the ones SQLite makes itself (their names are numbered, not chosen).
    indexes: frozenset[str]


def _known_revision(path: Path) -> tuple[str | None, str | None]:
    """The schema revision in `path`'s alembic_version, or why there is no known one."""
    revision, problem = _revision(path)
    if problem:
        return None, problem
    if revision not in _known_revisions():
        return None, (f"is at schema revision {revision!r}, which this version of "
                      "flashcards does not know (it may come from a newer version)")
    return revision, None


def _schema_differences(path: Path, revision: str) -> list[str]:
    """How the tables of `path` differ from those the migrations make at `revision`:
    each missing table, each missing or extra column and index of a table they make.
    Tables the migrations do not make are left alone: they cannot break the app."""
    expected = _schema_at(revision)
    try:
        found = _read_schema(path)
    except sqlite3.Error as exc:
        return [f"its schema cannot be read ({exc})"]
    problems = []
    for name, wanted in sorted(expected.items()):
        table = found.get(name)
        if table is None:
            problems.append(f"table {name} is missing")
            continue
        problems += [f"table {name} lacks column {c}" for c in sorted(wanted.columns
                                                                      - table.columns)]
        problems += [f"table {name} has a column {c} that revision {revision} does not have"
                     for c in sorted(table.columns - wanted.columns)]
        problems += [f"table {name} lacks {i}" for i in sorted(wanted.indexes - table.indexes)]
        problems += [f"table {name} has {i}, which revision {revision} does not have"
                     for i in sorted(table.indexes - wanted.indexes)]
    return problems


@functools.lru_cache(maxsize=4)
def _schema_at(revision: str) -> dict[str, _Table]:
    """The tables the migrations make at `revision`, read from a throwaway database
    migrated to it (once per process: the migrations do not change while it runs)."""
    with tempfile.TemporaryDirectory(prefix="flashcards-schema-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'schema.sqlite3'}")
        try:
            upgrade(engine, revision)
        finally:
            engine.dispose()
        return _read_schema(Path(folder) / "schema.sqlite3")


def _read_schema(path: Path) -> dict[str, _Table]:
    """Each table's columns and indexes (SQLite's own tables, sqlite_*, left out)."""
    tables = {}
    with closing(_open_read_only(path)) as connection:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")]
        for name in names:
            columns = frozenset(row[0] for row in connection.execute(
                "SELECT name FROM pragma_table_info(?)", (name,)))
            indexes = set()
            for index, origin in connection.execute(
                    "SELECT name, origin FROM pragma_index_list(?)", (name,)).fetchall():
                if origin == "c":
                    indexes.add(f"index {index}")
                    continue
                keys = ", ".join(row[0] for row in connection.execute(
                    "SELECT name FROM pragma_index_info(?) ORDER BY seqno", (index,)))
                kind = "primary key" if origin == "pk" else "unique constraint"
                indexes.add(f"{kind} on ({keys})")
            tables[name] = _Table(columns, frozenset(indexes))
    return tables


def _migration_scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def _known_revisions() -> set[str]:
    return {revision.revision for revision in _migration_scripts().walk_revisions()}


def _head_revision() -> str | None:
    return _migration_scripts().get_current_head()


def _free_name(folder: Path, now: datetime, reason: str) -> Path:
    counter = 0
    while (folder / backup_name(now, reason, counter)).exists():
        counter += 1
    return folder / backup_name(now, reason, counter)


def _with_journals(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _move_with_journals(source: Path, target: Path) -> None:
    """Rename a database and its -wal/-shm files together (SQLite pairs them by name)."""
    for old, new in zip(_with_journals(source)[::-1], _with_journals(target)[::-1],
                        strict=True):
        if old.exists():
            os.replace(old, new)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); elsewhere the rename alone has to do."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
