"""The preparation plan: forecast, new-card pacing, exam mode and task placement.

Pure: card states come in as arrays, days are whole numbers counted from today
(day 0), randomness comes from a seeded generator, and nothing here reads a clock.

Exam mode (see ARCHITECTURE.md, "Exam mode, precisely"): a review whose next due
date falls after interview day needs nothing more if the card's predicted recall on
the day is already at the target; otherwise it gets one final review inside the
window before the interview, as late as the load allows. `exam_due_day` decides this
for the live scheduler, for the forecast and for the morning's second look at the cards
already due after the interview (services.study.aim_at_interview), with the share of
the stability the user's answers bear out (services.optimizer.stability_factor).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

import numpy as np

from flashcards.core.fitting import (
    SLACK,
    Change,
    FittedTask,
    Fixes,
    MinutesModel,
    TaskWeeks,
    change_of,
    day_task_minutes,
    find_fixes,
    fit_tasks,
    headroom,
    new_card_reserve,
    new_for_day,
    to_fit,
)
from flashcards.core.fsrs_vector import AGAIN, GOOD, BoolArray, FloatArray, FsrsModel, IntArray

FINAL_WINDOW_DAYS = 3
# Days a new card needs after its first day for one spaced review before the window.
NEW_CARD_LEAD_DAYS = 3


class EasyDay(StrEnum):
    """A weekday's Easy Days code: one letter per weekday in Settings.easy_days."""

    NORMAL = "n"
    REDUCED = "r"
    MINIMUM = "m"


# The share of the daily budget the plan uses on such a day.
EASY_DAY_FACTORS: dict[str, float] = {EasyDay.NORMAL: 1.0, EasyDay.REDUCED: 0.5,
                                      EasyDay.MINIMUM: 0.0}
DEFAULT_SECONDS_PER_REVIEW = 12.0
DEFAULT_SECONDS_PER_NEW = 40.0
# The forecast's learner fails a brand-new card's first showing this often.
FIRST_SIGHT_AGAIN = 0.2
# Reviews a new card gets before the interview, for the fixes when no card was introduced.
REVIEWS_PER_NEW_CARD = 3.0
PLAN_WEEKS = 4
# The largest daily budget the settings accept (and so the largest fix to suggest).
MIN_BUDGET_MINUTES = 5  # the daily budget's range, wherever it is set
MAX_BUDGET_MINUTES = 600
# The furthest ahead an interview (and so the plan) may be: the plan steps every card
# through every day up to it, so this bounds its work (about a second for 365 days).
MAX_PLAN_DAYS = 365


def interview_date_problem(day: date, today: date, stored: date | None = None) -> str | None:
    """Why `day` cannot be the interview date on study day `today`, or None: it must lie
    between tomorrow and MAX_PLAN_DAYS ahead (a plan needs at least one day before the
    interview). A date already `stored` may stay when it is today or past (the interview
    is on or over, and other settings can still be saved)."""
    last = today + timedelta(days=MAX_PLAN_DAYS)
    if day < today and day != stored:
        return f"The interview date cannot be in the past (today is {today:%-d %B %Y})."
    if day == today and day != stored:
        return (f"The interview date cannot be today: choose tomorrow "
                f"({today + timedelta(days=1):%-d %B %Y}) or later.")
    if day > last:
        return (f"The interview date can be at most {MAX_PLAN_DAYS} days ahead: "
                f"{last:%-d %B %Y} at the latest.")
    return None


def task_day_problem(day: date, today: date, interview: date) -> str | None:
    """Why a task cannot go on `day`, or None: tasks go from today to interview day."""
    if day < today:
        return "A task can go on today or a later day, not into the past."
    if day > interview:
        return f"A task can go up to interview day ({interview:%-d %B %Y}), not after it."
    return None


def plan_end(interview: date, today: date) -> date:
    """The last day the plan covers: the interview, or MAX_PLAN_DAYS from today when it is
    further (a date stored before the limit existed must not size the work)."""
    return min(interview, today + timedelta(days=MAX_PLAN_DAYS))


def exam_due_day(*, review_day: int, due_day: int, stability: float, interview_day: int,
                 target: float, model: FsrsModel, window: int = FINAL_WINDOW_DAYS,
                 load: Callable[[int], float] | None = None, stability_factor: float = 1.0,
                 first_day: int | None = None) -> int:
    """The day a card just reviewed on `review_day` should come back, given that FSRS
    chose `due_day`. Days are whole numbers on one scale (any origin).
    `stability_factor`: the share of the card's stability the user's answers bear out
    (see core.optimizer.recall_factor; 1: the model's own). `first_day`: the earliest
    day it may come back (today, for a card checked again after its review)."""
    if review_day >= interview_day or due_day <= interview_day:
        return due_day  # after the interview plain FSRS resumes; before it, FSRS decides
    recall = model.recall(interview_day - review_day, stability * stability_factor)
    if recall >= target:
        return due_day  # the interval may cross the interview: recall there is enough
    first = max(review_day + 1, interview_day - window,
                first_day if first_day is not None else review_day + 1)
    last = interview_day - 1
    if first > last:
        return due_day
    days = range(last, first - 1, -1)  # latest first: ties go to the later day
    if load is None:
        return last
    return min(days, key=load)


_EASY_CACHE: dict[tuple[date, str, int], FloatArray] = {}


def data_easy(data: PlanInput) -> FloatArray:
    """Easy Days factors per day from `data.today`, for the load balancer: as many days
    as the forecast's load array holds (see plan), and more."""
    # The length is part of the key: a longer plan after a shorter one needs more days.
    length = max((data.interview - data.today).days, 0) + 800
    key = (data.today, data.easy_days, length)
    if key not in _EASY_CACHE:
        _EASY_CACHE.clear()
        _EASY_CACHE[key] = np.array([
            easy_factor(data.easy_days, data.today + timedelta(days=k))
            for k in range(length)])
    return _EASY_CACHE[key]


def easy_factor(easy_days: str, day: date) -> float:
    """The share of a normal day's load that `day` should carry (Anki's Easy Days)."""
    code = easy_days[day.weekday()] if len(easy_days) == 7 else EasyDay.NORMAL
    return EASY_DAY_FACTORS.get(code, 1.0)


@dataclass(frozen=True)
class CardArrays:
    """Every card's state. Days count from today (0); new cards come first-to-introduce
    first among themselves (`order`)."""

    deck: IntArray
    is_new: BoolArray
    stability: FloatArray
    difficulty: FloatArray
    due_day: IntArray
    last_day: IntArray
    new_order: IntArray  # indices of new cards, in the order they are introduced

    @property
    def count(self) -> int:
        return int(self.deck.shape[0])


@dataclass(frozen=True)
class PlanInput:
    today: date
    interview: date
    cards: CardArrays
    deck_names: Sequence[str]
    model: FsrsModel
    target: float
    budget_minutes: int
    easy_days: str = "nnnnnnn"
    new_cap: int = 20
    max_reviews: int = 200
    seconds_per_review: float = DEFAULT_SECONDS_PER_REVIEW
    seconds_per_new: float = DEFAULT_SECONDS_PER_NEW
    # Minutes that cannot move, by day (tasks not given to the fitting as `tasks`).
    task_minutes: dict[int, int] = field(default_factory=dict)
    new_done_today: int = 0
    reviews_done_today: int = 0
    # Today's new cards when the day's target is already fixed (what is left of it);
    # None: the plan decides, as it does for the following days.
    new_today: int | None = None
    # The tasks to fit into the budget with the cards (see core.fitting), and the first
    # day of the plan their weeks count from (None: today).
    tasks: Sequence[TaskWeeks] = ()
    plan_start: date | None = None
    # Copies of the collection the Monte Carlo forecast steps through; None: as many
    # as fit MONTE_CARLO_STATES card states (at most 32). Fewer answer sooner, noisier.
    replicas: int | None = None
    # Exam mode's share of the stability the user's answers bear out (exam_due_day).
    stability_factor: float = 1.0


MONTE_CARLO_STATES = 200_000


@dataclass(frozen=True)
class PlanDay:
    day: date
    reviews: float  # spaced reviews (a lapse and its relearning step count twice)
    new: int
    answers: float  # every grade expected: reviews plus new cards' learning steps
    review_minutes: float
    new_minutes: float
    task_minutes: int
    budget: float

    @property
    def minutes(self) -> float:
        return self.review_minutes + self.new_minutes + self.task_minutes

    @property
    def over_budget(self) -> bool:
        return self.minutes > self.budget + SLACK


@dataclass(frozen=True)
class Plan:
    days: list[PlanDay]
    recall_by_deck: dict[str, float]
    mean_recall: float
    below_target: float  # share of cards predicted below target on interview day
    unplaced_new: int
    last_new_day: date | None
    interview: date
    target: float
    # What the budget did to tasks and cards (see core.fitting), in the input's order.
    tasks: list[FittedTask] = field(default_factory=list)
    # Mean predicted recall on the day had every new card fitted (unplaced ones at the
    # recall of those that did): what the cards that do not fit cost.
    recall_if_all_fit: float = 1.0
    fixes: Fixes | None = None

    @property
    def days_over(self) -> list[PlanDay]:
        return [d for d in self.days if d.over_budget]

    @property
    def recall_cost(self) -> float:
        return max(self.recall_if_all_fit - self.mean_recall, 0.0)

    def changed_tasks(self, change: Change) -> list[FittedTask]:
        return [t for t in self.tasks if t.change == change]

    def day(self, when: date) -> PlanDay | None:
        return next((d for d in self.days if d.day == when), None)


def plan(data: PlanInput, rng: np.random.Generator) -> Plan:
    """Forecast every day from today to the interview: reviews (a Monte Carlo mean
    over replicas of the collection), new cards paced to fit, minutes against the
    budget, and each deck's predicted recall on interview day."""
    model = data.model
    horizon = max((data.interview - data.today).days, 0)
    n = data.cards.count
    replicas = data.replicas or int(min(32, max(1, MONTE_CARLO_STATES // max(n, 1))))
    # Replicated state: replica r of card i sits at r * n + i.
    stability = np.tile(np.nan_to_num(data.cards.stability, nan=1.0), replicas)
    difficulty = np.tile(np.nan_to_num(data.cards.difficulty, nan=5.0), replicas)
    due = np.tile(data.cards.due_day, replicas).astype(np.int64)
    last = np.tile(data.cards.last_day, replicas).astype(np.int64)
    active = np.tile(~data.cards.is_new, replicas)
    scheduled = np.zeros(horizon + 400, dtype=np.float64)  # expected reviews per day
    np.add.at(scheduled, np.clip(due[active], 0, scheduled.size - 1), 1.0 / replicas)

    def load(day: int) -> float:
        return float(scheduled[day]) if 0 <= day < scheduled.size else 0.0

    new_queue = list(data.cards.new_order)
    last_new_day = horizon - FINAL_WINDOW_DAYS - NEW_CARD_LEAD_DAYS
    factors = data_easy(data)
    budgets = data.budget_minutes * factors[:horizon + 1]
    offset = ((data.plan_start or data.today) - data.today).days
    tasks = to_fit(data.tasks, offset, horizon)
    fixed = [t for t in tasks if t.required or t.pinned]
    # Required and pinned tasks are placed first, against the reviews already due and
    # keeping an even share of the new cards' minutes where they can; new cards are
    # then paced into what they leave.
    reserve = new_card_reserve(factors[:horizon + 1].tolist(), len(new_queue), last_new_day,
                               data.seconds_per_new, data.seconds_per_review)
    # The headroom of the cards as estimated, as the second pass keeps it of the cards
    # as forecast (else tasks placed here would not fit there).
    first_room = [float(budgets[d]) - load(d) * data.seconds_per_review / 60
                  - headroom(load(d) * data.seconds_per_review / 60 + reserve[d])
                  for d in range(horizon + 1)]
    fixed_fit = {f.id: f for f in fit_tasks(first_room, fixed, reserve)}
    fixed_minutes = day_task_minutes(list(fixed_fit.values()), horizon + 1)
    # New cards give way to required tasks only where that makes them fit. When the
    # required tasks alone exceed the budget (some day runs over even so), the new
    # cards keep their even pace and the tasks take the rest: studying no card at all
    # would not save the day, and would cost the recall on interview day.
    keep_pace = any(first_room[d] - fixed_minutes[d] < -SLACK for d in range(horizon + 1))
    pace = [0.0] * (horizon + 1)
    if keep_pace:
        fixed_fit = {f.id: f for f in fit_tasks(
            [room - kept for room, kept in zip(first_room, reserve, strict=True)], fixed)}
        fixed_minutes = day_task_minutes(list(fixed_fit.values()), horizon + 1)
        pace = new_card_reserve(factors[:horizon + 1].tolist(), len(new_queue), last_new_day,
                                data.seconds_per_new, 0.0)
    for d, minutes in data.task_minutes.items():
        if 0 <= d <= horizon:
            fixed_minutes[d] += minutes
    # Reviews of cards studied before today, for the minutes model of the fixes.
    old_cards = np.tile(~data.cards.is_new, replicas)
    old_review_minutes = []
    # Reviews of the cards introduced here, by days since their first day.
    intro_day = np.full(n, -1, dtype=np.int64)
    by_age = np.zeros(horizon + 1)
    new_by_day = np.zeros(horizon + 1)
    days: list[PlanDay] = []
    for d in range(horizon + 1):
        when = data.today + timedelta(days=d)
        factor = float(factors[d])
        budget = float(budgets[d])
        # Reviews: every due card, up to the daily maximum (the rest wait a day).
        due_now = np.flatnonzero(active & (due <= d))
        limit = (data.max_reviews - (data.reviews_done_today if d == 0 else 0)) * replicas
        if due_now.size > limit:
            due_now = due_now[np.argsort(due[due_now], kind="stable")[:max(limit, 0)]]
            waiting = active & (due <= d)
            waiting[due_now] = False
            due[waiting] = d + 1
        fresh = due_now[~old_cards[due_now]] % max(n, 1)
        reviews = _review(model, data, due_now, d, horizon, stability, difficulty, due, last,
                          scheduled, rng, load)
        review_count = reviews / replicas
        review_minutes = review_count * data.seconds_per_review / 60
        # A lapse counts twice: spread the day's answers over its cards evenly.
        each = review_count / due_now.size if due_now.size else 0.0
        if fresh.size:
            ages = np.bincount(d - intro_day[fresh], minlength=horizon + 1)
            by_age += ages[:horizon + 1] * each
        old_review_minutes.append(review_minutes - fresh.size * each
                                  * data.seconds_per_review / 60)
        # New cards: an even share of what is left, in what the reviews and the tasks
        # that cannot give way leave of the budget (optional tasks take the rest).
        new_today = 0
        learning_answers = 0
        if new_queue and d <= last_new_day:
            cap = data.new_cap - (data.new_done_today if d == 0 else 0)
            new_today = new_for_day(len(new_queue), factor,
                                    float(factors[d:last_new_day + 1].sum()), cap,
                                    max(budget - review_minutes - fixed_minutes[d], pace[d]),
                                    data.seconds_per_new)
        if d == 0 and data.new_today is not None:
            # Today's target was fixed by the day's first plan: it stands all day.
            new_today = max(0, min(data.new_today, len(new_queue)))
        if new_today:
            chosen = np.array(new_queue[:new_today], dtype=np.int64)
            del new_queue[:new_today]
            intro_day[chosen] = d
            new_by_day[d] = new_today
            learning_answers = _introduce(model, data, chosen, n, replicas, d, horizon,
                                          stability, difficulty, due, last, active, scheduled,
                                          rng, load)
        days.append(PlanDay(when, review_count, new_today,
                            review_count + learning_answers / replicas, review_minutes,
                            new_today * data.seconds_per_new / 60, 0, budget))
    # Every task against what the cards left: required ones where the first pass put
    # them (moved again only if the reviews came out heavier), then the optional ones.
    room = [d.budget - d.review_minutes - d.new_minutes - data.task_minutes.get(k, 0)
            - headroom(d.review_minutes + d.new_minutes) for k, d in enumerate(days)]
    placed_fixed = [replace(t, day=fixed_fit[t.id].day) if fixed_fit[t.id].parts else t
                    for t in fixed]
    refit = {f.id: f for f in fit_tasks(room, placed_fixed + [t for t in tasks
                                                              if t.id not in fixed_fit])}
    fitted = []
    for task in tasks:
        fit = refit[task.id]
        if task.id in fixed_fit:  # the change against where the task was, not the first pass
            fit = replace(fit, from_day=task.day,
                             change=change_of(task, fit.parts))
        fitted.append(fit)
    task_minutes = day_task_minutes(fitted, horizon + 1)
    days = [replace(day, task_minutes=task_minutes[k] + data.task_minutes.get(k, 0))
            for k, day in enumerate(days)]
    recall = np.where(active, model.retrievability(horizon - last, stability), 0.0)
    per_card = recall.reshape(replicas, n).mean(axis=0) if n else recall
    by_deck = {}
    for index, name in enumerate(data.deck_names):
        mask = data.cards.deck == index
        if mask.any():
            by_deck[name] = float(per_card[mask].mean())
    mean = float(per_card.mean()) if n else 1.0
    below = float((per_card < data.target).mean()) if n else 0.0
    introduced = len(data.cards.new_order) - len(new_queue)
    if new_queue and n:
        # An unplaced card is at recall 0 on the day; had it fitted, it would be about
        # where the new cards that did fit are (or at the target when none did).
        fitted_new = data.cards.new_order[:introduced]
        typical = float(per_card[fitted_new].mean()) if introduced else data.target
        recall_if_all = mean + len(new_queue) * typical / n
    else:
        recall_if_all = mean
    result = Plan(days, by_deck, mean, below, len(new_queue),
                  data.today + timedelta(days=last_new_day) if last_new_day >= 0 else None,
                  data.interview, data.target, fitted, recall_if_all)
    pressed = (result.unplaced_new or result.days_over
               or any(t.change != Change.KEPT for t in fitted))
    if pressed and horizon > 0:
        minutes_model = MinutesModel(
            factors=data_easy(data).tolist(), review_minutes=old_review_minutes, horizon=horizon,
            window=FINAL_WINDOW_DAYS + NEW_CARD_LEAD_DAYS,
            new_cards=len(data.cards.new_order), new_cap=data.new_cap,
            new_done_today=data.new_done_today, seconds_per_new=data.seconds_per_new,
            review_profile=_review_profile(by_age, new_by_day, horizon,
                                           data.seconds_per_review),
            seconds_per_review=data.seconds_per_review,
            tasks=data.tasks, plan_offset=offset,
            # Today's target is fixed by the day's first plan: this one, or an earlier.
            new_today=data.new_today if data.new_today is not None else days[0].new)
        result = replace(result, fixes=find_fixes(
            minutes_model, data.budget_minutes, max_budget=MAX_BUDGET_MINUTES,
            max_horizon=min(MAX_PLAN_DAYS, len(minutes_model.factors) - 1)))
    return result


def _review_profile(by_age: FloatArray, new_by_day: FloatArray, horizon: int,
                    seconds_per_review: float) -> list[float]:
    """Review minutes a new card brings on each day after its first (index = days since),
    from the forecast: the reviews at each age over the cards that reached that age.
    Without any card introduced: REVIEWS_PER_NEW_CARD spread over the plan."""
    if not new_by_day.sum():
        each = REVIEWS_PER_NEW_CARD / max(horizon, 1) * seconds_per_review / 60
        return [0.0] + [each] * horizon
    # Cards that reached age a: those introduced on day horizon - a or before.
    reached = np.cumsum(new_by_day)[::-1]
    profile = np.divide(by_age, reached, out=np.zeros_like(by_age), where=reached > 0)
    profile[0] = 0.0  # the first day's learning is in seconds_per_new
    return [float(x) for x in profile * seconds_per_review / 60]


def _review(model: FsrsModel, data: PlanInput, idx: IntArray, d: int, horizon: int,
            stability: FloatArray, difficulty: FloatArray, due: IntArray, last: IntArray,
            scheduled: FloatArray, rng: np.random.Generator,
            load: Callable[[int], float]) -> int:
    if idx.size == 0:
        return 0
    elapsed = d - last[idx]
    recall = model.retrievability(elapsed, stability[idx])
    success = rng.random(idx.size) < recall
    rating = np.where(success, GOOD, AGAIN)
    new_s, new_d = model.review(stability[idx], difficulty[idx], elapsed, rating)
    # A lapse is relearned the same day: one more review, graded Good.
    lapsed = ~success
    relearned_s = model.short_term_stability(new_s, np.full(idx.size, GOOD))
    relearned_d = model.next_difficulty(new_d, np.full(idx.size, GOOD))
    new_s = np.where(lapsed, relearned_s, new_s)
    new_d = np.where(lapsed, relearned_d, new_d)
    _reschedule(model, data, idx, d, horizon, new_s, new_d, stability, difficulty, due, last,
                scheduled, load, rng)
    return int(idx.size + lapsed.sum())


def _introduce(model: FsrsModel, data: PlanInput, chosen: IntArray, n: int, replicas: int,
               d: int, horizon: int, stability: FloatArray, difficulty: FloatArray,
               due: IntArray, last: IntArray, active: BoolArray, scheduled: FloatArray,
               rng: np.random.Generator, load: Callable[[int], float]) -> int:
    """Introduce `chosen` new cards on day `d`; returns the answers their learning takes."""
    idx = (chosen[None, :] + n * np.arange(replicas)[:, None]).ravel()
    first = np.where(rng.random(idx.size) < FIRST_SIGHT_AGAIN, AGAIN, GOOD)
    s = model.initial_stability(first)
    diff = model.initial_difficulty(first)
    good = np.full(idx.size, GOOD)
    # Learning steps on the same day: Again -> Good -> Good, or Good -> Good.
    again = first == AGAIN
    s2 = model.short_term_stability(s, good)
    d2 = model.next_difficulty(diff, good)
    s = np.where(again, model.short_term_stability(s2, good), s2)
    diff = np.where(again, model.next_difficulty(d2, good), d2)
    active[idx] = True
    _reschedule(model, data, idx, d, horizon, s, diff, stability, difficulty, due, last,
                scheduled, load, rng)
    return int(2 * idx.size + again.sum())


def _reschedule(model: FsrsModel, data: PlanInput, idx: IntArray, d: int, horizon: int,
                new_s: FloatArray, new_d: FloatArray, stability: FloatArray,
                difficulty: FloatArray, due: IntArray, last: IntArray, scheduled: FloatArray,
                load: Callable[[int], float], rng: np.random.Generator) -> None:
    weight = 1.0 / max(1, due.size // max(data.cards.count, 1))  # one replica's share
    # The day inside the fuzz window by load and Easy Days, as the live scheduler does;
    # past the horizon the exact day changes nothing the plan shows.
    intervals = model.next_interval(new_s)
    next_due = d + intervals
    inside = np.flatnonzero(next_due <= horizon + 1)
    if inside.size:
        next_due[inside] = d + model.balanced(intervals[inside], d, scheduled,
                                              data_easy(data), rng.random(inside.size))
    if d < horizon:
        # Exam mode, the same function the live scheduler calls, one card at a time
        # for those whose interval crosses the interview with too little recall left.
        crossing = np.flatnonzero(
            (next_due > horizon)
            & (model.retrievability(horizon - d, new_s * data.stability_factor)
               < data.target))
        for k in crossing:
            chosen = exam_due_day(review_day=d, due_day=int(next_due[k]),
                                  stability=float(new_s[k]), interview_day=horizon,
                                  target=data.target, model=model, load=load,
                                  stability_factor=data.stability_factor)
            next_due[k] = chosen
            if 0 <= chosen < scheduled.size:
                scheduled[chosen] += weight
        others = np.ones(next_due.size, dtype=bool)
        others[crossing] = False
        np.add.at(scheduled, np.clip(next_due[others], 0, scheduled.size - 1), weight)
    stability[idx] = new_s
    difficulty[idx] = new_d
    due[idx] = next_due
    last[idx] = d


# -- tasks ------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskToPlace:
    id: int
    minutes: int
    earliest_week: int
    latest_week: int
    rest: bool


def week_days(plan_start: date, interview: date, week: int) -> tuple[date, date]:
    """The days (first, last inclusive) of plan week 1-4, scaled to the plan's length;
    the day before the interview is kept for rest."""
    length = max((interview - plan_start).days, 1)
    first = plan_start + timedelta(days=math.floor((week - 1) * length / PLAN_WEEKS))
    last = plan_start + timedelta(days=max(math.floor(week * length / PLAN_WEEKS) - 1, 0))
    return first, min(last, interview - timedelta(days=2 if length > 2 else 1))


def place_tasks(tasks: Sequence[TaskToPlace], *, plan_start: date, interview: date,
                today: date, easy_days: str, taken: dict[date, int] | None = None,
                budget_minutes: int = 60) -> dict[int, date]:
    """A day for each task: inside its weeks (never before today), on the day with the
    fewest task minutes so far, Easy Days counted; rest goes the day before the interview."""
    load = dict(taken or {})
    placed: dict[int, date] = {}
    eve = max(interview - timedelta(days=1), today)
    for task in sorted(tasks, key=lambda t: (t.earliest_week, t.latest_week, t.id)):
        if task.rest:
            placed[task.id] = eve
            load[eve] = load.get(eve, 0) + task.minutes
            continue
        first = max(week_days(plan_start, interview, task.earliest_week)[0], today)
        last = max(week_days(plan_start, interview, task.latest_week)[1], first)
        last = min(last, max(eve - timedelta(days=1), first))
        candidates = [first + timedelta(days=k) for k in range((last - first).days + 1)]

        def cost(day: date, minutes: int = task.minutes) -> tuple[float, date]:
            room = budget_minutes * easy_factor(easy_days, day)
            share = (load.get(day, 0) + minutes) / room if room else math.inf
            return share, day

        best = min(candidates, key=cost)
        placed[task.id] = best
        load[best] = load.get(best, 0) + task.minutes
    return placed

