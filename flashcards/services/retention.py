"""Help me decide: the retention table from the user's own cards, and setting the
desired retention to one of its rows. No Flask; everything is the session's user's."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flashcards.core.retention import (
    MAX_RETENTION,
    MIN_RETENTION,
    Habits,
    Optimum,
    RetentionRow,
    long_term_optimum,
    retention_table,
)
from flashcards.db import begin_write
from flashcards.models import Card
from flashcards.services import plans
from flashcards.services.errors import ServiceError
from flashcards.services.settings import get_settings, parameters_from
from flashcards.services.study import day_allowance
from flashcards.services.users import owner

SEED = 2026  # the rows share their dice: they differ by the retention alone


@dataclass(frozen=True, slots=True)
class RetentionView:
    rows: list[RetentionRow]
    optimum: Optimum
    current: float
    # The recall wanted on interview day as set; None: it follows the desired retention.
    interview_retention: float | None
    interview: date
    today: date
    cards: int
    parameters_default: bool  # FSRS-6's defaults, not parameters learnt from the user


def build(session: Session, now: datetime) -> RetentionView:
    """The table for the user's cards, limits and parameters. Reads only."""
    allowance = day_allowance(session, now)
    settings = get_settings(session)
    views = plans.task_days(session, settings, allowance.day.date)
    data = plans.plan_input(session, allowance, settings, views)
    current = settings.desired_retention
    rows = retention_table(data, current, seed=SEED, target=settings.interview_retention)
    cards = session.execute(select(func.count()).select_from(Card).where(
        Card.user_id == owner(session), Card.suspended == False)  # noqa: E712
    ).scalar_one()
    habits = Habits(cards=int(cards), new_per_day=settings.new_per_day,
                    max_reviews_per_day=settings.max_reviews_per_day,
                    daily_minutes=settings.daily_minutes)
    optimum = long_term_optimum(parameters_from(settings.fsrs_parameters), habits, current)
    return RetentionView(rows, optimum, current, settings.interview_retention,
                         data.interview, data.today, int(cards),
                         not settings.fsrs_parameters)


def parse_retention(text: str | None) -> float:
    """A desired retention from a form: a number from MIN_RETENTION to MAX_RETENTION,
    at most two decimals; else ServiceError says what is wrong."""
    try:
        value = float((text or "").strip())
    except ValueError:
        raise ServiceError(f"“{text}” is not a number: choose a desired retention from "
                           f"{MIN_RETENTION:.2f} to {MAX_RETENTION:.2f}.") from None
    if not math.isfinite(value) or not MIN_RETENTION <= value <= MAX_RETENTION:
        raise ServiceError(f"The desired retention must lie from {MIN_RETENTION:.2f} to "
                           f"{MAX_RETENTION:.2f}; {text} does not.")
    return round(value, 4)


def set_desired_retention(session: Session, value: float) -> float:
    """Set the desired retention (checked by parse_retention); returns the previous one."""
    if not MIN_RETENTION <= value <= MAX_RETENTION:
        raise ServiceError(f"The desired retention must lie from {MIN_RETENTION:.2f} to "
                           f"{MAX_RETENTION:.2f}.")
    begin_write(session)
    settings = get_settings(session)
    previous = settings.desired_retention
    settings.desired_retention = value
    return previous
