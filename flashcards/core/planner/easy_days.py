"""A budget per weekday: the minutes each day of the week holds (Settings.weekday_minutes,
which absorbed Easy Days), and the share of a normal day's load each weekday carries.

The Easy Days letters (as Anki's) remain for the forecast's factors (`easy_factors`)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum

import numpy as np

from flashcards.core.fsrs_vector import FloatArray
from flashcards.core.planner.limits import MAX_BUDGET_MINUTES

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# The stored weekday minutes when every day holds the daily budget.
SAME_EVERY_DAY = "," * (len(WEEKDAYS) - 1)
# A weekday's minutes, when given: 0 (a day off) up to the largest daily budget.
MAX_WEEKDAY_MINUTES = MAX_BUDGET_MINUTES


class EasyDay(StrEnum):
    """A weekday's Easy Days code (Anki's): normal, reduced or minimum load."""

    NORMAL = "n"
    REDUCED = "r"
    MINIMUM = "m"


# The share of the daily budget the plan uses on such a day.
EASY_DAY_FACTORS: dict[str, float] = {EasyDay.NORMAL: 1.0, EasyDay.REDUCED: 0.5,
                                      EasyDay.MINIMUM: 0.0}


def parse_weekday_minutes(text: str) -> tuple[int | None, ...]:
    """Seven entries, Monday first: each day's minutes, or None for the daily budget.
    ValueError, naming the day, when `text` is not seven comma-separated entries each
    empty or a whole number 0..MAX_WEEKDAY_MINUTES."""
    entries = text.split(",")
    if len(entries) != len(WEEKDAYS):
        raise ValueError(f"weekday minutes {text!r} must be {len(WEEKDAYS)} entries, "
                         f"Monday to Sunday, separated by commas")
    return tuple(_entry(entry, name) for entry, name in zip(entries, WEEKDAYS, strict=True))


def _entry(entry: str, name: str) -> int | None:
    text = entry.strip()
    if not text:
        return None
    if not text.isdigit() or not 0 <= int(text) <= MAX_WEEKDAY_MINUTES:
        raise ValueError(f"{name}: {text!r} must be a whole number of minutes from 0 to "
                         f"{MAX_WEEKDAY_MINUTES}, or empty for the daily budget")
    return int(text)


def format_weekday_minutes(entries: Sequence[int | None]) -> str:
    """The stored text of seven entries (None: the daily budget); ValueError when they
    are not seven, or one is out of range."""
    text = ",".join("" if entry is None else str(entry) for entry in entries)
    parse_weekday_minutes(text)
    return text


@functools.lru_cache(maxsize=256)  # read per day of the load balancer's window
def weekday_budgets(daily_minutes: int, weekday_minutes: str) -> tuple[int, ...]:
    """Each weekday's budget in minutes, Monday first: its own, or the daily budget."""
    return tuple(daily_minutes if entry is None else entry
                 for entry in parse_weekday_minutes(weekday_minutes))


def budget_factor(daily_minutes: int, weekday_minutes: str, day: date) -> float:
    """The share of a normal day's load `day` should carry: its weekday's budget over
    the daily budget, at most 1 (the load balancer's Easy Days weight; a day migrated
    from Easy Days' "reduced" gives 0.5, from "minimum" 0)."""
    if daily_minutes <= 0:
        return 1.0
    budget = weekday_budgets(daily_minutes, weekday_minutes)[day.weekday()]
    return min(1.0, budget / daily_minutes)


def budget_factors(daily_minutes: int, weekday_minutes: str, first: date,
                   length: int) -> FloatArray:
    """budget_factor for each of `length` days from `first` (index 0)."""
    week = np.array([budget_factor(daily_minutes, weekday_minutes, first + timedelta(days=k))
                     for k in range(7)])
    return week[np.arange(length) % 7]


def easy_days_of(daily_minutes: int, weekday_minutes: str) -> str:
    """The Easy Days letters nearest the weekday budgets (for code that still reads
    letters): the daily budget or more is normal, 0 minimum, anything between reduced."""
    letters = []
    for budget in weekday_budgets(daily_minutes, weekday_minutes):
        if budget >= daily_minutes:
            letters.append(EasyDay.NORMAL.value)
        elif budget == 0:
            letters.append(EasyDay.MINIMUM.value)
        else:
            letters.append(EasyDay.REDUCED.value)
    return "".join(letters)


def easy_factor(easy_days: str, day: date) -> float:
    """The share of a normal day's load that `day` should carry (Anki's Easy Days)."""
    code = easy_days[day.weekday()] if len(easy_days) == 7 else EasyDay.NORMAL
    return EASY_DAY_FACTORS.get(code, 1.0)


def easy_factors(easy_days: str, first: date, length: int) -> FloatArray:
    """easy_factor for each of `length` days from `first` (index 0): one week's
    factors, repeated."""
    week = np.array([easy_factor(easy_days, first + timedelta(days=k)) for k in range(7)])
    return week[np.arange(length) % 7]
