"""When the app backs up its SQLite database (before a migration, before an import,
on the first start of a day) and where the backups go. The work itself is done by
flashcards.services.backup; on PostgreSQL these hooks do nothing (see README.md)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

from flask import Flask

from flashcards.core.importplan import ImportPlan
from flashcards.db.migrate import has_pending_migrations
from flashcards.services import backup


def database_file(app: Flask) -> Path | None:
    """The app's SQLite file, or None (PostgreSQL, or an in-memory database)."""
    try:
        return backup.sqlite_path(app.extensions["flashcards.engine"].url)
    except backup.BackupError:
        return None


def _setting(app: Flask, name: str) -> str | None:
    """A config key, else the environment variable of the same name."""
    value = app.config.get(name) or os.environ.get(name)
    return str(value) if value else None


def backups_folder(app: Flask) -> Path:
    """BACKUP_DIR if set, else `backups/` beside the database file: the instance folder's
    `backups/` for the default database. Beside the file rather than always in the
    instance folder, so two databases (or a test's) never share, and rotate away,
    each other's backups."""
    configured = _setting(app, "BACKUP_DIR")
    if configured:
        return Path(configured)
    path = database_file(app)
    return (path.parent if path is not None else Path(app.instance_path)) / "backups"


def backups_kept(app: Flask) -> int:
    """BACKUP_KEEP: how many backups to keep (default 10)."""
    value = _setting(app, "BACKUP_KEEP")
    if value is None:
        return backup.DEFAULT_KEEP
    try:
        keep = int(value)
    except ValueError:
        keep = 0
    if keep < 1:
        raise backup.BackupError(f"BACKUP_KEEP must be a whole number of at least 1, "
                                 f"not {value!r}")
    return keep


def backup_now(app: Flask, reason: str) -> Path | None:
    """Back the database up now; None when there is no SQLite file to back up."""
    path = database_file(app)
    if path is None or not path.is_file():
        return None
    return backup.make_backup(path, backups_folder(app), reason, app.config["CLOCK"](),
                              keep=backups_kept(app))


def backup_before_migration(app: Flask) -> Path | None:
    """Before migrating an SQLite database that holds an older schema, back it up.
    Raises BackupError when that fails: better not to migrate than to migrate a
    database with no copy of what it was."""
    path = database_file(app)
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return None
    if not has_pending_migrations(app.extensions["flashcards.engine"]):
        return None
    return backup_now(app, "migration")


def backup_before_import(app: Flask, plan: ImportPlan) -> Path | None:
    """Before an import that will change something, back the database up (an
    import_file `before_write` hook). Raises BackupError, which stops the import."""
    counts = plan.counts
    if not counts["new"] and not counts["updated"]:
        return None
    try:
        return backup_now(app, "import")
    except backup.BackupError as exc:
        raise backup.BackupError(f"nothing was imported: the database could not be backed "
                                 f"up first ({exc})") from exc


def daily_backup(app: Flask, out: TextIO = sys.stdout) -> Path | None:
    """On the first start of a (UTC) day with no backup yet, back the database up,
    saying so in one line. A failure is reported, not raised: the app still starts."""
    path = database_file(app)
    if path is None or not path.is_file():
        return None
    today = app.config["CLOCK"]().date()
    if not backup.daily_backup_due(backups_folder(app), today):
        return None
    out.write("Daily backup of the database... ")
    out.flush()
    try:
        made = backup_now(app, "daily")
    except backup.BackupError as exc:
        out.write(f"failed: {exc}. Check it with `flask --app app check-db`.\n")
        return None
    assert made is not None
    out.write(f"{made} ({format_size(made.stat().st_size)})\n")
    out.flush()
    return made


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value, unit = size / 1024, "KB"
    for larger in ("MB", "GB", "TB"):
        if value < 1024:
            break
        value, unit = value / 1024, larger
    return f"{value:.1f} {unit}"
