"""One card: add, edit (and move), delete, and what its page shows."""

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from flashcards.core.cards import CardKind
from flashcards.core.scheduling import CardState, Rating
from flashcards.models import Card, ReviewLog
from flashcards.services import study
from flashcards.services.cards import CardContent, add_card, card_info, delete_card, update_card
from flashcards.services.errors import NotFound, ServiceError
from tests.conftest import START, count_rows, make_deck


def test_add_basic_and_pair_cards_at_the_end_of_the_new_queue(session) -> None:
    deck = make_deck(session, "d", cards=2)
    card = add_card(session, deck.id, CardKind.BASIC,
                    CardContent(" Cafe\u0301 ", "back", None, None, "b a b", " guide "), START)
    pair = add_card(session, deck.id, CardKind.ANSWER_PAIR,
                    CardContent("Q", "why", "weak", "strong", "", ""), START)
    session.commit()
    # NFC, trimmed, tags deduplicated; placed after the deck's two new cards.
    assert (card.front, card.tags, card.source, card.position) == ("Caf\u00e9", "b a",
                                                                   "guide", 3)
    assert card.state == int(CardState.NEW) and card.weak_answer is None
    assert (pair.kind, pair.weak_answer, pair.strong_answer, pair.position) == (
        "answer_pair", "weak", "strong", 4)
    assert len(card.guid) == 12 and card.guid != pair.guid
    assert study.next_card(session, study.day_allowance(session, START)).position == 1


@pytest.mark.parametrize(("kind", "content", "message"), [
    (CardKind.BASIC, CardContent("  ", "b", None, None, "", ""), "front cannot be empty"),
    (CardKind.BASIC, CardContent("f", "", None, None, "", ""), "back cannot be empty"),
    (CardKind.ANSWER_PAIR, CardContent("q", "why", "weak", " ", "", ""), "both a weak"),
])
def test_add_refuses_incomplete_cards_and_stores_nothing(session, kind, content,
                                                         message) -> None:
    deck = make_deck(session, "d")
    with pytest.raises(ServiceError, match=message):
        add_card(session, deck.id, kind, content, START)
    session.rollback()
    assert count_rows(session, Card) == 0
    with pytest.raises(NotFound):
        add_card(session, 999, CardKind.BASIC, CardContent("f", "b", None, None, "", ""), START)


def test_edit_moves_a_card_to_another_deck(session) -> None:
    first = make_deck(session, "first", cards=1)
    second = make_deck(session, "second")
    card = session.execute(select(Card)).scalar_one()
    update_card(session, card.id, CardContent("F", "B", None, None, "t", "s", second.id),
                START)
    session.commit()
    session.expire_all()
    card = session.get(Card, card.id)
    assert (card.deck_id, card.front, card.edited_at) == (second.id, "F", START)
    assert first.id != second.id
    with pytest.raises(NotFound):
        update_card(session, card.id, CardContent("F", "B", None, None, "", "", 999), START)


def test_delete_takes_its_reviews(session) -> None:
    make_deck(session, "d", cards=2)
    first, second = session.execute(select(Card).order_by(Card.id)).scalars().all()
    study.grade(session, first.id, first.version, Rating.AGAIN, START)
    session.commit()
    study.grade(session, first.id, first.version, Rating.GOOD, START + timedelta(minutes=2))
    session.commit()
    _, reviews = delete_card(session, first.id)
    session.commit()
    assert reviews == 2
    assert (count_rows(session, Card), count_rows(session, ReviewLog)) == (1, 0)
    with pytest.raises(NotFound):
        delete_card(session, first.id)


def test_card_info_gives_memory_state_and_history(session) -> None:
    make_deck(session, "d", cards=1)
    card = session.execute(select(Card)).scalar_one()
    info = card_info(session, card.id, START)
    assert (info.state, info.recall_now, info.history) == (CardState.NEW, None, [])
    rng = random.Random(3)
    now = START
    for rating in (Rating.GOOD, Rating.GOOD):
        study.grade(session, card.id, session.get(Card, card.id).version, rating, now, rng=rng,
                    duration_ms=4000)
        session.commit()
        now = session.get(Card, card.id).due
    info = card_info(session, card.id, now)
    assert info.state == CardState.REVIEW
    assert [log.rating for log in info.history] == [3, 3]
    assert info.total_ms == 8000
    assert info.stability == pytest.approx(session.get(Card, card.id).stability)
    # Asked on the day it is due, recall is near the desired retention (0.9).
    assert 0.85 < info.recall_now < 0.95
    later = card_info(session, card.id, now + timedelta(days=60))
    assert later.recall_now < info.recall_now


def test_fields_longer_than_the_limit_are_refused_whoever_calls(session) -> None:
    deck = make_deck(session, "d", cards=1)
    card = session.execute(select(Card)).scalar_one()
    update_card(session, card.id, CardContent("f", "b" * 20_000, None, None, "", ""), START)
    session.commit()
    with pytest.raises(ServiceError, match="^Source is 20,001 characters long; the limit is "
                                           "20,000.$"):
        update_card(session, card.id, CardContent("f", "b", None, None, "", "s" * 20_001),
                    START)
    session.rollback()
    with pytest.raises(ServiceError, match="Front is 20,001 characters long"):
        add_card(session, deck.id, CardKind.BASIC,
                 CardContent("f" * 20_001, "b", None, None, "", ""), START)
