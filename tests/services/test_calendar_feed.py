"""The calendar subscription's token: made at random, kept only as a hash, found by it
across users, replaced and revoked; and the reminder time."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from flashcards.models import CalendarFeed, Settings
from flashcards.services import calendar_feed, users
from tests.conftest import START, every_user

PASSWORD = "correct horse battery"


def test_a_link_is_a_long_random_token_stored_only_as_its_hash(session) -> None:
    token = calendar_feed.create_link(session, START)
    session.commit()
    # 32 random bytes, URL-safe base64 without padding.
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    row = session.execute(select(CalendarFeed)).scalar_one()
    assert (row.user_id, row.created_at) == (1, START)
    assert row.token_hash == calendar_feed.token_hash(token) and token not in row.token_hash
    assert calendar_feed.link_created_at(session) == START
    assert calendar_feed.create_link(session, START) != token


def test_the_token_finds_its_user_whoever_the_session_works_for(app, session) -> None:
    users.create_user(session, "ada", PASSWORD, START)  # takes over the local user, 1
    bob = users.create_user(session, "bob", PASSWORD, START).user.id
    session.commit()
    ada_token = calendar_feed.create_link(session, START)
    session.commit()
    users.for_user(session, bob)
    bob_token = calendar_feed.create_link(session, START)
    session.commit()
    assert calendar_feed.link_created_at(session) == START
    # A session working for bob still finds ada's token as ada's (the web layer then
    # builds the calendar for ada), and one working for nobody (a calendar app) too.
    assert calendar_feed.feed_owner(session, ada_token) == 1
    with app.extensions["flashcards.sessionmaker"]() as nobody:
        assert calendar_feed.feed_owner(nobody, ada_token) == 1
        assert calendar_feed.feed_owner(nobody, bob_token) == bob
    # Revoking bob's leaves ada's.
    assert calendar_feed.revoke_link(session)
    session.commit()
    assert calendar_feed.feed_owner(session, bob_token) is None
    assert calendar_feed.feed_owner(session, ada_token) == 1


@pytest.mark.parametrize("token", ["", "x", "a" * 43, "a" * 5000, "../../etc/passwd",
                                   "zero\u200bwidth", "\udcff"])
def test_a_wrong_or_malformed_token_finds_nobody(session, token: str) -> None:
    calendar_feed.create_link(session, START)
    session.commit()
    assert calendar_feed.feed_owner(session, token) is None


def test_a_new_link_replaces_the_old_and_revoking_ends_it(session, clock) -> None:
    first = calendar_feed.create_link(session, START)
    session.commit()
    later = clock.advance(days=1)
    second = calendar_feed.create_link(session, later)
    session.commit()
    assert calendar_feed.feed_owner(session, first) is None
    assert calendar_feed.feed_owner(session, second) == 1
    assert calendar_feed.link_created_at(session) == later
    assert calendar_feed.revoke_link(session) is True
    session.commit()
    assert calendar_feed.feed_owner(session, second) is None
    assert calendar_feed.link_created_at(session) is None
    assert calendar_feed.revoke_link(session) is False
    assert session.execute(every_user(select(CalendarFeed))).first() is None


def test_reminder_time_is_one_of_the_offered_times_or_none(session) -> None:
    calendar_feed.set_reminder(session, 9 * 60)
    session.commit()
    assert session.get(Settings, 1).calendar_reminder == 540
    for wrong in (-1, 7, 24 * 60, 23 * 60):
        with pytest.raises(ValueError, match="not one of the offered times"):
            calendar_feed.set_reminder(session, wrong)
    session.rollback()
    assert session.get(Settings, 1).calendar_reminder == 540
    calendar_feed.set_reminder(session, None)
    session.commit()
    assert session.get(Settings, 1).calendar_reminder is None


def test_a_new_password_revokes_the_calendar_link(app, session) -> None:
    users.create_user(session, "ada", PASSWORD, START)  # takes over the local user, 1
    session.commit()
    token = calendar_feed.create_link(session, START)
    session.commit()
    # As the CLI's set-password does it: in a session working for no user.
    with app.extensions["flashcards.sessionmaker"]() as cli_session:
        users.set_password(cli_session, "ada", "another long password")
        cli_session.commit()
    session.rollback()
    assert calendar_feed.feed_owner(session, token) is None
    assert session.execute(every_user(select(CalendarFeed))).first() is None
