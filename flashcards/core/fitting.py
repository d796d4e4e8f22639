"""One budget for cards and tasks: the rules that fit a day's tasks into the minutes
the cards leave, and the minutes-only model the plan's fixes are searched with.

Pure and minutes-only: days are whole numbers counted from today (day 0), a day's
room is its budget (daily minutes x Easy Days factor) less what is already on it.

The order under pressure (issue 12): tasks the user pinned stay where they are;
required tasks get room before new cards (the planner paces new cards into what they
leave) and may slip out of their weeks, or be split over consecutive days when no
single day can hold them; optional tasks take what is left: kept where they are,
moved to a day of their weeks with room, shortened, or dropped from the plan (the task
itself stays in the list). A day runs over only when what cannot give way (reviews due
and required or pinned tasks) is more than its budget.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np

from flashcards.core.fsrs_vector import FloatArray

# Minutes a day may go past its budget before it counts as over (as PlanDay does).
SLACK = 0.5
# An optional task is shortened to no less than this share of it, nor under MIN_PART.
SHORTEST_SHARE = 0.5
# The shortest part of a split task, and of a shortened one.
MIN_PART = 15
# Tasks leave this much of a day free beside the cards: a day's reviews are a forecast
# (a few percent off either way), and a day packed to the minute would run over on
# about every other day as studied.
HEADROOM_SHARE = 0.15
HEADROOM_MINUTES = 1.0


def headroom(card_minutes: float) -> float:
    """Minutes of a day kept free of tasks beside `card_minutes` of forecast cards."""
    return HEADROOM_MINUTES + HEADROOM_SHARE * max(card_minutes, 0.0)


class Change(StrEnum):
    """What the fitting did to a task, against the day it had (or its weeks)."""

    KEPT = "kept"  # on its day, or placed inside its weeks for the first time
    MOVED = "moved"
    SPLIT = "split"
    SHORTENED = "shortened"
    DROPPED = "dropped"


@dataclass(frozen=True, slots=True)
class TaskToFit:
    """A task as the fitting sees it. `day` is where it is now (None: not placed yet);
    `first`-`last` are the days of its weeks, `reach_first`-`reach_last` the days a
    required task may slip to when its weeks are full (the same days for the light day
    before the interview)."""

    id: int
    minutes: int
    required: bool
    pinned: bool
    day: int | None
    first: int
    last: int
    reach_first: int
    reach_last: int


@dataclass(frozen=True, slots=True)
class FittedTask:
    id: int
    minutes: int  # as asked for
    parts: tuple[tuple[int, int], ...]  # (day, minutes) planned; empty when dropped
    change: Change
    day: int  # where it shows: its first part, or (dropped) where it was
    from_day: int | None  # the day it had before (None: not placed before)

    @property
    def planned_minutes(self) -> int:
        return sum(minutes for _, minutes in self.parts)


def _fits(room: float, minutes: float) -> bool:
    return room + SLACK >= minutes


def _split(room: list[float], minutes: int, start: int, stop: int, *,
           overflow: bool = False) -> list[tuple[int, int]]:
    """Days from `start` (at most `stop`) whose room holds `minutes` together, each part
    at least MIN_PART (days with less are skipped); [] when they cannot. With
    `overflow`, for a task the days cannot hold together: their room is filled and what
    is left goes on the part with the most room, whose day then runs over (by a little,
    where the whole task on one day would run over by most of it)."""
    parts: list[tuple[int, int]] = []
    left = minutes
    for day in range(start, stop + 1):
        chunk = min(left, int(math.floor(room[day] + SLACK)))
        if 0 < left - chunk < MIN_PART:
            chunk = left - MIN_PART  # no part shorter than MIN_PART, the last one included
        if chunk < MIN_PART:
            continue  # too little room that day: the next one
        parts.append((day, chunk))
        left -= chunk
        if left <= 0:
            return parts
    if not overflow or not parts:
        return []
    k = max(range(len(parts)), key=lambda i: (room[parts[i][0]] - parts[i][1], -i))
    parts[k] = (parts[k][0], parts[k][1] + left)
    return parts


def _best_split(room: list[float], minutes: int, first: int,
                stop: int) -> list[tuple[int, int]]:
    """The split over the fewest days, starting as early as it can."""
    splits = [_split(room, minutes, start, stop) for start in range(first, stop + 1)]
    return min((s for s in splits if s), key=len, default=[])


def fit_tasks(room: Sequence[float], tasks: Sequence[TaskToFit],
              reserve: Sequence[float] | None = None) -> list[FittedTask]:
    """Where each task goes given each day's room (a list over days 0..horizon). Pinned
    tasks first, then required, then optional; inside each group the tasks already on a
    day that still holds them stay (a required one split before is split again from
    that day), then the others go, earliest weeks first, to the day of their weeks with
    the most room (ties: the earliest).

    A required task that does not fit: to the nearest day of its reach with room, else
    split over days (parts of at least MIN_PART minutes), else into the
    `reserve` (minutes kept for new cards, which then give way) whole or split, else it
    stays whole and its day runs over. An optional one:
    moved inside its weeks, else shortened (to no less than half, MIN_PART minutes),
    else dropped from the plan."""
    fitting = _Fitting(list(room), list(reserve) if reserve is not None else [0.0] * len(room))
    for task in sorted((t for t in tasks if t.pinned and t.day is not None),
                       key=lambda t: (t.day, t.id)):
        fitting.put(task, ((fitting.clip(task.day or 0), task.minutes),))
    for required in (True, False):
        fitting.place_group([t for t in tasks
                             if t.required == required and t.id not in fitting.placed])
    result = []
    for task in tasks:
        planned = fitting.placed[task.id]
        home = fitting.clip(task.day) if task.day is not None else fitting.clip(task.first)
        result.append(FittedTask(task.id, task.minutes, planned, change_of(task, planned),
                                 planned[0][0] if planned else home, task.day))
    return result


@dataclass
class _Fitting:
    """fit_tasks's state: each day's room `left` (tasks placed so far taken off), the
    minutes `kept` for new cards, and the parts placed so far by task id."""

    left: list[float]
    kept: list[float]
    placed: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)

    @property
    def horizon(self) -> int:
        return len(self.left) - 1

    def clip(self, day: int) -> int:
        return min(max(day, 0), self.horizon)

    def free(self, day: int) -> float:
        return self.left[day] - self.kept[day]

    def free_days(self) -> list[float]:
        return [f - k for f, k in zip(self.left, self.kept, strict=True)]

    def put(self, task: TaskToFit, parts: tuple[tuple[int, int], ...]) -> None:
        self.placed[task.id] = parts
        for day, minutes in parts:
            self.left[day] -= minutes

    def place_group(self, group: list[TaskToFit]) -> None:
        """The tasks already on a day that still holds them stay; then the others go,
        earliest weeks first."""
        # In the order they are placed in, so a plan made before comes out the same.
        pending = [task for task in sorted((t for t in group if t.day is not None),
                                           key=lambda t: (t.first, t.last, t.id))
                   if not self.keep(task)]
        pending += [t for t in group if t.day is None]
        pending.sort(key=lambda t: (t.first, t.last, t.id))
        for task in pending:
            self.place(task)

    def keep(self, task: TaskToFit) -> bool:
        """Where it is, it stays while the day holds it (beside the reserve); a required
        task split before is split again from its first day. False: it is to be placed."""
        day = self.clip(task.day or 0)
        if task.first <= day <= task.reach_last and _fits(self.free(day), task.minutes):
            self.put(task, ((day, task.minutes),))
            return True
        again = (_split(self.free_days(), task.minutes, day, self.clip(task.reach_last))
                 if task.required and task.minutes > self.free(day) + SLACK
                 and self.free(day) >= MIN_PART and task.first <= day else [])
        if again:
            self.put(task, tuple(again))
        return bool(again)

    def place(self, task: TaskToFit) -> None:
        """To the day of its weeks with the most room, when it fits there; else as a
        required or an optional task that does not fit."""
        first, last = self.clip(task.first), self.clip(max(task.last, task.first))
        best = min(range(first, last + 1), key=lambda d: (-self.free(d), d))
        if _fits(self.free(best), task.minutes):
            self.put(task, ((best, task.minutes),))
        elif task.required:
            self.put(task, self._squeeze(task, first, last, best))
        else:
            shortest = max(MIN_PART, math.ceil(task.minutes * SHORTEST_SHARE))
            if self.free(best) + SLACK >= shortest:
                self.put(task, ((best, int(math.floor(self.free(best) + SLACK))),))
            else:
                self.placed[task.id] = ()

    def _squeeze(self, task: TaskToFit, first: int, last: int,
                 best: int) -> tuple[tuple[int, int], ...]:
        """The parts of a required task its weeks (`first`-`last`) cannot hold."""
        reach = [d for d in range(self.clip(task.reach_first), self.clip(task.reach_last) + 1)
                 if not first <= d <= last]
        reach.sort(key=lambda d: (d - last if d > last else first - d + 0.5))
        slip = next((d for d in reach if _fits(self.free(d), task.minutes)), None)
        if slip is not None:
            return ((slip, task.minutes),)
        stop = self.clip(task.reach_last)
        # Split over days before new cards give way; then new cards give way.
        parts = (_best_split(self.free_days(), task.minutes, first, stop)
                 or next(([(d, task.minutes)] for d in [*range(first, last + 1), *reach]
                          if _fits(self.left[d], task.minutes)), [])
                 or _best_split(self.left, task.minutes, first, stop))
        if parts:
            return tuple(parts)
        # Nothing holds it: split from earlier days of its reach, else over all the days
        # it may take with the rest on one (that day runs over), else it stays whole and
        # its day runs over.
        parts = (_best_split(self.left, task.minutes, self.clip(task.reach_first), stop)
                 or _split(self.left, task.minutes, first, stop, overflow=True)
                 or [(self.clip(task.day) if task.day is not None else best, task.minutes)])
        return tuple(parts)


def change_of(task: TaskToFit, parts: tuple[tuple[int, int], ...]) -> Change:
    """What the fitting did to `task` by planning it as `parts`. A task outside its weeks
    (and not pinned there by the user) counts as moved, as long as it stays there."""
    if not parts:
        return Change.DROPPED
    if len(parts) > 1:
        return Change.SPLIT
    day, minutes = parts[0]
    if minutes < task.minutes:
        return Change.SHORTENED
    if task.pinned:
        return Change.KEPT
    if not task.first <= day <= task.last:
        return Change.MOVED
    return Change.KEPT if task.day is None or day == task.day else Change.MOVED


def day_task_minutes(fitted: Sequence[FittedTask], days: int) -> list[int]:
    """Planned task minutes per day 0..days-1."""
    minutes = [0] * days
    for task in fitted:
        for day, part in task.parts:
            if 0 <= day < days:
                minutes[day] += part
    return minutes


def new_for_day(queue: int, factor: float, weights_left: float, cap: int, spare: float,
                seconds_per_new: float) -> int:
    """New cards for a day: an even share of the `queue` over the days left (by Easy
    Days weight), as the new-card cap and the spare minutes allow."""
    if queue <= 0 or weights_left <= 0:
        return 0
    share = math.ceil(queue * factor / weights_left)
    by_budget = int(max(spare, 0.0) * 60 // max(seconds_per_new, 1.0))
    return max(0, min(share, cap, by_budget, queue))


# Reviews per day that each card introduced so far brings, in the first weeks of a plan
# (the forecast of the bundled decks: about 0.15); only sizes the room kept for cards.
NEW_CARD_REVIEWS_PER_DAY = 0.15


def new_card_reserve(factors: Sequence[float], new_cards: int, last_new_day: int,
                     seconds_per_new: float, seconds_per_review: float) -> list[float]:
    """Minutes per day kept for new cards while required tasks are placed: an even
    share of them (by Easy Days weight) up to `last_new_day`, and the reviews the cards
    introduced so far bring."""
    weights = [float(f) for f in factors[:max(last_new_day + 1, 0)]]
    total = sum(weights)
    if not new_cards or not total:
        return [0.0] * len(factors)
    reserve = []
    introduced = 0.0
    for day, factor in enumerate(factors):
        share = new_cards * weights[day] / total if day < len(weights) else 0.0
        reserve.append(share * seconds_per_new / 60 + min(introduced, new_cards)
                       * NEW_CARD_REVIEWS_PER_DAY * seconds_per_review / 60 * float(factor))
        introduced += share
    return reserve


# -- the minutes-only model the fixes are searched with ----------------------------


@dataclass(frozen=True)
class MinutesModel:
    """The plan reduced to minutes, cheap enough to re-run for other budgets and
    interview days: the reviews of cards already studied per day (from the full
    forecast), each new card's learning minutes and the review minutes it adds later,
    and the tasks by weeks (see `task_ranges`)."""

    factors: Sequence[float]  # Easy Days factor per day, at least MAX horizon + 1 long
    review_minutes: Sequence[float]  # reviews of cards already studied, days 0..horizon
    horizon: int
    window: int  # the final window (no new cards in it nor the lead days before it)
    new_cards: int
    new_cap: int
    new_done_today: int
    seconds_per_new: float
    # Review minutes a new card brings on each day after its first (index: days since).
    review_profile: Sequence[float]
    seconds_per_review: float
    tasks: Sequence[TaskWeeks]
    plan_offset: int  # plan start minus today, in days (<= 0)
    plan_weeks: int = 4
    # Today's new cards still to study when the day's target is fixed already (it
    # stands whatever the fix: the new cards the other days must take are the rest).
    new_today: int | None = None


@dataclass(frozen=True, slots=True)
class TaskWeeks:
    """A task as the planner gets it: `day` is where it is (days from today; None: not
    placed yet), `pinned` when the user chose that day (it stays there)."""

    id: int
    minutes: int
    required: bool
    pinned: bool
    day: int | None
    earliest_week: int
    latest_week: int
    rest: bool
    # The first day it may go on: 1 for a task a part of which was done today (the rest
    # goes on the days after).
    not_before: int = 0
    # Its place in the user's list: when not every required task fits, the earlier ones
    # are kept (and tasks are placed in this order, prerequisites first).
    rank: int = 0
    # The ids of the tasks (still to do) that must be done on an earlier day.
    after: tuple[int, ...] = ()
    # Done in one sitting (a mock interview): never split or shortened.
    sitting: bool = False
    # "Plan it anyway": the user accepts its day running over when no day holds it.
    anyway: bool = False

    @property
    def pinned_day(self) -> int | None:
        return self.day if self.pinned else None


@dataclass(frozen=True, slots=True)
class Outcome:
    unplaced_new: int
    changed_tasks: int  # moved out of their weeks, split, shortened or dropped
    dropped_minutes: int
    days_over: int
    minutes_over: float
    # Days over budget where the reviews due alone do not exceed it: the days over that
    # a longer runway at this budget can avoid (by spreading or splitting the tasks).
    avoidable_days_over: int = 0
    # Minutes dropped or cut from optional tasks that some day's room (beside its
    # reviews) could hold whole: a task longer than every day's room is excused.
    avoidable_dropped_minutes: int = 0

    @property
    def fits(self) -> bool:
        """Everything fits: every new card placed, no task dropped or shortened, no day
        over budget (a budget that fits holds the required tasks too)."""
        return not (self.unplaced_new or self.dropped_minutes or self.days_over)

    @property
    def fits_at_budget(self) -> bool:
        """Everything fits as far as this budget allows: every new card placed, nothing
        dropped or cut that a day could hold, no day over budget except where the reviews
        due alone exceed it (a required task longer than the budget is split over days)."""
        return not (self.unplaced_new or self.avoidable_dropped_minutes
                    or self.avoidable_days_over)


def week_range(offset: int, horizon: int, week: int, weeks: int = 4) -> tuple[int, int]:
    """Days (first, last) of plan week 1-`weeks`, counted from today, for a plan that
    started `offset` days from today (<= 0) and ends on day `horizon` (the interview);
    the day before the interview is kept for rest (as planner.week_days)."""
    length = max(horizon - offset, 1)
    first = offset + math.floor((week - 1) * length / weeks)
    last = offset + max(math.floor(week * length / weeks) - 1, 0)
    return first, min(last, horizon - (2 if length > 2 else 1))


def task_ranges(task: TaskWeeks, offset: int, horizon: int,
                weeks: int = 4) -> tuple[int, int, int, int]:
    """(first, last, reach_first, reach_last) days of a task for the fitting: its weeks
    (from today on), and the days a required task may slip to (today up to two days
    before the interview); the light day goes on the eve and nowhere else."""
    eve = max(horizon - 1, 0)
    if task.rest:
        eve = max(eve, task.not_before)
        return eve, eve, eve, eve
    first = max(week_range(offset, horizon, task.earliest_week, weeks)[0], task.not_before)
    last = max(week_range(offset, horizon, task.latest_week, weeks)[1], first)
    last = min(last, max(eve - 1, first))
    return first, last, task.not_before, max(eve - 1, first)


def to_fit(tasks: Sequence[TaskWeeks], offset: int, horizon: int, weeks: int = 4, *,
           keep_days: bool = True) -> list[TaskToFit]:
    """The tasks with their days for the fitting (see task_ranges)."""
    fit = []
    for task in tasks:
        first, last, reach_first, reach_last = task_ranges(task, offset, horizon, weeks)
        day = task.day if keep_days or task.pinned else None
        fit.append(TaskToFit(task.id, task.minutes, task.required, task.pinned, day, first,
                             last, reach_first, reach_last))
    return fit


def _add_reviews(extra: FloatArray, profile: FloatArray, day: int, new: int) -> None:
    """The review minutes `new` cards introduced on `day` bring on the days after it."""
    if not new:
        return
    span = min(extra.size - day - 1, profile.size - 1)
    if span > 0:
        extra[day + 1:day + 1 + span] += new * profile[1:span + 1]


def _profile_for(profile: Sequence[float], horizon: int) -> FloatArray:
    """The review profile over `horizon` days: past the forecast it came from, a card
    keeps bringing the reviews of its last days (the mean of the last three), not none."""
    known = np.asarray(profile, dtype=np.float64)
    if known.size >= horizon + 1 or known.size < 2:
        return known
    tail = float(known[max(known.size - 3, 1):].mean())
    return np.concatenate([known, np.full(horizon + 1 - known.size, tail)])


def run_model(model: MinutesModel, budget: float, horizon: int) -> Outcome:
    """The plan in minutes at a daily `budget` with the interview on day `horizon`."""
    window = model.window
    budgets = [budget * model.factors[d] for d in range(horizon + 1)]
    base = [_known_reviews(model, horizon, d) for d in range(horizon + 1)]
    # At another interview day the plan re-spreads the tasks it placed; at this one they
    # start where they are.
    tasks = to_fit(model.tasks, model.plan_offset, horizon, model.plan_weeks,
                   keep_days=horizon == model.horizon)
    fixed = [t for t in tasks if t.required or t.pinned]
    last_new = horizon - window
    # Required tasks first, against the reviews, keeping room for new cards (as plan).
    reserve = new_card_reserve(model.factors[:horizon + 1], model.new_cards, last_new,
                               model.seconds_per_new, model.seconds_per_review)
    first_room = [budgets[d] - base[d] - headroom(base[d] + reserve[d])
                  for d in range(horizon + 1)]
    required = day_task_minutes(fit_tasks(first_room, fixed, reserve), horizon + 1)
    queue, cards, extra = _pace_new_cards(model, horizon, budgets, base, required)
    fitted = fit_tasks([budgets[d] - cards[d] - headroom(cards[d]) for d in range(horizon + 1)],
                       tasks)
    # What no interview day changes: the reviews due.
    reviews_due = [base[d] + float(extra[d]) for d in range(horizon + 1)]
    return _model_outcome(queue, fitted, {t.id for t in fixed}, budgets, cards, reviews_due)


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


def _pace_new_cards(model: MinutesModel, horizon: int, budgets: list[float],
                    base: list[float], required: list[int]
                    ) -> tuple[int, list[float], FloatArray]:
    """New cards paced day by day into what the reviews and the required tasks leave
    (as plan): the cards left unplaced, the card minutes per day, and the review
    minutes the new cards bring per day."""
    last_new = horizon - model.window
    extra = np.zeros(horizon + 1)  # review minutes the new cards bring
    profile = _profile_for(model.review_profile, horizon)
    queue = model.new_cards
    cards = []
    weights_left = sum(model.factors[d] for d in range(max(last_new + 1, 0)))
    for d in range(horizon + 1):
        card_minutes = base[d] + float(extra[d])
        new = 0
        if d <= last_new:
            cap = model.new_cap - (model.new_done_today if d == 0 else 0)
            spare = budgets[d] - card_minutes - required[d]
            new = new_for_day(queue, model.factors[d], weights_left, cap, spare,
                              model.seconds_per_new)
            weights_left -= model.factors[d]
        if d == 0 and model.new_today is not None:
            new = max(0, min(model.new_today, queue))
        queue -= new
        _add_reviews(extra, profile, d, new)
        cards.append(card_minutes + new * model.seconds_per_new / 60)
    return queue, cards, extra


def _model_outcome(unplaced: int, fitted: list[FittedTask], fixed_ids: set[int],
                   budgets: list[float], cards: list[float],
                   reviews_due: list[float]) -> Outcome:
    """The minutes model's figures: what was left out and which days run over, and how
    much of that a longer runway at this budget could avoid."""
    days = range(len(budgets))
    task_minutes = day_task_minutes(fitted, len(budgets))
    over = [cards[d] + task_minutes[d] - budgets[d] for d in days]
    changed = [f for f in fitted if f.change != Change.KEPT]
    avoidable_over = sum(1 for d in days if over[d] > SLACK
                         and reviews_due[d] <= budgets[d] + SLACK)
    # The most any day holds beside its reviews: an optional task longer than that
    # cannot fit at this budget whatever the interview day.
    roomiest = max(budgets[d] - reviews_due[d] - headroom(reviews_due[d]) for d in days)
    avoidable_dropped = sum(f.minutes - f.planned_minutes for f in fitted
                            if f.id not in fixed_ids and f.minutes <= roomiest + SLACK)
    return Outcome(unplaced, len(changed),
                   sum(f.minutes - f.planned_minutes for f in fitted),
                   sum(1 for o in over if o > SLACK), float(sum(o for o in over if o > SLACK)),
                   avoidable_over, avoidable_dropped)


@dataclass(frozen=True)
class Fixes:
    """What would make the plan fit, each with the other settings as they are:

    - `budget`: the smallest daily budget at which everything fits (`Outcome.fits`: the
      budget holds the required tasks too); when the new-card limit also keeps cards
      out, at the limit `budget_new_cap` (the two go together);
    - `interview_day` (days from today): the earliest interview at which everything
      fits as far as the current budget allows (`Outcome.fits_at_budget`); at the
      current new-card limit when a later day does it, else with the limit raised to
      `interview_new_cap`;
    - what keeping every task and new card at the current budget would cost in days
      over budget;
    - `new_cap`: the new-card limit every new card needs before the final window at the
      current interview (None: the limit keeps none out).

    None where no value up to the search's limit does it."""

    budget: int | None
    interview_day: int | None
    keep_all_days_over: int
    keep_all_minutes_over: float
    new_cap: int | None = None
    budget_new_cap: int | None = None
    interview_new_cap: int | None = None


def needed_new_cap(model: MinutesModel, horizon: int) -> int | None:
    """The new-card limit that lets every new card in before the final window with the
    interview on day `horizon`, when the model's limit is lower (None: it is enough, or
    no day takes new cards)."""
    first = 0 if model.new_today is None else 1  # today's fixed target stands
    new_days = sum(model.factors[d] for d in range(first, max(horizon - model.window + 1, 0)))
    cards = model.new_cards + model.new_done_today
    if model.new_today is not None:
        cards = model.new_cards - min(model.new_today, model.new_cards)
    if not new_days or cards <= 0:
        return None
    needed = math.ceil(cards / new_days)
    return needed if needed > model.new_cap else None


def find_fixes(model: MinutesModel, budget: int, *, max_budget: int = 720,
               max_horizon: int = 365) -> Fixes:
    """Bisection on the minutes model (about ten runs per search, and a few values below
    the answer: the fitting is greedy, so not strictly monotone); the interview day is
    searched up from the current one in doubling steps first."""
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
    keep = _keep_all(model, budget)
    return Fixes(budget_fix, interview_fix, keep[0], keep[1], new_cap,
                 new_cap if budget_fix is not None else None, interview_cap)


def _smallest(fits: Callable[[int], bool], low: int, high: int, *,
              gallop: bool = False) -> int | None:
    """The smallest value in (low, high] that fits, by bisection (None: `high` does not
    fit, or `low` does already: there is nothing to fix). With `gallop`, the steps up
    from `low` double until one fits (runs at far interview days cost the most, and the
    fix is usually near)."""
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
    return _earlier(fits, low, high)


def _earlier(fits: Callable[[int], bool], low: int, high: int, steps: int = 8) -> int:
    """`high` fits; greedy placement is not quite monotone, so a few values below it
    are tried too (the smallest that fits wins)."""
    best = high
    for value in range(high - 1, max(low, high - 1 - steps), -1):
        if fits(value):
            best = value
    return best


def _keep_all(model: MinutesModel, budget: float) -> tuple[int, float]:
    """Days over budget and minutes over when every task keeps its full length (on the
    day of its weeks with the most room) and every new card is introduced at the even
    pace, as the cap allows: nothing moved out of its weeks, shortened or dropped."""
    horizon = model.horizon
    last_new = horizon - model.window
    weights = [model.factors[d] for d in range(max(last_new + 1, 0))]
    minutes = [model.review_minutes[d] for d in range(horizon + 1)]
    extra = np.zeros(horizon + 1)
    profile = np.asarray(model.review_profile, dtype=np.float64)
    queue = model.new_cards
    for d in range(horizon + 1):
        minutes[d] += float(extra[d])
        if d > last_new or queue <= 0:
            continue
        cap = model.new_cap - (model.new_done_today if d == 0 else 0)
        new = max(0, min(queue, cap, math.ceil(queue * weights[d]
                                                / max(sum(weights[d:]), 1e-9))))
        queue -= new
        minutes[d] += new * model.seconds_per_new / 60
        _add_reviews(extra, profile, d, new)
    room = [model.factors[d] * budget - minutes[d] for d in range(horizon + 1)]
    for task in sorted(model.tasks, key=lambda t: (t.pinned_day is None, t.earliest_week,
                                                   t.latest_week, t.id)):
        first, last, _, _ = task_ranges(task, model.plan_offset, horizon, model.plan_weeks)
        day = (min(max(task.pinned_day, 0), horizon) if task.pinned_day is not None
               else min(range(first, last + 1), key=lambda d: (-room[d], d)))
        room[day] -= task.minutes
    return sum(1 for r in room if r < -SLACK), float(sum(-r for r in room if r < -SLACK))
