"""Study days: "today" in the user's time zone, starting at the day-rollover hour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class StudyDay:
    """One study day: its local calendar date and its bounds in UTC."""

    date: date
    start: datetime
    end: datetime


def study_day(now: datetime, tz: ZoneInfo, rollover_hour: int) -> StudyDay:
    """The study day that contains `now` (tz-aware), as Anki counts days.

    A study day runs from `rollover_hour` local time to the same hour on the next
    calendar day, so reviews done at 1 am still count for the evening before.
    """
    day = study_date(now, tz, rollover_hour)
    return StudyDay(date=day, start=day_start(day, tz, rollover_hour),
                    end=day_start(day + timedelta(days=1), tz, rollover_hour))


def study_date(now: datetime, tz: ZoneInfo, rollover_hour: int) -> date:
    """The date of the study day that contains `now` (study_day's date, without its
    bounds: for reading many moments, e.g. a whole review log)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not 0 <= rollover_hour <= 23:
        raise ValueError("rollover_hour must be between 0 and 23")
    local = now.astimezone(tz)
    day = local.date()
    return day - timedelta(days=1) if local.hour < rollover_hour else day


def day_start(day: date, tz: ZoneInfo, rollover_hour: int) -> datetime:
    """The UTC instant at which the study day `day` begins."""
    return datetime.combine(day, time(rollover_hour), tzinfo=tz).astimezone(UTC)


def study_days_between(start: datetime, end: datetime, tz: ZoneInfo, rollover_hour: int) -> int:
    """How many study days `end` lies after `start` (negative when before): 0 when both
    fall in the same study day, whatever the hours between them."""
    return (study_day(end, tz, rollover_hour).date
            - study_day(start, tz, rollover_hour).date).days


def relative_study_day(moment: datetime, now: datetime, tz: ZoneInfo, rollover_hour: int) -> str:
    """When `moment` is, in study days from `now`: "today" (before the next rollover),
    "tomorrow", "in 3 days"; in the past "due now" (earlier this study day),
    "yesterday", "3 days ago"."""
    days = study_days_between(now, moment, tz, rollover_hour)
    if days == 0:
        return "today" if moment > now else "due now"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"
