"""Decks marked lower priority: their new cards come last, in the study queue and in the
plan alike, so what the plan leaves out when time is short is exactly their cards."""

from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from flashcards.core.scheduling import CardState
from flashcards.models import Card, Deck
from flashcards.services import decks, plans, study
from flashcards.services.pressure import pressure
from flashcards.services.settings import get_settings
from tests.conftest import START, make_deck

TODAY = date(2026, 3, 2)  # START's study day


def mark(session, deck: Deck, lower: bool = True) -> None:
    decks.update_deck(session, deck.id, deck.name, deck.description, START,
                      lower_priority=lower)
    session.commit()


def served_new_cards(session, count: int) -> list[int]:
    """The first `count` new cards the study queue serves, burying each once served."""
    get_settings(session).new_per_day = count
    session.commit()
    served = []
    for _ in range(count):
        card = study.next_card(session, study.day_allowance(session, START))
        assert card is not None and card.state == CardState.NEW
        served.append(card.id)
        study.bury(session, START, card.id, card.version)
        session.commit()
    return served


def plan_new_order(session) -> list[int]:
    """Card ids in the plan's order of introduction (card_arrays' rows are the new
    cards by position, then id; new_order indexes them)."""
    arrays, _ = plans.card_arrays(session, study.current_day(session, START))
    ids = session.execute(select(Card.id).where(Card.state == int(CardState.NEW),
                                                Card.suspended == False)  # noqa: E712
                          .order_by(Card.position, Card.id)).scalars().all()
    return [ids[i] for i in arrays.new_order]


@pytest.mark.parametrize("lower", [None, "Beta"])
def test_the_study_queue_serves_new_cards_in_the_plans_order(session, lower) -> None:
    """Three decks whose cards share positions (so they interleave): the first new
    cards the queue serves are the plan's first, with a lower-priority deck or without;
    the marked deck's cards come after all the others, each group in its own order."""
    made = {name: make_deck(session, name, cards=4) for name in ("Alpha", "Beta", "Gamma")}
    if lower:
        mark(session, made[lower])
    expected = plan_new_order(session)
    assert len(expected) == 12
    served = served_new_cards(session, 10)
    assert served == expected[:10]
    deck_of = dict(session.execute(select(Card.id, Card.deck_id)).all())
    served_decks = [deck_of[card_id] for card_id in served]
    if lower is None:
        # Position first, then id: one card from each deck in turn.
        assert served_decks[:6] == [made[n].id for n in ("Alpha", "Beta", "Gamma")] * 2
    else:
        assert made["Beta"].id not in served_decks[:8]
        assert served_decks[8:] == [made["Beta"].id] * 2
        assert served_decks[:4] == [made[n].id for n in ("Alpha", "Gamma")] * 2


def test_clearing_the_mark_brings_the_decks_cards_back_in_turn(session) -> None:
    alpha = make_deck(session, "Alpha", cards=2)
    beta = make_deck(session, "Beta", cards=2)
    mark(session, alpha)
    assert study.next_card(session, study.day_allowance(session, START)).deck_id == beta.id
    mark(session, alpha, lower=False)
    session.expire_all()
    assert study.next_card(session, study.day_allowance(session, START)).deck_id == alpha.id


def test_the_mark_alone_leaves_a_bundled_deck_open_to_its_updates(session) -> None:
    """Marking a deck is not editing it: edited_at (which stops the bundled decks'
    updates of its description) stays unset; a new description sets it."""
    deck = make_deck(session, "Bundled")
    mark(session, deck)
    session.expire_all()
    deck = session.get(Deck, deck.id)
    assert (deck.lower_priority, deck.edited_at) == (True, None)
    decks.update_deck(session, deck.id, deck.name, "mine", START)
    session.commit()
    assert (deck.lower_priority, deck.edited_at) == (True, START)


def short_plan(session) -> plans.PlanView:
    """10 days to the interview at 10 min a day: not every new card fits."""
    settings = get_settings(session)
    settings.plan_start = TODAY
    settings.interview_date = TODAY + timedelta(days=10)
    settings.daily_minutes = 10
    session.commit()
    return plans.build_plan(session, START, np.random.default_rng(2026))


def test_a_short_plan_leaves_out_the_lower_priority_decks_cards_first(session) -> None:
    main = make_deck(session, "Main", cards=40)
    make_deck(session, "Extra", cards=40)
    view = short_plan(session)
    unplaced = view.plan.unplaced_new
    assert 0 < unplaced <= 40
    # Unmarked, the cards left out come from both decks (they are introduced in turn).
    assert {name for name, _, _ in view.unplaced_by_deck} == {"Extra", "Main"}
    assert pressure(view).unplaced_from == ()  # no lower-priority deck to name
    mark(session, main)
    session.expire_all()
    view = short_plan(session)
    assert view.plan.unplaced_new == unplaced
    assert view.unplaced_by_deck == (("Main", unplaced, True),)
    panel = pressure(view)
    assert panel.unplaced_from == (("Main", unplaced, True),)


