"""Shared fixtures: a migrated database per test, a settable clock, seeded randomness."""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from flashcards import create_app
from flashcards.bootstrap import setup_database
from flashcards.db import make_engine
from flashcards.migrate import upgrade
from flashcards.models import Card, Deck

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


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database at the newest schema, built once through Alembic."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(tmp_path: Path, migrated_db: Path, clock: Clock) -> Iterator[Flask]:
    db_path = tmp_path / "flashcards.sqlite3"
    shutil.copyfile(migrated_db, db_path)
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "SECRET_KEY": "test-secret",
        "CLOCK": clock,
        "RNG": random.Random(1234),
    })
    yield app
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


def make_deck(session: Session, name: str = "Deck", *, cards: int = 0, kind: str = "basic",
              now: datetime = START, user_id: int = 1) -> Deck:
    """A deck with `cards` new cards, committed (the local user's, unless `user_id`)."""
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
    return deck


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/settings") -> str:
    """The CSRF token of the client's session, read from a page with a form."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)
