"""Which cards may be studied now, and which are due today: the one definition.

Each rule is written twice, side by side: as SQL for the queries that look for cards
(the study queues, custom study, the card browser's `is:due`) and in Python for a card
already loaded (the card the study page showed, checked again before it is shown).
tests/services/test_availability.py checks, card by card, that both forms agree.

The times are the study day's: `now`, `ahead` (now plus the learn-ahead limit: a
learning card due that soon is shown rather than waited for) and `day_end` (the next
rollover). The SQL forms take the values or bound parameters (the study queues are
built once, with parameters, because building a select() costs more than running it).
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias

from sqlalchemy import BindParameter, ColumnElement, and_, or_

from flashcards.core.scheduling import LEARN_AHEAD, CardState
from flashcards.models import Card

LEARNING_STATES = (int(CardState.LEARNING), int(CardState.RELEARNING))

Moment: TypeAlias = datetime | BindParameter[datetime]


def ahead_of(now: datetime) -> datetime:
    """How far ahead a learning card may be shown: now plus the learn-ahead limit."""
    return now + LEARN_AHEAD


# Hidden: suspended, or buried until after now (a bury lasts until the study day ends).

def not_hidden_sql(now: Moment) -> ColumnElement[bool]:
    return and_(
        Card.suspended == False,  # noqa: E712 - "= 0" lets SQLite use the queue indexes
        or_(Card.buried_until.is_(None), Card.buried_until <= now))


def is_hidden(card: Card, now: datetime) -> bool:
    return bool(card.suspended) or (card.buried_until is not None
                                    and card.buried_until > now)


# Due, by state: a new card any time (the day's new-card limit is counted elsewhere),
# a learning or relearning card once due within the learn-ahead limit, a review card
# any time in the study day.

def new_sql() -> ColumnElement[bool]:
    return Card.state == int(CardState.NEW)


def learning_due_sql(by: Moment) -> ColumnElement[bool]:
    return and_(Card.state.in_(LEARNING_STATES), Card.due <= by)


def review_due_sql(day_end: Moment) -> ColumnElement[bool]:
    return and_(Card.state == int(CardState.REVIEW), Card.due < day_end)


def studyable_sql(now: Moment, ahead: Moment, day_end: Moment) -> ColumnElement[bool]:
    """The SQL form of `is_studyable` (the queues use its parts one by one)."""
    return and_(or_(new_sql(), learning_due_sql(ahead), review_due_sql(day_end)),
                not_hidden_sql(now))


def is_studyable(card: Card, now: datetime, ahead: datetime, day_end: datetime) -> bool:
    """Whether the study queues may show `card` now: not hidden, and due."""
    if is_hidden(card, now):
        return False
    if card.state == CardState.NEW:
        return True
    assert card.due is not None
    if card.state == CardState.REVIEW:
        return card.due < day_end
    return card.due <= ahead


# Due today (the browser's is:due): every card but new ones, due before the study day
# ends, and not hidden now. Unlike the queues, a learning card due later today counts.

def due_today_sql(now: Moment, day_end: Moment) -> ColumnElement[bool]:
    return and_(Card.state != int(CardState.NEW), Card.due < day_end, not_hidden_sql(now))


def is_due_today(card: Card, now: datetime, day_end: datetime) -> bool:
    if is_hidden(card, now) or card.state == CardState.NEW:
        return False
    assert card.due is not None
    return card.due < day_end
