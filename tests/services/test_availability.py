"""Which cards may be studied now: the SQL the queues and the browser run, and the
Python check of a card already loaded, agree on every kind of card."""

from datetime import timedelta
from itertools import count

import pytest
from sqlalchemy import select

from flashcards.core.scheduling import LEARN_AHEAD, CardState
from flashcards.models import Card
from flashcards.services import availability, browse, study
from tests.conftest import START, make_deck

GUIDS = count()
NEW, LEARNING, REVIEW, RELEARNING = (int(CardState.NEW), int(CardState.LEARNING),
                                     int(CardState.REVIEW), int(CardState.RELEARNING))


def make_table(session) -> dict[int, str]:
    """One card in each situation the rule tells apart, around START (Monday 14:00
    UTC, the study day ending at the rollover): {card id: what it is}."""
    deck = make_deck(session, "D")
    end = study.current_day(session, START).end
    ahead = START + LEARN_AHEAD
    hidden = {
        "": {},
        " suspended": {"suspended": True},
        " buried until tomorrow": {"buried_until": end},
        " buried until later today": {"buried_until": START + timedelta(hours=2)},
        " buried until an hour ago": {"buried_until": START - timedelta(hours=1)},
        " buried until now": {"buried_until": START},
    }
    dues = {
        "overdue": START - timedelta(days=2),
        "due an hour ago": START - timedelta(hours=1),
        "due now": START,
        "due within learn-ahead": START + LEARN_AHEAD / 2,
        "due at learn-ahead": ahead,
        "due just past learn-ahead": ahead + timedelta(minutes=1),
        "due later today": end - timedelta(minutes=1),
        "due at the rollover": end,
        "due after the rollover": end + timedelta(hours=1),
        "due next week": START + timedelta(days=7),
    }
    what = {}
    for hide, hidden_fields in hidden.items():
        rows = [("new" + hide, {"state": NEW})]
        for state, name in ((LEARNING, "learning"), (RELEARNING, "relearning"),
                            (REVIEW, "review")):
            rows += [(f"{name} {when}{hide}", {"state": state, "due": due, "stability": 3.0,
                                                "difficulty": 5.0, "reps": 1,
                                                "last_review": START - timedelta(days=3)})
                     for when, due in dues.items()]
        for label, fields in rows:
            card = Card(user_id=deck.user_id, deck_id=deck.id, guid=f"avail-{next(GUIDS)}",
                        front=label, back="", source="", position=0, created_at=START,
                        **fields, **hidden_fields)
            session.add(card)
            session.flush()
            what[card.id] = label
    session.commit()
    return what


MOMENTS = {
    "at START": timedelta(0),
    "later the same study day": timedelta(hours=5),
    "after the rollover": timedelta(hours=15),
}


@pytest.mark.parametrize("offset", MOMENTS.values(), ids=MOMENTS.keys())
def test_sql_and_python_agree_on_which_cards_may_be_studied(session, offset) -> None:
    what = make_table(session)
    today_ = study.day_allowance(session, START + offset)
    now, end = today_.now, today_.day.end
    ahead = availability.ahead_of(now)
    in_sql = set(session.execute(select(Card.id).where(
        availability.studyable_sql(now, ahead, end))).scalars())
    cards = session.execute(select(Card)).scalars().all()
    in_python = {card.id for card in cards
                 if availability.is_studyable(card, now, ahead, end)}
    assert {what[i] for i in in_sql} == {what[i] for i in in_python}
    # The study page's check of a card it showed is the same rule.
    assert {card.id for card in cards if study._is_studyable(card, today_, None)} == in_sql
    if offset == timedelta(0):
        # A sample of the table, so that the rule itself is pinned down too.
        names = {what[i] for i in in_sql}
        assert {"new", "new buried until an hour ago", "new buried until now",
                "learning due within learn-ahead", "learning due at learn-ahead",
                "relearning overdue", "review due later today"} <= names
        assert not names & {"new suspended", "new buried until tomorrow",
                            "new buried until later today",
                            "learning due just past learn-ahead", "learning due later today",
                            "review due at the rollover", "review due after the rollover",
                            "review overdue suspended", "review overdue buried until tomorrow"}


@pytest.mark.parametrize("offset", MOMENTS.values(), ids=MOMENTS.keys())
def test_sql_and_python_agree_on_which_cards_are_due_today(session, offset) -> None:
    what = make_table(session)
    today_ = study.day_allowance(session, START + offset)
    now, end = today_.now, today_.day.end
    in_sql = set(session.execute(select(Card.id).where(
        availability.due_today_sql(now, end))).scalars())
    in_python = {card.id for card in session.execute(select(Card)).scalars()
                 if availability.is_due_today(card, now, end)}
    assert {what[i] for i in in_sql} == {what[i] for i in in_python}
    # The browser's is:due is this rule.
    assert set(browse.matching_ids(session, "is:due", now, end)) == in_sql
    if offset == timedelta(0):
        names = {what[i] for i in in_sql}
        assert {"learning due later today", "review due later today",
                "review overdue buried until an hour ago"} <= names
        assert not names & {"new", "learning due at the rollover",
                            "review overdue suspended", "review overdue buried until tomorrow"}
