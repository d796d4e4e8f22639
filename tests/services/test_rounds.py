"""An interview of several rounds against real databases: the settings that store the
later rounds, the plan's fix that moves them, the live scheduler's check before a later
round, and the plan and calendar file that run to the last round."""

import random
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from icalendar import Calendar
from sqlalchemy import select

from flashcards.core.fsrs_vector import FsrsModel
from flashcards.core.planner import MAX_PLAN_DAYS
from flashcards.core.scheduling import Rating, Scheduler, SchedulerConfig
from flashcards.models import Card, PlanTask
from flashcards.services import plans, study
from flashcards.services.errors import ServiceError
from flashcards.services.plan_ical import plan_calendar
from flashcards.services.settings import get_settings, stored_rounds, update_settings
from flashcards.services.setup import complete_setup
from tests.conftest import START, make_deck

TODAY = date(2026, 3, 2)  # START's study day
FIRST = date(2026, 3, 12)
OPTIONS = {"desired_retention": 0.9, "new_per_day": 20, "max_reviews_per_day": 200,
           "timezone": "UTC", "rollover_hour": 4, "today": TODAY}


def set_rounds(session, first: date, *later: date) -> None:
    settings = get_settings(session)
    settings.interview_date = first
    settings.later_rounds = ",".join(day.isoformat() for day in later)
    session.commit()


def test_the_settings_store_the_later_rounds_and_an_empty_field_ends_them(session) -> None:
    rounds = [date(2026, 3, 16), date(2026, 3, 18), date(2026, 3, 20)]
    update_settings(session, **OPTIONS, interview_date=FIRST, later_rounds=rounds)
    session.commit()
    assert get_settings(session).later_rounds == "2026-03-16,2026-03-18,2026-03-20"
    assert stored_rounds(get_settings(session)) == tuple(rounds)
    update_settings(session, **OPTIONS, interview_date=FIRST,
                    later_rounds=[date(2026, 3, 16), None, None])
    session.commit()
    assert stored_rounds(get_settings(session)) == (date(2026, 3, 16),)
    # Left out (None): kept as stored.
    update_settings(session, **OPTIONS | {"new_per_day": 9}, interview_date=FIRST)
    session.commit()
    assert stored_rounds(get_settings(session)) == (date(2026, 3, 16),)


@pytest.mark.parametrize(("rounds", "message"), [
    ([date(2026, 3, 12)], "Round 2 is on the same day as round 1 (12 March 2026)"),
    ([date(2026, 3, 16), date(2026, 3, 14)],
     "Round 3 (14 March 2026) must come after round 2 (16 March 2026)."),
    ([date(2026, 3, 16), date(2026, 3, 16)], "Round 3 is on the same day as round 2"),
    ([date(2026, 3, 16), None, date(2026, 3, 20)], "Round 3 is empty but round 4 is set"),
    ([date(2026, 3, 16), TODAY + timedelta(days=MAX_PLAN_DAYS + 1)],
     "Round 3 can be at most 365 days ahead"),
])
def test_later_rounds_out_of_order_or_bounds_are_refused_and_nothing_changes(
        session, rounds: list[date | None], message: str) -> None:
    set_rounds(session, FIRST, date(2026, 3, 13))
    with pytest.raises(ServiceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        update_settings(session, **OPTIONS | {"new_per_day": 5}, interview_date=FIRST,
                        later_rounds=rounds)
    session.rollback()
    settings = get_settings(session)
    assert (settings.later_rounds, settings.new_per_day) == ("2026-03-13", 20)


def test_a_first_round_moved_past_the_stored_later_rounds_is_refused(session) -> None:
    set_rounds(session, FIRST, date(2026, 3, 13))
    with pytest.raises(ServiceError, match="Round 2 .13 March 2026. must come after round 1"):
        update_settings(session, **OPTIONS, interview_date=date(2026, 3, 14))
    session.rollback()
    assert get_settings(session).interview_date == FIRST


def test_moving_the_interview_by_the_plans_fix_moves_the_later_rounds_with_it(
        session) -> None:
    set_rounds(session, FIRST, date(2026, 3, 16), date(2026, 3, 18))
    assert plans.apply_fix(session, now=START, interview_date=date(2026, 3, 19)) == (
        date(2026, 3, 23), date(2026, 3, 25))
    session.commit()
    settings = get_settings(session)
    assert settings.interview_date == date(2026, 3, 19)
    assert settings.later_rounds == "2026-03-23,2026-03-25"
    # A budget fix leaves the rounds as they are.
    assert plans.apply_fix(session, now=START, daily_minutes=90) == (
        date(2026, 3, 23), date(2026, 3, 25))
    session.commit()
    assert get_settings(session).later_rounds == "2026-03-23,2026-03-25"


def test_a_move_that_pushes_a_later_round_past_the_limit_is_refused(session) -> None:
    last = TODAY + timedelta(days=MAX_PLAN_DAYS)
    set_rounds(session, last - timedelta(days=10), last - timedelta(days=2))
    with pytest.raises(ServiceError, match=r"moves its later rounds by 5 days too, and then: "
                                           r"Round 2 can be at most 365 days ahead"):
        plans.apply_fix(session, now=START, interview_date=last - timedelta(days=5))
    session.rollback()
    settings = get_settings(session)
    assert settings.interview_date == last - timedelta(days=10)
    assert settings.later_rounds == (last - timedelta(days=2)).isoformat()


def _review_card(session, stability: float, last_review: datetime) -> Card:
    make_deck(session, cards=1)
    card = session.execute(select(Card)).scalar_one()
    card.state, card.stability, card.difficulty = 2, stability, 5.0
    card.due, card.last_review = START, last_review
    session.commit()
    return card


def test_a_grade_whose_interval_crosses_round_2_with_low_recall_comes_back_before_it(
        session) -> None:
    # Round 1 on 12 March (ten days on), round 2 on 20 March; 0.95 wanted on the days.
    get_settings(session).interview_retention = 0.95
    set_rounds(session, FIRST, date(2026, 3, 20))
    card = _review_card(session, 10.0, START - timedelta(days=10))
    plain = Scheduler(SchedulerConfig(fuzz=False)).review(card.id, card.schedule,
                                                          Rating.GOOD, START)
    model_recall = FsrsModel.from_config(SchedulerConfig()).recall
    # Plain FSRS waits past round 2; its stability keeps recall at round 1 above 0.95
    # but not at round 2.
    assert plain.due.date() > date(2026, 3, 20)
    assert model_recall(10, plain.stability) >= 0.95 > model_recall(18, plain.stability)
    outcome = study.grade(session, card.id, card.version, Rating.GOOD, START,
                          rng=random.Random(0))
    session.commit()
    # Back on the last day before round 2 (nothing else is due), not before round 1.
    assert outcome.schedule.due == START + timedelta(days=17)


def test_a_grade_with_recall_enough_at_every_round_keeps_its_interval(session) -> None:
    get_settings(session).interview_retention = 0.95
    set_rounds(session, FIRST, date(2026, 3, 20))
    card = _review_card(session, 200.0, START - timedelta(days=30))
    outcome = study.grade(session, card.id, card.version, Rating.GOOD, START,
                          rng=random.Random(0))
    session.commit()
    assert outcome.schedule.due.date() > date(2026, 3, 20)
    assert outcome.schedule.due - START > timedelta(days=100)


def test_the_morning_look_brings_a_card_back_before_the_round_it_would_fail(session) -> None:
    # Reviewed yesterday with stability 40, due in two months: recall ~0.95 on 12 March,
    # below 0.95 on 30 March (round 2): back on 29 March.
    get_settings(session).interview_retention = 0.95
    set_rounds(session, FIRST, date(2026, 3, 30))
    card = _review_card(session, 40.0, START - timedelta(days=1))
    card.due = START + timedelta(days=60)
    session.commit()
    assert study.aim_at_interview(session, START) == 1
    session.commit()
    assert session.get(Card, card.id).due == datetime(2026, 3, 29, 14, 0, tzinfo=UTC)
    assert study.aim_at_interview(session, START) == 0
    # Once round 1 is over, the look goes on for round 2.
    card = session.get(Card, card.id)
    card.due = START + timedelta(days=60)
    session.commit()
    assert study.aim_at_interview(session, datetime(2026, 3, 13, 9, 0, tzinfo=UTC)) == 1


def test_the_plan_runs_to_the_last_round_with_its_tasks_before_the_first(seeded_app,
                                                                         session) -> None:
    set_rounds(session, FIRST + timedelta(days=18), date(2026, 4, 2), date(2026, 4, 6))
    view = plans.plan_and_save(session, START, np.random.default_rng(2026))
    session.commit()
    first = FIRST + timedelta(days=18)
    assert view.interview == first and view.later_rounds == (date(2026, 4, 2),
                                                            date(2026, 4, 6))
    assert view.plan.days[0].day == TODAY and view.plan.days[-1].day == date(2026, 4, 6)
    assert len(view.plan.days) == 36
    assert [day for day, _ in view.plan.round_recall] == [first, date(2026, 4, 2),
                                                          date(2026, 4, 6)]
    tasks = session.execute(select(PlanTask).where(PlanTask.done_at.is_(None))).scalars()
    assert all(task.scheduled_for is None or task.scheduled_for <= first for task in tasks)
    # The calendar file: every round its own all-day event.
    events = Calendar.from_ical(plan_calendar(view, "host", START)).walk("VEVENT")
    rounds = {str(e["uid"]): (str(e["summary"]), e.decoded("dtstart")) for e in events
              if str(e["uid"]).startswith("interview-")}
    assert rounds == {
        "interview-1@host": ("Interview round 1 of 3", first),
        "interview-1-round-2@host": ("Interview round 2 of 3", date(2026, 4, 2)),
        "interview-1-round-3@host": ("Interview round 3 of 3", date(2026, 4, 6)),
    }


def test_setting_up_again_keeps_only_the_later_rounds_still_after_the_first(session) -> None:
    set_rounds(session, FIRST, date(2026, 3, 16), date(2026, 3, 20))
    complete_setup(session, interview_date=date(2026, 3, 18), daily_minutes=60,
                   timezone="UTC", now=START)
    session.commit()
    settings = get_settings(session)
    assert (settings.interview_date, settings.later_rounds) == (date(2026, 3, 18),
                                                                "2026-03-20")
