"""SQLite databases for the backup tests, built here rather than with the shared `app`
fixture: that fixture also runs on PostgreSQL, and backups are SQLite's alone."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from flashcards.db import make_engine
from flashcards.db.migrate import upgrade

PAGE = 4096


def migrated_database(path: Path, revision: str = "head", *, probe_rows: int = 0) -> Path:
    """A database at `revision`, plus (schema-neutral) rows in a `probe` table with an
    index, so a test can see data come and go without depending on the app's models."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine, revision)
    engine.dispose()
    if probe_rows:
        with closing(sqlite3.connect(path)) as connection:
            connection.execute("CREATE TABLE probe (id INTEGER PRIMARY KEY, n INTEGER, "
                               "word TEXT NOT NULL)")
            connection.execute("CREATE INDEX ix_probe_n ON probe (n)")
            connection.executemany("INSERT INTO probe (n, word) VALUES (?, ?)",
                                   [((i * 7919) % 10007, f"word {i}") for i in
                                    range(probe_rows)])
            connection.commit()
    return path


def dump(path: Path) -> list[str]:
    """Every table's schema and rows, as SQL text."""
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
        return list(db.iterdump())


def probe_words(path: Path) -> list[str]:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
        return [row[0] for row in db.execute("SELECT word FROM probe ORDER BY id")]


def integrity(path: Path) -> list[str]:
    """PRAGMA integrity_check straight from sqlite3 (not through the code under test)."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            return [row[0] for row in db.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]


def corrupt_copy(source: Path, target: Path) -> Path:
    """Copy `source` (with its schema intact: page 1 untouched), then overwrite 512 bytes
    in the middle of one page after another, from the middle of the file outwards, until
    SQLite's own integrity_check reports the damage. Garbage in the text of a row can go
    unnoticed; garbage across an index page's cells does not."""
    original = source.read_bytes()
    pages = len(original) // PAGE
    middle = pages // 2
    order = sorted(range(2, pages + 1), key=lambda page: abs(page - middle))
    for page in order:
        data = bytearray(original)
        start = (page - 1) * PAGE + PAGE // 2 - 256
        data[start:start + 512] = bytes(range(256)) * 2
        target.write_bytes(bytes(data))
        if integrity(target) != ["ok"]:
            return target
    raise AssertionError("no single-page corruption was detected")


def copy_file(source: Path, target: Path) -> Path:
    """A plain file copy, for building damaged test files (never for backups)."""
    shutil.copyfile(source, target)
    return target


def alter(path: Path, *statements: str) -> Path:
    """Run SQL on the file straight through sqlite3 (foreign keys off, as sqlite3 opens
    it): a damaged schema for the checks to find."""
    with closing(sqlite3.connect(path)) as connection:
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    return path
