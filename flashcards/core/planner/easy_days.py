"""A budget per weekday: the minutes each day of the week holds (Settings.weekday_minutes,
which absorbed Anki's Easy Days: a "reduced" day became half the daily budget, a
"minimum" day 0), and the share of a normal day's load each weekday carries
(core.budgets.day_share)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date

from flashcards.core.budgets import day_share
from flashcards.core.planner.limits import MAX_BUDGET_MINUTES

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# The stored weekday minutes when every day holds the daily budget.
SAME_EVERY_DAY = "," * (len(WEEKDAYS) - 1)
# A new collection's weekday minutes: the daily budget, and Saturdays of 3 h 30, which
# hold the bundled plan's 180-minute full mock loop (one sitting) with the day's cards,
# so that the first plan holds every bundled task (see README, "The plan").
NEW_USER_WEEKDAY_MINUTES = ",,,,,210,"
# A weekday's minutes, when given: 0 (a day off) up to the largest daily budget.
MAX_WEEKDAY_MINUTES = MAX_BUDGET_MINUTES


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
    return day_share(weekday_budgets(daily_minutes, weekday_minutes)[day.weekday()],
                     daily_minutes)


def budget_words(daily_minutes: int, weekday_minutes: str) -> str:
    """The budget in words: "60 min a day" and each weekday with minutes of its own
    ("60 min a day, Saturdays 210 min")."""
    own = [f"{name}s {minutes} min" for name, minutes
           in zip(WEEKDAYS, parse_weekday_minutes(weekday_minutes), strict=True)
           if minutes is not None and minutes != daily_minutes]
    return ", ".join([f"{daily_minutes} min a day", *own])
