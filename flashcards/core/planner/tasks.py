"""Task placement: a day for each preparation task, inside its plan weeks, on the day
with the fewest task minutes for its weekday's budget so far."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

PLAN_WEEKS = 4


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
                today: date, budgets: Sequence[int],
                taken: dict[date, int] | None = None) -> dict[int, date]:
    """A day for each task: inside its weeks (never before today), on the day whose
    budget (`budgets`: Monday..Sunday minutes, easy_days.weekday_budgets) the task
    minutes so far fill least; rest goes the day before the interview."""
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
            room = budgets[day.weekday()]
            share = (load.get(day, 0) + minutes) / room if room else math.inf
            return share, day

        best = min(candidates, key=cost)
        placed[task.id] = best
        load[best] = load.get(best, 0) + task.minutes
    return placed

