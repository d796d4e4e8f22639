"""The user's study options."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from flashcards.core.cards import LeechAction
from flashcards.core.planner import (
    format_weekday_minutes,
    interview_date_problem,
    later_rounds_problems,
    parse_weekday_minutes,
)
from flashcards.core.scheduling import DEFAULT_PARAMETERS, SchedulerConfig
from flashcards.models import PlanTask, Settings
from flashcards.scoping import OWNER
from flashcards.services.errors import ServiceError
from flashcards.services.users import owner


@dataclass(frozen=True, slots=True)
class StudyOptions:
    """The settings as plain values, read once per request."""

    desired_retention: float
    new_per_day: int
    max_reviews_per_day: int
    timezone: str
    rollover_hour: int
    paced_day: date | None = None
    paced_new: int | None = None
    plan_start: date | None = None
    interview_date: date | None = None
    extra_new_day: date | None = None
    extra_new: int | None = None
    fsrs_parameters: str | None = None  # JSON; None: FSRS-6's defaults


# Declarative models map a Table; SQLAlchemy types __table__ as FromClause.
_SETTINGS = cast(Table, Settings.__table__)
# A user's settings row has the user's id.
_LOAD_OPTIONS = select(*(_SETTINGS.c[f.name] for f in fields(StudyOptions))).where(
    _SETTINGS.c.id == OWNER)


def load_options(session: Session) -> StudyOptions:
    """The study options, without the ORM's bookkeeping (this runs on every page)."""
    row = session.connection().execute(_LOAD_OPTIONS).one_or_none()
    if row is None:
        raise RuntimeError("the settings row is missing: run `python app.py` to migrate")
    return StudyOptions(*row)


def get_settings(session: Session) -> Settings:
    """The settings row (created by the first migration)."""
    settings = session.get(Settings, owner(session))
    if settings is None:
        raise RuntimeError("the settings row is missing: run `python app.py` to migrate")
    return settings


def time_zone(settings: Settings | StudyOptions) -> ZoneInfo:
    return zone_named(settings.timezone)


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone `name`, or UTC when this machine does not know it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def scheduler_config(settings: Settings | StudyOptions) -> SchedulerConfig:
    """The scheduler as the user set it: desired retention and FSRS parameters."""
    return config_of(settings.desired_retention, settings.fsrs_parameters)


def config_of(desired_retention: float, fsrs_parameters: str | None) -> SchedulerConfig:
    """A scheduler config from the stored values (fsrs_parameters: JSON, or None for
    FSRS-6's defaults)."""
    return SchedulerConfig(desired_retention=desired_retention,
                           parameters=parameters_from(fsrs_parameters))


@functools.lru_cache(maxsize=64)
def parameters_from(stored: str | None) -> tuple[float, ...]:
    """The FSRS parameters stored as JSON (None: the defaults), parsed once."""
    if not stored:
        return tuple(DEFAULT_PARAMETERS)
    return tuple(float(w) for w in json.loads(stored))


def is_valid_time_zone(name: str) -> bool:
    return name in valid_time_zones()


_ZONES: frozenset[str] | None = None


def valid_time_zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def update_settings(
    session: Session,
    *,
    desired_retention: float,
    new_per_day: int,
    max_reviews_per_day: int,
    timezone: str,
    rollover_hour: int,
    today: date,
    interview_date: date | None = None,
    daily_minutes: int | None = None,
    interview_retention: float | None = None,
    weekday_minutes: str | None = None,
    leech_threshold: int | None = None,
    leech_action: str | None = None,
    later_rounds: Sequence[date | None] | None = None,
) -> Settings:
    """Store new options; the values have been validated by the form. `weekday_minutes`:
    Monday..Sunday comma-separated, each minutes or empty for the daily budget
    (core.planner.parse_weekday_minutes; ServiceError naming the day when one is not).
    A new interview date or new weekday budgets let the plan place its tasks again
    (tasks the user put on a day themselves stay there). The interview date (its first
    round) must lie between `today` (the user's study day) and MAX_PLAN_DAYS ahead, and
    the `later_rounds` (round 2 first; None: as stored, an empty field: no such round)
    after it, each after the one before (core.planner.later_rounds_problems), or
    ServiceError says so."""
    if not is_valid_time_zone(timezone):
        raise ValueError(f"unknown time zone {timezone!r}")
    if weekday_minutes is not None:
        try:
            weekday_minutes = format_weekday_minutes(parse_weekday_minutes(weekday_minutes))
        except ValueError as exc:
            raise ServiceError(str(exc)) from exc
    if leech_action is not None and leech_action not in tuple(LeechAction):
        raise ValueError(f"leech action {leech_action!r} must be suspend or tag")
    if leech_threshold is not None and leech_threshold < 1:
        raise ValueError("the leech threshold must be at least 1")
    settings = get_settings(session)
    if interview_date is not None:
        check_interview_date(interview_date, today, settings.interview_date)
    first = interview_date or settings.interview_date
    rounds = stored_rounds(settings) if later_rounds is None else tuple(later_rounds)
    if first is not None and (later_rounds is not None or first != settings.interview_date):
        check_later_rounds(rounds, first, today, stored_rounds(settings))
    if later_rounds is not None:
        settings.later_rounds = rounds_text(day for day in rounds if day is not None)
    if leech_threshold is not None:
        settings.leech_threshold = leech_threshold
    if leech_action is not None:
        settings.leech_action = leech_action
    replan = ((interview_date is not None and interview_date != settings.interview_date)
              or (weekday_minutes is not None and weekday_minutes != settings.weekday_minutes))
    if interview_date is not None:
        settings.interview_date = interview_date
    if daily_minutes is not None:
        settings.daily_minutes = daily_minutes
    settings.interview_retention = interview_retention
    if weekday_minutes is not None:
        settings.weekday_minutes = weekday_minutes
    if replan:
        release_unpinned_tasks(session)
    settings.desired_retention = desired_retention
    settings.new_per_day = new_per_day
    settings.max_reviews_per_day = max_reviews_per_day
    settings.timezone = timezone
    settings.rollover_hour = rollover_hour
    return settings


def check_interview_date(day: date, today: date, stored: date | None = None) -> None:
    """ServiceError when `day` cannot be the interview date on study day `today`, with
    the date `stored` now (core.planner.interview_date_problem says why)."""
    problem = interview_date_problem(day, today, stored)
    if problem:
        raise ServiceError(problem)


def check_later_rounds(rounds: Sequence[date | None], first: date, today: date,
                       stored: Sequence[date] = ()) -> None:
    """ServiceError naming each round whose date cannot be stored after a first round on
    `first` (core.planner.later_rounds_problems says why)."""
    problems = later_rounds_problems(rounds, first, today, stored)
    if problems:
        raise ServiceError(" ".join(message for _, message in problems))


def stored_rounds(settings: Settings) -> tuple[date, ...]:
    """The interview's later rounds as stored (Settings.later_rounds), in order; a
    piece that is not a date (never written by this app) is left out."""
    return parse_rounds(settings.later_rounds)


@functools.lru_cache(maxsize=64)
def parse_rounds(text: str) -> tuple[date, ...]:
    """Later rounds from their stored text: ISO dates, comma-separated."""
    days = []
    for piece in text.split(","):
        try:
            days.append(date.fromisoformat(piece.strip()))
        except ValueError:
            continue  # empty text, or a piece this app never writes
    return tuple(sorted(set(days)))


def rounds_text(rounds: Iterable[date]) -> str:
    """The stored text of later rounds (parse_rounds reads it back)."""
    return ",".join(day.isoformat() for day in rounds)


def release_unpinned_tasks(session: Session) -> None:
    """After the interview date (or the weekday budgets) changed: the next plan
    places every open task again; those the user put on a day themselves stay there."""
    session.execute(update(PlanTask).where(PlanTask.user_id == owner(session),
                                           PlanTask.pinned == False,  # noqa: E712
                                           PlanTask.done_at.is_(None))
                    .values(scheduled_for=None).execution_options(synchronize_session=False))
