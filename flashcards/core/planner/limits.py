"""The plan's limits: how far ahead an interview may be, the daily budget's range, and
the dates an interview or a task may take."""

from __future__ import annotations

from datetime import date, timedelta

# The largest daily budget the settings accept (and so the largest fix to suggest).
MIN_BUDGET_MINUTES = 5  # the daily budget's range, wherever it is set
MAX_BUDGET_MINUTES = 600
# The furthest ahead an interview (and so the plan) may be: the plan steps every card
# through every day up to it, so this bounds its work (about a second for 365 days).
MAX_PLAN_DAYS = 365


def interview_date_problem(day: date, today: date, stored: date | None = None) -> str | None:
    """Why `day` cannot be the interview date on study day `today`, or None: it must lie
    between tomorrow and MAX_PLAN_DAYS ahead (a plan needs at least one day before the
    interview). A date already `stored` may stay when it is today or past (the interview
    is on or over, and other settings can still be saved)."""
    last = today + timedelta(days=MAX_PLAN_DAYS)
    if day < today and day != stored:
        return f"The interview date cannot be in the past (today is {today:%-d %B %Y})."
    if day == today and day != stored:
        return (f"The interview date cannot be today: choose tomorrow "
                f"({today + timedelta(days=1):%-d %B %Y}) or later.")
    if day > last:
        return (f"The interview date can be at most {MAX_PLAN_DAYS} days ahead: "
                f"{last:%-d %B %Y} at the latest.")
    return None


def task_day_problem(day: date, today: date, interview: date) -> str | None:
    """Why a task cannot go on `day`, or None: tasks go from today to interview day."""
    if day < today:
        return "A task can go on today or a later day, not into the past."
    if day > interview:
        return f"A task can go up to interview day ({interview:%-d %B %Y}), not after it."
    return None


def plan_end(interview: date, today: date) -> date:
    """The last day the plan covers: the interview, or MAX_PLAN_DAYS from today when it is
    further (a date stored before the limit existed must not size the work)."""
    return min(interview, today + timedelta(days=MAX_PLAN_DAYS))
