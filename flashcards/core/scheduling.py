"""FSRS scheduling: an adapter between stored card schedules and the `fsrs` package.

`fsrs` computes the new memory state and interval; this module keeps our own
New state (fsrs has none), and applies the interval fuzz itself with an
injected random source so tests are exact (fsrs's own fuzz uses the global
`random`). With the same random numbers the result equals fsrs's to the bit.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import IntEnum

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS as DEFAULT_PARAMETERS  # re-exported
from fsrs.scheduler import FUZZ_RANGES

LEARN_AHEAD = timedelta(minutes=20)


class CardState(IntEnum):
    """A card's place in its life; 1-3 are fsrs's own `State` values."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


class Rating(IntEnum):
    """The four grades, as in fsrs and Anki."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


@dataclass(frozen=True, slots=True)
class Schedule:
    """Everything the scheduler knows about one card."""

    state: CardState = CardState.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0


NEW_SCHEDULE = Schedule()


@dataclass(frozen=True, slots=True)
class SchedulerConfig:
    """The user's scheduling options."""

    desired_retention: float = 0.9
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval: int = 36500
    parameters: tuple[float, ...] = tuple(DEFAULT_PARAMETERS)
    fuzz: bool = True


def fuzz_range(interval_days: int, maximum_interval: int) -> tuple[int, int]:
    """The days a review interval may be moved to, as fsrs computes it."""
    delta = 1.0
    for band in FUZZ_RANGES:
        delta += band["factor"] * max(min(float(interval_days), band["end"]) - band["start"], 0.0)
    low = max(2, round(interval_days - delta))
    high = min(round(interval_days + delta), maximum_interval)
    return min(low, high), high


def fuzzed_interval(interval_days: int, maximum_interval: int, draw: Callable[[], float]) -> int:
    """fsrs's fuzz with the random number taken from `draw` (only drawn when fuzz applies)."""
    if interval_days < 2.5:
        return interval_days
    low, high = fuzz_range(interval_days, maximum_interval)
    return min(round(draw() * (high - low + 1) + low), maximum_interval)


@dataclass(frozen=True, slots=True)
class LoadBalance:
    """What the load balancer needs, by interval in days from the review: how many
    reviews that day already holds, and its Easy Days factor (1 normal, 0.5 reduced,
    0 minimum)."""

    load: Callable[[int], float]
    easy: Callable[[int], float]


def balance_weight(interval_days: int, load: float, easy: float) -> float:
    """A day's weight in the load balancer: fewer reviews and a normal Easy Day weigh
    more, and so, slightly, does a shorter interval (as in Anki's load balancer)."""
    return easy / ((load + 1.0) ** 2) / interval_days


def balanced_interval(interval_days: int, maximum_interval: int, balance: LoadBalance,
                      draw: Callable[[], float]) -> int:
    """A day inside fsrs's fuzz window, drawn with balance_weight; uniform (fsrs's own
    fuzz) when every day in the window is a minimum Easy Day."""
    if interval_days < 2.5:
        return interval_days
    low, high = fuzz_range(interval_days, maximum_interval)
    days = list(range(low, high + 1))
    weights = [balance_weight(d, balance.load(d), balance.easy(d)) for d in days]
    total = sum(weights)
    u = draw()
    if total <= 0:
        return fuzzed_interval(interval_days, maximum_interval, lambda: u)
    point = u * total
    for day, weight in zip(days, weights, strict=True):
        point -= weight
        if point < 0:
            return day
    return days[-1]


class Scheduler:
    """Grades cards with FSRS-6; `rng` supplies the fuzz so runs can be repeated exactly."""

    def __init__(self, config: SchedulerConfig, rng: random.Random | None = None) -> None:
        self.config = config
        self._rng = rng if rng is not None else random.Random()
        self._fsrs = fsrs.Scheduler(
            parameters=config.parameters,
            desired_retention=config.desired_retention,
            learning_steps=config.learning_steps,
            relearning_steps=config.relearning_steps,
            maximum_interval=config.maximum_interval,
            enable_fuzzing=False,
        )

    def review(self, card_id: int, schedule: Schedule, rating: Rating, now: datetime,
               balance: LoadBalance | None = None, elapsed_days: int | None = None) -> Schedule:
        """The schedule after grading the card `rating` at `now` (UTC). With `balance`,
        the day inside the fuzz window is chosen by load (Anki's load balancer).

        `elapsed_days` counts study days since the last review, as Anki does: a card
        seen last evening and again this morning is a day later, not the same day
        (fsrs alone would count whole 24-hour periods)."""
        return self._review(card_id, schedule, rating, _utc(now), fuzz=self.config.fuzz,
                            balance=balance, elapsed_days=elapsed_days)

    def preview(self, card_id: int, schedule: Schedule, now: datetime) -> dict[Rating, timedelta]:
        """The interval each grade would give, before fuzz (what Anki shows on its buttons)."""
        now = _utc(now)
        intervals = {}
        for rating in Rating:
            after = self._review(card_id, schedule, rating, now, fuzz=False)
            assert after.due is not None
            intervals[rating] = after.due - now
        return intervals

    def retrievability(self, card_id: int, schedule: Schedule, at: datetime) -> float:
        """Predicted probability of recall at `at`; 0 for a card never reviewed."""
        if schedule.state == CardState.NEW:
            return 0.0
        return self._fsrs.get_card_retrievability(to_fsrs_card(card_id, schedule, at), _utc(at))

    def _review(
        self, card_id: int, schedule: Schedule, rating: Rating, now: datetime, *, fuzz: bool,
        balance: LoadBalance | None = None, elapsed_days: int | None = None,
    ) -> Schedule:
        fsrs_card = to_fsrs_card(card_id, schedule, now)
        if elapsed_days is not None and elapsed_days >= 1 and fsrs_card.last_review:
            # fsrs reads elapsed time only from last_review: put it whole days back.
            fsrs_card.last_review = now - timedelta(days=elapsed_days)
        card, _ = self._fsrs.review_card(fsrs_card, fsrs.Rating(int(rating)), now)
        due = card.due
        if fuzz and card.state == fsrs.State.Review:
            days = (due - now).days
            if balance is not None:
                days = balanced_interval(days, self.config.maximum_interval, balance,
                                         self._rng.random)
            else:
                days = fuzzed_interval(days, self.config.maximum_interval, self._rng.random)
            due = now + timedelta(days=days)
        lapsed = schedule.state == CardState.REVIEW and rating == Rating.AGAIN
        return Schedule(
            state=CardState(int(card.state)),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=due,
            last_review=card.last_review,
            reps=schedule.reps + 1,
            lapses=schedule.lapses + (1 if lapsed else 0),
        )


def to_fsrs_card(card_id: int, schedule: Schedule, now: datetime) -> fsrs.Card:
    """The fsrs view of a stored schedule at `now`; the id is always passed (fsrs sleeps
    1 ms per card otherwise)."""
    if schedule.state == CardState.NEW:
        return fsrs.Card(card_id=card_id, state=fsrs.State.Learning, step=0, due=_utc(now))
    if schedule.due is None:
        raise ValueError(f"card {card_id} has state {schedule.state.name} but no due date")
    return fsrs.Card(
        card_id=card_id,
        state=fsrs.State(int(schedule.state)),
        step=schedule.step,
        stability=schedule.stability,
        difficulty=schedule.difficulty,
        due=_utc(schedule.due),
        last_review=_utc(schedule.last_review) if schedule.last_review else None,
    )


def forget(schedule: Schedule) -> Schedule:
    """A schedule reset to new, keeping the counts (Anki's Forget)."""
    return replace(NEW_SCHEDULE, reps=schedule.reps, lapses=schedule.lapses)


def format_interval(interval: timedelta) -> str:
    """A short interval label as on Anki's answer buttons: 10m, 3h, 4d, 1.5mo, 2.1y."""
    seconds = interval.total_seconds()
    if seconds < 60:
        return "<1m"
    minutes = seconds / 60
    if minutes < 60:
        return f"{round(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(UTC)
