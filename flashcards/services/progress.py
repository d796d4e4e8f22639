"""How today went: done against planned for reviews, new cards, tasks and minutes."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flashcards.core.planner import weekday_budgets
from flashcards.models import PlanTask, ReviewLog
from flashcards.services import plans, study
from flashcards.services.settings import get_settings

# The slack a day's minutes may have over the budget and still be on track, as the plan
# allows (core.planner.PlanDay.over_budget).
BUDGET_SLACK_MINUTES = 0.5


class DayStatus(enum.StrEnum):
    DONE = "done"  # nothing planned is left
    ON_TRACK = "on_track"  # what is done and what is left fit the day's budget
    OVER_BUDGET = "over_budget"  # they do not: the day will take longer than planned


@dataclass(frozen=True, slots=True)
class DayProgress:
    """Today's study day, done against planned. Planned is what is done plus what is
    still left now, so it is the day's plan as the day goes, not a guess made at dawn."""

    day: date
    reviews_done: int
    reviews_planned: int
    new_done: int
    new_planned: int
    tasks_done: int
    tasks_planned: int
    # Answer time from the review log (each answer capped as Anki caps it) plus the
    # planned minutes of the tasks ticked done today.
    minutes_done: float
    # Minutes done plus the minutes left, estimated as the plan estimates them.
    minutes_planned: float
    budget: float
    status: DayStatus

    @property
    def minutes_left(self) -> float:
        return max(self.minutes_planned - self.minutes_done, 0.0)

    @property
    def on_track(self) -> bool:
        return self.status != DayStatus.OVER_BUDGET


def task_minutes_on(task: PlanTask, day: date) -> int:
    """The minutes of `task` done on `day`, the day it shows as done on: its part that
    day, or (done) what was left of it before that day."""
    part = (task.part_minutes or 0) if task.part_done_on == day else 0
    if task.done_at is None:
        return part
    return max(task.minutes - (task.minutes_done or 0), 0) + part


def day_progress(session: Session, now: datetime) -> DayProgress:
    """How the study day containing `now` is going (see progress_of), read afresh."""
    allowance = study.day_allowance(session, now)
    day = allowance.day.date
    views = plans.tasks_on(session, get_settings(session), day)
    return progress_of(session, allowance, study.queue_counts(session, allowance), views)


def progress_of(session: Session, allowance: study.DayAllowance, counts: study.QueueCounts,
                today_tasks: Sequence[plans.TaskView]) -> DayProgress:
    """How the day of `allowance` is going, from what a page has read already: its queue
    `counts` and the task views on that day. Reviews done are the day's grades of
    review cards, new cards done its first grades of new cards; what is left comes from
    the queues (limits applied) and today's open tasks. Minutes left use the plan's
    seconds per review and per new card (learning steps count as reviews)."""
    settings = get_settings(session)
    day = allowance.day.date
    # Today's tasks as the plan fitted them: one the budget dropped from the plan is
    # not planned; one it shortened or split counts its minutes on this day.
    views, _ = plans.held_and_dropped(today_tasks)
    tasks = [view.task for view in views]
    # A task whose part for today is done counts as done today.
    done_views = [view for view in views if view.task.done_at is not None or view.part_done]
    answer_ms = session.execute(
        select(func.coalesce(func.sum(ReviewLog.duration_ms), 0)).where(
            ReviewLog.user_id == allowance.user_id,
            ReviewLog.reviewed_at >= allowance.day.start,
            ReviewLog.reviewed_at < allowance.day.end)).scalar_one()
    per_review, per_new = plans.answer_times(session)
    minutes_done = int(answer_ms or 0) / 60_000 + sum(task_minutes_on(view.task, day)
                                                      for view in done_views)
    minutes_left = ((counts.review + counts.learning) * per_review + counts.new * per_new) / 60
    minutes_left += sum(view.day_minutes for view in views
                        if view.task.done_at is None and not view.part_done)
    budget = weekday_budgets(settings.daily_minutes, settings.weekday_minutes)[day.weekday()]
    if not counts.total and len(done_views) == len(tasks):
        status = DayStatus.DONE
    elif minutes_done + minutes_left <= budget + BUDGET_SLACK_MINUTES:
        status = DayStatus.ON_TRACK
    else:
        status = DayStatus.OVER_BUDGET
    return DayProgress(
        day=day,
        reviews_done=allowance.reviews_done, reviews_planned=allowance.reviews_done + counts.review,
        new_done=allowance.new_studied, new_planned=allowance.new_studied + counts.new,
        tasks_done=len(done_views), tasks_planned=len(tasks),
        minutes_done=minutes_done, minutes_planned=minutes_done + minutes_left,
        budget=budget, status=status)
