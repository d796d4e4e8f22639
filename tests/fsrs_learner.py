"""A simulated learner for the optimiser's tests and benchmarks: answers of someone
whose true stability is `scale` times what FSRS-6's default parameters believe, each
card scheduled by the defaults at 90% retention."""

import random
from datetime import timedelta

import fsrs_rs_python as fsrs_rs
from sqlalchemy import select

from flashcards.core.fsrs_items import Answer
from flashcards.core.scheduling import DEFAULT_PARAMETERS, CardState
from flashcards.models import Card, ReviewLog

DECAY = -DEFAULT_PARAMETERS[20]
FACTOR = 0.9 ** (1 / DECAY) - 1


def learner(reviews: int, scale: float, seed: int = 1, *, per_card: int = 12,
            start_days: int = 30) -> list[Answer]:
    """`reviews` answers, card after card (up to `per_card` each), in card order."""
    rnd = random.Random(seed)
    model = fsrs_rs.FSRS(list(DEFAULT_PARAMETERS))
    out: list[Answer] = []
    card = 0
    while len(out) < reviews:
        card += 1
        day, state, true_stability, elapsed = rnd.randrange(start_days), None, 1.0, 0
        for k in range(per_card):
            if len(out) >= reviews:
                break
            if k == 0:
                rating = rnd.choice([1, 3, 3, 3, 4])
            else:
                recall = (1 + FACTOR * elapsed / true_stability) ** DECAY
                rating = rnd.choice([2, 3, 3, 3, 4]) if rnd.random() < recall else 1
            out.append(Answer(card, day, rating, k == 0))
            step = model.next_states(state, 0.9, elapsed)
            chosen = (step.again, step.hard, step.good, step.easy)[rating - 1]
            state, true_stability = chosen.memory, chosen.memory.stability * scale
            elapsed = max(1, round(chosen.interval))
            day += elapsed
    return out


def store_history(session, answers: list[Answer], deck: str = "Deck") -> None:
    """Store the learner's answers as the review log of a new deck's cards (test setup:
    written directly, as an import of a history would be), each card left where its
    last answer put it."""
    from tests.conftest import START, make_deck  # test fixtures' helpers, for tests only

    deck_id = make_deck(session, deck, cards=max(a.card_id for a in answers)).id
    ids = session.execute(select(Card.id).where(Card.deck_id == deck_id)
                          .order_by(Card.position)).scalars().all()
    model = fsrs_rs.FSRS(list(DEFAULT_PARAMETERS))
    by_card: dict[int, list] = {}
    for answer in answers:
        by_card.setdefault(answer.card_id, []).append(answer)
    for number, card_answers in by_card.items():
        card = session.get(Card, ids[number - 1])
        state = None
        for k, answer in enumerate(card_answers):
            elapsed = answer.day - card_answers[k - 1].day if k else 0
            step = model.next_states(state, 0.9, elapsed)
            state = (step.again, step.hard, step.good, step.easy)[answer.rating - 1].memory
            moment = START + timedelta(days=answer.day, minutes=k)
            session.add(ReviewLog(
                card_id=card.id, user_id=1, reviewed_at=moment, rating=answer.rating,
                card_version=k + 1, state_before=int(CardState.NEW if k == 0
                                                     else CardState.REVIEW),
                state_after=int(CardState.REVIEW)))
        card.state, card.stability, card.difficulty = (int(CardState.REVIEW), state.stability,
                                                       state.difficulty)
        card.last_review, card.due = moment, moment + timedelta(days=3)
    session.commit()
