"""The budget per weekday (core/planner/easy_days.py)."""

from datetime import date, timedelta

import pytest

from flashcards.core.planner import (
    budget_factor,
    budget_words,
    format_weekday_minutes,
    parse_weekday_minutes,
    weekday_budgets,
)

MONDAY = date(2026, 3, 2)


def test_blank_is_the_daily_budget_and_a_day_may_hold_more_or_nothing() -> None:
    assert parse_weekday_minutes(",,,,,180,0") == (None,) * 5 + (180, 0)
    assert weekday_budgets(60, ",,,,,180,0") == (60, 60, 60, 60, 60, 180, 0)
    assert weekday_budgets(45, ",,,,,,") == (45,) * 7
    assert format_weekday_minutes([None, 30, None, None, None, None, 0]) == ",30,,,,,0"


def test_the_factor_is_the_weekdays_share_of_the_daily_budget_at_most_one() -> None:
    factors = [budget_factor(60, "30,,,,,180,0", MONDAY + timedelta(days=k))
               for k in range(8)]
    assert factors == [0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.5]


@pytest.mark.parametrize(("text", "problem"), [
    (",,,,,", "must be 7 entries"),
    (",,,,,,601", "Sunday: '601' must be a whole number of minutes from 0 to 600"),
    ("x,,,,,,", "Monday: 'x' must be a whole number"),
    (",-5,,,,,", "Tuesday: '-5' must be a whole number"),
    (",,1.5,,,,", "Wednesday: '1.5' must be a whole number"),
])
def test_a_bad_entry_is_refused_naming_the_day(text, problem) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_weekday_minutes(text)


def test_the_budget_in_words_names_the_weekdays_with_their_own_minutes() -> None:
    assert budget_words(60, ",,,,,,") == "60 min a day"
    assert budget_words(60, ",,,,,210,0") == "60 min a day, Saturdays 210 min, Sundays 0 min"
    assert budget_words(60, "60,,,,,,") == "60 min a day"  # the same as the daily budget
