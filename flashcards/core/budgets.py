"""A day's budget: the minutes a weekday holds (its own, or the daily budget).

The plan's budgets come from the daily budget and each weekday's own minutes, if the
user gave one (more at weekends, less on a busy weekday, none on a day off). The fixes
raise the daily budget: the weekdays with minutes of their own keep them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flashcards.core.fsrs_vector import FloatArray


def day_share(budget: float, daily: float) -> float:
    """The share of a usual day's load a day of `budget` minutes carries: its budget over
    the daily budget, at most 1 (Anki's Easy Days weight: a day of half the budget takes
    half the load, a day off none; a longer day takes no more than a usual one)."""
    if daily <= 0:
        return 1.0
    return min(1.0, budget / daily)


@dataclass(frozen=True)
class WeekBudgets:
    """The daily budget, each weekday's own minutes (Monday first; None: the daily
    budget), and the weekday of day 0 (0: Monday)."""

    daily: float
    weekdays: tuple[float | None, ...]
    first_weekday: int

    @classmethod
    def from_minutes(cls, daily: float, weekday_minutes: tuple[float, ...],
                     first_weekday: int) -> WeekBudgets:
        """From the seven budgets as they stand: a weekday at the daily budget follows
        it, one with other minutes keeps them."""
        return cls(float(daily), tuple(None if m == daily else float(m) for m in weekday_minutes),
                   first_weekday)

    def minutes(self, length: int, daily: float | None = None) -> FloatArray:
        """The budget of each of `length` days from day 0, at the daily budget `daily`
        (None: the user's)."""
        base = self.daily if daily is None else float(daily)
        week = np.array([base if m is None else m for m in self.weekdays], dtype=np.float64)
        return week[(np.arange(length) + self.first_weekday) % 7]

    def weights(self, length: int, daily: float | None = None) -> FloatArray:
        """Each day's share of a usual day (its budget over the daily budget, at most 1):
        how much of the load a weekday should carry (as Anki's Easy Days), for the
        load balancer and the new cards' pace."""
        base = self.daily if daily is None else float(daily)
        week = np.array([day_share(base if m is None else m, base) for m in self.weekdays])
        return week[(np.arange(length) + self.first_weekday) % 7]

    def weekday_of(self, day: int) -> int:
        return (self.first_weekday + day) % 7
