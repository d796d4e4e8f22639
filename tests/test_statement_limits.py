"""The backstop for every request (issue 24): a statement run under a limit is cut off
once the limit is up, on SQLite (a progress handler) and on PostgreSQL
(statement_timeout), and nothing else is: not a statement without a limit, not a
COMMIT, not the wait for another writer's lock. The connection goes on working."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from flashcards.db import (
    begin_write,
    is_statement_timeout,
    make_engine,
    make_sessionmaker,
    statement_limit,
)

# A statement that runs for seconds on each database (and ends by itself).
SLOW = {
    "sqlite": ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
               "WHERE i < 30000000) SELECT count(*) FROM n"),
    "postgresql": "SELECT pg_sleep(3)",
}
QUICK = {
    "sqlite": ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
               "WHERE i < 300000) SELECT count(*) FROM n"),
    "postgresql": "SELECT pg_sleep(0.3)",
}


@pytest.fixture
def engine(database_url):
    # The web's limit is where PostgreSQL connections start: 0.2 s here.
    engine = make_engine(database_url, statement_timeout=0.2)
    yield engine
    engine.dispose()


def test_a_statement_over_its_limit_is_cut_off(engine, databases) -> None:
    with engine.connect() as connection, statement_limit(0.2):
        started = time.monotonic()
        with pytest.raises(OperationalError) as caught:
            connection.execute(text(SLOW[databases.kind])).scalar_one()
        elapsed = time.monotonic() - started
        assert is_statement_timeout(caught.value)
        assert elapsed < 1.5, elapsed
        connection.rollback()
        # The same connection answers the next statement, under the same limit.
        assert connection.execute(text("SELECT 41 + 1")).scalar_one() == 42


def test_without_a_limit_nothing_is_cut_off(engine, databases) -> None:
    # Jobs, the CLI and migrations: no limit (PostgreSQL: SET LOCAL for the transaction,
    # though the connection started with the web's 0.2 s).
    with engine.connect() as connection:
        assert connection.execute(text(QUICK[databases.kind])).scalar_one() is not None
    with statement_limit(5.0), engine.connect() as connection:
        assert connection.execute(text(QUICK[databases.kind])).scalar_one() is not None


def test_other_errors_are_not_timeouts(engine) -> None:
    with engine.connect() as connection, pytest.raises(Exception) as caught:
        connection.execute(text("SELECT * FROM no_such_table"))
    assert not is_statement_timeout(caught.value)


def test_a_limit_outlives_neither_its_statement_nor_its_commit(engine, databases) -> None:
    maker = make_sessionmaker(engine)
    with maker() as session:
        with statement_limit(0.2):
            session.execute(text("SELECT 1"))
            time.sleep(0.3)  # the deadline of that statement is long past
            session.commit()  # and COMMIT is not cut off by it
        # The connection back in the pool carries no deadline into work without one.
        assert session.execute(text(QUICK[databases.kind])).scalar_one() is not None


def test_waiting_for_another_writer_is_not_cut_off(database_url, databases) -> None:
    """A page's write waits for the user's write lock (BEGIN IMMEDIATE, the advisory
    lock) as long as before: the wait is not an expensive query."""
    engine = make_engine(database_url, statement_timeout=0.2)
    maker = make_sessionmaker(engine)
    try:
        holder = maker(info={"user_id": 1})
        begin_write(holder)
        holder.execute(text("UPDATE settings SET daily_minutes = 31 WHERE id = 1"))
        released = threading.Timer(0.8, holder.commit)
        released.start()
        with statement_limit(0.2), maker(info={"user_id": 1}) as waiter:
            started = time.monotonic()
            begin_write(waiter)
            waiter.execute(text("UPDATE settings SET daily_minutes = 32 WHERE id = 1"))
            waiter.commit()
            assert time.monotonic() - started >= 0.5  # it did wait for the holder
            # And the limit holds again after the wait.
            with pytest.raises(OperationalError) as caught:
                waiter.execute(text(SLOW[databases.kind])).scalar_one()
            assert is_statement_timeout(caught.value)
            waiter.rollback()
        released.join()
        holder.close()
        with maker() as check:
            assert check.execute(text("SELECT daily_minutes FROM settings WHERE id = 1")
                                 ).scalar_one() == 32
    finally:
        engine.dispose()


def test_connections_go_back_to_the_pool_and_are_used_again(engine, caplog) -> None:
    """The listeners that clear a deadline keep the pool's own work intact: a returned
    connection is reused, not thrown away after an error in its reset."""
    maker = make_sessionmaker(engine)
    seen = set()
    for _ in range(3):
        with statement_limit(0.2), maker() as session:
            session.execute(text("SELECT 1"))
            seen.add(id(session.connection().connection.dbapi_connection))
    assert len(seen) == 1
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
