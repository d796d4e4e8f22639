"""The forecast: every day from today to the interview (its last round), step by step:
pace the new cards around the tasks that cannot move (pacing), step the cards through
the days (simulation), fit every task into what the cards leave, sum up the recall on
interview day, and search the fixes when the budget is pressed."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

import numpy as np

from flashcards.core.fitting import (
    Change,
    FittedTask,
    TaskToFit,
    day_task_minutes,
    fit_tasks,
    headroom,
    to_fit,
)
from flashcards.core.fixes import Fixes, MinutesModel, find_fixes, with_preference
from flashcards.core.fsrs_vector import BoolArray, FloatArray, IntArray
from flashcards.core.planner.data import Plan, PlanDay, PlanInput
from flashcards.core.planner.exam import FINAL_WINDOW_DAYS
from flashcards.core.planner.limits import MAX_BUDGET_MINUTES, MAX_PLAN_DAYS
from flashcards.core.planner.pacing import NEW_CARD_LEAD_DAYS, Pacing, pace
from flashcards.core.planner.simulation import ForecastState

# Reviews a new card gets before the interview, for the fixes when no card was introduced.
REVIEWS_PER_NEW_CARD = 3.0
# Easy Days factors the plan computes beyond the interview: for the load balancer (a due
# day past the end counts as the last) and for the fixes, which try later interviews.
EASY_DAYS_BEYOND = 800


def plan(data: PlanInput, rng: np.random.Generator) -> Plan:
    """Forecast every day from today to the interview: reviews (a Monte Carlo mean
    over replicas of the collection), new cards paced to fit, minutes against the
    budget, and each deck's predicted recall on interview day."""
    horizon = data.horizon
    week = data.week()
    # Each day's share of a usual day: the load balancer's Easy Days weights, and the
    # new cards' even pace.
    weights = week.weights(data.last_day + EASY_DAYS_BEYOND)
    budgets = week.minutes(data.last_day + 1)
    state = ForecastState.start(data, weights, rng)
    offset = ((data.plan_start or data.today) - data.today).days
    tasks = to_fit(data.tasks, offset, horizon)
    pacing = pace(data, weights, budgets, tasks, state.load)
    log = _step_days(data, state, pacing)
    # Tasks go up to the first round (each round's mock and prep before it).
    fitted = _fit_all_tasks(data, tasks, pacing, log.days[:horizon + 1])
    task_minutes = day_task_minutes(fitted, len(log.days))
    days = [replace(day, task_minutes=task_minutes[k] + data.task_minutes.get(k, 0))
            for k, day in enumerate(log.days)]
    result = _outcome(data, state, log, days, fitted, pacing.last_new_day)
    pressed = (result.unplaced_new or result.days_over
               or any(t.change in (Change.DROPPED, Change.SHORTENED) for t in fitted))
    if pressed and horizon > 0:
        result = replace(result, fixes=_fixes(data, log, days, offset))
    return result


@dataclass
class _DayLog:
    """What stepping the days recorded, beside the days themselves."""

    new_queue: list[int]  # new cards not introduced (in order)
    old_cards: BoolArray  # cards studied before today, replicated
    intro_day: IntArray  # the day each card was introduced (-1: not here)
    by_age: FloatArray  # reviews of introduced cards, by days since their first day
    new_by_day: FloatArray  # cards introduced per day
    # Review minutes per day of the cards studied before today (for the fixes).
    old_review_minutes: list[float] = field(default_factory=list)
    days: list[PlanDay] = field(default_factory=list)


def _step_days(data: PlanInput, state: ForecastState, pacing: Pacing) -> _DayLog:
    """Each day from today to the interview's last round: the due cards reviewed (up to
    the daily maximum), then the day's new cards introduced. What the fixes read of it
    (by_age, old_review_minutes) stops at the first round, as the fixes do."""
    horizon, replicas, n = state.horizon, state.replicas, state.n
    log = _DayLog(new_queue=list(data.cards.new_order),
                  old_cards=np.tile(~data.cards.is_new, replicas),
                  intro_day=np.full(n, -1, dtype=np.int64), by_age=np.zeros(horizon + 1),
                  new_by_day=np.zeros(horizon + 1))
    for d in range(data.last_day + 1):
        limit = (data.max_reviews - (data.reviews_done_today if d == 0 else 0)) * replicas
        due_now = state.due_on(d, limit)
        fresh = due_now[~log.old_cards[due_now]] % max(n, 1)
        review_count = state.review(due_now, d) / replicas
        review_minutes = review_count * data.seconds_per_review / 60
        # A lapse counts twice: spread the day's answers over its cards evenly.
        each = review_count / due_now.size if due_now.size else 0.0
        if fresh.size and d <= horizon:
            ages = np.bincount(d - log.intro_day[fresh], minlength=horizon + 1)
            log.by_age += ages[:horizon + 1] * each
        if d <= horizon:
            log.old_review_minutes.append(review_minutes - fresh.size * each
                                          * data.seconds_per_review / 60)
        new_today = pacing.new_cards(data, d, len(log.new_queue), review_minutes)
        learning_answers = 0
        if new_today:
            chosen = np.array(log.new_queue[:new_today], dtype=np.int64)
            del log.new_queue[:new_today]
            log.intro_day[chosen] = d
            log.new_by_day[d] = new_today
            learning_answers = state.introduce(chosen, d)
        state.end_day(d)
        log.days.append(PlanDay(data.today + timedelta(days=d), review_count, new_today,
                                review_count + learning_answers / replicas, review_minutes,
                                new_today * data.seconds_per_new / 60, 0,
                                float(pacing.budgets[d])))
    return log


def _fit_all_tasks(data: PlanInput, tasks: list[TaskToFit], pacing: Pacing,
                   days: list[PlanDay]) -> list[FittedTask]:
    """Every task against what the cards left: required ones where the first pass put
    them while they still fit there (the new cards were paced around them), then the
    optional ones."""
    room = [d.budget - d.review_minutes - d.new_minutes - data.task_minutes.get(k, 0)
            - headroom(d.review_minutes + d.new_minutes) for k, d in enumerate(days)]
    return fit_tasks(room, with_preference(tasks, list(pacing.fixed_fit.values())))


def _outcome(data: PlanInput, state: ForecastState, log: _DayLog, days: list[PlanDay],
             fitted: list[FittedTask], last_new_day: int) -> Plan:
    """The plan's figures: each deck's predicted recall on interview day, the share
    below the target, and what the new cards that do not fit cost."""
    n = state.n
    per_card = state.recall_on_interview()
    by_deck = {}
    for index, name in enumerate(data.deck_names):
        mask = data.cards.deck == index
        if mask.any():
            by_deck[name] = float(per_card[mask].mean())
    mean = float(per_card.mean()) if n else 1.0
    below = float((per_card < data.target).mean()) if n else 0.0
    unplaced = len(log.new_queue)
    introduced = len(data.cards.new_order) - unplaced
    if unplaced and n:
        # An unplaced card is at recall 0 on the day; had it fitted, it would be about
        # where the new cards that did fit are (or at the target when none did).
        fitted_new = data.cards.new_order[:introduced]
        typical = float(per_card[fitted_new].mean()) if introduced else data.target
        recall_if_all = mean + unplaced * typical / n
    else:
        recall_if_all = mean
    rounds = state.rounds if state.later_rounds else ()
    round_recall = tuple((data.today + timedelta(days=r), float(state.recall_on_round(r).mean())
                          if n else 1.0) for r in rounds)
    return Plan(days, by_deck, mean, below, unplaced,
                data.today + timedelta(days=last_new_day) if last_new_day >= 0 else None,
                data.interview, data.target, fitted, recall_if_all,
                round_recall=round_recall)


def _fixes(data: PlanInput, log: _DayLog, days: list[PlanDay], offset: int) -> Fixes:
    """What would fit everything: the minutes-only model of the plan, searched
    (core.fixes.find_fixes)."""
    horizon = data.horizon
    minutes_model = MinutesModel(
        week=data.week(), review_minutes=tuple(log.old_review_minutes), horizon=horizon,
        window=FINAL_WINDOW_DAYS + NEW_CARD_LEAD_DAYS,
        new_cards=len(data.cards.new_order), new_cap=data.new_cap,
        new_done_today=data.new_done_today, seconds_per_new=data.seconds_per_new,
        review_profile=tuple(_review_profile(log.by_age, log.new_by_day, horizon,
                                             data.seconds_per_review)),
        seconds_per_review=data.seconds_per_review,
        tasks=tuple(data.tasks), plan_offset=offset,
        # Today's target is fixed by the day's first plan: this one, or an earlier.
        new_today=data.new_today if data.new_today is not None else days[0].new)
    return find_fixes(minutes_model, data.budget_minutes, max_budget=MAX_BUDGET_MINUTES,
                      max_horizon=MAX_PLAN_DAYS)


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
