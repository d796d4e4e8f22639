"""The data layer scopes every statement to the session's user (flashcards.scoping), on
SQLite and PostgreSQL: what a service can and cannot do whatever it writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update

from flashcards.models import Card, Deck, Settings
from flashcards.scoping import OWNER, UnscopedQuery
from flashcards.services import users
from tests.conftest import START, count_rows, make_deck

PASSWORD = "correct horse battery"
CARDS = Card.__table__


@pytest.fixture
def bob(session) -> int:
    users.create_user(session, "ada", PASSWORD, START)
    bob = users.create_user(session, "bob", PASSWORD, START).user.id
    session.commit()
    make_deck(session, "ada", cards=2, user_id=1)
    make_deck(session, "bob", cards=3, user_id=bob)
    users.for_user(session, 1)
    return bob


def test_orm_statements_see_only_the_users_rows(session, bob) -> None:
    assert session.execute(select(func.count()).select_from(Card)).scalar_one() == 2
    bobs = [c for c in range(1, 10) if session.get(Card, c) is None]
    assert len(bobs) >= 3
    assert session.get(Settings, bob) is None
    # A bulk UPDATE of "every card" changes the user's cards only.
    session.execute(update(Card).values(tags="mine"))
    session.commit()
    users.for_user(session, bob)
    assert session.execute(select(Card.tags).distinct()).scalars().all() == [""]
    assert count_rows(session, Card) == 5


def test_core_statements_must_name_the_owner(session, bob) -> None:
    connection = session.connection()
    with pytest.raises(UnscopedQuery, match="cards without"):
        connection.execute(select(CARDS.c.id))
    session.rollback()
    with pytest.raises(UnscopedQuery, match="cards without"):
        session.connection().execute(update(CARDS).values(tags="x").where(CARDS.c.id == 1))
    session.rollback()
    # OWNER is filled in from the session; a caller cannot ask for another user.
    mine = session.connection().execute(select(CARDS.c.id).where(CARDS.c.user_id == OWNER))
    assert len(mine.all()) == 2
    with pytest.raises(UnscopedQuery, match="asked for user"):
        session.connection().execute(select(CARDS.c.id).where(CARDS.c.user_id == OWNER),
                                     {"owner": bob})


def test_writes_for_another_user_are_refused(session, bob) -> None:
    session.add(Deck(user_id=bob, name="planted", description="", created_at=START))
    with pytest.raises(UnscopedQuery, match="refusing to write Deck"):
        session.flush()
    session.rollback()
    with pytest.raises(UnscopedQuery, match="refusing to insert into decks"):
        session.execute(insert(Deck).values(user_id=bob, name="planted", description="",
                                            created_at=START))
    session.rollback()
    with pytest.raises(UnscopedQuery, match="refusing to insert into decks"):
        session.connection().execute(insert(Deck.__table__), [
            {"user_id": bob, "name": "planted", "name_key": "planted", "description": "",
             "created_at": START}])
    session.rollback()
    users.for_user(session, bob)
    assert "planted" not in session.execute(select(Deck.name)).scalars().all()


def test_a_session_without_a_user_is_refused(app, bob) -> None:
    with app.extensions["flashcards.sessionmaker"]() as anonymous:
        with pytest.raises(UnscopedQuery, match="works for no user"):
            anonymous.execute(select(Card))
        anonymous.rollback()
        with pytest.raises(UnscopedQuery):
            anonymous.connection().execute(select(CARDS.c.id).where(CARDS.c.user_id == OWNER))
    with app.extensions["flashcards.sessionmaker"]() as admin:
        users.all_users(admin)
        assert admin.execute(select(func.count()).select_from(Card)).scalar_one() == 5


def test_a_pooled_connection_forgets_the_session_that_used_it(app, session, bob) -> None:
    """A connection back in the pool works for nobody: a later statement without a
    session is refused, not run as the last session's user."""
    session.execute(select(Card.id)).all()
    session.commit()
    engine = app.extensions["flashcards.engine"]
    with engine.connect() as connection, pytest.raises(UnscopedQuery, match="no user"):
        connection.execute(select(CARDS.c.id).where(CARDS.c.user_id == OWNER))


# -- raw SQL: past the scoping events, so each place is known and says why ---------------

# Statements sent as text or through the driver, which scoping.install_engine does not
# see: file -> (how many places, why none reads or writes another user's rows).
RAW_SQL_PLACES = {
    "flashcards/db/__init__.py": (10, "connection set-up and locks: PRAGMAs, BEGIN, ANALYZE, "
                                      "statement_timeout, the caller's own advisory lock"),
    "flashcards/services/jobs.py": (2, "busy_timeout around a short job-table write"),
    "flashcards/services/importer.py": (1, "multi-row INSERT of the importing user's rows, "
                                           "owner set by the importer"),
    "flashcards/services/plans.py": (1, "a compiled, scoping-checked SELECT read through the "
                                        "driver's cursor (owner filled in first)"),
}
RAW_SQL = ("exec_driver_sql(", "driver_connection", ".cursor()", "raw.execute(")


def test_raw_sql_stands_only_where_it_is_known() -> None:
    """A new place that sends SQL past the scoping events fails here until it is listed
    above with the reason it cannot reach another user's rows."""
    root = Path(__file__).resolve().parent.parent
    found: dict[str, int] = {}
    for path in sorted((root / "flashcards").rglob("*.py")):
        lines = path.read_text().splitlines()
        hits = sum(1 for line in lines if not line.lstrip().startswith("#")
                   and any(marker in line for marker in RAW_SQL))
        if hits:
            found[str(path.relative_to(root))] = hits
    assert found == {name: count for name, (count, _) in RAW_SQL_PLACES.items()}
