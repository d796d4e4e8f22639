"""The database: engine and session setup (SQLite pragmas, naming convention, a UTC datetime
type) here; Alembic migrations run from the app in `migrate.py`."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Engine,
    Float,
    MetaData,
    cast,
    create_engine,
    event,
    func,
    text,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import DeclarativeBase, QueryableAttribute, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from flashcards.core.search import NamePattern, name_pattern, tags_match

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime stored in UTC. Refuses naive values; always returns aware UTC ones
    (SQLite hands back naive datetimes, which fsrs would reject; PostgreSQL stores
    `timestamp with time zone` and hands back aware ones in the session's time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware value")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


T = TypeVar("T")

WRITE = {"flashcards_write": True}
# Ids are INTEGER columns: 32-bit on PostgreSQL, which refuses to compare a larger number
# with one (SQLite just finds no row).
MAX_ID = 2**31 - 1


# The SQL function that matches a wildcard tag search on SQLite (see tags_match_sql).
TAGS_MATCH = "flashcards_tags_match"


@lru_cache(maxsize=64)
def _tag_pattern(pattern: str) -> NamePattern:
    return name_pattern(pattern, True)


# Most cards share a few tag sets: the answers are remembered per (tags, pattern), so a
# scan costs a call and a lookup per row, and the matching once per distinct tag set.
@lru_cache(maxsize=8192)
def tags_match_sql(tags: str | None, pattern: str | None) -> int | None:
    """TAGS_MATCH(tags, pattern): 1 when a tag in the space-separated `tags` matches the
    wildcard `pattern` (encoded as core.search encodes one) or is a child of a match.
    Python's `re` backtracks exponentially on some patterns; this never does."""
    if tags is None or pattern is None:
        return None
    return int(tags_match(_tag_pattern(pattern), tags))


# -- how long one statement may run -------------------------------------------------
# A web request runs under a limit (statement_limit, set per request): a statement still
# running when it is up is cut off, so no search can hold a server thread and a core for
# minutes. Elsewhere (jobs, the CLI, migrations) the limit is longer or none.
_statement_limit: ContextVar[float | None] = ContextVar("flashcards_statement_limit",
                                                        default=None)
# SQLite asks the progress handler every this many virtual-machine steps (a few ms of work).
_PROGRESS_STEPS = 200_000


@contextmanager
def statement_limit(seconds: float | None) -> Iterator[None]:
    """Statements run in this context (this thread or task) may take at most `seconds`
    each (None: no limit); one that takes longer fails as is_statement_timeout says."""
    token = _statement_limit.set(seconds)
    try:
        yield
    finally:
        _statement_limit.reset(token)


def set_statement_limit(seconds: float | None) -> None:
    """statement_limit for the rest of this context (a CLI command's process)."""
    _statement_limit.set(seconds)


def is_statement_timeout(error: BaseException) -> bool:
    """Whether `error` (as SQLAlchemy raises it) is a statement cut off by its limit:
    SQLite's "interrupted" (the progress handler), PostgreSQL's query_canceled (57014,
    statement_timeout)."""
    original = getattr(error, "orig", error)
    if isinstance(original, sqlite3.OperationalError):
        return str(original) == "interrupted"
    return getattr(original, "sqlstate", None) == "57014"


def _milliseconds(seconds: float | None) -> int:
    return 0 if seconds is None else max(1, round(seconds * 1000))


class _Deadline:
    """An SQLite connection's progress handler: aborts the running statement (SQLite
    raises "interrupted") once its deadline has passed."""

    __slots__ = ("at",)

    def __init__(self) -> None:
        self.at: float | None = None

    def __call__(self) -> int:
        return 1 if self.at is not None and time.monotonic() > self.at else 0


def make_engine(url: str, *, statement_timeout: float | None = None, **kwargs: Any) -> Engine:
    """An engine for `url`; on SQLite with foreign keys, WAL and immediate write
    transactions. Statements run under statement_limit; `statement_timeout` is the limit
    most of them run under (a web request's), which PostgreSQL connections start with so
    that only other limits cost a SET at the start of a transaction."""
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        _configure_postgresql(engine, statement_timeout)
    return engine


def _configure_postgresql(engine: Engine, default: float | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {_milliseconds(default)}")
        dbapi_connection.commit()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        limit = _statement_limit.get()
        if limit != default:
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {_milliseconds(limit)}")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself, so writes can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL: a power cut may lose the last commits, never corrupts the file.
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()
        dbapi_connection.create_function(TAGS_MATCH, 2, tags_match_sql, deterministic=True)
        deadline = _Deadline()
        dbapi_connection.set_progress_handler(deadline, _PROGRESS_STEPS)
        record.info["deadline"] = deadline

    @event.listens_for(engine, "before_cursor_execute")
    def _on_statement(connection: Any, *_args: Any) -> None:
        # The statement runs, and its rows are fetched, until the next statement starts.
        deadline: _Deadline | None = connection.info.get("deadline")
        if deadline is not None:
            limit = _statement_limit.get()
            deadline.at = None if limit is None else time.monotonic() + limit

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection: Any) -> None:
        # Never cut off a COMMIT or ROLLBACK (SQLite runs them as statements too).
        deadline: _Deadline | None = connection.info.get("deadline")
        if deadline is not None:
            deadline.at = None

    @event.listens_for(engine, "reset")
    def _on_reset(_dbapi_connection: Any, record: Any, _reset_state: Any) -> None:
        # Nor the rollback the pool runs on a returned connection (before it), nor its
        # next user's first steps, whatever the last statement's limit was.
        deadline: _Deadline | None = record.info.get("deadline")
        if deadline is not None:
            deadline.at = None

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A write transaction takes the write lock at BEGIN, so two writers queue on
        # busy_timeout instead of one failing with "database is locked" on upgrade.
        immediate = connection.get_execution_options().get("flashcards_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# Advisory lock keys: (this namespace, the user's id).
WRITE_LOCK_NAMESPACE = 0x0F1A
_USER_WRITE_LOCK = text(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_NAMESPACE}, "
                        "CAST(:user_id AS integer))")


def begin_write(session: Session) -> None:
    """Start the session's transaction as a write transaction. A service that writes
    calls this first; inside a transaction that has already read (a script or a test
    doing several steps at once) it changes nothing and SQLite takes the lock at the
    first write instead."""
    if not session.in_transaction():
        connection = session.connection(execution_options=WRITE)
        user_id = session.info.get("user_id")
        if connection.dialect.name == "postgresql" and user_id is not None:
            # What BEGIN IMMEDIATE is on SQLite, per user: one writer at a time, so a
            # request reads what it is about to change only after the previous writer
            # has committed (released with the transaction).
            limit = _statement_limit.get()
            if limit is None:
                connection.execute(_USER_WRITE_LOCK, {"user_id": int(user_id)})
            else:
                # Waiting for another writer is not an expensive query: no limit on the
                # wait (as before), the request's limit again after it; one round trip.
                connection.exec_driver_sql(
                    "SET LOCAL statement_timeout = 0; "
                    f"SELECT pg_advisory_xact_lock({WRITE_LOCK_NAMESPACE}, {int(user_id)}); "
                    f"SET LOCAL statement_timeout = {_milliseconds(limit)}")


def commit_retrying_once(session: Session, action: Callable[[], T],
                         conflicts: tuple[type[Exception], ...]) -> T:
    """Run `action` and commit. When another request wrote the same thing first (one of
    `conflicts`, such as a unique index refusing a second row), roll back and run it once
    more: it then finds that work done. On any other error roll back and raise."""
    for attempt in (1, 2):
        try:
            result = action()
            session.commit()
            return result
        except conflicts:
            session.rollback()
            if attempt == 2:
                raise
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def refresh_statistics(connection: Connection) -> None:
    """Let the query planner count rows again (ANALYZE; about 0.1 s for 100k cards on
    SQLite). Without statistics SQLite takes an equality on user_id as selective and
    reads the whole collection through that index, slower than a plain scan."""
    connection.exec_driver_sql("ANALYZE")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def foreign_keys_off_for_migration(connection: Connection) -> Iterator[None]:
    """On SQLite, foreign keys off while migrations run on `connection`, on again after.

    Batch mode rebuilds a table by copying it and dropping the original; with foreign
    keys on, that DROP deletes every row that refers to the table (ON DELETE CASCADE):
    rebuilding `decks` would empty `cards` and `review_logs`. SQLite ignores the pragma
    inside a transaction, so it is set before any begins, and set back once the caller
    has committed (or here, after a rollback); each migration checks the keys itself
    before it commits (`check_foreign_keys`)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    if connection.in_transaction():
        raise RuntimeError("an SQLite migration must start outside a transaction: foreign "
                           "keys cannot be turned off inside one")
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if connection.in_transaction():
            connection.rollback()
        raw.execute("PRAGMA foreign_keys = ON")
        if raw.execute("PRAGMA foreign_keys").fetchone() != (1,):
            connection.invalidate()  # never back to the pool without its foreign keys


def check_foreign_keys(connection: Connection) -> None:
    """Refuse (so the migration's transaction rolls back) a schema change that left a
    row referring to a row that does not exist. Only SQLite needs asking: PostgreSQL
    checks every key as the migration goes."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        shown = "; ".join(f"{table} row {rowid} -> {parent}"
                          for table, rowid, parent, _ in broken[:5])
        raise RuntimeError(f"the migration left {len(broken)} row(s) referring to missing "
                           f"rows: {shown}")


def epoch_seconds(column: ColumnElement[datetime | None] | QueryableAttribute[datetime | None],
                  dialect: str) -> ColumnElement[float]:
    """An instant as seconds since 1970 in SQL (`dialect`: "sqlite" or "postgresql"):
    parsing 200,000 datetimes in Python costs more than the rest of a plan."""
    if dialect == "sqlite":
        return (func.julianday(column) - 2440587.5) * 86400.0
    return cast(func.extract("epoch", column), Float)
