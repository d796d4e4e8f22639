"""The planner: exam mode, pacing, and task placement, at fixed dates."""

import time
from datetime import date, timedelta

import numpy as np
import pytest

from flashcards.core.fsrs_vector import FsrsModel
from flashcards.core.planner import (
    MAX_PLAN_DAYS,
    CardArrays,
    PlanInput,
    TaskToPlace,
    exam_due_day,
    interview_date_problem,
    place_tasks,
    plan,
    plan_end,
    task_day_problem,
    week_days,
)
from flashcards.core.scheduling import SchedulerConfig

MODEL = FsrsModel.from_config(SchedulerConfig())


def test_exam_due_day_keeps_fsrs_when_recall_on_the_day_is_enough() -> None:
    # Stability 100 days: ten days on, recall is ~0.99.
    assert exam_due_day(review_day=0, due_day=90, stability=100.0, interview_day=10,
                        target=0.9, model=MODEL) == 90


def test_exam_due_day_puts_weak_cards_in_the_final_window_as_late_as_load_allows() -> None:
    args = {"review_day": 0, "due_day": 30, "stability": 5.0, "interview_day": 20,
            "target": 0.95, "model": MODEL}
    assert exam_due_day(**args) == 19  # no load given: the last day before the interview
    loads = {17: 5.0, 18: 1.0, 19: 9.0}
    assert exam_due_day(**args, load=loads.__getitem__) == 18
    assert exam_due_day(**args, load=lambda day: 0.0) == 19  # ties go to the later day


def test_exam_due_day_does_nothing_before_due_or_after_the_interview() -> None:
    assert exam_due_day(review_day=0, due_day=5, stability=1.0, interview_day=20, target=0.99,
                        model=MODEL) == 5
    assert exam_due_day(review_day=25, due_day=40, stability=1.0, interview_day=20,
                        target=0.99, model=MODEL) == 40
    # Reviewed the day before: no day left in the window.
    assert exam_due_day(review_day=19, due_day=30, stability=1.0, interview_day=20,
                        target=0.99, model=MODEL) == 30


def new_cards(n: int) -> CardArrays:
    return CardArrays(deck=np.arange(n) % 2, is_new=np.ones(n, dtype=bool),
                      stability=np.full(n, np.nan), difficulty=np.full(n, np.nan),
                      due_day=np.zeros(n, dtype=np.int64), last_day=np.zeros(n, dtype=np.int64),
                      new_order=np.arange(n))


def plan_for(n: int, **options) -> object:
    data = PlanInput(today=date(2026, 3, 2), interview=date(2026, 4, 1), cards=new_cards(n),
                     deck_names=["A", "B"], model=MODEL, target=0.9,
                     budget_minutes=options.pop("budget", 60), **options)
    return plan(data, np.random.default_rng(7))


def test_pacing_spreads_new_cards_before_the_final_window_and_reaches_the_target() -> None:
    result = plan_for(100)
    assert len(result.days) == 31
    assert sum(d.new for d in result.days) == 100 and result.unplaced_new == 0
    assert result.last_new_day == date(2026, 3, 26)
    assert all(d.new == 0 for d in result.days if d.day > date(2026, 3, 26))
    assert max(d.new for d in result.days) - min(d.new for d in result.days[:25]) <= 1
    assert result.below_target == 0.0 and result.mean_recall > 0.9
    assert set(result.recall_by_deck) == {"A", "B"}


def test_what_does_not_fit_is_reported() -> None:
    result = plan_for(1000, new_cap=10)
    assert sum(d.new for d in result.days) == 250
    assert result.unplaced_new == 750
    assert result.below_target > 0.7  # cards never studied have no recall


def test_easy_days_take_no_new_cards_on_minimum_days() -> None:
    result = plan_for(100, easy_days="nnnnnmm")
    weekend = [d for d in result.days if d.day.weekday() >= 5 and d.day <= date(2026, 3, 26)]
    assert weekend and all(d.new == 0 for d in weekend)
    assert sum(d.new for d in result.days) == 100


def test_plan_is_repeatable_with_the_same_seed() -> None:
    first, second = plan_for(60), plan_for(60)
    assert [d.reviews for d in first.days] == [d.reviews for d in second.days]


def test_weeks_scale_to_the_plan_length() -> None:
    start, interview = date(2026, 3, 2), date(2026, 4, 1)
    assert week_days(start, interview, 1) == (date(2026, 3, 2), date(2026, 3, 8))
    assert week_days(start, interview, 4) == (date(2026, 3, 24), date(2026, 3, 30))
    short = week_days(date(2026, 3, 2), date(2026, 3, 14), 2)
    assert short == (date(2026, 3, 5), date(2026, 3, 7))


def test_tasks_land_in_their_weeks_spread_out_and_rest_on_the_eve() -> None:
    tasks = [TaskToPlace(1, 45, 1, 1, False), TaskToPlace(2, 45, 1, 1, False),
             TaskToPlace(3, 45, 3, 4, False), TaskToPlace(4, 20, 4, 4, True)]
    placed = place_tasks(tasks, plan_start=date(2026, 3, 2), interview=date(2026, 4, 1),
                         today=date(2026, 3, 2), easy_days="nnnnnnn")
    assert placed[1] == date(2026, 3, 2) and placed[2] == date(2026, 3, 3)
    assert date(2026, 3, 17) <= placed[3] <= date(2026, 3, 30)
    assert placed[4] == date(2026, 3, 31)


def test_tasks_avoid_minimum_easy_days_and_the_past() -> None:
    tasks = [TaskToPlace(1, 30, 1, 1, False)]
    # 2 March 2026 is a Monday; Monday and Tuesday are "minimum" days, today is Tuesday.
    placed = place_tasks(tasks, plan_start=date(2026, 3, 2), interview=date(2026, 4, 1),
                         today=date(2026, 3, 3), easy_days="mmnnnnn")
    assert placed[1] == date(2026, 3, 4)


TODAY = date(2026, 3, 2)


@pytest.mark.parametrize(("day", "stored", "problem"), [
    (TODAY + timedelta(days=1), None, None),
    (TODAY, None, "The interview date cannot be today: choose tomorrow (3 March 2026) or later."),
    (TODAY, TODAY + timedelta(days=5), "The interview date cannot be today: choose tomorrow "
                                       "(3 March 2026) or later."),
    (TODAY, TODAY, None),  # the interview is today, and the date is unchanged
    (TODAY + timedelta(days=MAX_PLAN_DAYS), None, None),
    (TODAY + timedelta(days=MAX_PLAN_DAYS + 1), None,
     "The interview date can be at most 365 days ahead: 2 March 2027 at the latest."),
    (date(9999, 12, 31), None,
     "The interview date can be at most 365 days ahead: 2 March 2027 at the latest."),
    (date(9999, 12, 31), date(9999, 12, 31),  # stored, but still too far
     "The interview date can be at most 365 days ahead: 2 March 2027 at the latest."),
    (TODAY - timedelta(days=1), None,
     "The interview date cannot be in the past (today is 2 March 2026)."),
    (date(1, 1, 1), TODAY, "The interview date cannot be in the past (today is 2 March 2026)."),
    (TODAY - timedelta(days=3), TODAY - timedelta(days=3), None),  # over, and unchanged
])
def test_interview_date_problem(day: date, stored: date | None, problem: str | None) -> None:
    assert interview_date_problem(day, TODAY, stored) == problem


def test_task_day_problem_and_plan_end() -> None:
    interview = TODAY + timedelta(days=30)
    assert task_day_problem(TODAY, TODAY, interview) is None
    assert task_day_problem(interview, TODAY, interview) is None
    assert task_day_problem(TODAY - timedelta(days=1), TODAY, interview) == (
        "A task can go on today or a later day, not into the past.")
    assert task_day_problem(interview + timedelta(days=1), TODAY, interview) == (
        "A task can go up to interview day (1 April 2026), not after it.")
    assert plan_end(interview, TODAY) == interview
    assert plan_end(date(9999, 12, 31), TODAY) == TODAY + timedelta(days=MAX_PLAN_DAYS)
    assert plan_end(TODAY - timedelta(days=9), TODAY) == TODAY - timedelta(days=9)


def test_a_longer_plan_after_a_shorter_one() -> None:
    """The Easy Days of a 30-day plan were cached for the next, 4-year one: the load
    balancer then indexed past their end (IndexError, a 500 on the plan page)."""
    for days in (30, 4 * 365, MAX_PLAN_DAYS, 10):
        started = time.perf_counter()
        data = PlanInput(today=TODAY, interview=TODAY + timedelta(days=days),
                         cards=new_cards(200), deck_names=["A", "B"], model=MODEL,
                         target=0.9, budget_minutes=60)
        result = plan(data, np.random.default_rng(7))
        assert len(result.days) == days + 1
        assert time.perf_counter() - started < 10
