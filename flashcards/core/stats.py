"""The statistics page's figures: study days' bounds, the streak, true retention by
week, averages and histograms, from totals the database has grouped by study day.
Pure: the days and moments are passed in."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from flashcards.core.days import day_start

# A review card whose interval (at the time of the answer) is this long or longer is
# mature, as in Anki.
MATURE_DAYS = 21


@dataclass(frozen=True, slots=True)
class DayTotals:
    """One study day's answers: how many, their minutes, and the answers to review cards
    (state Review before the answer), young and mature, and how many were not Again."""

    day: date
    reviews: int
    minutes: float
    young: int = 0
    young_passed: int = 0
    mature: int = 0
    mature_passed: int = 0


def day_bounds(first: date, count: int, tz: ZoneInfo, rollover_hour: int) -> list[datetime]:
    """The UTC instants at which the `count` study days from `first` begin, and the end
    of the last one: day k runs from bounds[k] to bounds[k + 1] (23 or 25 hours on a
    daylight saving change)."""
    return [day_start(first + timedelta(days=k), tz, rollover_hour) for k in range(count + 1)]


def current_streak(days: Sequence[DayTotals], today: date) -> int:
    """Study days in a row with at least one answer, ending today, or yesterday while
    today has none yet (as Anki counts it: the streak is not broken before the day is
    over)."""
    studied = {d.day for d in days if d.reviews}
    day = today if today in studied else today - timedelta(days=1)
    streak = 0
    while day in studied:
        streak += 1
        day -= timedelta(days=1)
    return streak


@dataclass(frozen=True, slots=True)
class Retention:
    """Answers to review cards over some days, young and mature: how many, and how many
    were not Again."""

    first: date
    last: date
    young: int
    young_passed: int
    mature: int
    mature_passed: int

    @property
    def young_rate(self) -> float | None:
        return self.young_passed / self.young if self.young else None

    @property
    def mature_rate(self) -> float | None:
        return self.mature_passed / self.mature if self.mature else None

    @property
    def total(self) -> int:
        return self.young + self.mature

    @property
    def rate(self) -> float | None:
        total = self.young + self.mature
        return (self.young_passed + self.mature_passed) / total if total else None


def retention_of(days: Sequence[DayTotals], first: date, last: date) -> Retention:
    """The true retention of the days from `first` to `last` (both included)."""
    inside = [d for d in days if first <= d.day <= last]
    return Retention(first, last, sum(d.young for d in inside),
                     sum(d.young_passed for d in inside), sum(d.mature for d in inside),
                     sum(d.mature_passed for d in inside))


def weekly_retention(days: Sequence[DayTotals], today: date, range_days: int) -> list[Retention]:
    """True retention per week over the last `range_days` study days, oldest first; the
    weeks end on today (the last week has today's answers so far), the first one may be
    shorter so the weeks cover the range exactly."""
    first_day = today - timedelta(days=range_days - 1)
    weeks = []
    end = today
    while end >= first_day:
        start = max(end - timedelta(days=6), first_day)
        weeks.append(retention_of(days, start, end))
        end = start - timedelta(days=1)
    return weeks[::-1]


@dataclass(frozen=True, slots=True)
class Bin:
    low: float
    high: float  # math.inf for the last, open bin
    count: int

    @property
    def label(self) -> str:
        def number(value: float) -> str:
            return f"{value:g}"
        if math.isinf(self.high):
            return f"{number(self.low)}+"
        return f"{number(self.low)}–{number(self.high)}"


# Stability in days, wide where cards are few; difficulty on FSRS's 1-10 scale.
STABILITY_EDGES = (0, 1, 3, 7, 14, 30, 60, 120, 365, math.inf)
DIFFICULTY_EDGES = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)


def histogram(values: Sequence[float] | np.ndarray, edges: Sequence[float]) -> list[Bin]:
    """How many of `values` fall in each bin [edges[i], edges[i + 1]); the last bin
    includes its upper edge (a difficulty of exactly 10). Values below the first edge
    count in the first bin, NaN in none."""
    array = np.asarray(values, dtype=np.float64)
    array = array[~np.isnan(array)]
    inner = np.asarray(edges[1:-1], dtype=np.float64)
    index = np.searchsorted(inner, array, side="right")
    counts = np.bincount(index, minlength=len(edges) - 1)
    return [Bin(float(edges[k]), float(edges[k + 1]), int(counts[k]))
            for k in range(len(edges) - 1)]


@dataclass(frozen=True, slots=True)
class RangeSummary:
    days: int
    studied_days: int
    reviews: int
    minutes: float

    @property
    def reviews_per_day(self) -> float:
        return self.reviews / self.days if self.days else 0.0

    @property
    def minutes_per_day(self) -> float:
        return self.minutes / self.days if self.days else 0.0


def summarise(days: Sequence[DayTotals]) -> RangeSummary:
    """Totals and the daily average over `days` (every day counts, studied or not)."""
    return RangeSummary(len(days), sum(1 for d in days if d.reviews),
                        sum(d.reviews for d in days), sum(d.minutes for d in days))
