"""The preparation plan: cards and tasks from the database into the planner, and the
changes a user makes to tasks (tick, move, add, delete)."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import statistics
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import chain
from typing import Any, cast

import numpy as np
from sqlalchemy import Select, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from flashcards import scoping
from flashcards.core.days import StudyDay, study_day
from flashcards.core.fitting import Change, FittedTask, TaskWeeks
from flashcards.core.fixes import find_fixes
from flashcards.core.fsrs_vector import FloatArray, FsrsModel, IntArray
from flashcards.core.planner import (
    DEFAULT_SECONDS_PER_NEW,
    DEFAULT_SECONDS_PER_REVIEW,
    MAX_BUDGET_MINUTES,
    MAX_PLAN_DAYS,
    MAX_WEEKDAY_MINUTES,
    MIN_BUDGET_MINUTES,
    NEW_USER_WEEKDAY_MINUTES,
    SAME_EVERY_DAY,
    WEEKDAYS,
    CardArrays,
    Plan,
    PlanInput,
    TaskToPlace,
    format_weekday_minutes,
    parse_weekday_minutes,
    place_tasks,
    plan,
    plan_end,
    task_day_problem,
    weekday_budgets,
)
from flashcards.core.scheduling import CardState
from flashcards.core.taskformat import (
    TaskKind,
    TaskPriority,
    default_priority,
    default_sitting,
    find_cycle,
    format_task_ids,
    parse_task_ids,
)
from flashcards.db import begin_write, epoch_seconds
from flashcards.models import Card, Deck, PlanTask, ReadinessHistory, ReviewLog, Settings
from flashcards.scoping import OWNER
from flashcards.services import optimizer
from flashcards.services.errors import NotFound, ServiceError
from flashcards.services.positions import last_position
from flashcards.services.settings import (
    check_interview_date,
    check_later_rounds,
    get_settings,
    release_unpinned_tasks,
    rounds_text,
    scheduler_config,
    stored_rounds,
    time_zone,
)
from flashcards.services.study import (
    NEW_CARD_ORDER,
    DayAllowance,
    aim_at_interview,
    current_day,
    day_allowance,
)
from flashcards.services.users import owned, owner

PLAN_DAYS = 30
MAX_NEW_PER_DAY = 9999  # as the settings form


@dataclass(frozen=True)
class TaskView:
    task: PlanTask
    day: date  # the day it shows on: its planned day, or today when it rolled over
    rolled_from: date | None
    # The day the plan chose now for a task it had not placed yet, or moved it to
    # (saved by save_plan).
    placed_on: date | None = None
    # What the budget did to it: None when it is planned as it stands (see core.fitting).
    fitted: FittedTask | None = None
    parts: tuple[tuple[date, int], ...] = ()  # (day, minutes) it is planned as

    @property
    def change(self) -> str | None:
        """"moved", "split", "shortened" or "dropped" (from the plan, not the list); for a
        view read without the plan (task_days), what the last plan stored: "dropped", or
        "partial" when it gets only part of its minutes on this day (shortened or split)."""
        if self.fitted is None:
            stored = self.task.plan_minutes
            if (stored is None or self.task.done_at is not None or self.part_done
                    or stored >= self.task.minutes_left):
                return None
            return Change.DROPPED.value if stored == 0 else "partial"
        if self.fitted.change == Change.KEPT:
            return None
        return self.fitted.change.value

    @property
    def planned_minutes(self) -> int:
        """The minutes the plan gives what is left of it (its whole length once done)."""
        if self.fitted is not None:
            return self.fitted.planned_minutes
        if self.task.done_at is not None:
            return self.task.minutes
        if self.part_done:
            return self.task.part_minutes or 0
        stored = self.task.plan_minutes
        return self.task.minutes_left if stored is None else stored

    @property
    def part_done(self) -> bool:
        """A part of it was done on this day and the rest is still to do."""
        return self.task.done_at is None and self.task.part_done_on == self.day

    @property
    def part_next(self) -> bool:
        """Ticking it on this day does a part of it: the plan gives it fewer minutes
        here than are left of it (split over days, or shortened)."""
        return (self.task.done_at is None and not self.part_done
                and 0 < self.day_minutes < self.task.minutes_left)

    @property
    def day_minutes(self) -> int:
        """The minutes the plan gives it on the day it shows on (0: dropped)."""
        if self.fitted is None:
            return self.planned_minutes
        return sum(minutes for day, minutes in self.parts if day == self.day)


@dataclass(frozen=True)
class PlanView:
    plan: Plan
    today: date
    plan_start: date
    interview: date
    tasks: dict[date, list[TaskView]]
    done: dict[date, int]  # past days: reviews actually done
    settings: Settings
    # Today's new cards as the plan paces them (study.DayAllowance.new_limit), or None when
    # the interview has passed; saved by save_plan.
    paced_new: int | None = None
    # The new cards that do not fit, by deck: (name, cards, marked lower priority),
    # most first.
    unplaced_by_deck: tuple[tuple[str, int, bool], ...] = ()
    # The interview's later rounds the plan runs to (`interview` is the first), in order.
    later_rounds: tuple[date, ...] = ()

    @property
    def rounds(self) -> tuple[date, ...]:
        """Every round's day, the first (`interview`) first."""
        return (self.interview, *self.later_rounds)

    @property
    def last_day(self) -> date:
        """The plan's last day: the last round's."""
        return self.rounds[-1]

    def round_number(self, day: date) -> int | None:
        """Which round (1 = the first) is on `day`, or None."""
        return self.rounds.index(day) + 1 if day in self.rounds else None


def plan_dates(settings: Settings, today: date) -> tuple[date, date]:
    """The plan's first day and the interview day, at most MAX_PLAN_DAYS after today."""
    start = settings.plan_start or today
    return start, plan_end(settings.interview_date or start + timedelta(days=PLAN_DAYS), today)


def start_plan(session: Session, today: date) -> None:
    """On the first start: the plan begins today, the interview is 30 days away, and
    Saturdays hold the bundled full mock loop (NEW_USER_WEEKDAY_MINUTES)."""
    begin_write(session)
    settings = get_settings(session)
    if settings.plan_start is None:
        settings.plan_start = today
        if settings.weekday_minutes == SAME_EVERY_DAY:
            settings.weekday_minutes = NEW_USER_WEEKDAY_MINUTES
    if settings.interview_date is None:
        settings.interview_date = settings.plan_start + timedelta(days=PLAN_DAYS)


def _floats(rows: list[tuple[Any, ...]], width: int) -> FloatArray:
    return np.fromiter(chain.from_iterable(rows), np.float64,
                       count=len(rows) * width).reshape(len(rows), width)


def _fetch(session: Session, query: Select[*tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows as plain tuples from the driver's own cursor, which NumPy reads in one go
    (SQLAlchemy's Row objects cost more than the query for 100k cards)."""
    connection = session.connection()
    # Past SQLAlchemy's events: the owner condition is checked and filled in here.
    needs_owner, _ = scoping.check(query)
    compiled = query.compile(dialect=connection.dialect)
    params = compiled.construct_params({OWNER.key: owner(session)} if needs_owner else None)
    parameters = (tuple(params[name] for name in compiled.positiontup or [])
                  if compiled.positional else params)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), parameters)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def card_arrays(session: Session, day: StudyDay,
                deck_id: int | None = None) -> tuple[CardArrays, list[str]]:
    """Every card that is not suspended (of one deck: `deck_id`), as the planner's
    arrays: new cards first (by position, then id), then the cards already studied.
    `new_order` is the order the study queue introduces new cards in: lower-priority
    decks' after all others."""
    dialect = session.get_bind().dialect.name
    user_id = owner(session)
    decks = session.execute(select(Deck.id, Deck.name, Deck.lower_priority)
                            .where(Deck.user_id == user_id).order_by(Deck.name)).all()
    new_query = select(Card.deck_id).where(
        Card.user_id == OWNER, Card.state == int(CardState.NEW),
        Card.suspended == False)  # noqa: E712
    seen_query = select(
        Card.deck_id, Card.stability, Card.difficulty, epoch_seconds(Card.due, dialect),
        epoch_seconds(Card.last_review, dialect),
    ).where(  # read from ix_cards_state_due alone
        Card.user_id == OWNER,
        Card.state.between(int(CardState.LEARNING), int(CardState.RELEARNING)),
        Card.suspended == False, Card.due.is_not(None))  # noqa: E712
    if deck_id is not None:
        new_query = new_query.where(Card.deck_id == deck_id)
        seen_query = seen_query.where(Card.deck_id == deck_id)
    new_rows = _fetch(session, new_query.order_by(*NEW_CARD_ORDER))
    seen_rows = _fetch(session, seen_query)
    new_decks = _floats(new_rows, 1)[:, 0]
    seen = _floats(seen_rows, 5)
    deck_ids = np.array([deck_id for deck_id, _, _ in decks], dtype=np.float64)
    lower = np.array([bool(mark) for _, _, mark in decks], dtype=bool)
    order = np.argsort(deck_ids)

    def deck_index(ids: FloatArray) -> IntArray:
        if not len(decks):
            return np.zeros(ids.shape[0], dtype=np.int64)
        return np.asarray(order[np.searchsorted(deck_ids[order], ids)], dtype=np.int64)

    n_new = new_decks.shape[0]
    start = day.start.timestamp()
    new_deck_index = deck_index(new_decks)
    # Stable: within each group the cards keep their order (as the study queue's two
    # new-card queries do).
    new_order = (np.argsort(lower[new_deck_index], kind="stable").astype(np.int64)
                 if len(decks) else np.arange(n_new, dtype=np.int64))
    arrays = CardArrays(
        deck=np.concatenate([new_deck_index, deck_index(seen[:, 0])]),
        is_new=np.concatenate([np.ones(n_new, dtype=bool), np.zeros(len(seen), dtype=bool)]),
        stability=np.concatenate([np.full(n_new, np.nan), seen[:, 1]]),
        difficulty=np.concatenate([np.full(n_new, np.nan), seen[:, 2]]),
        due_day=np.concatenate([np.zeros(n_new), np.floor((seen[:, 3] - start) / 86400)]
                               ).astype(np.int64),
        last_day=np.concatenate([np.zeros(n_new), np.floor((seen[:, 4] - start) / 86400)]
                                ).astype(np.int64),
        new_order=new_order)
    return arrays, [name for _, name, _ in decks]


def answer_times(session: Session) -> tuple[float, float]:
    """Seconds per review and per new card, from the user's own log once it has enough:
    the latest 500 answers of each kind (newest first along ix_review_logs_reviewed_at)."""
    user_id = owner(session)
    # Both queries leave out NULL durations: the lists hold ints.
    reviews = cast(Sequence[int], session.execute(
        select(ReviewLog.duration_ms).where(ReviewLog.user_id == user_id,
                                            ReviewLog.state_before != int(CardState.NEW),
                                            ReviewLog.duration_ms.is_not(None))
        .order_by(ReviewLog.reviewed_at.desc()).limit(500)).scalars().all())
    firsts = cast(Sequence[int], session.execute(
        select(ReviewLog.duration_ms).where(ReviewLog.user_id == user_id,
                                            ReviewLog.state_before == int(CardState.NEW),
                                            ReviewLog.duration_ms.is_not(None))
        .order_by(ReviewLog.reviewed_at.desc()).limit(500)).scalars().all())
    per_review = (statistics.median(reviews) / 1000 if len(reviews) >= 20
                  else DEFAULT_SECONDS_PER_REVIEW)
    # A new card is its first showing plus its learning steps (as many as the user's
    # latest answers show per new card, about one to two).
    per_new = (statistics.median(firsts) / 1000 + per_review * _learning_steps(session)
               if len(firsts) >= 20 else DEFAULT_SECONDS_PER_NEW)
    return per_review, per_new


def _learning_steps(session: Session) -> float:
    """Learning-step answers per new card in the latest 1,000 answers (1 without any)."""
    states = session.execute(
        select(ReviewLog.state_before).where(ReviewLog.user_id == owner(session))
        .order_by(ReviewLog.reviewed_at.desc()).limit(1000)).scalars().all()
    firsts = sum(1 for state in states if state == int(CardState.NEW))
    steps = sum(1 for state in states if state == int(CardState.LEARNING))
    return steps / firsts if firsts else 1.0


def task_days(session: Session, settings: Settings, today: date) -> list[TaskView]:
    """Every task with the day it shows on; a task the plan has not placed yet shows on
    the day it would get (`placed_on`; save_plan stores it). Reads only."""
    start, interview = plan_dates(settings, today)
    tasks = session.execute(select(PlanTask).order_by(PlanTask.position, PlanTask.id)
                            ).scalars().all()
    unplaced = [t for t in tasks if t.scheduled_for is None and t.done_at is None]
    placed: dict[int, date] = {}
    if unplaced:
        taken: dict[date, int] = {}
        for task in tasks:
            if task.scheduled_for is not None and task.done_at is None:
                taken[task.scheduled_for] = (taken.get(task.scheduled_for, 0)
                                             + task.minutes_left)
        placed = place_tasks(
            [TaskToPlace(t.id, t.minutes_left, t.earliest_week, t.latest_week,
                         t.kind == TaskKind.REST.value) for t in unplaced],
            plan_start=start, interview=interview, today=today,
            budgets=weekday_budgets(settings.daily_minutes, settings.weekday_minutes),
            taken=taken)
    views = []
    for task in tasks:
        placed_on = placed.get(task.id)
        day = task.scheduled_for or placed_on or today
        if task.done_at is None and day < today:
            views.append(TaskView(task, today, day, placed_on))
        else:
            views.append(TaskView(task, day, None, placed_on))
    return views


def with_parts_done(views: list[TaskView], today: date) -> list[TaskView]:
    """`views` and, on `today`, each task a part of which was done today while the rest
    is planned on a later day (so today's list still shows the part it had)."""
    extra = [TaskView(view.task, today, None) for view in views
             if view.task.part_done_on == today and view.task.done_at is None
             and view.day != today]
    return views + extra


def tasks_on(session: Session, settings: Settings, today: date) -> list[TaskView]:
    """Today's tasks as the pages that do not plan show them (home, how today went)."""
    return [view for view in with_parts_done(task_days(session, settings, today), today)
            if view.day == today]


@dataclass(frozen=True)
class TaskList:
    today: date
    interview: date  # the last day a task may be moved to (plan_dates)
    by_day: list[tuple[date, list[TaskView]]]  # in day order


def task_list(session: Session, now: datetime) -> TaskList:
    """Every task once, by the day it shows on, as the last plan stored it (task_days):
    for the task list page. Reads only: the plan is not computed, so nothing it would
    decide is written on the way."""
    today = current_day(session, now).date
    settings = get_settings(session)
    by_day: dict[date, list[TaskView]] = {}
    for view in task_days(session, settings, today):
        by_day.setdefault(view.day, []).append(view)
    return TaskList(today, plan_dates(settings, today)[1], sorted(by_day.items()))


def held_and_dropped(views: Sequence[TaskView]) -> tuple[list[TaskView], list[TaskView]]:
    """`views` split in two: the tasks the plan holds on their day (to-dos), and those it
    dropped from it (to do if there is time: not planned, not counted as planned)."""
    held = [view for view in views if view.change != Change.DROPPED.value]
    return held, [view for view in views if view.change == Change.DROPPED.value]


def unfinished_tasks_on(session: Session, settings: Settings, today: date) -> list[TaskView]:
    """Today's tasks still to do: not done, no part ticked today, not dropped by the plan."""
    return [view for view in tasks_on(session, settings, today)
            if view.task.done_at is None and not view.part_done
            and view.change != Change.DROPPED.value]


def _tasks_to_fit(views: list[TaskView], today: date, interview: date) -> list[TaskWeeks]:
    """The tasks still to do, for the planner: the day the user pinned it to, if any (a
    day the plan chose before is not an input: the same cards, tasks and settings give
    the same plan, whatever the last plan stored), its weeks, whether it may give way
    (optional), its rank in the list, the tasks it needs first (those still to fit: a
    done one imposes nothing), whether it is done in one sitting, and whether the user
    accepts its day running over."""
    open_views = [view for view in views
                  if view.task.done_at is None and view.day <= interview]
    ranks = {task.id: rank for rank, task in enumerate(
        sorted((view.task for view in views), key=lambda t: (t.position, t.id)))}
    fitted = {view.task.id for view in open_views}
    tasks = []
    for view in open_views:
        task = view.task
        stored = task.scheduled_for
        # What is left of a task a part of which was done today goes on a later day.
        part_today = task.part_done_on == today
        # A pinned task left undone on a past day is placed afresh, as any other.
        pinned = (bool(task.pinned) and stored is not None and stored >= today
                  and not part_today)
        tasks.append(TaskWeeks(
            task.id, task.minutes_left, task.priority == TaskPriority.REQUIRED.value,
            pinned, (stored - today).days if pinned and stored is not None else None,
            task.earliest_week, task.latest_week, task.kind == TaskKind.REST.value,
            not_before=1 if part_today else 0, rank=ranks[task.id],
            after=tuple(i for i in task.after if i in fitted and i != task.id),
            sitting=bool(task.sitting), anyway=bool(task.anyway)))
    return tasks


def _with_fitting(views: list[TaskView], fitted: list[FittedTask], today: date) -> list[TaskView]:
    """Each task on the day the plan fitted it to: a task the plan places or moves gets
    `placed_on` (save_plan stores it); a dropped one stays in the list where it was."""
    by_id = {f.id: f for f in fitted}
    result = []
    for view in views:
        fit = by_id.get(view.task.id)
        if fit is None:
            result.append(view)
            continue
        day = today + timedelta(days=fit.day)
        stored = view.task.scheduled_for
        rolled = view.rolled_from if day == today else None
        # A dropped task keeps its day (one not placed before gets the first of its weeks).
        moved = ((fit.parts or stored is None) and day != stored
                 and not (rolled and day == today))
        placed_on = day if moved and not (view.task.pinned and stored and stored >= today) else None
        parts = tuple((today + timedelta(days=d), minutes) for d, minutes in fit.parts)
        result.append(TaskView(view.task, day, rolled, placed_on, fit, parts))
    return result


def plan_input(session: Session, allowance: DayAllowance, settings: Settings,
               views: list[TaskView], deck_id: int | None = None) -> PlanInput:
    """What the planner needs, as build_plan gives it: the cards (of one deck:
    `deck_id`), the user's answer times, limits and FSRS parameters, and the tasks
    `views` (task_days) to fit."""
    day = allowance.day
    start, interview = plan_dates(settings, day.date)
    cards, deck_names = card_arrays(session, day, deck_id)
    per_review, per_new = answer_times(session)
    target = settings.interview_retention or settings.desired_retention
    plan_interview = max(interview, day.date)
    model = FsrsModel.from_config(scheduler_config(settings))
    return PlanInput(
        today=day.date, interview=plan_interview, cards=cards,
        deck_names=deck_names, model=model,
        target=target, budget_minutes=settings.daily_minutes,
        weekday_minutes=tuple(float(minutes) for minutes in
                              weekday_budgets(settings.daily_minutes, settings.weekday_minutes)),
        new_cap=settings.new_per_day, max_reviews=settings.max_reviews_per_day,
        seconds_per_review=per_review, seconds_per_new=per_new,
        new_done_today=allowance.new_studied, reviews_done_today=allowance.reviews_done,
        new_today=fixed_new_left(allowance),
        tasks=_tasks_to_fit(views, day.date, plan_interview), plan_start=start,
        stability_factor=optimizer.stability_factor(session, model),
        later_rounds=plan_rounds(settings, plan_interview, day.date))


def plan_rounds(settings: Settings, interview: date, today: date) -> tuple[date, ...]:
    """The later rounds the plan runs to: those after the plan's `interview` (the first
    round, or today once it is over) and within MAX_PLAN_DAYS."""
    return tuple(day for day in stored_rounds(settings)
                 if interview < day <= today + timedelta(days=MAX_PLAN_DAYS))


DEFAULT_PLAN_SEED = 2026


def plan_rng(config: Mapping[str, Any]) -> np.random.Generator:
    """The forecast's random source. The forecast is a Monte Carlo mean: a fixed seed (the
    app's PLAN_SEED, DEFAULT_PLAN_SEED unless set) keeps the plan steady on reload."""
    return np.random.default_rng(config.get("PLAN_SEED", DEFAULT_PLAN_SEED))


# Plans kept per process (a few users' latest inputs: a reload, or Today then the plan).
PLAN_CACHE_SIZE = 16


def _fingerprint_parts(value: object) -> Iterator[bytes]:
    """`value` as bytes that differ whenever it does: arrays by dtype, shape and
    contents; dataclasses field by field; containers item by item; anything else by
    repr (exact for the numbers, dates and strings a plan's input holds)."""
    if isinstance(value, np.ndarray):
        yield f"array {value.dtype.str} {value.shape}".encode()
        yield np.ascontiguousarray(value).tobytes()
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield type(value).__qualname__.encode()
        for item in dataclasses.fields(value):
            yield item.name.encode()
            yield from _fingerprint_parts(getattr(value, item.name))
    elif isinstance(value, list | tuple):
        yield f"{type(value).__name__} {len(value)}".encode()
        for item in value:
            yield from _fingerprint_parts(item)
    elif isinstance(value, dict):
        yield f"dict {len(value)}".encode()
        for key, item in sorted(value.items(), key=lambda pair: repr(pair[0])):
            yield repr(key).encode()
            yield from _fingerprint_parts(item)
    else:
        yield repr(value).encode()


def plan_fingerprint(data: PlanInput, rng: np.random.Generator) -> bytes:
    """A digest of everything plan() reads: every input field and the random source's
    state (so the same inputs and seed give the same key, and any change another)."""
    digest = hashlib.blake2b(digest_size=32)
    for part in chain(_fingerprint_parts(data),
                      _fingerprint_parts(repr(rng.bit_generator.state))):
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.digest()


class _PlanRequest:
    """A plan to compute, as cached_plan's key: equal, and hashed, by its inputs'
    fingerprint alone. The inputs are let go once the plan is computed, so the cache
    keeps no card arrays."""

    def __init__(self, data: PlanInput, rng: np.random.Generator) -> None:
        self.fingerprint = plan_fingerprint(data, rng)
        self.inputs: tuple[PlanInput, np.random.Generator] | None = (data, rng)

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _PlanRequest) and other.fingerprint == self.fingerprint


@functools.lru_cache(maxsize=PLAN_CACHE_SIZE)
def _computed_plan(request: _PlanRequest) -> Plan:
    inputs, request.inputs = request.inputs, None
    if inputs is None:  # a key is used for one call only (see cached_plan)
        raise ValueError("a plan request is computed once")
    return plan(*inputs)


def cached_plan(data: PlanInput, rng: np.random.Generator) -> Plan:
    """core.planner.plan(data, rng), computed once per process for the same inputs and
    random state (a reload, or Today and then the plan page, with nothing changed):
    plan() is pure, so the stored result is the one it would give again. On a stored
    plan `rng` is left as it was. The Plan is shared: callers do not change it."""
    return _computed_plan(_PlanRequest(data, rng))


def forget_plans() -> None:
    """Empty cached_plan's store and the fixes' (a benchmark timing the plan's
    computation from nothing)."""
    _computed_plan.cache_clear()
    find_fixes.cache_clear()


def build_plan(session: Session, now: datetime, rng: np.random.Generator) -> PlanView:
    """The plan from today to the interview, with each day's tasks and, for past days of
    the plan, the reviews actually done. Reads only: what it decides (where new tasks
    go, today's pace) is stored by save_plan, in a short write transaction of its own,
    so no write lock is held while the plan is computed."""
    allowance = day_allowance(session, now)
    settings = get_settings(session)
    day = allowance.day
    start, interview = plan_dates(settings, day.date)
    views = task_days(session, settings, day.date)
    data = plan_input(session, allowance, settings, views)
    cards, deck_names = data.cards, list(data.deck_names)
    result = cached_plan(data, rng)
    views = with_parts_done(_with_fitting(views, result.tasks, day.date), day.date)
    by_day: dict[date, list[TaskView]] = {}
    for view in views:
        by_day.setdefault(view.day, []).append(view)
    paced_new = day_target(allowance, result, interview)
    done = _reviews_done(session, settings, start, day)
    return PlanView(result, day.date, start, interview, by_day, done, settings, paced_new,
                    _unplaced_by_deck(session, cards, deck_names, result.unplaced_new),
                    data.later_rounds)


def _unplaced_by_deck(session: Session, cards: CardArrays, deck_names: list[str],
                      unplaced: int) -> tuple[tuple[str, int, bool], ...]:
    """The decks of the new cards the plan leaves out: the last `unplaced` of the
    introduction order (the planner takes fewer from its end)."""
    if unplaced <= 0 or not deck_names:
        return ()
    left_out = cards.deck[cards.new_order[len(cards.new_order) - unplaced:]]
    counts = np.bincount(left_out, minlength=len(deck_names))
    lower = dict(session.execute(select(Deck.name, Deck.lower_priority)
                                 .where(Deck.user_id == owner(session))).all())
    found = [(name, int(count), bool(lower.get(name, False)))
             for name, count in zip(deck_names, counts, strict=True) if count]
    return tuple(sorted(found, key=lambda row: (-row[1], row[0])))


def fixed_new_left(allowance: DayAllowance) -> int | None:
    """Today's new cards still to study when the day's target is fixed already (by the
    day's first plan), for the planner's today; None before that first plan."""
    return allowance.new_left if allowance.paced else None


def day_target(allowance: DayAllowance, result: Plan, interview: date) -> int | None:
    """Today's new-card target, which the review limit follows (study.DayAllowance.new_limit):
    set by the day's first plan (what it gives today plus what was studied before) and
    then kept all day, however often the plan is rebuilt; on interview day what the
    plan gives it (no new cards); None once the interview has passed."""
    if not result.days or allowance.day.date > interview:
        return None
    if allowance.paced and allowance.settings.paced_new is not None:
        return allowance.settings.paced_new
    return result.days[0].new + allowance.new_studied


def save_plan(session: Session, view: PlanView) -> None:
    """Store what build_plan decided: the day of each task it placed (unless the task
    was placed, moved or done meanwhile) and today's pace. Starts its own write
    transaction, so the caller ends the one the plan was read in first (plan_and_save)."""
    begin_write(session)
    for views in view.tasks.values():
        for task_view in views:
            if task_view.placed_on is not None:
                # Only if nobody placed, moved or ticked it meanwhile.
                stored = task_view.task.scheduled_for
                session.execute(update(PlanTask).where(
                    PlanTask.id == task_view.task.id,
                    PlanTask.scheduled_for.is_(None) if stored is None
                    else PlanTask.scheduled_for == stored,
                    PlanTask.pinned == False,  # noqa: E712
                    PlanTask.done_at.is_(None)).values(scheduled_for=task_view.placed_on)
                    .execution_options(synchronize_session=False))
            # What the plan gives the task on its day, for the pages that do not plan
            # (home, how today went); written only when it changed (from what this
            # request read, and in the statement, for a write made meanwhile): a plan
            # reloaded unchanged writes nothing.
            if (task_view.fitted is not None and task_view.task.done_at is None
                    and task_view.task.plan_minutes != task_view.day_minutes):
                minutes = task_view.day_minutes
                session.execute(update(PlanTask).where(
                    PlanTask.id == task_view.task.id,
                    PlanTask.plan_minutes.is_distinct_from(minutes))
                    .values(plan_minutes=minutes)
                    .execution_options(synchronize_session=False))
    paced_day = view.today if view.paced_new is not None else None
    # Once per study day: a later plan of the same day leaves the target as it is.
    session.execute(update(Settings).where(or_(Settings.paced_day.is_(None),
                                               Settings.paced_day != view.today))
                    .values(paced_day=paced_day, paced_new=view.paced_new)
                    .execution_options(synchronize_session=False))
    # Read back what is stored (a request of the same day may have set it first).
    session.expire(view.settings, ["paced_day", "paced_new"])
    save_readiness(session, view)


def save_readiness(session: Session, view: PlanView) -> None:
    """Store each deck's predicted recall on interview day as today's (a later plan of
    the same day replaces it), for the statistics page; only while an interview date is
    set and not past."""
    if view.settings.interview_date is None or view.today > view.interview:
        return
    recall = view.plan.recall_by_deck
    if not recall:
        return
    user_id = owner(session)
    ids = dict(session.execute(select(Deck.name, Deck.id).where(Deck.user_id == user_id)).all())
    rows = [{"user_id": user_id, "deck_id": ids[name], "day": view.today,
             "recall": min(max(float(value), 0.0), 1.0)}
            for name, value in recall.items() if name in ids]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert_(ReadinessHistory)
    session.execute(statement.on_conflict_do_update(
        index_elements=["user_id", "deck_id", "day"],
        set_={"recall": statement.excluded.recall}), rows)


def plan_and_save(session: Session, now: datetime, rng: np.random.Generator) -> PlanView:
    """build_plan, then save_plan: the plan is computed in a read transaction, which is
    ended (nothing in it to commit) before the short write transaction that stores what
    it decided. The caller commits that one. First, exam mode looks again at the cards
    due after the interview (study.aim_at_interview), so the plan sees where they go."""
    if aim_at_interview(session, now):
        session.commit()
    view = build_plan(session, now, rng)
    session.commit()  # ends the read transaction; no write lock was held while planning
    save_plan(session, view)
    return view


def plan_and_commit(session: Session, now: datetime, rng: np.random.Generator) -> PlanView:
    """plan_and_save, with its write committed: for the pages that plan when opened
    (the plan page, its calendar file). Opening them stores what the plan decided: the
    tasks placed for the first time, the day's pace (once per study day), the recall
    history. Deliberate writes on a GET, each in its own short transaction."""
    view = plan_and_save(session, now, rng)
    session.commit()
    return view


def _reviews_done(session: Session, settings: Settings, start: date,
                  day: StudyDay) -> dict[date, int]:
    zone = time_zone(settings)
    first = study_day(datetime.combine(start, datetime.min.time(), tzinfo=zone)
                      + timedelta(hours=settings.rollover_hour), zone, settings.rollover_hour)
    times = session.execute(select(ReviewLog.reviewed_at).where(
        ReviewLog.user_id == owner(session), ReviewLog.reviewed_at >= first.start,
        ReviewLog.reviewed_at < day.start)).scalars()
    counts: dict[date, int] = {}
    for moment in times:
        when = study_day(moment, zone, settings.rollover_hour).date
        counts[when] = counts.get(when, 0) + 1
    return counts


# -- task changes -------------------------------------------------------------------


def _task(session: Session, task_id: int) -> PlanTask:
    return owned(session, PlanTask, task_id, "task")


def set_done(session: Session, task_id: int, done: bool, now: datetime, *,
             whole: bool = False) -> PlanTask:
    """Tick a task off, or take the tick back. A task the plan gives fewer minutes today
    than are left of it (split over days, or shortened) is ticked off one part at a
    time: today's part is recorded and the rest stays in the plan, unless `whole`.
    Taking the tick back undoes the whole task's tick, else today's part."""
    begin_write(session)
    task = _task(session, task_id)
    today = current_day(session, now).date
    if done:
        if task.done_at is not None:
            return task
        if whole:
            task.done_at = now
            return task
        if task.part_done_on == today:
            return task  # today's part is ticked already (a second click, or a retry)
        day = max(task.scheduled_for or today, today)
        view = TaskView(task, day, None)
        if day == today and view.part_next:
            minutes = view.day_minutes
            task.minutes_done = (task.minutes_done or 0) + minutes
            task.part_done_on, task.part_minutes = today, minutes
            # The rest goes where the next plan puts it, from tomorrow on.
            task.plan_minutes, task.pinned = None, False
        else:
            task.done_at = now
    elif task.done_at is not None:
        task.done_at = None
    elif task.part_done_on == today:
        # Back to what the plan gave it today, until the next plan looks again.
        task.minutes_done = max((task.minutes_done or 0) - (task.part_minutes or 0), 0)
        task.scheduled_for, task.plan_minutes = today, task.part_minutes
        task.part_done_on = task.part_minutes = None
    return task


def allowed_task_days(session: Session, now: datetime) -> tuple[date, date]:
    """The first and last day a task may be put on: today up to interview day (the
    plan's, see plan_dates). Ends the read, so that a write after it takes the lock
    up front."""
    today = current_day(session, now).date
    interview = plan_dates(get_settings(session), today)[1]
    session.rollback()
    return today, interview


def move_task(session: Session, task_id: int, day: date, now: datetime) -> PlanTask:
    """Put a task on another day (today up to interview day); it stays there."""
    begin_write(session)
    today = current_day(session, now).date
    problem = task_day_problem(day, today, plan_dates(get_settings(session), today)[1])
    if problem:
        raise ServiceError(problem)
    task = _task(session, task_id)
    task.scheduled_for, task.pinned = day, True
    task.plan_minutes = None  # pinned: the plan keeps it whole on this day
    return task


def add_task(session: Session, *, title: str, details: str, minutes: int, day: date,
             kind: TaskKind, now: datetime, priority: TaskPriority | None = None,
             after: Sequence[int] = (), sitting: bool | None = None) -> PlanTask:
    """A task the user adds, on `day` (today up to interview day); without a priority,
    the kind's (mocks and rest are required); `after`: the ids of the user's tasks it
    needs first (check_after); without `sitting`, the kind's (mocks are done in one)."""
    begin_write(session)
    today = current_day(session, now).date
    problem = task_day_problem(day, today, plan_dates(get_settings(session), today)[1])
    if problem:
        raise ServiceError(problem)
    user_id = owner(session)
    after_ids = check_after(session, None, after)
    position = last_position(session, PlanTask, user_id) + 1
    task = PlanTask(user_id=user_id, key=None, title=title.strip(), details=details.strip(),
                    kind=kind.value, priority=(priority or default_priority(kind)).value,
                    minutes=minutes, earliest_week=1, latest_week=4, source="",
                    position=position, scheduled_for=day, pinned=True, created_at=now,
                    after_ids=after_ids,
                    sitting=default_sitting(kind) if sitting is None else sitting)
    session.add(task)
    session.flush()
    return task


def edit_task(session: Session, task_id: int, *, title: str, details: str, minutes: int,
              now: datetime, priority: TaskPriority | None = None,
              after: Sequence[int] | None = None, sitting: bool | None = None) -> PlanTask:
    """Change a task's text, length, priority, the tasks it needs first (check_after) and
    whether it is done in one sitting (None: each kept); a bundled task the user edited
    stays as edited."""
    begin_write(session)
    task = _task(session, task_id)
    if after is not None:
        task.after_ids = check_after(session, task.id, after)
    task.title, task.details, task.minutes = title.strip(), details.strip(), minutes
    task.plan_minutes = None  # until the next plan fits the new length
    if priority is not None:
        task.priority = priority.value
    if sitting is not None:
        task.sitting = sitting
    task.edited_at = now
    return task


def check_after(session: Session, task_id: int | None, after: Sequence[int]) -> str:
    """The stored after_ids of task `task_id` (None: a task not added yet) needing the
    tasks `after` first. Each must be another of the user's tasks (NotFound otherwise, as
    for any id not the user's); ServiceError naming the tasks when the choice would make
    a circle (a task needed, however indirectly, by itself)."""
    wanted = list(dict.fromkeys(after))
    if task_id is not None and task_id in wanted:
        raise ServiceError("A task cannot need itself first.")
    rows = session.execute(select(PlanTask.id, PlanTask.title, PlanTask.after_ids)
                           .where(PlanTask.user_id == owner(session))
                           .order_by(PlanTask.position, PlanTask.id)).all()
    titles = {row.id: row.title for row in rows}
    for needed in wanted:
        if needed not in titles:
            raise NotFound(f"There is no task {needed}.")
    if task_id is not None:
        needs: dict[int, tuple[int, ...]] = {row.id: parse_task_ids(row.after_ids)
                                             for row in rows}
        needs[task_id] = tuple(wanted)
        # Start from this task, so the circle is told from its point of view.
        cycle = find_cycle({task_id: needs[task_id]} | needs)
        if cycle is not None:
            path = " needs ".join(f"“{titles[i]}”" for i in cycle)
            raise ServiceError(f"That would make a circle: {path}. Choose tasks that do "
                               f"not need this one.")
    return format_task_ids(wanted)


def delete_task(session: Session, task_id: int) -> None:
    """Delete the user's task; the tasks that needed it first no longer do."""
    begin_write(session)
    task = _task(session, task_id)
    needing = session.execute(select(PlanTask).where(
        PlanTask.user_id == task.user_id, PlanTask.id != task.id,
        PlanTask.after_ids != "")).scalars()
    for other in needing:
        if task.id in other.after:
            other.after_ids = format_task_ids(i for i in other.after if i != task.id)
    session.delete(task)


def set_anyway(session: Session, task_id: int, on: bool) -> PlanTask:
    """"Plan it anyway" (on) or not (off) for the user's task: with it on, the plan may
    put the task on a day it makes run over budget rather than leave it out."""
    begin_write(session)
    task = _task(session, task_id)
    task.anyway = on
    return task


def needs_pacing(allowance: DayAllowance) -> bool:
    """Whether the study day has not been planned yet (up to interview day)."""
    options = allowance.settings
    if options.paced_day == allowance.day.date:
        return False
    start = options.plan_start or allowance.day.date
    interview = options.interview_date or start + timedelta(days=PLAN_DAYS)
    return allowance.day.date <= interview


def pace_day(session: Session, allowance: DayAllowance, rng: np.random.Generator, *,
             auto_optimise: bool = True) -> bool:
    """Plan the study day on its first visit, so the day's new-card limit follows the
    plan; True when it planned (the caller commits the short write that stores the pace,
    and reads the day again). With `auto_optimise`, the optimiser runs first when due
    (weekly, once the log allows; committed), so the day's plan uses what it learnt."""
    if not needs_pacing(allowance):
        return False
    if auto_optimise:
        optimizer.auto_optimise(session, allowance.now)
        session.commit()
    plan_and_save(session, allowance.now, rng)
    return True


def apply_fix(session: Session, *, now: datetime, daily_minutes: int | None = None,
              interview_date: date | None = None, new_per_day: int | None = None,
              weekday: int | None = None, weekday_minutes: int | None = None
              ) -> tuple[date, ...]:
    """Apply a fix the pressure panel offers: a new daily budget, a weekday's own budget
    ("Give Saturdays 3 hours": `weekday` 0-6, Monday first, and its minutes), or a new
    interview date (then the plan places its tasks again; tasks the user pinned stay),
    the budget or the date with the new-card limit it needs. Moving the interview moves
    its later rounds by the same number of days (the rounds of one interview are booked
    together, and so they stay in order and after the first); a round that would then lie beyond
    MAX_PLAN_DAYS is refused, naming it. Returns the later rounds as stored after."""
    begin_write(session)
    today = current_day(session, now).date
    settings = get_settings(session)
    if daily_minutes is not None and not MIN_BUDGET_MINUTES <= daily_minutes <= MAX_BUDGET_MINUTES:
        raise ServiceError(f"The daily budget must be {MIN_BUDGET_MINUTES} to "
                           f"{MAX_BUDGET_MINUTES} minutes.")
    if new_per_day is not None and not 0 <= new_per_day <= MAX_NEW_PER_DAY:
        raise ServiceError(f"The new-card limit must be 0 to {MAX_NEW_PER_DAY} a day.")
    if new_per_day is not None and daily_minutes is None and interview_date is None:
        raise ServiceError("A new-card limit comes with a new budget or interview date "
                           "(change it alone in Settings).")
    if (weekday is None) != (weekday_minutes is None):
        raise ServiceError("A weekday's budget needs both the weekday and its minutes.")
    if weekday is not None and weekday_minutes is not None:
        if not 0 <= weekday < len(WEEKDAYS):
            raise ServiceError("The weekday must be 0 (Monday) to 6 (Sunday).")
        if not 0 <= weekday_minutes <= MAX_WEEKDAY_MINUTES:
            raise ServiceError(f"A weekday's budget must be 0 to {MAX_WEEKDAY_MINUTES} "
                               f"minutes.")
        entries = list(parse_weekday_minutes(settings.weekday_minutes))
        entries[weekday] = weekday_minutes
        settings.weekday_minutes = format_weekday_minutes(entries)
        release_unpinned_tasks(session)
    rounds = stored_rounds(settings)
    if interview_date is not None:
        check_interview_date(interview_date, today, settings.interview_date)
        if settings.interview_date is not None and rounds:
            shift = interview_date - settings.interview_date
            moved = tuple(day + shift for day in rounds)
            try:
                check_later_rounds(moved, interview_date, today,
                                   stored=rounds if not shift else ())
            except ServiceError as problem:
                raise ServiceError(
                    f"Moving the interview to {interview_date:%-d %B %Y} moves its later "
                    f"rounds by {shift.days} days too, and then: {problem}") from problem
            rounds = moved
    if daily_minutes is not None:
        settings.daily_minutes = daily_minutes
    if new_per_day is not None:
        settings.new_per_day = new_per_day
    if interview_date is not None and interview_date != settings.interview_date:
        settings.interview_date = interview_date
        settings.later_rounds = rounds_text(rounds)
        release_unpinned_tasks(session)
    return rounds
