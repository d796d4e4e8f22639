"""Users: the owner of a session, accounts, and login with rate limiting."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from flashcards.models import LOCAL_USER_ID, Deck, LoginFailure, LoginSession, Settings, User
from flashcards.services import users
from flashcards.services.errors import ServiceError
from tests.conftest import START, make_deck

PASSWORD = "correct horse battery"


def test_a_session_without_a_user_is_refused(app) -> None:
    with app.extensions["flashcards.sessionmaker"]() as session:
        with pytest.raises(RuntimeError, match="works for no user"):
            users.owner(session)
        assert users.owner(users.for_user(session, 7)) == 7


def test_first_user_takes_over_the_local_collection(session) -> None:
    make_deck(session, "Mine", cards=2)
    assert not users.accounts_enabled(session)
    created = users.create_user(session, "ada", PASSWORD, START)
    session.commit()
    assert created.took_over_local and created.user.id == LOCAL_USER_ID
    assert users.accounts_enabled(session)
    assert session.execute(select(Deck.user_id)).scalars().all() == [LOCAL_USER_ID]
    second = users.create_user(session, "bob", PASSWORD, START)
    session.commit()
    assert not second.took_over_local and second.user.id != LOCAL_USER_ID
    # Each user has settings of their own, with the defaults.
    users.for_user(session, second.user.id)
    assert session.get(Settings, second.user.id).new_per_day == 20
    assert session.execute(select(func.count()).select_from(User)).scalar_one() == 2


@pytest.mark.parametrize(("name", "password", "message"), [
    ("", PASSWORD, "needs a name"), ("two words", PASSWORD, "one word"),
    ("x" * 101, PASSWORD, "at most 100"), ("ada", "short", "at least 10 characters"),
])
def test_create_user_refuses_bad_names_and_passwords(session, name, password,
                                                     message) -> None:
    with pytest.raises(ServiceError, match=message):
        users.create_user(session, name, password, START)
    session.rollback()
    assert not users.accounts_enabled(session)


def test_names_are_unique(session) -> None:
    users.create_user(session, "ada", PASSWORD, START)
    session.commit()
    with pytest.raises(ServiceError, match="already a user called 'ada'"):
        users.create_user(session, "ada", PASSWORD, START)


def test_authenticate_says_the_same_for_a_wrong_name_or_password(session) -> None:
    users.create_user(session, "ada", PASSWORD, START)
    session.commit()
    for name, password in (("ada", "wrong password"), ("nobody", PASSWORD)):
        with pytest.raises(users.LoginRefused, match="^That name and password do not match.$"):
            users.authenticate(session, name, password, "10.0.0.1", START)
        session.commit()
    user = users.authenticate(session, "ada", PASSWORD, "10.0.0.1", START)
    session.commit()
    assert (user.name, user.last_login_at) == ("ada", START)
    # Success forgets the name's failures.
    assert session.execute(select(func.count()).select_from(LoginFailure)
                           .where(LoginFailure.name == "ada")).scalar_one() == 0


def _fail(session, name: str, address: str, now) -> None:
    with pytest.raises(users.LoginRefused):
        users.authenticate(session, name, "wrong password", address, now)
    session.commit()


def test_five_failures_for_a_name_lock_it_for_the_window(session) -> None:
    users.create_user(session, "ada", PASSWORD, START)
    session.commit()
    for minute in range(users.FAILURES_ALLOWED):
        _fail(session, "ada", f"10.0.0.{minute}", START + timedelta(minutes=minute))
    later = START + timedelta(minutes=5)
    # Even the right password waits: guessing cannot go on from other addresses.
    with pytest.raises(users.TooManyAttempts) as refused:
        users.authenticate(session, "ada", PASSWORD, "10.0.0.99", later)
    assert refused.value.retry_after == 10 * 60 + 1
    assert "Try again in 10 minutes." in str(refused.value)
    session.rollback()
    # Once the first failure leaves the 15-minute window, a login works again.
    user = users.authenticate(session, "ada", PASSWORD, "10.0.0.99",
                              START + users.FAILURE_WINDOW + timedelta(seconds=1))
    assert user.name == "ada"


def test_five_failures_from_an_address_lock_that_address(session) -> None:
    users.create_user(session, "ada", PASSWORD, START)
    session.commit()
    for number in range(users.FAILURES_ALLOWED):
        _fail(session, f"guess{number}", "10.9.9.9", START)
    with pytest.raises(users.TooManyAttempts):
        users.authenticate(session, "ada", PASSWORD, "10.9.9.9", START)
    session.rollback()
    assert users.authenticate(session, "ada", PASSWORD, "10.0.0.1", START).name == "ada"


def test_set_password(session) -> None:
    users.create_user(session, "ada", PASSWORD, START)
    session.commit()
    users.set_password(session, "ada", "another long password")
    session.commit()
    assert users.authenticate(session, "ada", "another long password", "::1", START)
    with pytest.raises(ServiceError, match="no user called 'bob'"):
        users.set_password(session, "bob", "another long password")


def test_login_sessions_end_with_logout_and_a_new_password(session) -> None:
    ada = users.create_user(session, "ada", PASSWORD, START).user.id
    bob = users.create_user(session, "bob", PASSWORD, START).user.id
    session.commit()
    first = users.log_in(session, "ada", PASSWORD, "::1", START)
    second = users.log_in(session, "ada", PASSWORD, "::1", START)
    bobs = users.log_in(session, "bob", PASSWORD, "::1", START)
    session.commit()
    assert first.token != second.token and len(first.token) >= 40
    stored = session.execute(select(LoginSession.token_hash)).scalars().all()
    assert len(stored) == 3 and first.token not in stored  # only hashes are kept
    assert users.session_user(session, ada, first.token).name == "ada"
    assert users.session_user(session, bob, first.token) is None  # not bob's session
    assert users.session_user(session, ada, "made up") is None
    users.log_out(session, ada, first.token)
    session.commit()
    assert users.session_user(session, ada, first.token) is None
    assert users.session_user(session, ada, second.token).name == "ada"
    users.set_password(session, "ada", "another long password")
    session.commit()
    assert users.session_user(session, ada, second.token) is None
    assert users.session_user(session, bob, bobs.token).name == "bob"
    with pytest.raises(users.LoginRefused):
        users.log_in(session, "ada", PASSWORD, "::1", START)
    session.rollback()
    assert session.execute(select(func.count()).select_from(LoginSession)).scalar_one() == 1
