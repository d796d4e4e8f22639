"""A new edition of the bundled decks reaches a collection seeded from the previous one
without losing any schedule (tests/fixtures/editions: edition A, then edition B)."""

import random
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from flashcards.core.scheduling import Rating
from flashcards.maintenance.bootstrap import setup_database
from flashcards.models import Card, ReviewLog
from flashcards.services import study
from flashcards.services.bundled import describe_update, load_bundle, seed_bundle
from flashcards.services.cards import CardContent, update_card
from tests.conftest import START

EDITIONS = Path(__file__).resolve().parents[1] / "fixtures" / "editions"
SCHEDULE = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")


def card(session, guid: str) -> Card:
    return session.execute(select(Card).where(Card.guid == guid)).scalar_one()


def schedule(session, guid: str) -> tuple[object, ...]:
    found = card(session, guid)
    return tuple(getattr(found, name) for name in SCHEDULE)


def reviews(session, guid: str) -> list[tuple[int, int]]:
    return [tuple(row) for row in session.execute(
        select(ReviewLog.rating, ReviewLog.card_version).join(Card)
        .where(Card.guid == guid).order_by(ReviewLog.id))]


def seed_a_and_review(session) -> None:
    seed_bundle(session, load_bundle(EDITIONS / "a"), START)
    session.commit()
    rng = random.Random(7)
    for guid, rating in [("m-keep", Rating.GOOD), ("m-change", Rating.EASY),
                         ("m-drop", Rating.HARD), ("m-change", Rating.GOOD)]:
        graded = card(session, guid)
        study.grade(session, graded.id, graded.version, rating,
                    START + timedelta(minutes=len(reviews(session, guid))), rng=rng)
        session.commit()
    mine = card(session, "m-edit")
    update_card(session, mine.id, CardContent("Mine", "my answer", None, None, "", "Guide"),
                START)
    mine = card(session, "m-mine")
    update_card(session, mine.id, CardContent("Mine too", "kept", None, None, "", "Guide"),
                START)
    session.commit()


def test_new_edition_keeps_schedules_and_retires_dropped_cards(session) -> None:
    seed_a_and_review(session)
    before = {guid: (schedule(session, guid), reviews(session, guid))
              for guid in ("m-keep", "m-change", "m-drop", "m-edit", "m-mine")}
    ids = {guid: id_ for guid, id_ in session.execute(select(Card.guid, Card.id))}

    report = seed_bundle(session, load_bundle(EDITIONS / "b"), START + timedelta(days=1))
    session.commit()

    assert (report.cards_updated, report.cards_added, report.cards_retired) == (1, 1, 1)
    assert describe_update(report) == (
        "Bundled decks updated: 1 cards rewritten, 1 added, 1 retired (suspended, tagged "
        "retired)")
    # Same rows, same schedules, same review logs: only the text changed.
    for guid, (was_scheduled, was_reviewed) in before.items():
        assert card(session, guid).id == ids[guid]
        assert (schedule(session, guid), reviews(session, guid)) == (was_scheduled,
                                                                    was_reviewed)
    assert len(before["m-change"][1]) == 2 and card(session, "m-change").reps == 2
    assert card(session, "m-change").back == "New answer"
    dropped = card(session, "m-drop")
    assert (dropped.suspended, dropped.tags, dropped.front) == (True, "topic retired",
                                                                "Dropped")
    # The user's own edits are left alone, even where the new edition drops the card.
    assert (card(session, "m-edit").back, card(session, "m-edit").suspended) == (
        "my answer", False)
    assert (card(session, "m-mine").back, card(session, "m-mine").suspended) == (
        "kept", False)
    # The deck holds the user's edits, so its description stays theirs too.
    assert card(session, "m-new").deck.description == "Edition A"
    added = card(session, "m-new")
    assert (added.reps, added.suspended, added.due) == (0, False, None)
    assert {c.guid for c in session.execute(select(Card)).scalars()} == {
        "m-keep", "m-change", "m-drop", "m-edit", "m-mine", "m-new"}

    # Starting again with the same edition changes nothing and says nothing.
    again = seed_bundle(session, load_bundle(EDITIONS / "b"), START + timedelta(days=2))
    session.commit()
    assert describe_update(again) is None


def test_retired_card_returns_when_an_edition_brings_it_back(session) -> None:
    seed_a_and_review(session)
    seed_bundle(session, load_bundle(EDITIONS / "b"), START)
    session.commit()
    report = seed_bundle(session, load_bundle(EDITIONS / "a"), START)
    session.commit()
    assert (report.cards_updated, report.cards_retired) == (2, 1)  # m-drop back, m-new out
    assert card(session, "m-new").suspended
    back = card(session, "m-drop")
    assert (back.suspended, back.tags, len(reviews(session, "m-drop"))) == (False, "topic", 1)


def test_start_up_reports_the_new_edition(app, session) -> None:
    app.config["DECKS_DIR"] = str(EDITIONS / "a")
    first = setup_database(app)
    assert first.decks_created == ["Mini"] and describe_update(first) is None
    assert describe_update(setup_database(app)) is None
    app.config["DECKS_DIR"] = str(EDITIONS / "b")
    report = setup_database(app)
    assert describe_update(report) == (
        "Bundled decks updated: 2 cards rewritten, 1 added, 2 retired (suspended, tagged "
        "retired)")
    assert card(session, "m-mine").suspended and card(session, "m-drop").suspended
