"""The review loop against real databases (SQLite and PostgreSQL)."""

import random
from datetime import UTC, datetime, timedelta

import fsrs
import numpy as np
import pytest
from sqlalchemy import func, select

from flashcards.core.scheduling import (
    CardState,
    Rating,
    Scheduler,
    SchedulerConfig,
    fuzz_range,
)
from flashcards.models import Card, FsrsFit, ReviewLog
from flashcards.services import plans, study
from flashcards.services.errors import NothingToUndo, StaleCard
from flashcards.services.settings import get_settings
from tests.conftest import START, make_deck

SCHEDULE_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps",
                   "lapses")


def snapshot(card: Card) -> dict:
    return {f: getattr(card, f) for f in SCHEDULE_FIELDS}


def grade_next(session, now, rating, deck_id=None, rng=None):
    card = study.next_card(session, study.day_allowance(session, now), deck_id)
    assert card is not None
    outcome = study.grade(session, card.id, card.version, rating, now, rng=rng)
    session.commit()
    return outcome


def test_stored_state_equals_fsrs_replay_exactly(session) -> None:
    """fsrs's own review_card, fed the same grades at the same times, computes exactly
    the stored memory state (with the last review counted in whole study days before,
    as Anki counts it); the stored due date is inside fsrs's fuzz window (the load
    balancer picks the day; without a window, it is fsrs's own)."""
    make_deck(session, cards=1)
    card = session.execute(select(Card)).scalar_one()
    ratings = [3, 3, 1, 2, 3, 4, 1, 1, 3, 3]
    rng = random.Random(99)
    now = START
    stored, times = [], []
    for rating in ratings:
        times.append(now)
        study.grade(session, card.id, card.version, Rating(rating), now, rng=rng)
        session.commit()
        session.expire_all()
        card = session.get(Card, card.id)
        stored.append(snapshot(card))
        now = card.due + timedelta(hours=3)

    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    fcard = fsrs.Card(card_id=card.id, due=START)
    for rating, row, moment in zip(ratings, stored, times, strict=True):
        if fcard.last_review is not None:
            days = (moment - timedelta(hours=4)).date() - (
                fcard.last_review - timedelta(hours=4)).date()  # study days, UTC, 4 am
            if days.days >= 1:
                fcard.last_review = moment - timedelta(days=days.days)
        fcard, _ = scheduler.review_card(fcard, fsrs.Rating(rating), moment)
        assert row["state"] == int(fcard.state)
        assert row["step"] == fcard.step
        assert row["stability"] == fcard.stability
        assert row["difficulty"] == fcard.difficulty
        assert row["last_review"] == fcard.last_review == moment
        days = (fcard.due - moment).days
        if fcard.state == fsrs.State.Review and days >= 3:
            low, high = fuzz_range(days, 36500)
            assert low <= (row["due"] - moment).days <= high
        else:
            assert row["due"] == fcard.due
    logs = session.execute(select(ReviewLog).order_by(ReviewLog.id)).scalars().all()
    assert [log.rating for log in logs] == ratings
    assert stored[-1]["reps"] == len(ratings)


def test_loaded_datetimes_are_utc_aware(session) -> None:
    make_deck(session, cards=1)
    grade_next(session, START, Rating.GOOD)
    session.expire_all()
    card = session.execute(select(Card)).scalar_one()
    assert card.due.tzinfo is UTC and card.last_review.tzinfo is UTC


def test_queue_order_learning_then_review_then_new(session) -> None:
    make_deck(session, cards=3)
    cards = session.execute(select(Card).order_by(Card.position)).scalars().all()
    # card 0 becomes a review card due today, card 1 a learning card due now.
    cards[0].state, cards[0].stability, cards[0].difficulty = 2, 5.0, 5.0
    cards[0].due, cards[0].last_review = START - timedelta(hours=1), START - timedelta(days=5)
    cards[1].state, cards[1].step, cards[1].stability, cards[1].difficulty = 1, 1, 2.0, 5.0
    cards[1].due, cards[1].last_review = START - timedelta(minutes=1), START - timedelta(minutes=11)
    session.commit()
    today = study.day_allowance(session, START)
    assert study.next_card(session, today).id == cards[1].id
    assert study.queue_counts(session, today) == study.QueueCounts(new=1, learning=1, review=1)


def test_daily_new_limit_counts_across_decks(session) -> None:
    make_deck(session, "A", cards=5)
    make_deck(session, "B", cards=5)
    get_settings(session).new_per_day = 3
    session.commit()
    for _ in range(3):
        grade_next(session, START, Rating.EASY)
    today = study.day_allowance(session, START)
    assert today.new_studied == 3 and today.new_left == 0
    assert study.queue_counts(session, today).new == 0
    assert study.next_card(session, today) is None
    # The next study day (after 4 am UTC) brings three more.
    tomorrow = study.day_allowance(session, START + timedelta(days=1))
    assert study.queue_counts(session, tomorrow).new == 3


def test_review_limit(session) -> None:
    make_deck(session, cards=4)
    get_settings(session).max_reviews_per_day = 1
    for card in session.execute(select(Card)).scalars():
        card.state, card.stability, card.difficulty = 2, 5.0, 5.0
        card.due, card.last_review = START - timedelta(days=1), START - timedelta(days=6)
    session.commit()
    today = study.day_allowance(session, START)
    assert study.queue_counts(session, today).review == 1
    grade_next(session, START, Rating.GOOD)
    today = study.day_allowance(session, START)
    assert study.queue_counts(session, today).review == 0
    assert study.next_card(session, today) is None


def test_learning_card_comes_back_within_learn_ahead(session) -> None:
    make_deck(session, cards=1)
    grade_next(session, START, Rating.AGAIN)  # due again in 1 minute
    today = study.day_allowance(session, START)
    card = study.next_card(session, today)
    assert card is not None and card.state == CardState.LEARNING
    summary = study.day_summary(session, today)
    assert summary.reviewed == 1 and summary.by_rating[Rating.AGAIN] == 1
    assert summary.next_learning_due == START + timedelta(minutes=1)


def test_same_grade_posted_twice_is_applied_once(session) -> None:
    make_deck(session, cards=2)
    card = study.next_card(session, study.day_allowance(session, START))
    version = card.version
    first = study.grade(session, card.id, version, Rating.GOOD, START)
    session.commit()
    session.expire_all()
    after = snapshot(session.get(Card, card.id))
    second = study.grade(session, card.id, version, Rating.GOOD, START + timedelta(seconds=1))
    session.commit()
    assert second.duplicate and second.log_id == first.log_id
    assert second.schedule == first.schedule
    session.expire_all()
    assert snapshot(session.get(Card, card.id)) == after
    assert session.execute(select(func.count()).select_from(ReviewLog)).scalar_one() == 1


def test_different_grade_for_stale_version_is_refused(session) -> None:
    make_deck(session, cards=1)
    card = study.next_card(session, study.day_allowance(session, START))
    version = card.version
    study.grade(session, card.id, version, Rating.GOOD, START)
    session.commit()
    with pytest.raises(StaleCard):
        study.grade(session, card.id, version, Rating.AGAIN, START)
    session.rollback()
    assert session.execute(select(func.count()).select_from(ReviewLog)).scalar_one() == 1


def test_undo_restores_card_exactly_and_removes_log(session) -> None:
    make_deck(session, cards=1)
    grade_next(session, START, Rating.GOOD)
    later = START + timedelta(minutes=10)
    card = session.execute(select(Card)).scalar_one()
    before = snapshot(card)
    outcome = study.grade(session, card.id, card.version, Rating.AGAIN, later)
    session.commit()
    study.undo(session, later, study.UndoAction("review", card.id, log_id=outcome.log_id))
    session.commit()
    session.expire_all()
    card = session.get(Card, card.id)
    assert snapshot(card) == before
    assert session.execute(select(func.count()).select_from(ReviewLog)).scalar_one() == 1


def test_undo_of_a_lapse_restores_lapse_count(session) -> None:
    make_deck(session, cards=1)
    card = session.execute(select(Card)).scalar_one()
    card.state, card.stability, card.difficulty = 2, 5.0, 5.0
    card.due, card.last_review = START - timedelta(hours=1), START - timedelta(days=5)
    session.commit()
    before = snapshot(card)
    study.grade(session, card.id, card.version, Rating.AGAIN, START)
    session.commit()
    session.expire_all()
    assert session.get(Card, card.id).lapses == 1
    study.undo(session, START, None)  # no action remembered: the latest review today
    session.commit()
    session.expire_all()
    assert snapshot(session.get(Card, card.id)) == before


def test_undo_with_nothing_to_undo(session) -> None:
    make_deck(session, cards=1)
    with pytest.raises(NothingToUndo):
        study.undo(session, START, None)


def test_undo_refused_when_card_changed_since(session) -> None:
    make_deck(session, cards=1)
    outcome = grade_next(session, START, Rating.GOOD)
    grade_next(session, START + timedelta(minutes=10), Rating.GOOD)
    with pytest.raises(NothingToUndo):
        study.undo(session, START, study.UndoAction("review", outcome.card_id,
                                                    log_id=outcome.log_id))


def test_bury_hides_until_next_study_day_and_undo_restores(session) -> None:
    make_deck(session, cards=1)
    card = session.execute(select(Card)).scalar_one()
    action = study.bury(session, START, card.id, card.version)
    session.commit()
    assert card.buried_until == datetime(2026, 3, 3, 4, 0, tzinfo=UTC)
    assert study.next_card(session, study.day_allowance(session, START)) is None
    tomorrow = study.day_allowance(session, START + timedelta(days=1))
    assert study.next_card(session, tomorrow).id == card.id
    study.undo(session, START, action)
    session.commit()
    assert study.next_card(session, study.day_allowance(session, START)).id == card.id


def test_suspend_removes_from_queue_and_stale_version_refused(session) -> None:
    make_deck(session, cards=1)
    card = session.execute(select(Card)).scalar_one()
    version = card.version
    study.suspend(session, card.id, version)
    session.commit()
    assert study.next_card(session, study.day_allowance(session, START)) is None
    with pytest.raises(StaleCard):
        study.suspend(session, card.id, version)


def test_review_due_follows_users_time_zone(session) -> None:
    make_deck(session, cards=1)
    settings = get_settings(session)
    settings.timezone = "America/New_York"
    card = session.execute(select(Card)).scalar_one()
    # Due at 23:00 New York time on 2 March (04:00 UTC on 3 March).
    card.state, card.stability, card.difficulty = 2, 5.0, 5.0
    card.due, card.last_review = datetime(2026, 3, 3, 4, 0, tzinfo=UTC), START - timedelta(days=5)
    session.commit()
    today = study.day_allowance(session, START)  # 9 am in New York on 2 March
    assert study.queue_counts(session, today).review == 1
    settings.timezone = "UTC"
    session.commit()
    assert study.queue_counts(session, study.day_allowance(session, START)).review == 0


def _review_card(session, stability: float, last_review: datetime) -> Card:
    card = session.execute(select(Card)).scalar_one()
    card.state, card.stability, card.difficulty = 2, stability, 5.0
    card.due, card.last_review = START, last_review
    session.commit()
    return card


def test_exam_mode_brings_a_weak_card_back_before_the_interview(session) -> None:
    make_deck(session, cards=1)
    settings = get_settings(session)
    settings.interview_date = datetime(2026, 3, 12).date()  # START is 2 March
    settings.interview_retention = 0.97  # more on the day than day to day (0.9)
    session.commit()
    card = _review_card(session, 3.0, START - timedelta(days=3))
    outcome = study.grade(session, card.id, card.version, Rating.GOOD, START,
                          rng=random.Random(0))
    session.commit()
    # Plain FSRS waits past the interview, where recall would be below 0.97, so the
    # card comes back on the last day before the interview (nothing else is due).
    plain = Scheduler(SchedulerConfig(fuzz=False)).review(card.id, card.schedule,
                                                          Rating.GOOD, START)
    assert plain.due.date() > datetime(2026, 3, 12).date()
    assert outcome.schedule.due == START + timedelta(days=9)


def test_exam_mode_leaves_a_strong_card_alone_and_ends_after_the_interview(session) -> None:
    make_deck(session, cards=1)
    settings = get_settings(session)
    settings.interview_date = datetime(2026, 3, 12).date()
    settings.interview_retention = 0.97
    session.commit()
    card = _review_card(session, 200.0, START - timedelta(days=30))
    plain = Scheduler(SchedulerConfig(fuzz=False)).review(card.id, card.schedule,
                                                          Rating.GOOD, START)
    outcome = study.grade(session, card.id, card.version, Rating.GOOD, START,
                          rng=FixedRandom(0.5))
    fuzzless = outcome.schedule.due - START
    assert abs((fuzzless - (plain.due - START)).days) <= 10  # only FSRS's own fuzz
    assert outcome.schedule.due.date() > datetime(2026, 3, 12).date()


def _due_after_the_interview(session, stabilities: list[float]) -> list[Card]:
    """Review cards reviewed yesterday, due two weeks on (after the interview on 12
    March, ten days away), one per stability."""
    make_deck(session, cards=len(stabilities))
    settings = get_settings(session)
    settings.timezone = "UTC"
    settings.interview_date = datetime(2026, 3, 12).date()  # START is 2 March
    cards = session.execute(select(Card).order_by(Card.id)).scalars().all()
    for card, stability in zip(cards, stabilities, strict=True):
        card.state, card.stability, card.difficulty = 2, stability, 5.0
        card.last_review = START - timedelta(days=1)
        card.due = START + timedelta(days=14)
    session.commit()
    return cards


def test_exam_mode_looks_again_each_morning_at_cards_due_after_the_interview(session) -> None:
    # Recall on interview day, 11 days after the last review: stability 10 ~0.89 (below
    # the 0.9 target), 15 ~0.92, 200 ~0.99.
    weak, fair, strong = _due_after_the_interview(session, [10.0, 15.0, 200.0])
    plans.plan_and_save(session, START, np.random.default_rng(1))  # the morning visit
    session.commit()
    # The weak card comes back on the last day before the interview (nothing else is
    # due), at the hour of its last review; the others wait as FSRS had them.
    assert session.get(Card, weak.id).due == datetime(2026, 3, 11, 14, 0, tzinfo=UTC)
    assert session.get(Card, fair.id).due == START + timedelta(days=14)
    assert session.get(Card, strong.id).due == START + timedelta(days=14)
    # Looking again moves nothing more.
    assert study.aim_at_interview(session, START) == 0


def test_once_the_app_learns_from_the_answers_exam_mode_counts_on_less_stability(
        session) -> None:
    weak, fair, strong = _due_after_the_interview(session, [10.0, 15.0, 200.0])
    session.add(FsrsFit(user_id=1, created_at=START, reviews_used=40, adopted=False,
                        reason="Calibration kept the parameters."))
    session.commit()
    # At 60% of its stability the fair card is below the target on the day too.
    assert study.aim_at_interview(session, START) == 2
    session.commit()
    assert session.get(Card, fair.id).due.date() < datetime(2026, 3, 12).date()
    assert session.get(Card, strong.id).due == START + timedelta(days=14)


def test_exam_mode_looks_again_only_before_the_interview(session) -> None:
    (weak,) = _due_after_the_interview(session, [10.0])
    assert study.aim_at_interview(session, datetime(2026, 3, 12, 9, 0, tzinfo=UTC)) == 0
    # The morning before, the card is due that same day.
    eve = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    assert study.aim_at_interview(session, eve) == 1
    session.commit()
    assert session.get(Card, weak.id).due == datetime(2026, 3, 11, 14, 0, tzinfo=UTC)


class FixedRandom(random.Random):
    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


def _lapse_until(session, card_id: int, lapses: int, now):
    """Grade a review card Again (a lapse), then Good until it is a review card again,
    `lapses` times; returns the last Again's outcome and the time after it."""
    outcome = None
    for _ in range(lapses):
        card = session.get(Card, card_id)
        session.refresh(card)
        if card.suspended:
            break
        outcome = study.grade(session, card.id, card.version, Rating.AGAIN, now,
                              rng=random.Random(1))
        session.commit()
        while (session.get(Card, card_id).state != int(CardState.REVIEW)
               and not session.get(Card, card_id).suspended):
            card = session.get(Card, card_id)
            now = card.due + timedelta(minutes=1)
            study.grade(session, card.id, card.version, Rating.GOOD, now, rng=random.Random(1))
            session.commit()
            session.expire_all()
        now = session.get(Card, card_id).due + timedelta(hours=1)
    return outcome, now


def _mature_card(session) -> Card:
    make_deck(session, cards=1)
    card = session.execute(select(Card)).scalar_one()
    card.state, card.stability, card.difficulty = 2, 5.0, 5.0
    card.due, card.last_review = START - timedelta(hours=1), START - timedelta(days=5)
    card.tags = "mine"
    session.commit()
    return card


def test_eighth_lapse_makes_a_leech_tagged_and_suspended(session) -> None:
    """As in Anki: at 8 lapses the card is tagged leech and suspended, and undoing that
    grade takes both back."""
    card = _mature_card(session)
    outcome, _ = _lapse_until(session, card.id, 8, START)
    assert outcome is not None and outcome.leech and outcome.suspended
    session.expire_all()
    card = session.get(Card, card.id)
    assert (card.lapses, card.tags, card.suspended) == (8, "mine leech", True)
    log = session.get(ReviewLog, outcome.log_id)
    assert (log.leech_tagged, log.leech_suspended) == (True, True)
    study.undo(session, START, study.UndoAction("review", card.id, log_id=outcome.log_id))
    session.commit()
    session.expire_all()
    card = session.get(Card, card.id)
    assert (card.lapses, card.tags, card.suspended) == (7, "mine", False)


def test_seven_lapses_are_not_a_leech_and_tag_only_action(session) -> None:
    card = _mature_card(session)
    settings = get_settings(session)
    settings.leech_threshold, settings.leech_action = 4, "tag"
    session.commit()
    outcome, now = _lapse_until(session, card.id, 3, START)
    assert outcome is not None and not outcome.leech
    outcome, now = _lapse_until(session, card.id, 1, now)
    assert outcome.leech and not outcome.suspended
    session.expire_all()
    card = session.get(Card, card.id)
    assert (card.lapses, card.tags, card.suspended) == (4, "mine leech", False)
    # Flagged again every half threshold (6, 8, ...), but the tag is not doubled.
    outcome, now = _lapse_until(session, card.id, 1, now)
    assert not outcome.leech
    outcome, now = _lapse_until(session, card.id, 1, now)
    assert outcome.leech
    session.expire_all()
    assert session.get(Card, card.id).tags == "mine leech"
    assert session.get(ReviewLog, outcome.log_id).leech_tagged is False


def test_tomorrow_load_counts_studied_cards_due_by_the_end_of_tomorrow(session) -> None:
    make_deck(session, cards=6)
    today = study.day_allowance(session, START)
    tomorrow_end = today.day.end + timedelta(days=1)  # no DST change in March 2-3 UTC
    cards = session.execute(select(Card).order_by(Card.id)).scalars().all()
    for card, due, suspended in ((cards[0], tomorrow_end - timedelta(seconds=1), False),
                                 (cards[1], START, False),  # left over from today
                                 (cards[2], tomorrow_end, False),  # the day after
                                 (cards[3], START, True)):  # suspended
        card.state, card.stability, card.difficulty, card.step = CardState.REVIEW, 3.0, 5.0, None
        card.due, card.last_review, card.suspended = due, START - timedelta(days=3), suspended
    session.commit()
    load = study.tomorrow_load(session, today)
    assert load.day.start == today.day.end and load.day.end == tomorrow_end
    assert (load.due, load.reviews) == (2, 2)  # new cards (4 and 5) are not reviews
    settings = get_settings(session)
    settings.max_reviews_per_day = 1
    session.commit()
    assert study.tomorrow_load(session, study.day_allowance(session, START)).reviews == 1


def test_deck_overview_gives_each_decks_new_cards_and_when_the_limit_is_shared(session) -> None:
    make_deck(session, "A", cards=5)
    make_deck(session, "B", cards=3)
    make_deck(session, "Empty")
    settings = get_settings(session)
    for new_per_day, shared in ((4, True), (8, False), (20, False), (0, False)):
        settings.new_per_day = new_per_day
        session.commit()
        today = study.day_allowance(session, START)
        decks = study.deck_overview(session, today)
        assert [(d.name, d.new_in_deck, d.counts.new) for d in decks] == [
            ("A", 5, min(5, new_per_day)), ("B", 3, min(3, new_per_day)), ("Empty", 0, 0)]
        counts = study.queue_counts(session, today)
        assert study.new_limit_shared(decks, counts) is shared, new_per_day
    # One deck with new cards has nothing to share with.
    only = [study.DeckOverview(1, "A", "", study.QueueCounts(4, 0, 0), 9, new_in_deck=9),
            study.DeckOverview(2, "B", "", study.QueueCounts(0, 0, 0), 2, new_in_deck=0)]
    assert not study.new_limit_shared(only, study.QueueCounts(4, 0, 0))
