"""The plan's fixes (core.fixes): searched on the minutes model, bounded and cached."""

from dataclasses import replace

from flashcards.core.budgets import WeekBudgets
from flashcards.core.fitting import TaskWeeks
from flashcards.core.fixes import Fixes, MinutesModel, find_fixes, run_model


def minutes_model(tasks, horizon: int = 8, **options) -> MinutesModel:
    values = {"week": WeekBudgets(40.0, (None,) * 7, 0),
              "review_minutes": (0.0,) * (horizon + 1),
              "horizon": horizon, "window": 6, "new_cards": 0, "new_cap": 20,
              "new_done_today": 0, "seconds_per_new": 40.0, "review_profile": (0.0,) * 400,
              "seconds_per_review": 12.0, "tasks": tuple(tasks), "plan_offset": 0}
    values.update(options)
    return MinutesModel(**values)


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


def test_a_required_task_its_days_cannot_hold_sets_the_budget_and_interview_fixes() -> None:
    # 100 required minutes in days 0-1 (the eve is for rest) at 40 min a day: split over
    # both days it still does not fit, so it is not planned (no day runs over). 51 a day
    # hold it (50 + the headroom minute); a plan one day longer splits it over three.
    model = minutes_model([TaskWeeks(1, 100, True, False, None, 1, 4, False)], horizon=3)
    outcome = run_model(model, 40, 3)
    assert (outcome.days_over, outcome.dropped_minutes) == (0, 100)
    fixes = find_fixes(model, 40)
    assert (fixes.budget, fixes.budget_new_cap, fixes.interview_day) == (51, None, 4)
    assert run_model(model, 51, 3).fits and not run_model(model, 50, 3).fits
    assert run_model(model, 40, 4).fits_at_budget and run_model(model, 40, 4).days_over == 0


def test_a_sitting_longer_than_any_day_needs_a_day_that_holds_it_whole() -> None:
    mock = TaskWeeks(1, 100, True, False, None, 1, 4, False, sitting=True)
    model = minutes_model([mock], horizon=6)
    assert run_model(model, 60, 6).dropped_minutes == 100
    fixes = find_fixes(model, 60)
    # 101 a day hold it whole; no later interview helps at 60 (no day holds 100), so
    # the interview fix is not offered for it.
    assert fixes == Fixes(budget=101, interview_day=None)
    # A weekday with minutes of its own keeps them when the daily budget is raised.
    # Day 0 a Wednesday: day 3 is a Saturday of 120 minutes.
    saturday = replace(model, week=WeekBudgets(60.0, (None,) * 5 + (120.0, None), 2))
    assert run_model(saturday, 60, 6).fits


def test_the_search_is_cached_on_its_input() -> None:
    model = minutes_model([], horizon=30, new_cards=400)
    find_fixes.cache_clear()
    first = find_fixes(model, 10)
    assert find_fixes(replace(model), 10) is first
    assert find_fixes.cache_info().hits == 1
