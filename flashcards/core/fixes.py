"""The plan's fixes: what would make everything fit, searched on the plan reduced to
minutes (`MinutesModel`), cheap enough to re-run for other budgets and interview days.

Bounded: each search is a bisection (about ten runs of the model, a few more for the
interview day, which gallops up first), and the searches are cached on their input, so
a plan opened again with nothing changed costs no search at all.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from flashcards.core.budgets import WeekBudgets
from flashcards.core.fitting import (
    SLACK,
    Change,
    FittedTask,
    TaskToFit,
    TaskWeeks,
    card_room,
    day_task_minutes,
    fit_tasks,
    headroom,
    new_card_reserve,
    new_for_day,
    task_ranges,
    to_fit,
)
from flashcards.core.fsrs_vector import FloatArray

__all__ = ["Fixes", "MinutesModel", "Outcome", "find_fixes", "needed_new_cap", "run_model",
           "task_ranges"]


@dataclass(frozen=True)
class MinutesModel:
    """The plan reduced to minutes: the reviews of cards already studied per day (from
    the full forecast), each new card's learning minutes and the review minutes it adds
    later, and the tasks by weeks (see `task_ranges`). Hashable: the searches are cached
    on it."""

    week: WeekBudgets
    review_minutes: tuple[float, ...]  # reviews of cards already studied, days 0..horizon
    horizon: int
    window: int  # the final window (no new cards in it nor the lead days before it)
    new_cards: int
    new_cap: int
    new_done_today: int
    seconds_per_new: float
    # Review minutes a new card brings on each day after its first (index: days since).
    review_profile: tuple[float, ...]
    seconds_per_review: float
    tasks: tuple[TaskWeeks, ...]
    plan_offset: int  # plan start minus today, in days (<= 0)
    plan_weeks: int = 4
    # Today's new cards still to study when the day's target is fixed already (it
    # stands whatever the fix: the new cards the other days must take are the rest).
    new_today: int | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    unplaced_new: int
    changed_tasks: int  # moved out of their weeks, split, shortened or not planned
    dropped_minutes: int  # minutes of tasks not planned, or cut when shortened
    days_over: int
    minutes_over: float
    # Days over budget where the reviews due alone do not exceed it.
    avoidable_days_over: int = 0
    # Minutes not planned or cut that some day's room (beside its reviews) could hold
    # whole: a task longer than every day's room is excused (a longer runway cannot
    # help it; a weekday's budget can).
    avoidable_dropped_minutes: int = 0

    @property
    def fits(self) -> bool:
        """Everything fits: every new card placed, no task left out or shortened, no
        day over budget."""
        return not (self.unplaced_new or self.dropped_minutes or self.days_over)

    @property
    def fits_at_budget(self) -> bool:
        """Everything fits as far as this budget allows: every new card placed, nothing
        left out or cut that a day could hold, no day over budget except where the
        reviews due alone exceed it."""
        return not (self.unplaced_new or self.avoidable_dropped_minutes
                    or self.avoidable_days_over)


def run_model(model: MinutesModel, budget: float, horizon: int) -> Outcome:
    """The plan in minutes at a daily `budget` with the interview on day `horizon`, as
    the planner makes it: required and pinned tasks first against the reviews (keeping
    room for new cards where they can), the new cards paced into what they leave, then
    every task against the cards."""
    window = model.window
    budgets = model.week.minutes(horizon + 1, budget).tolist()
    weights = model.week.weights(horizon + 1, budget).tolist()
    base = [_known_reviews(model, horizon, d) for d in range(horizon + 1)]
    tasks = to_fit(model.tasks, model.plan_offset, horizon, model.plan_weeks)
    fixed = [t for t in tasks if t.required or t.pinned]
    last_new = horizon - window
    reserve = new_card_reserve(weights, model.new_cards, last_new,
                               model.seconds_per_new, model.seconds_per_review)
    first_room = [budgets[d] - base[d] - headroom(base[d] + reserve[d])
                  for d in range(horizon + 1)]
    first = fit_tasks(first_room, fixed, reserve, explain=False)
    required = day_task_minutes(first, horizon + 1)
    queue, cards, extra = _pace_new_cards(model, horizon, budgets, weights, base, required)
    fitted = fit_tasks([budgets[d] - cards[d] - headroom(cards[d]) for d in range(horizon + 1)],
                       with_preference(tasks, first), explain=False)
    reviews_due = [base[d] + float(extra[d]) for d in range(horizon + 1)]
    whole = {t.id for t in tasks if t.sitting or not t.required}
    return _model_outcome(queue, fitted, whole, budgets, cards, reviews_due)


def with_preference(tasks: list[TaskToFit], first: list[FittedTask]) -> list[TaskToFit]:
    """`tasks`, each of those the first pass planned preferring the parts it got there
    (the new cards were paced around them)."""
    parts = {f.id: f.parts for f in first if f.parts}
    return [replace(t, prefer=parts[t.id]) if t.id in parts and not t.pinned else t
            for t in tasks]


def _known_reviews(model: MinutesModel, horizon: int, day: int) -> float:
    """Review minutes of the cards already studied on `day`, with the interview on day
    `horizon`: the final window keeps its shape; extra days before it look like the
    days just before the window."""
    known, window = model.horizon, model.window
    if horizon == known or day < min(horizon, known) - window:
        return model.review_minutes[min(day, known)]
    if day >= horizon - window:
        return model.review_minutes[max(known - (horizon - day), 0)]
    before = model.review_minutes[max(known - window - 7, 0):max(known - window, 1)]
    return sum(before) / max(len(before), 1)


def _profile_for(profile: tuple[float, ...], horizon: int) -> FloatArray:
    """The review profile over `horizon` days: past the forecast it came from, a card
    keeps bringing the reviews of its last days (the mean of the last three), not none."""
    known = np.asarray(profile, dtype=np.float64)
    if known.size >= horizon + 1 or known.size < 2:
        return known
    tail = float(known[max(known.size - 3, 1):].mean())
    return np.concatenate([known, np.full(horizon + 1 - known.size, tail)])


def _add_reviews(extra: FloatArray, profile: FloatArray, day: int, new: int) -> None:
    """The review minutes `new` cards introduced on `day` bring on the days after it."""
    if not new:
        return
    span = min(extra.size - day - 1, profile.size - 1)
    if span > 0:
        extra[day + 1:day + 1 + span] += new * profile[1:span + 1]


def _pace_new_cards(model: MinutesModel, horizon: int, budgets: list[float],
                    weights: list[float], base: list[float], required: list[int]
                    ) -> tuple[int, list[float], FloatArray]:
    """New cards paced day by day into what the reviews and the required tasks leave
    (as the planner does): the cards left unplaced, the card minutes per day, and the
    review minutes the new cards bring per day."""
    last_new = horizon - model.window
    extra = np.zeros(horizon + 1)
    profile = _profile_for(model.review_profile, horizon)
    queue = model.new_cards
    cards = []
    weights_left = sum(weights[d] for d in range(max(last_new + 1, 0)))
    for d in range(horizon + 1):
        card_minutes = base[d] + float(extra[d])
        new = 0
        if d <= last_new:
            cap = model.new_cap - (model.new_done_today if d == 0 else 0)
            spare = card_room(budgets[d], required[d]) - card_minutes
            new = new_for_day(queue, weights[d], weights_left, cap, spare,
                              model.seconds_per_new)
            weights_left -= weights[d]
        if d == 0 and model.new_today is not None:
            new = max(0, min(model.new_today, queue))
        queue -= new
        _add_reviews(extra, profile, d, new)
        cards.append(card_minutes + new * model.seconds_per_new / 60)
    return queue, cards, extra


def _model_outcome(unplaced: int, fitted: list[FittedTask], whole: set[int],
                   budgets: list[float], cards: list[float], reviews_due: list[float]
                   ) -> Outcome:
    """The minutes model's figures: what was left out and which days run over, and how
    much of that a longer runway at this budget could avoid (`whole`: the tasks that
    are never split, which no runway helps when no day holds them)."""
    days = range(len(budgets))
    task_minutes = day_task_minutes(fitted, len(budgets))
    over = [cards[d] + task_minutes[d] - budgets[d] for d in days]
    changed = [f for f in fitted if f.change != Change.KEPT]
    avoidable_over = sum(1 for d in days if over[d] > SLACK
                         and reviews_due[d] <= budgets[d] + SLACK)
    # The most any day holds beside its reviews: a task never split that is longer than
    # that cannot fit at this budget whatever the interview day.
    roomiest = max(budgets[d] - reviews_due[d] - headroom(reviews_due[d]) for d in days)
    avoidable_dropped = sum(f.minutes - f.planned_minutes for f in fitted
                            if f.id not in whole or f.minutes <= roomiest + SLACK)
    return Outcome(unplaced, len(changed),
                   sum(f.minutes - f.planned_minutes for f in fitted),
                   sum(1 for o in over if o > SLACK), float(sum(o for o in over if o > SLACK)),
                   avoidable_over, avoidable_dropped)


@dataclass(frozen=True)
class Fixes:
    """What would make the plan fit, each with the other settings as they are:

    - `budget`: the daily budget at which everything fits (`Outcome.fits`); when the
      new-card limit also keeps cards out, at the limit `budget_new_cap` (the two go
      together);
    - `interview_day` (days from today): the interview at which everything fits as far
      as the current budget allows (`Outcome.fits_at_budget`); at the current new-card
      limit when a later day does it, else with the limit raised to `interview_new_cap`;
    - `new_cap`: the new-card limit every new card needs before the final window at the
      current interview (None: the limit keeps none out).

    None where no value up to the search's limit does it."""

    budget: int | None
    interview_day: int | None
    new_cap: int | None = None
    budget_new_cap: int | None = None
    interview_new_cap: int | None = None


def needed_new_cap(model: MinutesModel, horizon: int) -> int | None:
    """The new-card limit that lets every new card in before the final window with the
    interview on day `horizon`, when the model's limit is lower (None: it is enough, or
    no day takes new cards)."""
    first = 0 if model.new_today is None else 1  # today's fixed target stands
    weights = model.week.weights(max(horizon - model.window + 1, 0))
    new_days = float(weights[first:].sum())
    cards = model.new_cards + model.new_done_today
    if model.new_today is not None:
        cards = model.new_cards - min(model.new_today, model.new_cards)
    if not new_days or cards <= 0:
        return None
    needed = math.ceil(cards / new_days)
    return needed if needed > model.new_cap else None


@functools.lru_cache(maxsize=128)
def find_fixes(model: MinutesModel, budget: int, *, max_budget: int = 600,
               max_horizon: int = 365) -> Fixes:
    """The fixes, by bisection on the minutes model; the interview day is searched up
    from the current one in doubling steps first. Cached on the model: the same plan
    opened again searches nothing."""
    new_cap = needed_new_cap(model, model.horizon)
    capped = replace(model, new_cap=new_cap) if new_cap is not None else model
    budget_fix = _smallest(lambda b: run_model(capped, b, model.horizon).fits,
                           budget, max_budget)
    top = max(max_horizon, model.horizon)
    interview_fix = _smallest(lambda h: run_model(model, budget, h).fits_at_budget,
                              model.horizon, top, gallop=True)
    interview_cap = None
    if interview_fix is None and new_cap is not None:
        # No later day does it at the current limit: a raised one (the limit the current
        # interview needs is enough for any later one).
        interview_fix = _smallest(lambda h: run_model(capped, budget, h).fits_at_budget,
                                  model.horizon, top, gallop=True)
        if interview_fix is not None:
            interview_cap = new_cap
            lower = needed_new_cap(model, interview_fix)
            if lower is not None and lower < new_cap and run_model(
                    replace(model, new_cap=lower), budget, interview_fix).fits_at_budget:
                interview_cap = lower
    return Fixes(budget_fix, interview_fix, new_cap,
                 new_cap if budget_fix is not None else None, interview_cap)


def _smallest(fits: Callable[[int], bool], low: int, high: int, *,
              gallop: bool = False) -> int | None:
    """A value in (low, high] that fits, the smallest by bisection (None: `high` does
    not fit, or `low` does already: there is nothing to fix). The fitting is greedy, so
    not strictly monotone: the value found fits (it was run), and is the one bisection
    finds, the same on every search. With `gallop`, the steps up from `low` double until
    one fits (runs at far interview days cost the most, and the fix is usually near)."""
    fits = functools.cache(fits)  # each value runs the model once
    if high <= low or fits(low):
        return None
    if gallop:
        step = max(low, 1)
        while low + step < high and not fits(low + step):
            low, step = low + step, step * 2
        high = min(low + step, high)
    if not fits(high):
        return None
    while high - low > 1:
        middle = (low + high) // 2
        if fits(middle):
            high = middle
        else:
            low = middle
    return high
