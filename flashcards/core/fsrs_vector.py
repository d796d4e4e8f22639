"""FSRS-6 on NumPy arrays: the same formulas as the `fsrs` package, for many cards at once.

Used by the plan's forecast, which steps every card forward day by day. Each function
matches `fsrs.Scheduler` to floating-point precision (tested against the package on
random states). Days are whole numbers, as fsrs counts them (`timedelta.days`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar, cast

import numpy as np
import numpy.typing as npt

from flashcards.core.scheduling import SchedulerConfig

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# What _clamp takes and gives back: arrays of either kind, or one number.
_Values = TypeVar("_Values", FloatArray, IntArray, np.float64)

STABILITY_MIN = 0.001
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4


@dataclass(frozen=True)
class FsrsModel:
    """The scheduler's parameters, ready for array arithmetic."""

    w: tuple[float, ...]
    desired_retention: float
    maximum_interval: int

    @classmethod
    def from_config(cls, config: SchedulerConfig) -> FsrsModel:
        return cls(tuple(config.parameters), config.desired_retention, config.maximum_interval)

    @cached_property
    def decay(self) -> float:
        return -self.w[20]

    @cached_property
    def factor(self) -> float:
        return float(0.9 ** (1 / self.decay) - 1)

    def recall(self, elapsed_days: int, stability: float) -> float:
        """retrievability() for one card, in plain floats (called per card)."""
        return float((1 + self.factor * max(elapsed_days, 0) / stability) ** self.decay)

    def retrievability(self, elapsed_days: IntArray | FloatArray | float,
                       stability: FloatArray | float) -> FloatArray:
        """Probability of recall after `elapsed_days` whole days."""
        elapsed = np.maximum(np.asarray(elapsed_days, dtype=np.float64), 0.0)
        return np.asarray((1 + self.factor * elapsed / stability) ** self.decay)

    def next_interval(self, stability: FloatArray, retention: float | None = None) -> IntArray:
        """Whole days until recall falls to `retention` (default: the desired one)."""
        r = self.desired_retention if retention is None else retention
        days = (stability / self.factor) * (r ** (1 / self.decay) - 1)
        # fsrs rounds with Python's round(): half to even, as np.rint does.
        return np.asarray(_clamp(np.rint(days), 1, self.maximum_interval), dtype=np.int64)

    def initial_stability(self, rating: IntArray) -> FloatArray:
        w = np.asarray(self.w)
        return np.asarray(np.maximum(w[np.asarray(rating) - 1], STABILITY_MIN), dtype=np.float64)

    def initial_difficulty(self, rating: IntArray | int, clamp: bool = True) -> FloatArray:
        value = self.w[4] - np.exp(self.w[5] * (np.asarray(rating, dtype=np.float64) - 1)) + 1
        return _clamp(value, 1.0, 10.0) if clamp else np.asarray(value)

    @cached_property
    def _easy_difficulty(self) -> FloatArray:
        return self.initial_difficulty(EASY, clamp=False)

    def next_difficulty(self, difficulty: FloatArray, rating: IntArray) -> FloatArray:
        delta = -(self.w[6] * (np.asarray(rating, dtype=np.float64) - 3))
        damped = difficulty + (10.0 - difficulty) * delta / 9.0
        easy = self._easy_difficulty
        return _clamp(self.w[7] * easy + (1 - self.w[7]) * damped, 1.0, 10.0)

    def short_term_stability(self, stability: FloatArray, rating: IntArray) -> FloatArray:
        rating = np.asarray(rating)
        increase = (np.exp(self.w[17] * (rating - 3 + self.w[18]))
                    * stability ** -self.w[19])
        increase = np.where(rating >= HARD, np.maximum(increase, 1.0), increase)
        return np.asarray(np.maximum(stability * increase, STABILITY_MIN), dtype=np.float64)

    def recall_stability(self, difficulty: FloatArray, stability: FloatArray,
                         retrievability: FloatArray, rating: IntArray) -> FloatArray:
        rating = np.asarray(rating)
        hard = np.where(rating == HARD, self.w[15], 1.0)
        easy = np.where(rating == EASY, self.w[16], 1.0)
        grown = stability * (1 + np.exp(self.w[8]) * (11 - difficulty)
                             * stability ** -self.w[9]
                             * (np.exp((1 - retrievability) * self.w[10]) - 1) * hard * easy)
        return np.asarray(np.maximum(grown, STABILITY_MIN), dtype=np.float64)

    def forget_stability(self, difficulty: FloatArray, stability: FloatArray,
                         retrievability: FloatArray) -> FloatArray:
        long_term = (self.w[11] * difficulty ** -self.w[12]
                     * ((stability + 1) ** self.w[13] - 1)
                     * np.exp((1 - retrievability) * self.w[14]))
        short_term = stability / np.exp(self.w[17] * self.w[18])
        return np.asarray(np.maximum(np.minimum(long_term, short_term), STABILITY_MIN),
                          dtype=np.float64)

    def review(self, stability: FloatArray, difficulty: FloatArray, elapsed_days: IntArray,
               rating: IntArray) -> tuple[FloatArray, FloatArray]:
        """New stability and difficulty of Review-state cards graded `rating` after
        `elapsed_days` (same-day reviews use the short-term formula, as fsrs does)."""
        rating = np.asarray(rating)
        elapsed = np.asarray(elapsed_days)
        r = self.retrievability(elapsed, stability)
        long_term = np.where(rating == AGAIN,
                             self.forget_stability(difficulty, stability, r),
                             self.recall_stability(difficulty, stability, r, rating))
        short = self.short_term_stability(stability, rating)
        new_stability = np.where(elapsed < 1, short, long_term)
        return new_stability, self.next_difficulty(difficulty, rating)

    def fuzz_bounds(self, days: FloatArray) -> tuple[FloatArray, FloatArray]:
        """fsrs's fuzz window (scheduling.fuzz_range) for each interval."""
        delta = (1.0 + 0.15 * np.maximum(np.minimum(days, 7.0) - 2.5, 0.0)
                 + 0.10 * np.maximum(np.minimum(days, 20.0) - 7.0, 0.0)
                 + 0.05 * np.maximum(days - 20.0, 0.0))
        high = np.minimum(np.rint(days + delta), self.maximum_interval)
        return np.minimum(np.maximum(2.0, np.rint(days - delta)), high), high

    def fuzzed(self, intervals: IntArray, draws: FloatArray) -> IntArray:
        """fsrs's interval fuzz on arrays, with uniform `draws` in [0, 1) (see
        scheduling.fuzzed_interval; intervals under 2.5 days are left alone)."""
        days = np.asarray(intervals, dtype=np.float64)
        return self._fuzzed(days, *self.fuzz_bounds(days), draws)

    def _fuzzed(self, days: FloatArray, low: FloatArray, high: FloatArray,
                draws: FloatArray) -> IntArray:
        fuzzed = np.minimum(np.rint(draws * (high - low + 1) + low), self.maximum_interval)
        return np.asarray(np.where(days < 2.5, days, fuzzed), dtype=np.int64)

    def balanced(self, intervals: IntArray, today: int, load: FloatArray, easy: FloatArray,
                 draws: FloatArray) -> IntArray:
        """The load balancer on arrays (scheduling.balanced_interval): a day in each fuzz
        window drawn with weight easy / (load + 1)^2 / interval, using `load` and `easy`
        per day (indexed from day 0) as they stand; fsrs's fuzz where every weight is 0.
        A day past the end of either array counts as that array's last day."""
        days = np.asarray(intervals, dtype=np.float64)
        low, high = self.fuzz_bounds(days)
        width = int((high - low).max()) + 1 if days.size else 1
        offsets = low[:, None] + np.arange(width)[None, :]
        valid = offsets <= high[:, None]
        on = (today + offsets).astype(np.int64)
        # Each array by its own length: they need not be equally long.
        on_load = _clamp(on, 0, load.size - 1)
        on_easy = _clamp(on, 0, easy.size - 1)
        weights = np.where(valid, easy[on_easy] / (load[on_load] + 1.0) ** 2 / offsets, 0.0)
        total = weights.sum(axis=1)
        point = draws * total
        pick = (np.cumsum(weights, axis=1) > point[:, None]).argmax(axis=1)
        chosen = offsets[np.arange(offsets.shape[0]), pick]
        empty = ~(total > 0)
        # fsrs's fuzz only where every weight is 0 (rare: it needs Easy Days of 0).
        result = (np.where(empty, self._fuzzed(days, low, high, draws), chosen)
                  if empty.any() else chosen)
        return np.asarray(np.where(days < 2.5, days, result), dtype=np.int64)


def _clamp(values: _Values, low: float, high: float) -> _Values:
    """np.clip(values, low, high) for scalar bounds with low <= high: the same values
    (NaN stays NaN), without np.clip's per-call overhead, which the forecast pays on
    every simulated day."""
    return cast(_Values, np.minimum(np.maximum(values, low), high))
