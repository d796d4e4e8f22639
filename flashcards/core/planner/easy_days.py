"""Easy Days (as Anki's): the share of a normal day's load each weekday should carry."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from flashcards.core.fsrs_vector import FloatArray

EASY_DAY_FACTORS = {"n": 1.0, "r": 0.5, "m": 0.0}
EASY_DAY_NAMES = {"n": "Normal", "r": "Reduced", "m": "Minimum"}


def easy_factor(easy_days: str, day: date) -> float:
    """The share of a normal day's load that `day` should carry (Anki's Easy Days)."""
    code = easy_days[day.weekday()] if len(easy_days) == 7 else "n"
    return EASY_DAY_FACTORS.get(code, 1.0)


def easy_factors(easy_days: str, first: date, length: int) -> FloatArray:
    """easy_factor for each of `length` days from `first` (index 0): one week's
    factors, repeated."""
    week = np.array([easy_factor(easy_days, first + timedelta(days=k)) for k in range(7)])
    return week[np.arange(length) % 7]
