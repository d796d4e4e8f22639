"""First-run set-up: the interview date, the daily minutes and the time zone, chosen by
the user (or left at their defaults with a skip) before the first plan is drawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from flashcards.core.days import study_day
from flashcards.core.planner import (
    MAX_BUDGET_MINUTES,
    MIN_BUDGET_MINUTES,
)
from flashcards.db import begin_write
from flashcards.models import Settings
from flashcards.scoping import OWNER
from flashcards.services.errors import ServiceError
from flashcards.services.settings import (
    check_interview_date,
    get_settings,
    is_valid_time_zone,
    release_unpinned_tasks,
    rounds_text,
    stored_rounds,
    zone_named,
)

# The defaults a skip keeps: the interview a month away, an hour a day.
DEFAULT_INTERVIEW_DAYS = 30
DEFAULT_DAILY_MINUTES = 60


@dataclass(frozen=True, slots=True)
class SetupDefaults:
    """What the set-up page starts from (and a skip stores)."""

    interview_date: date
    daily_minutes: int
    timezone: str
    today: date


def setup_done(session: Session) -> bool:
    """Whether the session's user has been through the set-up (or skipped it)."""
    done = session.execute(select(Settings.setup_done_at)
                           .where(Settings.id == OWNER)).scalar_one_or_none()
    return done is not None


def setup_defaults(session: Session, now: datetime) -> SetupDefaults:
    """Today (in the stored zone) plus the default interview date and budget."""
    settings = get_settings(session)
    today = study_day(now, zone_named(settings.timezone), settings.rollover_hour).date
    return SetupDefaults(interview_date=today + timedelta(days=DEFAULT_INTERVIEW_DAYS),
                         daily_minutes=DEFAULT_DAILY_MINUTES, timezone=settings.timezone,
                         today=today)


def time_zone_problem(name: str) -> str | None:
    if not name.strip():
        return "Choose a time zone, e.g. Europe/London or America/New_York."
    if not is_valid_time_zone(name.strip()):
        return (f"“{name.strip()[:64]}” is not a time zone this server knows: choose one from "
                "the list, e.g. Europe/London or America/New_York.")
    return None


def daily_minutes_problem(minutes: int) -> str | None:
    if not MIN_BUDGET_MINUTES <= minutes <= MAX_BUDGET_MINUTES:
        return (f"The daily time must be between {MIN_BUDGET_MINUTES} and "
                f"{MAX_BUDGET_MINUTES} minutes.")
    return None


def complete_setup(session: Session, *, interview_date: date, daily_minutes: int,
                   timezone: str, now: datetime) -> Settings:
    """Store the user's choices and mark the set-up done. The interview date is checked
    against today in the chosen zone (tomorrow to MAX_PLAN_DAYS ahead); any problem is
    a ServiceError and nothing changes."""
    begin_write(session)
    zone_name = timezone.strip()
    problem = time_zone_problem(zone_name) or daily_minutes_problem(daily_minutes)
    if problem:
        raise ServiceError(problem)
    settings = get_settings(session)
    today = study_day(now, zone_named(zone_name), settings.rollover_hour).date
    check_interview_date(interview_date, today)
    _store(session, settings, interview_date, daily_minutes, zone_name, today, now)
    return settings


def skip_setup(session: Session, *, timezone: str | None, now: datetime) -> Settings:
    """Keep the defaults (the interview DEFAULT_INTERVIEW_DAYS away, DEFAULT_DAILY_MINUTES
    a day; the browser's zone when it is known here, else the stored one) and mark the
    set-up done. Once it is done (say, saved from another tab) a skip changes nothing."""
    begin_write(session)
    settings = get_settings(session)
    if settings.setup_done_at is not None:
        return settings
    zone_name = (timezone or "").strip()
    if time_zone_problem(zone_name):
        zone_name = settings.timezone
    today = study_day(now, zone_named(zone_name), settings.rollover_hour).date
    _store(session, settings, today + timedelta(days=DEFAULT_INTERVIEW_DAYS),
           DEFAULT_DAILY_MINUTES, zone_name, today, now)
    return settings


def _store(session: Session, settings: Settings, interview_date: date, daily_minutes: int,
           zone_name: str, today: date, now: datetime) -> None:
    if settings.plan_start is None or settings.plan_start > today:
        settings.plan_start = today
    if interview_date != settings.interview_date:
        # The plan places its tasks again for the new date (as a change in the settings
        # does); tasks the user put on a day themselves stay there.
        release_unpinned_tasks(session)
        # Later rounds set before stay only if they still come after the first.
        settings.later_rounds = rounds_text(day for day in stored_rounds(settings)
                                            if day > interview_date)
    settings.interview_date = interview_date
    settings.daily_minutes = daily_minutes
    settings.timezone = zone_name
    settings.setup_done_at = now
