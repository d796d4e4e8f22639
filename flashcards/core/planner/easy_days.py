"""Easy Days (as Anki's): the share of a normal day's load each weekday should carry."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

import numpy as np

from flashcards.core.fsrs_vector import FloatArray


class EasyDay(StrEnum):
    """A weekday's Easy Days code: one letter per weekday in Settings.easy_days."""

    NORMAL = "n"
    REDUCED = "r"
    MINIMUM = "m"


# The share of the daily budget the plan uses on such a day.
EASY_DAY_FACTORS: dict[str, float] = {EasyDay.NORMAL: 1.0, EasyDay.REDUCED: 0.5,
                                      EasyDay.MINIMUM: 0.0}


def easy_factor(easy_days: str, day: date) -> float:
    """The share of a normal day's load that `day` should carry (Anki's Easy Days)."""
    code = easy_days[day.weekday()] if len(easy_days) == 7 else EasyDay.NORMAL
    return EASY_DAY_FACTORS.get(code, 1.0)


def easy_factors(easy_days: str, first: date, length: int) -> FloatArray:
    """easy_factor for each of `length` days from `first` (index 0): one week's
    factors, repeated."""
    week = np.array([easy_factor(easy_days, first + timedelta(days=k)) for k in range(7)])
    return week[np.arange(length) % 7]
