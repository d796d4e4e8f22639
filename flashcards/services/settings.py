"""The user's study options."""

from __future__ import annotations

from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from flashcards.core.scheduling import SchedulerConfig
from flashcards.models import Settings

SETTINGS_ID = 1


@dataclass(frozen=True, slots=True)
class StudyOptions:
    """The settings as plain values, read once per request."""

    desired_retention: float
    new_per_day: int
    max_reviews_per_day: int
    timezone: str
    rollover_hour: int


_SETTINGS = Settings.__table__
_LOAD_OPTIONS = select(*(_SETTINGS.c[f.name] for f in fields(StudyOptions))).where(
    _SETTINGS.c.id == SETTINGS_ID)


def load_options(session: Session) -> StudyOptions:
    """The study options, without the ORM's bookkeeping (this runs on every page)."""
    row = session.connection().execute(_LOAD_OPTIONS).one_or_none()
    if row is None:
        raise RuntimeError("the settings row is missing: run `python app.py` to migrate")
    return StudyOptions(*row)


def get_settings(session: Session) -> Settings:
    """The settings row (created by the first migration)."""
    settings = session.get(Settings, SETTINGS_ID)
    if settings is None:
        raise RuntimeError("the settings row is missing: run `python app.py` to migrate")
    return settings


def time_zone(settings: Settings | StudyOptions) -> ZoneInfo:
    try:
        return ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def scheduler_config(settings: Settings | StudyOptions) -> SchedulerConfig:
    return SchedulerConfig(desired_retention=settings.desired_retention)


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
) -> Settings:
    """Store new options; the values have been validated by the form."""
    if not is_valid_time_zone(timezone):
        raise ValueError(f"unknown time zone {timezone!r}")
    settings = get_settings(session)
    settings.desired_retention = desired_retention
    settings.new_per_day = new_per_day
    settings.max_reviews_per_day = max_reviews_per_day
    settings.timezone = timezone
    settings.rollover_hour = rollover_hour
    return settings
