"""The plan under pressure: what does not fit in the budget, why, what it costs, and
what would make it fit (the plan's panel), from a built plan (services.plans)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from flashcards.core.fitting import Change, Unplanned
from flashcards.core.fixes import Fixes
from flashcards.core.planner import MAX_BUDGET_MINUTES, PlanDay
from flashcards.core.taskformat import TaskPriority
from flashcards.services.plans import PlanView, TaskView

# A weekday's budget is suggested in steps of this many minutes.
WEEKDAY_STEP = 15


@dataclass(frozen=True)
class WeekdayFix:
    """"Give Saturdays 3 hours": the budget a weekday needs for a task to fit."""

    weekday: int  # 0: Monday
    minutes: int

    @property
    def name(self) -> str:
        return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                "Sunday")[self.weekday]


@dataclass(frozen=True)
class NotPlanned:
    """A task the plan leaves out, and why."""

    view: TaskView
    reason: Unplanned
    # The minutes the roomiest day (or days, for a task that may be split) lacks.
    short_by: int
    best_day: date | None
    # The tasks it needs that are not planned either (titles).
    needs: tuple[str, ...] = ()
    weekday_fix: WeekdayFix | None = None

    @property
    def required(self) -> bool:
        return self.view.task.priority == TaskPriority.REQUIRED.value


@dataclass(frozen=True)
class Pressure:
    """What the budget made the plan leave out, shorten or move, what it costs, and the
    fixes. Nothing is planned over the budget unless the user chose it (`over_by_choice`)
    or the reviews due alone exceed it (`reviews_over`)."""

    budget: int
    not_planned: list[NotPlanned]  # required first, then optional, each in list order
    shortened: list[TaskView]
    split: list[TaskView]
    moved: list[TaskView]
    # Tasks planned on a day that cannot hold them because the user chose it (pinned to
    # the day, or "Plan it anyway"), with the days they run over.
    over_by_choice: list[TaskView]
    reviews_over: list[PlanDay]  # days the reviews due alone exceed the budget
    unplaced_new: int
    # Which decks the new cards that do not fit come from (name, cards, lower priority),
    # when any is a lower-priority deck; else empty.
    unplaced_from: tuple[tuple[str, int, bool], ...]
    recall: float  # mean predicted recall on interview day, as planned
    recall_if_all_fit: float
    new_cap: int
    budget_fix: int | None = None  # "raise the budget to N min"
    interview_fix: date | None = None  # "move the interview to D"
    new_cap_fix: int | None = None  # "raise the new-card limit to N a day"
    # The new-card limit that goes with the budget fix / the interview fix (None: the
    # fix needs none).
    budget_fix_new_cap: int | None = None
    interview_fix_new_cap: int | None = None
    days_over: list[PlanDay] = field(default_factory=list)

    @property
    def left_out(self) -> bool:
        """Something the user asked for is not in the plan as asked."""
        return bool(self.not_planned or self.shortened or self.unplaced_new)

    @property
    def pressed(self) -> bool:
        return bool(self.left_out or self.days_over)

    @property
    def required_left_out(self) -> list[NotPlanned]:
        return [n for n in self.not_planned if n.required]



# What a plan without fixes (a plan not under pressure) offers: nothing.
_NO_FIXES = Fixes(budget=None, interview_day=None)


def pressure(view: PlanView) -> Pressure:
    """The pressure panel's figures, from a built plan."""
    result = view.plan
    fixes = result.fixes if result.fixes is not None else _NO_FIXES
    open_views = [tv for views in view.tasks.values() for tv in views
                  if tv.task.done_at is None and tv.fitted is not None]
    by_id = {tv.task.id: tv for tv in open_views}
    days = {d.day: d for d in result.days}
    not_planned = [_not_planned(tv, by_id, days, view.today) for tv in open_views
                   if tv.fitted is not None and tv.fitted.change == Change.DROPPED]
    not_planned.sort(key=lambda n: (not n.required, n.view.task.position, n.view.task.id))

    def changed(change: Change) -> list[TaskView]:
        return [tv for tv in open_views if tv.fitted is not None and tv.fitted.change == change
                and not tv.fitted.over]

    interview_fix = None
    if fixes.interview_day is not None:
        interview_fix = view.today + timedelta(days=fixes.interview_day)
    reviews_over = [d for d in result.days
                    if d.review_minutes + d.new_minutes > d.budget + 0.5 and d.over_budget]
    return Pressure(
        budget=view.settings.daily_minutes, not_planned=not_planned,
        shortened=changed(Change.SHORTENED), split=changed(Change.SPLIT),
        moved=changed(Change.MOVED),
        over_by_choice=[tv for tv in open_views if tv.fitted is not None and tv.fitted.over],
        reviews_over=reviews_over, unplaced_new=result.unplaced_new,
        unplaced_from=(view.unplaced_by_deck
                       if any(lower for _, _, lower in view.unplaced_by_deck) else ()),
        recall=result.mean_recall, recall_if_all_fit=result.recall_if_all_fit,
        new_cap=view.settings.new_per_day, budget_fix=fixes.budget,
        interview_fix=interview_fix, new_cap_fix=fixes.new_cap,
        budget_fix_new_cap=fixes.budget_new_cap, interview_fix_new_cap=fixes.interview_new_cap,
        days_over=result.days_over)


def _not_planned(tv: TaskView, by_id: dict[int, TaskView], days: dict[date, PlanDay],
                 today: date) -> NotPlanned:
    fitted = tv.fitted
    assert fitted is not None
    best = today + timedelta(days=fitted.best_day) if fitted.best_day is not None else None
    short_by = math.ceil(fitted.short_by)
    weekday_fix = None
    whole = tv.task.sitting
    if (fitted.reason == Unplanned.ROOM and best is not None and best in days
            and (whole or tv.task.priority != TaskPriority.REQUIRED.value)):
        # The roomiest day's weekday, with the minutes it lacks (in steps).
        needed = days[best].budget + short_by
        minutes = min(math.ceil(needed / WEEKDAY_STEP) * WEEKDAY_STEP, MAX_BUDGET_MINUTES)
        if minutes >= needed:
            weekday_fix = WeekdayFix(best.weekday(), int(minutes))
    needs = tuple(by_id[i].task.title for i in fitted.blocked_by if i in by_id)
    return NotPlanned(tv, fitted.reason or Unplanned.ROOM, short_by, best, needs, weekday_fix)
