"""Today's targets (fixed once the day starts, Learn more), custom study and how today
went, against real databases (issue 12, parts 2 and 3)."""

import random
from datetime import date, timedelta

import fsrs
import numpy as np
import pytest
from sqlalchemy import func, select

from flashcards.core.scheduling import CardState, Rating, fuzz_range
from flashcards.core.taskformat import TaskKind
from flashcards.models import Card, ReviewLog, Settings
from flashcards.services import custom_study, plans, progress, study, users
from flashcards.services.errors import NotFound, ServiceError
from flashcards.services.settings import get_settings
from tests.conftest import START, make_deck

TODAY = date(2026, 3, 2)  # START's study day
SCHEDULE_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps",
                   "lapses")


def build(session, now=START):
    """What opening /plan does: plan, then store what it decided."""
    view = plans.plan_and_save(session, now, np.random.default_rng(2026))
    session.commit()
    return view


def study_new(session, count, now=START, duration_ms=None):
    """Grade `count` new cards Good, one after the other."""
    for _ in range(count):
        today_ = study.day_allowance(session, now)
        assert today_.new_left, "no new card is left today"
        card = study.next_card(session, today_)
        assert card is not None and card.state == CardState.NEW
        study.grade(session, card.id, card.version, Rating.GOOD, now,
                    duration_ms=duration_ms, rng=random.Random(0))
        session.commit()


def target(session, now=START) -> tuple[int, int]:
    session.expire_all()
    today_ = study.day_allowance(session, now)
    return today_.new_limit, today_.new_left


# -- today's target, fixed once the day starts -----------------------------------


def test_todays_new_cards_stay_fixed_however_often_the_plan_is_rebuilt(session) -> None:
    """60 new cards over the 25 days before the final window: 3 today. Opening the plan
    again and again, before and after studying them, keeps today at 3 (it used to climb
    by what had been studied on every rebuild)."""
    make_deck(session, cards=60)
    view = build(session)
    assert view.paced_new == 3 and view.plan.days[0].new == 3
    assert target(session) == (3, 3)
    for _ in range(3):
        build(session)
    assert target(session) == (3, 3)
    study_new(session, 2)
    for minutes in (1, 5, 30):
        view = build(session, START + timedelta(minutes=minutes))
        assert view.paced_new == 3
        assert view.plan.days[0].new == 1  # the fixed target minus what is done
    study_new(session, 1)
    for _ in range(3):
        view = build(session, START + timedelta(hours=1))
        assert view.plan.days[0].new == 0
    assert target(session, START + timedelta(hours=1)) == (3, 0)
    settings = session.get(Settings, 1)
    assert (settings.paced_day, settings.paced_new) == (TODAY, 3)
    # The rest is spread over the following days: every other new card is planned.
    assert sum(day.new for day in view.plan.days) == 57
    # The next study day gets its own target, from the plan of that day.
    tomorrow = START + timedelta(days=1)
    view = build(session, tomorrow)
    session.expire_all()
    settings = session.get(Settings, 1)
    assert settings.paced_day == TODAY + timedelta(days=1)
    assert (view.paced_new == view.plan.days[0].new
            == study.day_allowance(session, tomorrow).new_limit)


def test_a_page_visit_plans_the_day_once_and_later_visits_keep_it(session) -> None:
    make_deck(session, cards=60)
    assert plans.pace_day(session, study.day_allowance(session, START),
                          np.random.default_rng(1)) is True
    session.commit()
    study_new(session, 3)
    # A later visit of the same day plans nothing; a rebuild keeps the target.
    assert plans.pace_day(session, study.day_allowance(session, START + timedelta(hours=2)),
                          np.random.default_rng(1)) is False
    build(session, START + timedelta(hours=2))
    assert target(session, START + timedelta(hours=2)) == (3, 0)


def test_two_first_plans_of_the_day_at_once_store_one_target(session) -> None:
    """Two requests plan the day's start at the same time: the first to store its target
    wins, and the other's save (computed on older data) leaves it alone."""
    make_deck(session, cards=60)
    rng = np.random.default_rng(2026)
    slow = plans.build_plan(session, START, rng)
    session.rollback()
    assert slow.paced_new == 3
    study_new(session, 2)  # before any target is fixed: the plain daily limit applies
    fast = plans.plan_and_save(session, START, np.random.default_rng(2026))
    session.commit()
    assert fast.paced_new == 5  # ceil(58 / 25) today, and the 2 already studied
    plans.save_plan(session, slow)
    session.commit()
    assert target(session) == (5, 3)
    assert session.get(Settings, 1).paced_new == 5


def test_a_lower_new_card_limit_lowers_todays_target_and_a_higher_one_does_not_raise_it(
        session) -> None:
    make_deck(session, cards=60)
    build(session)
    get_settings(session).new_per_day = 2
    session.commit()
    assert target(session) == (2, 2)
    assert build(session).plan.days[0].new == 2
    get_settings(session).new_per_day = 50
    session.commit()
    assert target(session) == (3, 3)


# -- Learn more today ------------------------------------------------------------


def test_learn_more_adds_new_cards_ahead_of_the_plan_which_spreads_the_rest(session) -> None:
    make_deck(session, cards=60)
    build(session)
    study_new(session, 3)
    before = [day.new for day in build(session).plan.days]
    today_ = study.learn_more(session, START, 5)
    session.commit()
    assert (today_.new_limit, today_.new_left, today_.extra_new) == (8, 5, 5)
    view = build(session)
    assert view.paced_new == 3  # the plan's target is as it was; the extra is on top
    assert view.plan.days[0].new == 5
    after = [day.new for day in view.plan.days]
    # The same 57 cards, five of them today: the following days carry fewer.
    assert sum(after) == sum(before) == 57
    assert sum(after[1:]) == sum(before[1:]) - 5
    study_new(session, 5)
    assert target(session) == (8, 0)
    study.learn_more(session, START, 2)  # a second click adds again
    session.commit()
    assert target(session) == (10, 2)
    # The next day starts from its own plan, without yesterday's extra.
    tomorrow = START + timedelta(days=1)
    build(session, tomorrow)
    assert study.day_allowance(session, tomorrow).extra_new == 0


@pytest.mark.parametrize("count", [0, -3, 101])
def test_learn_more_refuses_a_count_outside_1_to_100_and_changes_nothing(session,
                                                                        count) -> None:
    make_deck(session, cards=60)
    build(session)
    with pytest.raises(ServiceError, match="1 to 100"):
        study.learn_more(session, START, count)
    session.rollback()
    assert target(session) == (3, 3)
    settings = session.get(Settings, 1)
    assert (settings.extra_new_day, settings.extra_new) == (None, None)


# -- custom study ----------------------------------------------------------------


def _reviewed_card(session, card: Card, *, last_review, due, stability=20.0,
                   difficulty=5.0, tags="") -> Card:
    card.state, card.step = int(CardState.REVIEW), None
    card.stability, card.difficulty = stability, difficulty
    card.last_review, card.due, card.reps, card.tags = last_review, due, 3, tags
    session.commit()
    return card


def test_custom_study_grades_a_card_ahead_with_fsrs_from_the_real_elapsed_time(
        session) -> None:
    """A card reviewed 5 days ago and due in 10 days, studied ahead today: its memory
    state is what fsrs computes for the 5 days really elapsed, the log has the answer,
    and undo puts the card back exactly."""
    deck = make_deck(session, cards=3)
    first, due_today, _new = session.execute(select(Card).order_by(Card.id)).scalars().all()
    _reviewed_card(session, first, last_review=START - timedelta(days=5),
                   due=START + timedelta(days=10))
    _reviewed_card(session, due_today, last_review=START - timedelta(days=8),
                   due=START - timedelta(hours=1))
    before = {f: getattr(first, f) for f in SCHEDULE_FIELDS}
    custom = custom_study.start(session, START, deck_id=deck.id, tag=None, limit=50)
    # Neither the due card (today's reviews) nor the new card.
    assert custom.card_ids == (first.id,)
    page = custom_study.page(session, study.day_allowance(session, START), custom, card_id=None,
                             show=False, pick=None)
    assert page.card.id == first.id and page.counts.review == 1
    session.rollback()

    later = START
    outcome = study.grade(session, first.id, first.version, Rating.GOOD, later,
                          duration_ms=8000, rng=random.Random(3))
    session.commit()
    expected, _ = fsrs.Scheduler(enable_fuzzing=False).review_card(
        fsrs.Card(card_id=first.id, state=fsrs.State.Review, stability=20.0, difficulty=5.0,
                  due=START + timedelta(days=10), last_review=START - timedelta(days=5)),
        fsrs.Rating.Good, later)
    session.expire_all()
    card = session.get(Card, first.id)
    assert card.state == CardState.REVIEW
    assert card.stability == expected.stability
    assert card.difficulty == expected.difficulty
    assert card.last_review == later
    low, high = fuzz_range((expected.due - later).days, 36500)
    assert low <= (card.due - later).days <= high
    # Seen 10 days early, it gains less than when due: its new interval is shorter than
    # the 15 days it had.
    assert card.stability < fsrs.Scheduler(enable_fuzzing=False).review_card(
        fsrs.Card(card_id=first.id, state=fsrs.State.Review, stability=20.0, difficulty=5.0,
                  due=START + timedelta(days=10), last_review=START - timedelta(days=5)),
        fsrs.Rating.Good, START + timedelta(days=10))[0].stability
    log = session.get(ReviewLog, outcome.log_id)
    assert (log.rating, log.state_before, log.due_before, log.last_review_before,
            log.stability_before, log.duration_ms) == (
        int(Rating.GOOD), int(CardState.REVIEW), START + timedelta(days=10),
        START - timedelta(days=5), 20.0, 8000)
    # Done in the session; the due card was not touched.
    assert custom_study.remaining(session, custom, later) == []
    assert custom_study.reviewed(session, custom) == 1
    assert session.get(Card, due_today.id).due == START - timedelta(hours=1)

    study.undo(session, later, study.UndoAction("review", first.id, log_id=outcome.log_id))
    session.commit()
    session.expire_all()
    card = session.get(Card, first.id)
    assert {f: getattr(card, f) for f in SCHEDULE_FIELDS} == before
    assert session.execute(select(func.count()).select_from(ReviewLog)).scalar_one() == 0
    assert [c.id for c in custom_study.remaining(session, custom, later)] == [first.id]


def test_custom_study_by_tag_takes_the_tag_and_tags_under_it_soonest_due_first(
        session) -> None:
    make_deck(session, cards=4)
    cards = session.execute(select(Card).order_by(Card.id)).scalars().all()
    for days, card, tags in ((9, cards[0], "system-design"), (4, cards[1], "System-Design::db"),
                             (6, cards[2], "other"), (2, cards[3], "system-designs")):
        _reviewed_card(session, card, last_review=START - timedelta(days=3),
                       due=START + timedelta(days=days), tags=tags)
    custom = custom_study.start(session, START, deck_id=None, tag="system-design", limit=10)
    assert custom.card_ids == (cards[1].id, cards[0].id)
    assert custom.label == "tag “system-design”"
    assert custom_study.start(session, START, deck_id=None, tag="system-design",
                              limit=1).card_ids == (cards[1].id,)


def test_custom_study_refuses_bad_requests_and_never_takes_another_users_cards(
        session) -> None:
    ada = users.create_user(session, "ada", "correct horse battery", START).user.id
    bob = users.create_user(session, "bob", "correct horse battery", START).user.id
    session.commit()
    bobs = make_deck(session, "Bob", cards=1, user_id=bob)
    mine = make_deck(session, "Mine", cards=1, user_id=ada)
    users.for_user(session, bob)
    bob_card = session.execute(select(Card)).scalar_one()
    _reviewed_card(session, bob_card, last_review=START - timedelta(days=3),
                   due=START + timedelta(days=5), tags="shared")
    users.for_user(session, ada)
    with pytest.raises(NotFound):
        custom_study.start(session, START, deck_id=bobs.id, tag=None, limit=10)
    with pytest.raises(ServiceError, match="No card of the tag “shared”"):
        custom_study.start(session, START, deck_id=None, tag="shared", limit=10)
    with pytest.raises(ServiceError, match="No card of the deck “Mine”"):
        custom_study.start(session, START, deck_id=mine.id, tag=None, limit=10)
    for deck_id, tag, limit, message in ((None, "", 10, "a deck or type a tag"),
                                         (mine.id, "x", 10, "a deck or type a tag"),
                                         (None, "two words", 10, "one word"),
                                         (None, "x", 0, "1 to 100"),
                                         (None, "x", 101, "1 to 100")):
        with pytest.raises(ServiceError, match=message):
            custom_study.start(session, START, deck_id=deck_id, tag=tag, limit=limit)
    # A session naming bob's card (a forged cookie) shows nothing of his.
    forged = custom_study.CustomStudy((bob_card.id,), START, "x")
    assert custom_study.remaining(session, forged, START) == []


# -- how today went --------------------------------------------------------------


def test_day_progress_counts_done_and_planned_with_minutes_from_answer_times(
        session) -> None:
    make_deck(session, cards=60)
    card = session.execute(select(Card).order_by(Card.id.desc()).limit(1)).scalar_one()
    _reviewed_card(session, card, last_review=START - timedelta(days=6),
                   due=START - timedelta(hours=2))
    plans.add_task(session, title="Rehearse", details="", minutes=20, day=TODAY,
                   kind=TaskKind.STORIES, now=START)
    task = plans.add_task(session, title="Research", details="", minutes=10, day=TODAY,
                          kind=TaskKind.RESEARCH, now=START)
    session.commit()
    build(session)
    first = progress.day_progress(session, START)
    assert (first.reviews_done, first.reviews_planned) == (0, 1)
    assert (first.new_done, first.new_planned) == (0, 3)
    assert (first.tasks_done, first.tasks_planned) == (0, 2)
    assert first.minutes_done == 0
    # The plan's defaults: 12 s a review, 40 s a new card; and 30 min of tasks.
    assert first.minutes_planned == pytest.approx((12 + 3 * 40) / 60 + 30)
    assert first.status == progress.DayStatus.ON_TRACK and first.budget == 60

    now = START + timedelta(minutes=30)
    study.grade(session, card.id, session.get(Card, card.id).version, Rating.GOOD, now,
                duration_ms=15_000, rng=random.Random(0))
    session.commit()
    study_new(session, 2, now, duration_ms=30_000)
    study_new(session, 1, now, duration_ms=600_000)  # counted as 60 s, as Anki caps it
    plans.set_done(session, task.id, True, now)
    session.commit()
    day = progress.day_progress(session, now)
    assert (day.reviews_done, day.reviews_planned) == (1, 1)
    assert (day.new_done, day.new_planned) == (3, 3)
    assert (day.tasks_done, day.tasks_planned) == (1, 2)
    assert day.minutes_done == pytest.approx((30 + 30 + 60 + 15) / 60 + 10)
    # Left: the three new cards' learning steps (12 s each) and the 20-minute task.
    assert day.minutes_planned == pytest.approx(day.minutes_done + 3 * 12 / 60 + 20)
    assert day.status == progress.DayStatus.ON_TRACK
    # Yesterday's answers do not count today.
    assert progress.day_progress(session, START + timedelta(days=1)).new_done == 0


def test_day_progress_says_when_the_day_is_over_budget_and_when_it_is_done(session) -> None:
    make_deck(session, cards=0)
    task = plans.add_task(session, title="Mock interview", details="", minutes=75, day=TODAY,
                          kind=TaskKind.MOCK, now=START)
    session.commit()
    day = progress.day_progress(session, START)
    assert day.status == progress.DayStatus.OVER_BUDGET and not day.on_track
    assert day.minutes_planned == 75 and day.budget == 60
    plans.set_done(session, task.id, True, START)
    session.commit()
    day = progress.day_progress(session, START)
    assert day.status == progress.DayStatus.DONE and day.on_track
    assert (day.tasks_done, day.tasks_planned, day.minutes_done) == (1, 1, 75)


def test_interview_day_takes_no_new_cards_unless_the_user_asks(session) -> None:
    """On interview day the plan introduces nothing (a new card then has no time to
    settle); the day's target says so rather than falling back to the daily limit of
    20. Learn more still adds cards; the day after the interview plain limits return."""
    make_deck(session, cards=60)
    settings = get_settings(session)
    settings.interview_date = TODAY + timedelta(days=5)
    session.commit()
    interview_day = START + timedelta(days=5)
    build(session, interview_day)
    assert target(session, interview_day) == (0, 0)
    study.learn_more(session, interview_day, 4)
    session.commit()
    assert target(session, interview_day) == (4, 4)
    after = START + timedelta(days=6)
    build(session, after)
    assert target(session, after)[0] == get_settings(session).new_per_day
