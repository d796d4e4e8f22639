"""The statistics page: the review log, the cards and the readiness history of one
user (all decks or one), read in a few grouped queries.

The review log is added up in SQL by study day (the days' bounds in UTC are computed
here from the user's time zone and rollover hour and handed to the query), so a million
answers never reach Python one by one; closed days' sums are kept per process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Integer, and_, bindparam, case, cast, column, func, select, text, values
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from flashcards.core import stats as core
from flashcards.core.numbers import NumberError, shown, whole_number
from flashcards.core.planner import plan
from flashcards.core.scheduling import CardState
from flashcards.db import UTCDateTime
from flashcards.models import Card, Deck, ReadinessHistory, ReviewLog
from flashcards.scoping import OWNER
from flashcards.services.decks import deck_names, get_deck
from flashcards.services.errors import ServiceError
from flashcards.services.plans import _fetch as fetch_rows
from flashcards.services.plans import plan_input
from flashcards.services.settings import get_settings, time_zone
from flashcards.services.study import DayAllowance, day_allowance
from flashcards.services.users import owner

RANGES = (7, 30, 90, 365)
DEFAULT_RANGE = 30
HEATMAP_DAYS = 365
FORECAST_DAYS = 30
# Two counts in one sum: the low part counts up to this many answers a day.
PACK = 1 << 24


class BadStatsRequest(ServiceError):
    """A range or deck the page does not offer."""


@dataclass(frozen=True)
class ReadinessSeries:
    deck_id: int
    deck: str
    points: list[tuple[date, float]]  # oldest first

    @property
    def latest(self) -> tuple[date, float] | None:
        return self.points[-1] if self.points else None


@dataclass(frozen=True)
class Readiness:
    interview: date | None  # None: no interview date set
    target: float
    series: list[ReadinessSeries]


@dataclass(frozen=True)
class Stats:
    today: date
    range_days: int
    deck_id: int | None
    deck_name: str | None
    decks: list[tuple[int, str]]
    year: list[core.DayTotals]  # the heatmap's days, oldest first, today last
    days: list[core.DayTotals]  # the range's days
    summary: core.RangeSummary
    year_summary: core.RangeSummary
    streak: int
    weeks: list[core.Retention]
    retention: core.Retention  # over the whole range
    desired_retention: float
    counts: dict[str, int]
    stability: list[core.Bin]
    difficulty: list[core.Bin]
    forecast: list[tuple[date, float]]
    readiness: Readiness


def parse_range(value: str | None) -> int:
    """The range in days from the query string (None: the default)."""
    if value is None or value == "":
        return DEFAULT_RANGE
    try:
        days = whole_number(value, "range", least=min(RANGES), most=max(RANGES))
    except NumberError:
        days = None
    if days not in RANGES:
        raise BadStatsRequest(f"The range must be one of {', '.join(map(str, RANGES))} "
                              f"days, not “{shown(value)}”.")
    return days


def _day_totals(session: Session, first: date, edges: list[datetime],
                deck_id: int | None, full: bool = True) -> dict[date, core.DayTotals]:
    """The log's totals for the study days from `first` on, day k running from edges[k]
    to edges[k + 1], in one query: with `full` false only the answers and minutes (what
    the heatmap shows), a fraction of the work of the retention sums. SQLite: the days as
    a VALUES list joined to the log by time range (one range scan of ix_review_logs_stats
    per day, which covers every column read). PostgreSQL: one range scan, each answer's
    day found by width_bucket in the days' bounds (a range join there is estimated at
    thousands of times its rows)."""
    if len(edges) < 2:
        return {}
    dialect = session.get_bind().dialect.name
    log = ReviewLog
    if dialect == "sqlite":
        # Stored as "YYYY-MM-DD HH:MM:SS.ffffff" (UTC), which compare as the moments do:
        # cheaper than subtracting two julianday()s.
        young_test = log.due_before < func.datetime(log.last_review_before,
                                                    f"+{core.MATURE_DAYS} days")
    else:
        young_test = (log.due_before - log.last_review_before) < timedelta(days=core.MATURE_DAYS)
    review = log.state_before == int(CardState.REVIEW)
    passed = log.rating > 1
    # No interval known (a log from before it was kept): young, as a short one.
    young = and_(review, young_test | log.due_before.is_(None)
                 | log.last_review_before.is_(None))
    # Young answers and the young ones not Again in one sum (the interval, a date
    # difference, is the costly part on SQLite: computed once per answer this way);
    # mature ones are the review answers less the young.
    young_packed = func.coalesce(func.sum(case((young, 1 + cast(passed, Integer) * PACK),
                                               else_=0)), 0)
    sums: tuple[Any, ...] = (func.count(), func.coalesce(func.sum(log.duration_ms), 0))
    if full:
        sums += (func.coalesce(func.sum(cast(review, Integer)), 0),
                 func.coalesce(func.sum(cast(and_(review, passed), Integer)), 0), young_packed)
    if dialect == "sqlite":
        days = values(column("k", Integer), column("a", UTCDateTime()),
                      column("b", UTCDateTime()), name="days").data(
            [(k, edges[k], edges[k + 1]) for k in range(len(edges) - 1)]).cte("days")
        day_index: Any = days.c.k
        query = (select(day_index, *sums)
                 .select_from(days.join(log, and_(log.reviewed_at >= days.c.a,
                                                  log.reviewed_at < days.c.b)))
                 .where(log.user_id == OWNER))
    else:
        # JIT compiling costs more than this query takes.
        session.execute(text("SET LOCAL jit = off"))
        day_index = func.width_bucket(log.reviewed_at, bindparam(
            "edges", edges, type_=postgresql.ARRAY(UTCDateTime()))) - 1
        query = select(day_index, *sums).where(
            log.user_id == OWNER, log.reviewed_at >= edges[0], log.reviewed_at < edges[-1])
    if deck_id is not None:
        query = query.where(log.card_id.in_(select(Card.id).where(
            Card.user_id == OWNER, Card.deck_id == deck_id).scalar_subquery()))
    totals = {}
    for k, reviews, ms, *retention in session.execute(query.group_by(day_index)):
        day = first + timedelta(days=int(k))
        if not full:
            totals[day] = core.DayTotals(day, int(reviews), int(ms) / 60000)
            continue
        review_count, review_passed, packed = retention
        young_count, young_passed = int(packed) % PACK, int(packed) // PACK
        totals[day] = core.DayTotals(day, int(reviews), int(ms) / 60000, young_count,
                                     young_passed, int(review_count) - young_count,
                                     int(review_passed) - young_passed)
    return totals


@dataclass(frozen=True)
class CardRows:
    """The cards of the page (all decks or one) as read once: counts by state, the
    studied cards' memory states, and a fingerprint of which cards there are."""

    counts: dict[str, int]
    stability: np.ndarray
    difficulty: np.ndarray
    membership: tuple[int, float]  # how many cards, and a sum that changes when one moves


def card_rows(session: Session, deck_id: int | None) -> CardRows:
    """Read from the two partial covering indexes (studied cards by due, new cards by
    position), never the cards' text."""
    studied = select(Card.state, Card.suspended, Card.id, Card.deck_id, Card.stability,
                     Card.difficulty).where(
        Card.user_id == OWNER, Card.due.is_not(None), Card.state > int(CardState.NEW))
    # Each card adds id * (deck + 1) to the key whatever its state: a new card's first
    # answer (it becomes a studied one) leaves the key as it was.
    new = select(Card.suspended, func.count(),
                 func.coalesce(func.sum(Card.id * (Card.deck_id + 1)), 0)).where(
        Card.user_id == OWNER, Card.state == int(CardState.NEW))
    if deck_id is not None:
        studied = studied.where(Card.deck_id == deck_id)
        new = new.where(Card.deck_id == deck_id)
    rows = fetch_rows(session, studied)
    array = np.array(rows, dtype=np.float64).reshape(-1, 6)
    counts = {state.name.lower(): 0 for state in CardState} | {"suspended": 0}
    suspended = array[:, 1] != 0
    counts["suspended"] = int(suspended.sum())
    for state in CardState:
        if state != CardState.NEW:
            counts[state.name.lower()] = int(((array[:, 0] == state) & ~suspended).sum())
    cards, key = len(rows), float((array[:, 2] * (array[:, 3] + 1)).sum())
    for is_suspended, count, id_sum in fetch_rows(session, new.group_by(Card.suspended)):
        counts["suspended" if is_suspended else "new"] += int(count)
        cards, key = cards + int(count), key + float(id_sum)
    active = ~suspended
    membership = (cards, key)
    return CardRows(counts, array[active, 4], array[active, 5], membership)


# Closed study days' totals do not change (a past answer is never undone, only deleted
# with its card, which changes the membership key): kept per process, so a visit after
# studying reads only today's answers from the log.
# Each day's totals with whether they have the retention sums (only the range's days
# are read with them).
_CLOSED_DAYS: OrderedDict[tuple[Any, ...], dict[date, tuple[core.DayTotals, bool]]] = (
    OrderedDict())
_FORECASTS: OrderedDict[tuple[Any, ...], list[tuple[date, float]]] = OrderedDict()
CACHE_ENTRIES = 32


_CACHE_LOCK = threading.Lock()  # a worker's threads share the caches


def _remember(cache: OrderedDict[tuple[Any, ...], Any], key: tuple[Any, ...],
              value: Any) -> None:
    with _CACHE_LOCK:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > CACHE_ENTRIES:
            cache.popitem(last=False)


def year_totals(session: Session, first: date, today: date, range_days: int, zone: ZoneInfo,
                rollover: int, deck_id: int | None,
                membership: tuple[int, float]) -> list[core.DayTotals]:
    """Every study day from `first` to `today`, from the cache of closed days and the
    log for the rest (today always): the last `range_days` days with their retention
    sums, the days before with only their answers and minutes (the heatmap's)."""
    count = (today - first).days + 1
    edges = core.day_bounds(first, count, zone, rollover)
    key = (str(session.get_bind().engine.url), owner(session), deck_id, zone.key, rollover,
           membership)
    cached: dict[date, tuple[core.DayTotals, bool]] = _CLOSED_DAYS.get(key, {})
    in_range = max(count - range_days, 0)  # the first day of the range

    def day(k: int) -> date:
        return first + timedelta(days=k)

    # The range from its first day not kept whole to today; yesterday always too (an
    # answer given just before the rollover can be undone just after it).
    full_from = min(next(k for k in range(in_range, count)
                         if not cached.get(day(k), (None, False))[1] or k == count - 1),
                    max(count - 2, in_range))
    fresh = _day_totals(session, day(full_from), edges[full_from:], deck_id)
    # The days before the range from the first one not kept at all.
    counts_from = next((k for k in range(in_range) if day(k) not in cached), in_range)
    fresh_counts: dict[date, core.DayTotals] = {}
    if counts_from < in_range:
        fresh_counts = _day_totals(session, day(counts_from),
                                   edges[counts_from:in_range + 1], deck_id, full=False)
    closed: dict[date, tuple[core.DayTotals, bool]] = {}
    for k in range(count - 1):
        if k >= full_from:
            closed[day(k)] = (fresh.get(day(k)) or core.DayTotals(day(k), 0, 0.0), True)
        elif day(k) in cached and (cached[day(k)][1] or k < counts_from):
            closed[day(k)] = cached[day(k)]
        else:
            closed[day(k)] = (fresh_counts.get(day(k)) or core.DayTotals(day(k), 0, 0.0),
                              False)
    _remember(_CLOSED_DAYS, key, closed)
    today_totals = fresh.get(today) or core.DayTotals(today, 0, 0.0)
    return [closed[day(k)][0] for k in range(count - 1)] + [today_totals]


def forecast(session: Session, allowance: DayAllowance, deck_id: int | None,
             membership: tuple[int, float]) -> list[tuple[date, float]]:
    """Reviews a day for the next FORECAST_DAYS days (up to interview day when that is
    sooner), from the plan's own forecast (core.planner.plan) run on the cards of the
    deck (or all), with the user's budget, limits and answer times, and no tasks.
    Made once per study day, as the day's first plan fixes its pace: kept per process
    until the day, a setting, or which cards there are (`membership`) changes; the
    answers of the day do not change it (a new forecast per answer would cost as much as
    the rest of the page)."""
    settings = get_settings(session)
    key = (str(session.get_bind().engine.url), owner(session), deck_id, allowance.day.date,
           membership,
           settings.desired_retention, settings.interview_retention, settings.interview_date,
           settings.plan_start, settings.daily_minutes, settings.weekday_minutes,
           settings.new_per_day, settings.max_reviews_per_day, settings.fsrs_parameters)
    cached = _FORECASTS.get(key)
    if cached is None:
        cached = _forecast(session, allowance, deck_id)
        _remember(_FORECASTS, key, cached)
    return cached


def _forecast(session: Session, allowance: DayAllowance,
              deck_id: int | None) -> list[tuple[date, float]]:
    """The plan's own input (plans.plan_input: the day's fixed pace, the user's
    parameters, exam mode's stability factor) for the deck's cards only, without the
    tasks, up to FORECAST_DAYS ahead."""
    day = allowance.day
    data = plan_input(session, allowance, get_settings(session), [], deck_id)
    last = min(data.interview, day.date + timedelta(days=FORECAST_DAYS - 1))
    result = plan(replace(data, interview=last), np.random.default_rng(2026))
    return [(plan_day.day, plan_day.reviews) for plan_day in result.days]


def readiness(session: Session, first: date, deck_id: int | None) -> Readiness:
    """The stored recall on interview day per deck from `first` on, and the target."""
    settings = get_settings(session)
    target = settings.interview_retention or settings.desired_retention
    query = (select(ReadinessHistory.deck_id, Deck.name, ReadinessHistory.day,
                    ReadinessHistory.recall)
             .join(Deck, Deck.id == ReadinessHistory.deck_id)
             .where(ReadinessHistory.user_id == owner(session), ReadinessHistory.day >= first)
             .order_by(Deck.name_key, ReadinessHistory.deck_id, ReadinessHistory.day))
    if deck_id is not None:
        query = query.where(ReadinessHistory.deck_id == deck_id)
    series: dict[int, ReadinessSeries] = {}
    for id_, name, day, recall in session.execute(query):
        series.setdefault(id_, ReadinessSeries(id_, name, [])).points.append((day, recall))
    return Readiness(settings.interview_date, target, list(series.values()))


def load_stats(session: Session, now: datetime, deck_id: int | None,
               range_days: int) -> Stats:
    """Everything the statistics page shows, for `deck_id` (None: all decks) over the
    last `range_days` study days. Another user's deck is as missing as no deck."""
    if range_days not in RANGES:
        raise BadStatsRequest(f"The range must be one of {', '.join(map(str, RANGES))} days.")
    deck_name = get_deck(session, deck_id).name if deck_id is not None else None
    settings = get_settings(session)
    zone, rollover = time_zone(settings), settings.rollover_hour
    allowance = day_allowance(session, now)
    today = allowance.day.date
    cards = card_rows(session, deck_id)
    year = year_totals(session, today - timedelta(days=HEATMAP_DAYS - 1), today, range_days,
                       zone, rollover, deck_id, cards.membership)
    days = year[-range_days:]
    return Stats(
        today=today, range_days=range_days, deck_id=deck_id, deck_name=deck_name,
        decks=deck_names(session), year=year, days=days, summary=core.summarise(days),
        year_summary=core.summarise(year), streak=core.current_streak(year, today),
        weeks=core.weekly_retention(year, today, range_days),
        retention=core.retention_of(year, days[0].day, today),
        desired_retention=settings.desired_retention, counts=cards.counts,
        stability=core.histogram(cards.stability, core.STABILITY_EDGES),
        difficulty=core.histogram(cards.difficulty, core.DIFFICULTY_EDGES),
        forecast=forecast(session, allowance, deck_id, cards.membership),
        readiness=readiness(session, days[0].day, deck_id))
