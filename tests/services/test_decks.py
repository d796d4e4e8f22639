"""Decks: counts, create, rename, delete (with what goes with it)."""

import random
from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from flashcards.core.scheduling import Rating
from flashcards.models import Card, Deck, ReviewLog
from flashcards.services import decks, study
from flashcards.services.errors import NotFound, ServiceError
from tests.conftest import START, count_rows, make_deck


def test_deck_summaries_count_each_state(session) -> None:
    alpha = make_deck(session, "alpha", cards=6)
    make_deck(session, "Beta", cards=2)
    make_deck(session, "empty")
    cards = session.execute(select(Card).where(Card.deck_id == alpha.id)
                            .order_by(Card.id)).scalars().all()
    # One learning card (due in minutes), one review card due today, one due next week,
    # one suspended new card; two stay new.
    study.grade(session, cards[0].id, cards[0].version, Rating.GOOD, START)
    cards[1].state, cards[1].stability, cards[1].difficulty = 2, 5.0, 5.0
    cards[1].due, cards[1].last_review = START + timedelta(hours=2), START - timedelta(days=5)
    cards[2].state, cards[2].stability, cards[2].difficulty = 2, 5.0, 5.0
    cards[2].due, cards[2].last_review = START + timedelta(days=7), START - timedelta(days=5)
    cards[3].suspended = True
    session.commit()
    day = study.current_day(session, START)
    summaries = decks.deck_summaries(session, day.end)
    assert [s.name for s in summaries] == ["alpha", "Beta", "empty"]  # by name, any case
    assert summaries[0].counts == decks.DeckCounts(new=2, learning=1, due=2, suspended=1,
                                                   total=6)
    assert summaries[1].counts == decks.DeckCounts(new=2, total=2)
    assert summaries[2].counts == decks.DeckCounts()


def test_create_and_rename_check_names(session, clock) -> None:
    deck = decks.create_deck(session, "  Interview  ", " rounds ", START)
    session.commit()
    assert (deck.name, deck.description, deck.edited_at) == ("Interview", "rounds", START)
    for bad, message in [("", "needs a name"), ("   ", "needs a name"),
                         ("x" * 201, "at most 200"), ("INTERVIEW", "already a deck")]:
        with pytest.raises(ServiceError, match=message):
            decks.create_deck(session, bad, "", START)
        session.rollback()
    assert count_rows(session, Deck) == 1
    other = decks.create_deck(session, "Other", "", START)
    session.commit()
    with pytest.raises(ServiceError, match="already a deck called “Interview”"):
        decks.update_deck(session, other.id, "interview", "", START)
    session.rollback()
    later = START + timedelta(days=1)
    decks.update_deck(session, deck.id, "interview", "new words", later)  # own name, new case
    session.commit()
    session.expire_all()
    deck = session.get(Deck, deck.id)
    assert (deck.name, deck.description, deck.edited_at) == ("interview", "new words", later)
    with pytest.raises(NotFound):
        decks.update_deck(session, 999, "x", "", START)


def test_delete_takes_cards_and_reviews_and_says_so(session) -> None:
    doomed = make_deck(session, "doomed", cards=3)
    kept = make_deck(session, "kept", cards=2)
    rng = random.Random(1)
    for card in session.execute(select(Card)).scalars().all():
        study.grade(session, card.id, card.version, Rating.GOOD, START, rng=rng)
    session.commit()
    impact = decks.deletion_impact(session, doomed.id)
    assert (impact.cards, impact.reviews) == (3, 3)
    name, impact = decks.delete_deck(session, doomed.id)
    session.commit()
    assert (name, impact.cards, impact.reviews) == ("doomed", 3, 3)
    assert count_rows(session, Card) == 2 and count_rows(session, ReviewLog) == 2
    assert session.execute(select(Card.deck_id).distinct()).scalars().all() == [kept.id]
    with pytest.raises(NotFound):
        decks.delete_deck(session, doomed.id)


def test_two_decks_whose_names_differ_only_in_case_cannot_be_stored(session) -> None:
    """The database itself holds the rule, whatever code path writes the deck."""
    make_deck(session, "Terminology")
    for name in ("terminology", " TERMINOLOGY", "TerminoloGY"):
        session.add(Deck(user_id=1, name=name, description="", created_at=START))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
    deck = session.execute(select(Deck)).scalar_one()
    assert deck.name_key == "terminology"
    deck.name = "Glossary"  # a rename keeps the key in step
    session.commit()
    assert session.execute(select(Deck.name_key)).scalar_one() == "glossary"
    assert decks.deck_named(session, " GLOSSARY ").id == deck.id
    assert decks.deck_named(session, "Terminology") is None
    # A Core INSERT (as the benchmarks write decks) gets its key too.
    session.execute(insert(Deck), [{"user_id": 1, "name": f" Bulk {n}", "description": "",
                                    "created_at": START} for n in (1, 2)])
    assert session.execute(select(Deck.name_key).where(Deck.name_key.like("bulk%"))
                           .order_by(Deck.name_key)).scalars().all() == ["bulk 1", "bulk 2"]
    with pytest.raises(IntegrityError):
        session.execute(insert(Deck).values(user_id=1, name="BULK 1", description="",
                                            created_at=START))
