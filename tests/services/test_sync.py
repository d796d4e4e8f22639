"""Offline answers synced back (issue 26): applied once, in time order, nothing lost
(SQLite and PostgreSQL)."""

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from flashcards.core.scheduling import Rating
from flashcards.models import Card, ReviewLog
from flashcards.services import optimizer, study, sync, users
from flashcards.services.settings import get_settings
from tests.conftest import START, every_user, make_deck

FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses",
          "version")


def cards_of(session, deck_id):
    session.expire_all()
    return session.execute(select(Card).where(Card.deck_id == deck_id)
                           .order_by(Card.id)).scalars().all()


def states(session, deck_id):
    return [tuple(getattr(card, f) for f in FIELDS) for card in cards_of(session, deck_id)]


def logs(session):
    return [(log.card_id, log.reviewed_at, log.rating, log.state_after, log.due_after,
             log.client_answer_id)
            for log in session.execute(select(ReviewLog).order_by(ReviewLog.reviewed_at,
                                                                  ReviewLog.id)).scalars()]


def item(answer_id, card_id, version, rating, at, duration_ms=4000):
    return {"id": answer_id, "card_id": card_id, "version": version, "rating": rating,
            "reviewed_at": at.isoformat(), "duration_ms": duration_ms}


def statuses(report):
    return [(r.id, str(r.status)) for r in report.results]


def test_offline_answers_in_time_order_equal_answering_online(session) -> None:
    deck = make_deck(session, cards=3)
    a, b, c = (card.id for card in cards_of(session, deck.id))
    t0 = START - timedelta(hours=3)
    # The client's versions: one more for each earlier answer on the same card.
    plan = [("a1", a, 1, 3, t0), ("b1", b, 1, 4, t0 + timedelta(seconds=30)),
            ("a2", a, 2, 1, t0 + timedelta(minutes=1)), ("c1", c, 1, 2, t0 + timedelta(minutes=2)),
            ("a3", a, 3, 3, t0 + timedelta(minutes=12)),
            ("a4", a, 4, 3, t0 + timedelta(hours=2))]
    shuffled = [plan[i] for i in (4, 1, 5, 0, 3, 2)]  # sent out of order
    report = sync.apply_answers(session, START, [item(*p) for p in shuffled],
                                rng=random.Random(7))
    assert statuses(report) == [(p[0], "applied") for p in shuffled]
    assert report.to_json()["counts"] == {"applied": 6, "merged": 0, "duplicate": 0,
                                          "refused": 0}
    offline, offline_logs = states(session, deck.id), logs(session)
    session.rollback()

    rng = random.Random(7)
    for answer_id, card_id, _, rating, at in plan:
        card = session.get(Card, card_id)
        outcome = study.grade(session, card_id, card.version, Rating(rating), at,
                              duration_ms=4000, rng=rng)
        session.get(ReviewLog, outcome.log_id).client_answer_id = answer_id
        session.flush()
    assert states(session, deck.id) == offline
    assert logs(session) == offline_logs
    assert [log[2] for log in offline_logs] == [3, 4, 1, 2, 3, 3]


def test_a_retry_records_nothing_twice(session) -> None:
    deck = make_deck(session, cards=2)
    a, b = (card.id for card in cards_of(session, deck.id))
    items = [item("x-1", a, 1, 3, START - timedelta(minutes=5)),
             item("x-2", b, 1, 1, START - timedelta(minutes=4))]
    sync.sync(session, START, items)
    before_states, before_logs = states(session, deck.id), logs(session)
    again = sync.sync(session, START + timedelta(minutes=1), items)
    assert statuses(again) == [("x-1", "duplicate"), ("x-2", "duplicate")]
    assert states(session, deck.id) == before_states and logs(session) == before_logs
    # The same id twice in one request: the second copy is refused, not recorded.
    doubled = sync.sync(session, START, [item("x-3", a, 2, 3, START),
                                         item("x-3", a, 2, 3, START)])
    assert statuses(doubled) == [("x-3", "applied"), ("x-3", "refused")]
    assert "twice" in doubled.results[1].reason
    assert len(logs(session)) == 3


def test_an_answer_given_before_one_on_the_laptop_is_kept_and_the_memory_recomputed(
        session) -> None:
    deck = make_deck(session, cards=1)
    (card,) = cards_of(session, deck.id)
    card_id = card.id
    day = timedelta(days=1)
    # Learnt two days ago, reviewed yesterday on the laptop; the phone's offline answer
    # (on the version it had loaded, before the laptop's) comes in afterwards.
    study.grade(session, card_id, 1, Rating.EASY, START - 9 * day)
    study.grade(session, card_id, 2, Rating.GOOD, START - day)
    session.commit()
    due_before = cards_of(session, deck.id)[0].due
    report = sync.sync(session, START, [item("p-1", card_id, 2, Rating.AGAIN,
                                             START - 3 * day)])
    assert statuses(report) == [("p-1", "merged")]
    history = logs(session)
    assert [(entry[1], entry[2], entry[5]) for entry in history] == [
        (START - 9 * day, 4, None), (START - 3 * day, 1, "p-1"), (START - day, 3, None)]
    (card,) = cards_of(session, deck.id)
    assert (card.reps, card.lapses, card.version, card.due) == (3, 1, 4, due_before)
    merged = (card.stability, card.difficulty)
    # The optimiser's replay of the whole history gives the same memory state.
    optimizer.recompute_memory(session, optimizer.parameters_of(get_settings(session)))
    (card,) = cards_of(session, deck.id)
    assert (card.stability, card.difficulty) == pytest.approx(merged, rel=1e-9)

    # An offline answer given after the laptop's is graded on the card as it is now.
    report = sync.sync(session, START, [item("p-2", card_id, 2, Rating.GOOD,
                                             START - timedelta(hours=1))])
    assert statuses(report) == [("p-2", "merged")]
    assert cards_of(session, deck.id)[0].last_review == START - timedelta(hours=1)
    assert len(logs(session)) == 4


def test_hostile_items_are_refused_one_by_one_and_the_rest_applied(session) -> None:
    deck = make_deck(session, cards=3)
    a, b, gone = (card.id for card in cards_of(session, deck.id))
    study.grade(session, b, 1, Rating.GOOD, START - timedelta(hours=1))
    session.delete(session.get(Card, gone))
    session.commit()
    # The first user takes over the local collection (user 1); bob is another user.
    users.create_user(session, "ada", "correct horse battery", START)
    bob = users.create_user(session, "bob", "correct horse battery", START).user.id
    make_deck(session, "Bob", cards=1, user_id=bob)
    session.commit()
    bobs_card_id = session.execute(every_user(select(func.max(Card.id)))).scalar_one()
    missing = bobs_card_id + 100
    items = [
        item("ok", a, 1, 3, START - timedelta(minutes=1)),
        item("future", a, 2, 3, START + timedelta(minutes=6)),
        item("old", a, 2, 3, START - timedelta(days=31)),
        item("grade", a, 2, 5, START),
        item("bobs", bobs_card_id, 1, 3, START),
        item("missing", missing, 1, 3, START),
        item("deleted", gone, 1, 3, START),
        item("before-last", b, 2, 3, START - timedelta(hours=2)),
        {"id": "no-time", "card_id": a, "version": 2, "rating": 3,
         "reviewed_at": "2026-03-02T13:00:00"},
        {"id": "bool", "card_id": True, "version": 2, "rating": 3,
         "reviewed_at": START.isoformat()},
        "not an object",
        {"card_id": a, "version": 2, "rating": 3, "reviewed_at": START.isoformat()},
        item("x" * 65, a, 2, 3, START),
        item("ahead", a, 9, 3, START),
    ]
    report = sync.sync(session, START, items)
    assert [str(r.status) for r in report.results] == ["applied"] + ["refused"] * 13
    reasons = {r.id: r.reason for r in report.results}
    assert "future" in reasons["future"] and "clock" in reasons["future"]
    assert "30 days" in reasons["old"]
    assert "1 (Again) to 4 (Easy)" in reasons["grade"]
    # Another user's card reads exactly as a card that does not exist.
    assert (reasons["bobs"].replace(str(bobs_card_id), "N")
            == reasons["missing"].replace(str(missing), "N")
            == reasons["deleted"].replace(str(gone), "N"))
    assert "deleted" in reasons["deleted"]
    assert "before the card's last review" in reasons["before-last"]
    assert "offset" in reasons["no-time"]
    assert "card_id" in reasons["bool"]
    assert reasons[None].count("id must be") == 1  # the ones without a usable id
    assert "no version 9" in reasons["ahead"]
    assert [(entry[0], entry[5]) for entry in logs(session)] == [(b, None), (a, "ok")]
    assert session.execute(every_user(select(Card.reps).where(Card.id == bobs_card_id))
                           ).scalar_one() == 0


def test_an_edit_made_elsewhere_does_not_stop_the_answer(session) -> None:
    """The card's text changed on the laptop (its version moved on, nothing graded):
    the offline answer is applied to the card as edited."""
    deck = make_deck(session, cards=1)
    (card,) = cards_of(session, deck.id)
    card.front = "Edited on the laptop"
    session.commit()
    (card,) = cards_of(session, deck.id)
    assert card.version == 2
    report = sync.sync(session, START, [item("e-1", card.id, 1, Rating.GOOD,
                                             START - timedelta(minutes=2))])
    assert statuses(report) == [("e-1", "applied")]
    (card,) = cards_of(session, deck.id)
    assert (card.front, card.reps, card.version) == ("Edited on the laptop", 1, 3)
