"""The plan page's calendar: past days as one summary, then the weeks from today's on,
each with its days' load and tasks (plan/plan.html draws it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flashcards.core.planner import PlanDay
from flashcards.services.plans import PlanView, TaskView, held_and_dropped


@dataclass(frozen=True)
class DayEntry:
    """A task as a day's line lists it: its minutes on that day (a part of it when the
    plan split it over days)."""

    view: TaskView
    minutes: int

    @property
    def part(self) -> bool:
        task = self.view.task
        return task.done_at is None and self.minutes < task.minutes_left


@dataclass(frozen=True)
class CalendarDay:
    day: date
    planned: PlanDay | None  # None for a day before today or after interview day
    tasks: list[TaskView]  # the tasks the plan holds that show on this day
    entries: list[DayEntry]  # those, and the parts of tasks split onto this day
    spare: list[TaskView]  # what it dropped from this day (to do if there is time)
    today: bool
    interview: bool
    past: bool  # before today: summed up in PastDays, not drawn as a day
    outside: bool  # after interview day: an empty box keeping the week's columns
    round_no: int | None = None  # the interview round on this day (None: none)

    @property
    def over(self) -> bool:
        return self.planned is not None and self.planned.over_budget


@dataclass(frozen=True)
class Week:
    days: list[CalendarDay]  # Monday to Sunday
    current: bool  # today's week: shown open

    @property
    def first(self) -> date:
        return self.days[0].day

    @property
    def last(self) -> date:
        return self.days[-1].day

    @property
    def planned(self) -> list[PlanDay]:
        return [d.planned for d in self.days if d.planned is not None]

    @property
    def minutes(self) -> int:
        return round(sum(p.minutes for p in self.planned))

    @property
    def budget(self) -> int:
        return round(sum(p.budget for p in self.planned))

    @property
    def task_count(self) -> int:
        """The tasks (or parts of them) on the week's days from today on, each once."""
        return len({e.view.task.id for d in self.days if not d.past for e in d.entries})

    @property
    def days_over(self) -> int:
        return sum(1 for d in self.days if d.over)


@dataclass(frozen=True)
class PastDay:
    day: date
    reviews: int
    tasks_done: list[TaskView]


@dataclass(frozen=True)
class PastDays:
    """The plan's days before today, summed up in one line."""

    days: list[PastDay]

    @property
    def reviews(self) -> int:
        return sum(d.reviews for d in self.days)

    @property
    def tasks_done(self) -> int:
        return sum(len(d.tasks_done) for d in self.days)


def past_days(view: PlanView) -> PastDays:
    """Each day of the plan before today: the reviews done and the tasks done on it."""
    days = []
    day = view.plan_start
    while day < view.today:
        done = [tv for tv in view.tasks.get(day, []) if tv.task.done_at is not None]
        days.append(PastDay(day, view.done.get(day, 0), done))
        day += timedelta(days=1)
    return PastDays(days)


def calendar_weeks(view: PlanView) -> list[Week]:
    """Monday-to-Sunday weeks from today's week to the last interview round's (today's
    alone once the interview has passed)."""
    planned = {d.day: d for d in view.plan.days}
    held_on: dict[date, list[TaskView]] = {}
    spare_on: dict[date, list[TaskView]] = {}
    entries_on: dict[date, list[DayEntry]] = {}
    for day, views in sorted(view.tasks.items()):
        held, spare = held_and_dropped(views)
        held_on[day], spare_on[day] = held, spare
        for tv in held:
            entries_on.setdefault(day, []).append(DayEntry(tv, tv.day_minutes))
            # A task split over days shows on its first; its other parts on theirs.
            for part_day, minutes in tv.parts:
                if part_day != tv.day:
                    entries_on.setdefault(part_day, []).append(DayEntry(tv, minutes))
    last_day = max(view.last_day, view.today)  # the last round
    monday = view.today - timedelta(days=view.today.weekday())
    weeks = []
    while monday <= last_day:
        days = []
        for offset in range(7):
            day = monday + timedelta(days=offset)
            days.append(CalendarDay(
                day=day, planned=planned.get(day), tasks=held_on.get(day, []),
                entries=entries_on.get(day, []), spare=spare_on.get(day, []),
                today=day == view.today, interview=day == view.interview,
                past=day < view.today, outside=day > last_day,
                round_no=view.round_number(day)))
        weeks.append(Week(days, current=monday <= view.today < monday + timedelta(days=7)))
        monday += timedelta(days=7)
    return weeks
