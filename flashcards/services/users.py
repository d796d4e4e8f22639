"""Users: whose data a session works on, accounts, and login with rate limiting.

A session works for one user: the web layer puts the logged-in user's id (or the local
user's, without accounts) in `session.info`, and every service scopes its queries with
`owner(session)`. A session without one is refused rather than defaulted, so no code
path can read or write another user's cards by accident.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from flashcards import scoping
from flashcards.db import begin_write
from flashcards.models import LOCAL_USER_ID as LOCAL_USER_ID  # re-exported for the web
from flashcards.models import (
    CalendarFeed,
    LoginFailure,
    LoginSession,
    Settings,
    User,
)
from flashcards.services.errors import NotFound, ServiceError

USER_KEY = scoping.USER_KEY
MIN_PASSWORD = 10
MAX_NAME = 100
# Login rate limit: this many failures in the window, per name or per address.
FAILURES_ALLOWED = 5
FAILURE_WINDOW = timedelta(minutes=15)


def owner(session: Session) -> int:
    """The id of the user this session works for."""
    user_id = session.info.get(USER_KEY)
    if user_id is None:
        raise RuntimeError("this session works for no user: set session.info['user_id']")
    return int(user_id)


class Owned(Protocol):
    """A table row that belongs to one user (models.py's `_owner()` column)."""

    @property
    def user_id(self) -> int: ...


Row = TypeVar("Row", bound=Owned)


def owned(session: Session, model: type[Row], row_id: int, name: str) -> Row:
    """The session user's row `row_id` of `model`. Another user's row is as missing as
    no row: NotFound "There is no {name} {row_id}." either way, so ids tell nothing."""
    row = session.get(model, row_id)
    if row is None or row.user_id != owner(session):
        raise NotFound(f"There is no {name} {row_id}.")
    return row


for_user = scoping.for_user
all_users = scoping.all_users


def accounts_enabled(session: Session) -> bool:
    """True once any user has a password: then every page needs a login."""
    return bool(session.execute(select(exists().where(User.password_hash.is_not(None))))
                .scalar())


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def user_named(session: Session, name: str) -> User | None:
    return session.execute(select(User).where(User.name == name)).scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class CreatedUser:
    user: User
    # True when the first account took over the collection used without a login.
    took_over_local: bool


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ServiceError(f"A password needs at least {MIN_PASSWORD} characters.")


def create_user(session: Session, name: str, password: str, now: datetime) -> CreatedUser:
    """A user with a password. The first one takes over the local collection (the cards
    studied so far without a login); later ones start with their own, empty collection
    (the caller seeds the bundled decks for them)."""
    begin_write(session)
    clean = name.strip()
    if not clean:
        raise ServiceError("A user needs a name.")
    if len(clean) > MAX_NAME or any(ch.isspace() for ch in clean):
        raise ServiceError(f"A user name is one word of at most {MAX_NAME} characters.")
    check_password(password)
    if user_named(session, clean) is not None:
        raise ServiceError(f"There is already a user called {clean!r}.")
    hashed = generate_password_hash(password)
    local = session.get(User, LOCAL_USER_ID)
    if local is not None and local.password_hash is None and not accounts_enabled(session):
        local.name, local.password_hash = clean, hashed
        session.flush()
        return CreatedUser(local, took_over_local=True)
    user = User(name=clean, password_hash=hashed, created_at=now)
    session.add(user)
    session.flush()
    # The new user's settings row: written for another user than the session's, on purpose.
    session.execute(insert(Settings).values(id=user.id)
                    .execution_options(**{scoping.ALL_USERS: True}))
    return CreatedUser(user, took_over_local=False)


def set_password(session: Session, name: str, password: str) -> User:
    """A new password; every session logged in with the old one ends, and the calendar
    subscription link stops working."""
    begin_write(session)
    user = user_named(session, name)
    if user is None:
        raise ServiceError(f"There is no user called {name!r}.")
    check_password(password)
    user.password_hash = generate_password_hash(password)
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    # The calendar link too: whoever had the account's access loses it all.
    session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id)
                    .execution_options(**{scoping.ALL_USERS: True}))
    return user


class LoginRefused(ServiceError):
    pass


class TooManyAttempts(ServiceError):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        minutes = max(1, round(retry_after / 60))
        super().__init__(f"Too many failed logins. Try again in {minutes} minute"
                         f"{'' if minutes == 1 else 's'}.")


def authenticate(session: Session, name: str, password: str, address: str,
                 now: datetime) -> User:
    """The user with this name and password, or LoginRefused (the same message whether
    the name or the password was wrong). After FAILURES_ALLOWED failures for a name or
    from an address within FAILURE_WINDOW, refuses every attempt (TooManyAttempts) until
    the oldest of them leaves the window, so guessing is slow whichever is varied."""
    begin_write(session)
    since = now - FAILURE_WINDOW
    session.execute(delete(LoginFailure).where(LoginFailure.at < since))
    for column, value in ((LoginFailure.name, name[:MAX_NAME]),
                          (LoginFailure.address, address[:64])):
        count, oldest = session.execute(select(func.count(), func.min(LoginFailure.at))
                                        .where(column == value, LoginFailure.at >= since)).one()
        if count >= FAILURES_ALLOWED:
            retry = int((oldest + FAILURE_WINDOW - now).total_seconds()) + 1
            raise TooManyAttempts(max(retry, 1))
    user = user_named(session, name)
    # Hash even for an unknown name, so the time taken does not tell which names exist.
    hashed = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    if not check_password_hash(hashed, password) or user is None or not user.password_hash:
        session.add(LoginFailure(name=name[:MAX_NAME], address=address[:64], at=now))
        raise LoginRefused("That name and password do not match.")
    session.execute(delete(LoginFailure).where(LoginFailure.name == user.name))
    user.last_login_at = now
    return user


_DUMMY_HASH = generate_password_hash("not a password of anyone's")


# -- login sessions -----------------------------------------------------------------


def _token_hash(token: str) -> str:
    # A random 256-bit token needs no slow hash: SHA-256 keeps a leaked table useless.
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class LoggedIn:
    user: User
    # The session's secret, for the cookie only: the database keeps its hash.
    token: str


def log_in(session: Session, name: str, password: str, address: str,
           now: datetime) -> LoggedIn:
    """authenticate, then start a login session: a new random token, its hash stored."""
    user = authenticate(session, name, password, address, now)
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user.id, token_hash=_token_hash(token), created_at=now))
    session.flush()
    return LoggedIn(user, token)


def session_user(session: Session, user_id: int, token: str) -> User | None:
    """The user of a login session, or None once it has ended (logout, a new password)
    or if it never existed."""
    return session.execute(
        select(User).join(LoginSession, LoginSession.user_id == User.id)
        .where(User.id == user_id, User.password_hash.is_not(None),
               LoginSession.token_hash == _token_hash(token))).scalar_one_or_none()


def log_out(session: Session, user_id: int, token: str) -> None:
    """End one login session: its cookie no longer logs in, even if kept."""
    begin_write(session)
    session.execute(delete(LoginSession).where(LoginSession.user_id == user_id,
                                               LoginSession.token_hash == _token_hash(token)))
