"""Shared fixtures: a migrated database per test, a settable clock, seeded randomness.

Every test that uses a database through these fixtures (app, client, session,
seeded_app, databases) runs twice: on SQLite and on PostgreSQL (see tests/pg_server.py
for the server). A test marked `sqlite_only` runs on SQLite alone."""

from __future__ import annotations

import os
import random
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flashcards import create_app
from flashcards.db import make_engine
from flashcards.db.migrate import upgrade
from flashcards.maintenance.bootstrap import setup_database
from flashcards.models import Card, Deck
from flashcards.scoping import ALL_USERS, all_users
from flashcards.services.plans import forget_plans
from tests.pg_server import PostgresDatabases, local_server

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # a Monday afternoon, UTC


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


DATABASE_FILE_SUFFIXES = (".sqlite3", ".sqlite3-wal", ".sqlite3-shm")


def _held_by_this_process(path: str) -> bool:
    target = os.path.realpath(path)
    try:
        descriptors = os.listdir("/proc/self/fd")
    except OSError:
        return False
    for fd in descriptors:
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == target:
                return True
        except OSError:
            continue
    return False


def _refuse_raw_database_opens(event: str, args: tuple[object, ...]) -> None:
    """Fail any Python-level open() of an SQLite file that this process already holds
    open (through SQLite): closing it would drop SQLite's POSIX locks on the file, and
    another process would then delete the live WAL under the server (lost commits).
    SQLite's own opens are C calls and raise no audit event."""
    if event != "open" or not args or not isinstance(args[0], str | bytes | os.PathLike):
        return
    path = os.fsdecode(args[0])  # type: ignore[arg-type]
    if path.endswith(DATABASE_FILE_SUFFIXES) and _held_by_this_process(path):
        raise RuntimeError(f"{path} was opened with open() while this process holds it "
                           "through SQLite: that drops SQLite's locks on it")


sys.addaudithook(_refuse_raw_database_opens)

DATABASES = ("sqlite", "postgresql")
# Browser tests run on SQLite only: Chromium takes most of their time, and every page
# they drive is also tested over HTTP on both databases (tests/web).
SQLITE_ONLY_MARKS = ("sqlite_only", "browser")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that needs a database on each kind (`databases` below)."""
    if "databases" in metafunc.fixturenames:
        only_sqlite = any(metafunc.definition.get_closest_marker(mark)
                          for mark in SQLITE_ONLY_MARKS)
        kinds = DATABASES[:1] if only_sqlite else DATABASES
        metafunc.parametrize("databases", kinds, indirect=True, ids=kinds)


@pytest.fixture(autouse=True)
def _no_plans_kept() -> None:
    """Each test computes its own plans: none kept by an earlier test of the process
    (services.plans.cached_plan), which would skip a test's stand-in for plan()."""
    forget_plans()


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database at the newest schema, built once through Alembic."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases]:
    """PostgreSQL databases for the session: on the server TEST_DATABASE_URL names (a role
    that may create databases), else on a server started here and stopped at the end."""
    admin_url = os.environ.get("TEST_DATABASE_URL")
    with nullcontext(admin_url) if admin_url else local_server() as url:
        databases = PostgresDatabases(url)
        yield databases
        databases.close()


class Databases:
    """Throwaway databases of one kind (`kind`) for one test, dropped after it."""

    def __init__(self, kind: str, folder: Path, sqlite_template: Path,
                 postgres: PostgresDatabases | None) -> None:
        self.kind = kind
        self.folder = folder
        self.sqlite_template = sqlite_template
        self.postgres = postgres
        self.made: list[str] = []
        self._numbers = count(1)

    def create(self, *, migrated: bool = True) -> str:
        """The URL of a new database at the newest schema (or empty, not migrated)."""
        if self.postgres is not None:
            url = self.postgres.create(migrated=migrated)
            self.made.append(url)
            return url
        path = self.folder / f"db{next(self._numbers)}.sqlite3"
        if migrated:
            shutil.copyfile(self.sqlite_template, path)
        return f"sqlite:///{path}"

    def drop_all(self) -> None:
        if self.postgres is not None:
            for url in self.made:
                self.postgres.drop(url)


@pytest.fixture
def databases(request: pytest.FixtureRequest, tmp_path: Path,
              migrated_db: Path) -> Iterator[Databases]:
    """Parametrised by pytest_generate_tests: "sqlite" or "postgresql"."""
    kind = request.param
    # The server starts only when a PostgreSQL test runs (e.g. not for `-k sqlite`).
    postgres = request.getfixturevalue("postgres") if kind == "postgresql" else None
    made = Databases(kind, tmp_path, migrated_db, postgres)
    yield made
    made.drop_all()


@pytest.fixture
def database_url(databases: Databases) -> str:
    """A new database at the newest schema, as a copy of a template migrated once."""
    return databases.create()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(request: pytest.FixtureRequest, database_url: str, clock: Clock) -> Iterator[Flask]:
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "CLOCK": clock,
        "RNG": random.Random(1234),
        # Pages lead a new user to the first-run set-up only in tests about it (marked
        # `first_run`); elsewhere every user counts as set up.
        "FIRST_RUN_SETUP": request.node.get_closest_marker("first_run") is not None,
    })
    yield app
    runner = app.extensions.get("flashcards.jobs")
    if runner is not None:  # a test ran a job in the background: its thread ends here
        runner.stop()
    app.extensions["flashcards.engine"].dispose()


@pytest.fixture
def seeded_app(app: Flask) -> Flask:
    """The app after its first start: bundled decks seeded."""
    setup_database(app)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        yield session


def every_user(statement: Any) -> Any:
    """`statement` run over every user's rows: a test looking at the whole database."""
    return statement.execution_options(**{ALL_USERS: True})


def count_rows(session: Session, model: type) -> int:
    """How many rows the model's table holds, whoever they belong to."""
    return int(session.execute(every_user(select(func.count()).select_from(model)))
               .scalar_one())


def make_deck(session: Session, name: str = "Deck", *, cards: int = 0, kind: str = "basic",
              now: datetime = START, user_id: int = 1) -> Deck:
    """A deck with `cards` new cards, committed (the local user's, unless `user_id`),
    written as test setup whoever the session works for."""
    saved = dict(session.info)
    all_users(session)
    try:
        deck = Deck(user_id=user_id, name=name, description="", created_at=now)
        session.add(deck)
        session.flush()
        for i in range(cards):
            session.add(Card(
                user_id=deck.user_id, deck_id=deck.id, guid=f"{name.lower()}-{i}", kind=kind,
                front=f"{name} front {i}",
                back=f"{name} back {i}",
                weak_answer="weak" if kind == "answer_pair" else None,
                strong_answer="strong" if kind == "answer_pair" else None,
                tags="", source="test", position=i + 1, created_at=now))
        session.commit()
    finally:
        session.info.clear()
        session.info.update(saved)
    return deck


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/settings") -> str:
    """The CSRF token of the client's session, read from a page with a form."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)
