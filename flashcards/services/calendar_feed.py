"""The private calendar subscription: one secret link per user, which calendar apps
poll without a login, and the daily reminder time of the plan's calendar events.

The link carries a random token (32 bytes from `secrets`); the database keeps only its
SHA-256, so a leaked table opens no calendar. A token is looked up by its hash: one
indexed query, the same whether the token never existed, was revoked or is malformed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from flashcards import scoping
from flashcards.db import begin_write
from flashcards.models import CalendarFeed
from flashcards.services.settings import get_settings
from flashcards.services.users import owner

TOKEN_BYTES = 32
# Reminder times offered (minutes after midnight): every half hour from 05:00 to 22:00.
REMINDER_TIMES = tuple(range(5 * 60, 22 * 60 + 1, 30))


def token_hash(token: str) -> str:
    # A random 256-bit token needs no slow hash (as users._token_hash).
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_link(session: Session, now: datetime) -> str:
    """A new secret token for the session's user; it replaces the one before, whose
    link stops working. Returns the token: it is shown once and never stored."""
    begin_write(session)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = session.get(CalendarFeed, owner(session))
    if feed is None:
        session.add(CalendarFeed(user_id=owner(session), token_hash=token_hash(token),
                                 created_at=now))
    else:
        feed.token_hash, feed.created_at = token_hash(token), now
    session.flush()
    return token


def revoke_link(session: Session) -> bool:
    """End the user's subscription link; False when there was none."""
    begin_write(session)
    result = session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == owner(session))
                             .execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def link_created_at(session: Session) -> datetime | None:
    """When the user's current link was made, or None without one."""
    return session.execute(select(CalendarFeed.created_at)).scalar_one_or_none()


def feed_owner(session: Session, token: str) -> int | None:
    """The user whose calendar `token` opens, or None. A calendar app has no login, so
    this looks across users, on purpose, for the one row with the token's hash."""
    return session.execute(
        select(CalendarFeed.user_id).where(CalendarFeed.token_hash == token_hash(token))
        .execution_options(**{scoping.ALL_USERS: True})).scalar_one_or_none()


def set_reminder(session: Session, minute: int | None) -> None:
    """Remind at `minute` after midnight on each plan day, or not at all (None)."""
    if minute is not None and minute not in REMINDER_TIMES:
        raise ValueError(f"reminder time {minute!r} is not one of the offered times")
    begin_write(session)
    get_settings(session).calendar_reminder = minute
