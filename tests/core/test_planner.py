"""The planner: exam mode, pacing, and task placement, at fixed dates."""

import time
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from flashcards.core.fitting import (
    Fixes,
    MinutesModel,
    TaskToFit,
    TaskWeeks,
    find_fixes,
    fit_tasks,
    run_model,
    task_ranges,
    to_fit,
    week_range,
)
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


def test_exam_due_day_checks_recall_with_the_share_of_stability_the_answers_bear_out() -> None:
    # Stability 30: ten days on, recall is ~0.97, enough for 0.95; with only half of
    # it borne out by the user's answers (~0.94) the card needs a final review.
    args = {"review_day": 0, "due_day": 30, "stability": 30.0, "interview_day": 10,
            "target": 0.95, "model": MODEL}
    assert exam_due_day(**args) == 30
    assert exam_due_day(**args, stability_factor=0.5) == 9


def test_exam_due_day_for_a_card_checked_again_comes_back_no_earlier_than_today() -> None:
    # Reviewed on day 0, checked again on day 8 (after new parameters): the window is
    # days 7-9, but day 7 is past; the least loaded day from today on is chosen.
    loads = {7: 0.0, 8: 3.0, 9: 4.0}
    assert exam_due_day(review_day=0, due_day=30, stability=5.0, interview_day=10,
                        target=0.95, model=MODEL, load=loads.__getitem__,
                        first_day=8) == 8
    # On the eve of the interview there is no day left to move it to.
    assert exam_due_day(review_day=0, due_day=30, stability=5.0, interview_day=10,
                        target=0.95, model=MODEL, first_day=10) == 30


def test_the_forecast_checks_recall_on_the_day_with_the_same_factor() -> None:
    # Ten cards due today with stability 10, the interview in 8 days. A Good answer
    # today makes them stable enough for the day under the model's own stability; with
    # a fifth of it they come back before the interview, as exam mode would have them.
    n = 10
    cards = CardArrays(deck=np.zeros(n, dtype=np.int64), is_new=np.zeros(n, dtype=bool),
                       stability=np.full(n, 10.0), difficulty=np.full(n, 5.0),
                       due_day=np.zeros(n, dtype=np.int64),
                       last_day=np.full(n, -10, dtype=np.int64), new_order=np.arange(0))

    def reviews_after_today(factor: float) -> float:
        data = PlanInput(today=date(2026, 3, 2), interview=date(2026, 3, 10), cards=cards,
                         deck_names=["A"], model=MODEL, target=0.9, budget_minutes=60,
                         stability_factor=factor)
        days = plan(data, np.random.default_rng(7)).days
        return sum(day.reviews for day in days[1:8])

    plain, careful = reviews_after_today(1.0), reviews_after_today(0.2)
    assert careful > plain + n / 2, (plain, careful)


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
                         today=date(2026, 3, 2), budgets=(60,) * 7)
    assert placed[1] == date(2026, 3, 2) and placed[2] == date(2026, 3, 3)
    assert date(2026, 3, 17) <= placed[3] <= date(2026, 3, 30)
    assert placed[4] == date(2026, 3, 31)


def test_tasks_avoid_days_off_and_the_past() -> None:
    tasks = [TaskToPlace(1, 30, 1, 1, False)]
    # 2 March 2026 is a Monday; Monday and Tuesday are days off (0 min), today is Tuesday.
    placed = place_tasks(tasks, plan_start=date(2026, 3, 2), interview=date(2026, 4, 1),
                         today=date(2026, 3, 3), budgets=(0, 0, 60, 60, 60, 60, 60))
    assert placed[1] == date(2026, 3, 4)


def test_tasks_go_where_the_weekday_budget_has_most_room() -> None:
    tasks = [TaskToPlace(1, 40, 1, 1, False), TaskToPlace(2, 40, 1, 1, False)]
    # Week 1 is Monday 2 to Sunday 8 March; Saturday holds 180 min, the rest 30.
    placed = place_tasks(tasks, plan_start=date(2026, 3, 2), interview=date(2026, 4, 1),
                         today=date(2026, 3, 2), budgets=(30, 30, 30, 30, 30, 180, 30))
    # Both fill Saturday less (80 of 180) than any other day (40 of 30).
    assert placed == {1: date(2026, 3, 7), 2: date(2026, 3, 7)}


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


# -- one budget for cards and tasks (core.fitting) ----------------------------------


def fit_task(id_: int, minutes: int, *, required: bool = False, pinned: bool = False,
             day: int | None = None, first: int = 0, last: int = 0,
             reach: tuple[int, int] | None = None) -> TaskToFit:
    reach_first, reach_last = reach or (first, last)
    return TaskToFit(id_, minutes, required, pinned, day, first, last, reach_first, reach_last)


def fitted(room, tasks, reserve=None) -> dict[int, tuple]:
    return {f.id: (f.parts, f.change.value) for f in fit_tasks(room, tasks, reserve)}


def test_optional_tasks_stay_move_shorten_or_drop_in_that_order() -> None:
    room = [60.0, 50.0, 20.0]
    tasks = [fit_task(1, 45, day=0, first=0, last=2),   # fits where it is
             fit_task(2, 40, day=0, first=0, last=2),   # day 0 is full now: to day 1
             fit_task(3, 30, day=2, first=1, last=2),   # 20 min left anywhere: shortened
             fit_task(4, 40, day=2, first=2, last=2)]   # nothing left: dropped
    assert fitted(room, tasks) == {1: (((0, 45),), "kept"), 2: (((1, 40),), "moved"),
                                   3: (((2, 20),), "shortened"), 4: ((), "dropped")}


def test_an_optional_task_is_not_shortened_below_half() -> None:
    assert fitted([20.0], [fit_task(1, 45, day=0)]) == {1: ((), "dropped")}
    assert fitted([23.0], [fit_task(1, 45, day=0)]) == {1: (((0, 23),), "shortened")}


def test_pinned_and_required_tasks_come_before_optional_ones() -> None:
    room = [60.0, 60.0]
    tasks = [fit_task(1, 40, day=0, first=0, last=1),              # optional, on day 0
             fit_task(2, 50, required=True, first=0, last=0),      # required, not placed
             fit_task(3, 70, pinned=True, day=1, first=0, last=1)]  # the user's day: stays
    assert fitted(room, tasks) == {2: (((0, 50),), "kept"), 3: (((1, 70),), "kept"),
                                   1: ((), "dropped")}


def test_a_required_task_slips_out_of_its_weeks_to_the_nearest_day_with_room() -> None:
    room = [30.0, 30.0, 60.0, 60.0]
    task = fit_task(1, 45, required=True, first=0, last=1, reach=(0, 3))
    assert fitted(room, [task]) == {1: (((2, 45),), "moved")}


def test_a_required_task_no_day_holds_is_split_and_new_cards_give_way_last() -> None:
    # 180 min against 60-minute days: split into parts of at least MIN_PART minutes.
    room = [50.0, 10.0, 60.0, 60.0, 60.0]
    task = fit_task(1, 180, required=True, first=0, last=4)
    # Day 1 has too little room to hold a part; the last part is at least MIN_PART.
    assert fitted(room, [task])[1] == (((2, 60), (3, 60), (4, 60)), "split")  # fewest days
    room = [50.0, 10.0, 60.0, 60.0, 25.0]
    assert fitted(room, [task])[1] == (((0, 50), (2, 60), (3, 55), (4, 15)), "split")
    # 25 min on a 30-minute day that keeps 10 for new cards: rather than split it, the
    # new cards give way (the reserve is used whole).
    small = fit_task(1, 25, required=True, first=0, last=0, reach=(0, 1))
    assert fitted([30.0, 30.0], [small], reserve=[10.0, 10.0]) == {1: (((0, 25),), "kept")}
    # With room for it outside the reserve on the next day, it slips there instead.
    assert fitted([30.0, 40.0], [small], reserve=[10.0, 10.0]) == {1: (((1, 25),), "moved")}


def test_a_required_task_nothing_holds_stays_whole_and_its_day_runs_over() -> None:
    task = fit_task(1, 90, required=True, day=1, first=0, last=1)
    assert fitted([10.0, 10.0], [task]) == {1: (((1, 90),), "kept")}


def test_a_required_task_the_days_cannot_hold_together_overruns_one_day_by_the_rest() -> None:
    # 180 min against 50+40+40 min of room: the days take what they hold, and the 50 min
    # left go on one day (the first of the days with the most room), not 180 on one day.
    task = fit_task(1, 180, required=True, first=0, last=2)
    assert fitted([50.0, 40.0, 40.0], [task])[1] == (((0, 100), (1, 40), (2, 40)), "split")
    # Earlier days of its reach are tried first, when together they hold it.
    late = fit_task(2, 100, required=True, first=2, last=3, reach=(0, 3))
    assert fitted([40.0, 40.0, 20.0, 20.0], [late])[2] == (
        ((0, 40), (1, 40), (2, 20)), "split")


def test_the_light_day_stays_on_the_eve_and_weeks_scale_with_the_plan() -> None:
    rest = TaskWeeks(1, 20, True, False, None, 4, 4, True)
    story = TaskWeeks(2, 30, False, False, None, 2, 2, False)
    assert task_ranges(rest, 0, 30) == (29, 29, 29, 29)
    assert task_ranges(story, 0, 30) == (7, 14, 0, 28)
    assert task_ranges(story, -7, 23) == (0, 7, 0, 21)  # the plan began a week ago
    assert week_range(0, 30, 1) == (0, 6)


def test_what_is_left_of_a_task_a_part_of_which_was_done_today_goes_on_a_later_day() -> None:
    # Week 1 of a 30-day plan is days 0-6; with not_before=1 neither its weeks nor the
    # days a required task may slip to include today, even when today has the most room.
    task = TaskWeeks(1, 15, True, False, 0, 1, 1, False, not_before=1)
    assert task_ranges(task, 0, 30) == (1, 6, 1, 28)
    room = [60.0] + [20.0] * 30
    [fit] = fit_tasks(room, to_fit([task], 0, 30))
    assert fit.parts == ((1, 15),)
    # Pinned to today or not, no part of it goes on today.
    optional = TaskWeeks(2, 15, False, False, 0, 1, 1, False, not_before=1)
    [fit] = fit_tasks(room, to_fit([optional], 0, 30))
    assert fit.parts and fit.parts[0][0] >= 1
    # The light day keeps to the eve; on the eve itself the rest waits for the next day.
    rest = TaskWeeks(3, 20, True, False, 29, 4, 4, True, not_before=1)
    assert task_ranges(rest, 0, 30) == (29, 29, 29, 29)
    assert task_ranges(rest, 0, 1)[0] == 1


def minutes_model(tasks, horizon: int = 8, **options) -> MinutesModel:
    values = {"factors": [1.0] * 400, "review_minutes": [0.0] * (horizon + 1),
              "horizon": horizon, "window": 6, "new_cards": 0, "new_cap": 20,
              "new_done_today": 0, "seconds_per_new": 40.0, "review_profile": [0.0] * 400,
              "seconds_per_review": 12.0, "tasks": tasks, "plan_offset": 0}
    values.update(options)
    return MinutesModel(**values)


def test_fixes_name_the_budget_the_interview_day_and_the_days_over() -> None:
    # Three 39-minute tasks in week 1 of an 8-day plan (days 0-1) at 40 min a day (39
    # beside the minute of headroom): one is dropped.
    tasks = [TaskWeeks(k, 39, False, False, None, 1, 1, False) for k in (1, 2, 3)]
    model = minutes_model(tasks)
    outcome = run_model(model, 40, 8)
    assert (outcome.dropped_minutes, outcome.days_over, outcome.fits) == (39, 0, False)
    fixes = find_fixes(model, 40)
    # 79 min a day holds two on one day; week 1 has three days from a 12-day plan on;
    # keeping all three puts two on one day: 1 day 38 min over.
    assert fixes == Fixes(budget=79, interview_day=12, keep_all_days_over=1,
                          keep_all_minutes_over=38.0)


def test_fixes_count_new_cards_that_do_not_fit() -> None:
    # 30 new cards at 40 s over days 0-3 (a 9-day plan, a 6-day window) at 5 min a day:
    # 7 a day fit (4.7 min), 28 in all; 2 do not.
    model = minutes_model([], horizon=9, new_cards=30)
    assert run_model(model, 5, 9).unplaced_new == 2
    fixes = find_fixes(model, 5)
    assert fixes.budget == 6  # 8 a day (5.3 min)
    assert fixes.interview_day == 10  # 5 days before the window: 7 x 5 >= 30
    assert fixes.new_cap is None  # 8 a day are within the limit of 20



def test_when_the_new_card_limit_binds_the_budget_fix_comes_with_the_limit() -> None:
    # With a limit of 5 a day no budget alone fits the 30 cards into days 0-3: the fix
    # is the budget with the limit raised to 8 a day (5.3 min a day: 6 min).
    capped = minutes_model([], horizon=9, new_cards=30, new_cap=5)
    assert not run_model(capped, 600, 9).fits
    fixes = find_fixes(capped, 5)
    assert (fixes.budget, fixes.budget_new_cap, fixes.new_cap) == (6, 8, 8)
    # Applied together they fit; a minute less, or the budget without the limit, not.
    assert run_model(replace(capped, new_cap=8), 6, 9).fits
    assert not run_model(replace(capped, new_cap=8), 5, 9).fits
    assert not run_model(capped, 6, 9).fits
    # A later interview needs no new limit: 5 a day over days 0-5 (interview on day 11).
    assert (fixes.interview_day, fixes.interview_new_cap) == (11, None)
    assert run_model(capped, 5, 11).fits_at_budget and not run_model(capped, 5, 10).fits_at_budget


def test_the_interview_fix_raises_the_limit_only_when_no_later_day_does_without() -> None:
    # A limit of 2 a day needs 15 days of new cards: past the search's 14 days. With
    # the limit raised, day 10 does it (6 a day over days 0-4), and 6 is all it needs.
    model = minutes_model([], horizon=9, new_cards=30, new_cap=2)
    fixes = find_fixes(model, 5, max_horizon=14)
    assert (fixes.interview_day, fixes.interview_new_cap) == (10, 6)
    assert run_model(replace(model, new_cap=6), 5, 10).fits_at_budget
    assert not run_model(replace(model, new_cap=6), 5, 9).fits_at_budget
    assert not run_model(replace(model, new_cap=5), 5, 10).fits_at_budget


def test_a_required_task_longer_than_the_budget_sets_the_budget_fix() -> None:
    # 100 required minutes in days 0-1 (the eve is for rest) at 40 min a day: split
    # over both days it still runs over one. 51 a day hold it (50 + the headroom minute);
    # at 50, or at 40, a day runs over; a plan one day longer splits it over three days.
    model = minutes_model([TaskWeeks(1, 100, True, False, None, 1, 4, False)], horizon=3)
    assert run_model(model, 40, 3).days_over == 1
    fixes = find_fixes(model, 40)
    assert (fixes.budget, fixes.budget_new_cap, fixes.interview_day) == (51, None, 4)
    assert run_model(model, 51, 3).fits and not run_model(model, 50, 3).fits
    assert run_model(model, 40, 4).fits_at_budget and run_model(model, 40, 4).days_over == 0


def plan_with_tasks(n: int, tasks, **options):
    data = PlanInput(today=date(2026, 3, 2), interview=date(2026, 3, 12), cards=new_cards(n),
                     deck_names=["A", "B"], model=MODEL, target=0.9,
                     budget_minutes=options.pop("budget", 30), tasks=tasks, **options)
    return plan(data, np.random.default_rng(7))


def test_plan_fits_cards_and_tasks_into_one_budget() -> None:
    # 10 days at 30 min: week 1 is days 0-1, new cards go on days 0-4 (8 a day, 5.3 min).
    tasks = [TaskWeeks(1, 25, True, False, None, 1, 1, False),
             TaskWeeks(2, 25, False, False, None, 1, 1, False),
             TaskWeeks(3, 20, True, False, None, 4, 4, True)]
    result = plan_with_tasks(40, tasks)
    assert result.days_over == []
    assert [d.new for d in result.days] == [8, 8, 8, 8, 8, 0, 0, 0, 0, 0, 0]
    assert result.unplaced_new == 0
    # The required task slips out of week 1 to the first day without new cards rather
    # than take their minutes; the optional one is shortened to what day 0 has left
    # (beside the headroom); the light day is on the eve.
    assert [(t.id, t.parts, t.change.value) for t in result.tasks] == [
        (1, ((5, 25),), "moved"), (2, ((0, 23),), "shortened"), (3, ((9, 20),), "kept")]
    assert [d.task_minutes for d in result.days] == [23, 0, 0, 0, 0, 25, 0, 0, 0, 20, 0]
    for day in result.days:
        assert day.minutes <= day.budget + 0.5


def test_new_cards_that_do_not_fit_cost_recall_and_the_plan_offers_fixes() -> None:
    result = plan_with_tasks(120, [], budget=10, new_cap=100)
    assert result.unplaced_new > 0
    assert result.recall_cost == pytest.approx(result.recall_if_all_fit - result.mean_recall)
    assert result.recall_cost > 0.2  # the cards that do not fit count as 0 on the day
    assert result.fixes is not None and result.fixes.budget is not None
    assert result.fixes.budget > 10 and result.fixes.interview_day is not None
    assert result.fixes.interview_day > 10
    # At the budget the fix names, every card fits.
    fixed = plan_with_tasks(120, [], budget=result.fixes.budget, new_cap=100)
    assert fixed.unplaced_new == 0


def test_when_required_tasks_alone_exceed_the_budget_new_cards_keep_their_pace() -> None:
    tasks = [TaskWeeks(k, 60, True, False, None, 1, 4, False) for k in range(1, 9)]
    result = plan_with_tasks(40, tasks)
    assert result.days_over  # 480 min of required tasks in 300
    assert result.unplaced_new == 0  # cards still studied: skipping them saves no day
