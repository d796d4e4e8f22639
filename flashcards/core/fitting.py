"""One budget for cards and tasks: where each preparation task goes in the minutes the
cards leave, in an order that keeps the budget a promise.

Pure and minutes-only: days are whole numbers counted from today (day 0), a day's
room is its budget less the cards' minutes, the cards' headroom and the tasks placed.

What the plan keeps when not everything fits (issue 23), in this order: the reviews
due, the required tasks by their rank (their place in the list), the new cards, the
optional tasks. A task that does not fit is *not planned* (the task itself stays in the
list, and the plan says why and what would make it fit); no day is planned over its
budget except where the user chose it (a task pinned to a day, or "Plan it anyway") or
where the reviews due alone exceed it.

Order: a task never goes on a day before, or on the same day as, a task it needs
(`after`); a task done in one `sitting` (a mock interview) is never split or shortened.
The fitting is a function of its inputs alone (no randomness, and a task's stored day
counts only when the user pinned it), so the same inputs give the same plan.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import chain
from typing import overload

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


def card_room(budget: float, task_minutes: float) -> float:
    """The most card minutes a day of `budget` holds beside `task_minutes` of tasks,
    the headroom those tasks keep included (the whole budget on a day without tasks)."""
    if task_minutes <= 0:
        return budget
    return (budget - task_minutes - HEADROOM_MINUTES) / (1 + HEADROOM_SHARE)


class Change(StrEnum):
    """What the fitting did to a task, against its weeks."""

    KEPT = "kept"  # whole, on a day of its weeks (or on the day the user pinned it to)
    MOVED = "moved"  # whole, on a day outside its weeks
    SPLIT = "split"
    SHORTENED = "shortened"
    DROPPED = "dropped"  # not planned: no day holds it (see Unplanned for why)


class Unplanned(StrEnum):
    """Why a task is not planned."""

    ROOM = "room"  # no day (or set of days) of its reach has the minutes
    NEEDS = "needs"  # a task it needs is not planned
    ORDER = "order"  # no day is left between the tasks it needs and those that need it


@dataclass(frozen=True, slots=True)
class TaskToFit:
    """A task as the fitting sees it. `day` is the day the user pinned it to (used only
    when `pinned`); `first`-`last` are the days of its weeks, `reach_first`-`reach_last`
    the days it may slip to when its weeks are full (the same days for the light day
    before the interview). `prefer`: parts it had in an earlier pass, kept when they
    still fit."""

    id: int
    minutes: int
    required: bool
    pinned: bool
    day: int | None
    first: int
    last: int
    reach_first: int
    reach_last: int
    rank: int = 0
    after: tuple[int, ...] = ()
    sitting: bool = False
    anyway: bool = False
    prefer: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class FittedTask:
    id: int
    minutes: int  # as asked for
    parts: tuple[tuple[int, int], ...]  # (day, minutes) planned; empty when not planned
    change: Change
    day: int  # where it shows: its first part, or (not planned) the first day of its weeks
    from_day: int | None  # the day it was pinned to (None: not pinned)
    # Placed on a day that cannot hold it, because the user chose so (pinned, or "Plan
    # it anyway").
    over: bool = False
    # Not planned: why, the day of its reach with the most room, and the minutes it
    # lacks there to hold the task whole (fit_tasks with `explain`).
    reason: Unplanned | None = None
    best_day: int | None = None
    short_by: float = 0.0
    # Not planned because of these tasks (it needs them and they are not planned).
    blocked_by: tuple[int, ...] = ()

    @property
    def planned_minutes(self) -> int:
        return sum(minutes for _, minutes in self.parts)

    @property
    def last_day(self) -> int:
        return self.parts[-1][0] if self.parts else self.day


def _fits(room: float, minutes: float) -> bool:
    return room + SLACK >= minutes


def _spread(room: Sequence[float], minutes: int, days: Iterable[int]
            ) -> tuple[tuple[int, int], ...]:
    """`minutes` over the first of `days` (in the order of preference given) whose room
    holds them together, each part at least MIN_PART; () when they cannot."""
    chosen: list[tuple[int, int]] = []
    total = 0
    for day in days:
        holds = int(math.floor(room[day] + SLACK))
        if holds >= MIN_PART:
            chosen.append((day, holds))
            total += holds
            if total >= minutes:
                break
    if total < minutes or minutes < MIN_PART * len(chosen):
        return ()
    parts = []
    left = minutes
    for k, (day, holds) in enumerate(chosen):
        # Each part as large as its day holds, leaving MIN_PART for each part after it.
        part = min(holds, left - MIN_PART * (len(chosen) - k - 1))
        parts.append((day, part))
        left -= part
    return tuple(sorted(parts))


def _by_room(room: Sequence[float], days: Iterable[int]) -> list[int]:
    """`days`, the roomiest first (ties: the earlier)."""
    return sorted(days, key=lambda d: (-room[d], d))


def fit_tasks(room: Sequence[float], tasks: Sequence[TaskToFit],
              reserve: Sequence[float] | None = None, *,
              explain: bool = True) -> list[FittedTask]:
    """Where each task goes given each day's room (a list over days 0..horizon), in the
    input's order. Pinned tasks stay on their day; then the required tasks, then the
    optional ones, each group prerequisites first, else by rank. Each task goes, whole,
    to the earliest day of its weeks that holds it (work starts early, and a chain
    leaves the later days to what follows), else to the nearest day of its reach with
    room; a required task that no day holds is split over days
    (never a `sitting` one), then takes the `reserve` (minutes kept for new cards, which
    then give way); an optional one is shortened (to no less than half, MIN_PART
    minutes). What still does not fit is not planned, unless the user said "Plan it
    anyway": then it goes whole on the day with the most room, which runs over."""
    fitting = _Fitting(list(room), list(reserve) if reserve is not None else [0.0] * len(room),
                       {t.id: t for t in tasks}, explain)
    windows = _windows(tasks, fitting.horizon)
    for task in _placement_order(tasks):
        fitting.fit(task, windows[task.id])
    return [fitting.placed[t.id] for t in tasks]


def _group(task: TaskToFit, needed: set[int]) -> int:
    """Pinned tasks first, then required ones and the optional ones a required task
    needs (so that they find a day before it), then the other optional ones."""
    if task.pinned and task.day is not None:
        return 0
    return 1 if task.required or task.id in needed else 2


def _needed_by_required(tasks: Sequence[TaskToFit]) -> set[int]:
    """The tasks a required task needs, directly or through others."""
    by_id = {t.id: t for t in tasks}
    needed: set[int] = set()
    stack = [p for t in tasks if t.required for p in t.after if p in by_id]
    while stack:
        task_id = stack.pop()
        if task_id not in needed:
            needed.add(task_id)
            stack.extend(p for p in by_id[task_id].after if p in by_id)
    return needed


def _topological(tasks: Sequence[TaskToFit], key: Mapping[int, tuple[int, int]]
                 ) -> list[TaskToFit]:
    """`tasks` with each after the tasks among them it needs, else in `key` order (a
    cycle, which the task files and forms refuse, is broken at its smallest key)."""
    by_id = {t.id: t for t in tasks}
    needs = {t.id: {p for p in t.after if p in by_id and p != t.id} for t in tasks}
    users: dict[int, list[int]] = {t.id: [] for t in tasks}
    for task_id, prerequisites in needs.items():
        for p in prerequisites:
            users[p].append(task_id)
    waiting = {task_id: len(p) for task_id, p in needs.items()}
    ready = [(key[t], t) for t, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[TaskToFit] = []
    done: set[int] = set()
    while len(order) < len(tasks):
        if not ready:  # a cycle: take the smallest of what is left
            rest = min((t for t in waiting if t not in done), key=lambda t: key[t])
            heapq.heappush(ready, (key[rest], rest))
            waiting[rest] = 0
        _, task_id = heapq.heappop(ready)
        if task_id in done:
            continue
        done.add(task_id)
        order.append(by_id[task_id])
        for user in users[task_id]:
            waiting[user] -= 1
            if waiting[user] == 0 and user not in done:
                heapq.heappush(ready, (key[user], user))
    return order


def _placement_order(tasks: Sequence[TaskToFit]) -> list[TaskToFit]:
    key = {t.id: (t.rank, t.id) for t in tasks}
    needed = _needed_by_required(tasks)
    order: list[TaskToFit] = []
    for group in (0, 1, 2):
        order += _topological([t for t in tasks if _group(t, needed) == group], key)
    return order


@dataclass(frozen=True, slots=True)
class _Window:
    """The days a task may take: its weeks (`first`-`last`) and its reach, each narrowed
    so that its chain fits in order (a day after everything it needs, a day before
    everything that needs it)."""

    first: int
    last: int
    reach_first: int
    reach_last: int
    # Its own last days, for a chain too long for its days: its first tasks are kept.
    own_last: int = -1
    own_reach_last: int = -1


def _windows(tasks: Sequence[TaskToFit], horizon: int) -> dict[int, _Window]:
    """Each task's window, its chain taken into account (forward for the first days,
    backward for the last)."""
    order = _topological(tasks, {t.id: (t.rank, t.id) for t in tasks})
    by_id = {t.id: t for t in tasks}

    def clip(day: int) -> int:
        return min(max(day, 0), horizon)

    first: dict[int, int] = {}
    reach_first: dict[int, int] = {}
    for task in order:
        if task.pinned and task.day is not None:
            first[task.id] = reach_first[task.id] = clip(task.day)
            continue
        before = [p for p in task.after if p in first]
        first[task.id] = max([clip(task.first)] + [first[p] + 1 for p in before])
        reach_first[task.id] = max([clip(task.reach_first)] + [reach_first[p] + 1 for p in before])
    last: dict[int, int] = {}
    reach_last: dict[int, int] = {}
    users: dict[int, list[int]] = {t.id: [] for t in tasks}
    for task in tasks:
        for p in task.after:
            if p in users and p != task.id:
                users[p].append(task.id)
    for task in reversed(order):
        if task.pinned and task.day is not None:
            last[task.id] = reach_last[task.id] = clip(task.day)
            continue
        later = [u for u in users[task.id] if u in last]
        last[task.id] = min([clip(max(task.last, task.first))] + [last[u] - 1 for u in later])
        reach_last[task.id] = min([clip(task.reach_last)] + [reach_last[u] - 1 for u in later])
    own = {t.id: (clip(max(t.last, t.first)), clip(t.reach_last)) for t in tasks
           if not (t.pinned and t.day is not None)}
    return {t: _Window(first[t], last[t], reach_first[t], reach_last[t],
                       *own.get(t, (last[t], reach_last[t]))) for t in by_id}


@dataclass
class _Fitting:
    """fit_tasks's state: each day's room `left` (tasks placed so far taken off), the
    minutes `kept` for new cards, and what each task got so far, by id."""

    left: list[float]
    kept: list[float]
    tasks: dict[int, TaskToFit]
    explain: bool = True  # say where a task not planned came closest (see FittedTask)
    placed: dict[int, FittedTask] = field(default_factory=dict)
    users: dict[int, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for task in self.tasks.values():
            for need in task.after:
                if need in self.tasks and need != task.id:
                    self.users.setdefault(need, []).append(task.id)

    @property
    def horizon(self) -> int:
        return len(self.left) - 1

    def clip(self, day: int) -> int:
        return min(max(day, 0), self.horizon)

    def free(self, day: int) -> float:
        return self.left[day] - self.kept[day]

    def fit(self, task: TaskToFit, window: _Window) -> None:
        """Place `task` in `window`, narrowed by where the tasks it needs and the tasks
        that need it were placed already."""
        if task.pinned and task.day is not None:
            day = self.clip(task.day)
            self._put(task, ((day, task.minutes),), over=not _fits(self.left[day], task.minutes))
            return
        # A required task it needs that is not planned holds it back; an optional one
        # does not (a mock goes ahead without the optional rehearsal before it).
        blockers = tuple(p for p in task.after if p in self.placed
                         and not self.placed[p].parts and self.tasks[p].required)
        if blockers:
            self._unplanned(task, Unplanned.NEEDS, window, blocked_by=blockers)
            return
        after = max((self.placed[p].last_day + 1 for p in task.after if p in self.placed),
                    default=0)
        before = min((self.placed[u].day - 1 for u in self._users(task) if u in self.placed
                      and self.placed[u].parts), default=self.horizon)
        weeks = (max(window.first, after), min(window.last, before))
        reach = (max(window.reach_first, after), min(window.reach_last, before))
        if reach[0] > reach[1] and weeks[0] > weeks[1]:
            # The chain after it cannot all fit: it takes its own days, and what comes
            # after it gives way.
            weeks = (weeks[0], min(window.own_last, before))
            reach = (reach[0], min(window.own_reach_last, before))
        if reach[0] > reach[1] and weeks[0] > weeks[1]:
            self._unplanned(task, Unplanned.ORDER, window)
            return
        parts = self._choose(task, weeks, reach)
        if parts:
            self._put(task, parts)
        elif task.anyway:
            days = _days(weeks) or _days(reach)
            day = min(days, key=lambda d: (-self.left[d], d))
            self._put(task, ((day, task.minutes),), over=True)
        else:
            self._unplanned(task, Unplanned.ROOM, _Window(*weeks, *reach))

    def _users(self, task: TaskToFit) -> list[int]:
        return self.users.get(task.id, [])

    def _choose(self, task: TaskToFit, weeks: tuple[int, int],
                reach: tuple[int, int]) -> tuple[tuple[int, int], ...]:
        """The parts `task` gets, or () when no day holds it (see fit_tasks)."""
        in_weeks = _days(weeks)
        def outside() -> Iterator[int]:
            return _nearest_outside(weeks, reach)

        free = _FreeRoom(self.left, self.kept)
        if task.prefer and all(weeks[0] <= d <= weeks[1] or reach[0] <= d <= reach[1]
                               for d, _ in task.prefer) \
                and all(_fits(free[d], m) for d, m in task.prefer):
            return task.prefer
        whole = self._whole(task, in_weeks, outside(), free)
        if whole:
            return whole
        if task.required:
            # Split over the roomiest days of its weeks, then the nearest days outside.
            if not task.sitting:
                spread = _spread(free, task.minutes, chain(_by_room(free, in_weeks), outside()))
                if spread:
                    return spread
            # New cards give way to required tasks.
            whole = self._whole(task, in_weeks, outside(), self.left)
            if whole or task.sitting:
                return whole
            return _spread(self.left, task.minutes,
                           chain(_by_room(self.left, in_weeks), outside()))
        if task.sitting or not in_weeks:
            return ()
        best = min(in_weeks, key=lambda d: (-free[d], d))
        shortest = max(MIN_PART, math.ceil(task.minutes * SHORTEST_SHARE))
        if free[best] + SLACK >= shortest:
            return ((best, int(math.floor(free[best] + SLACK))),)
        return ()

    def _whole(self, task: TaskToFit, in_weeks: list[int], outside: Iterator[int],
               room: Sequence[float]) -> tuple[tuple[int, int], ...]:
        """The task whole on the earliest day of its weeks that holds it, else on the
        nearest day outside them that does; () when none does."""
        day = next((d for d in chain(in_weeks, outside) if _fits(room[d], task.minutes)),
                   None)
        return ((day, task.minutes),) if day is not None else ()

    def _put(self, task: TaskToFit, parts: tuple[tuple[int, int], ...], *,
             over: bool = False) -> None:
        for day, minutes in parts:
            self.left[day] -= minutes
        self.placed[task.id] = FittedTask(task.id, task.minutes, parts, change_of(task, parts),
                                          parts[0][0], task.day if task.pinned else None,
                                          over=over)

    def _unplanned(self, task: TaskToFit, reason: Unplanned, window: _Window, *,
                   blocked_by: tuple[int, ...] = ()) -> None:
        best, short_by = None, 0.0
        if self.explain:
            days = _days((window.reach_first, window.reach_last)) or _days(
                (window.first, window.last))
            best = min(days, key=lambda d: (-self.left[d], d)) if days else None
            if best is not None and reason == Unplanned.ROOM:
                short_by = task.minutes - max(self.left[best], 0.0)
        home = self.clip(task.first)
        self.placed[task.id] = FittedTask(task.id, task.minutes, (), Change.DROPPED, home, None,
                                          reason=reason, best_day=best,
                                          short_by=max(short_by, 0.0), blocked_by=blocked_by)


def _days(span: tuple[int, int]) -> list[int]:
    return list(range(span[0], span[1] + 1))


def _nearest_outside(weeks: tuple[int, int], reach: tuple[int, int]) -> Iterator[int]:
    """The days of `reach` outside `weeks`, the nearest first (at the same distance, the
    later day first), as they are asked for."""
    first, last = weeks
    if first > last:  # no weeks left: the reach from its first day
        yield from range(reach[0], reach[1] + 1)
        return
    for distance in range(1, max(reach[1] - last, first - reach[0], 0) + 1):
        if reach[0] <= last + distance <= reach[1]:
            yield last + distance
        if reach[0] <= first - distance <= reach[1]:
            yield first - distance


class _FreeRoom(Sequence[float]):
    """Each day's room beside the minutes kept for new cards, read as the days are
    asked for (a task looks at a few days of a long plan)."""

    def __init__(self, left: list[float], kept: list[float]) -> None:
        self.left, self.kept = left, kept

    def __len__(self) -> int:
        return len(self.left)

    @overload
    def __getitem__(self, day: int) -> float: ...

    @overload
    def __getitem__(self, day: slice) -> Sequence[float]: ...

    def __getitem__(self, day: int | slice) -> float | Sequence[float]:
        if isinstance(day, slice):
            return [a - b for a, b in zip(self.left[day], self.kept[day], strict=True)]
        return self.left[day] - self.kept[day]


def change_of(task: TaskToFit, parts: tuple[tuple[int, int], ...]) -> Change:
    """What the fitting did to `task` by planning it as `parts`: a task whole outside its
    weeks (and not pinned there by the user) counts as moved."""
    if not parts:
        return Change.DROPPED
    if len(parts) > 1:
        return Change.SPLIT
    day, minutes = parts[0]
    if minutes < task.minutes:
        return Change.SHORTENED
    if task.pinned or task.first <= day <= task.last:
        return Change.KEPT
    return Change.MOVED


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
    """New cards for a day: an even share of the `queue` over the days left (by weight:
    the day's budget), as the new-card cap and the spare minutes allow."""
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
    share of them (by weight: the day's budget) up to `last_new_day`, and the reviews
    the cards introduced so far bring."""
    weights = [float(f) for f in factors[:max(last_new_day + 1, 0)]]
    total = sum(weights)
    if not new_cards or not total:
        return [0.0] * len(factors)
    reserve = []
    introduced = 0.0
    for day, factor in enumerate(factors):
        share = new_cards * weights[day] / total if day < len(weights) else 0.0
        reserve.append(share * seconds_per_new / 60 + min(introduced, new_cards)
                       * NEW_CARD_REVIEWS_PER_DAY * seconds_per_review / 60
                       * min(float(factor), 1.0))
        introduced += share
    return reserve


# -- the tasks' days from their weeks ----------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskWeeks:
    """A task as the planner gets it: `day` is the day the user pinned it to (days from
    today; used only when `pinned`)."""

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
    (from today on), and the days it may slip to (today up to two days before the
    interview); the light day goes on the eve and nowhere else."""
    eve = max(horizon - 1, 0)
    if task.rest:
        eve = max(eve, task.not_before)
        return eve, eve, eve, eve
    first = max(week_range(offset, horizon, task.earliest_week, weeks)[0], task.not_before)
    last = max(week_range(offset, horizon, task.latest_week, weeks)[1], first)
    last = min(last, max(eve - 1, first))
    return first, last, task.not_before, max(eve - 1, first)


def to_fit(tasks: Sequence[TaskWeeks], offset: int, horizon: int,
           weeks: int = 4) -> list[TaskToFit]:
    """The tasks with their days for the fitting (see task_ranges)."""
    fit = []
    for task in tasks:
        first, last, reach_first, reach_last = task_ranges(task, offset, horizon, weeks)
        fit.append(TaskToFit(task.id, task.minutes, task.required, task.pinned,
                             task.day if task.pinned else None, first, last, reach_first,
                             reach_last, task.rank, task.after, task.sitting, task.anyway))
    return fit
