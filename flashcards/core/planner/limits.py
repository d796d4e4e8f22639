"""The plan's limits: how far ahead an interview may be, the daily budget's range, and
the dates an interview (each of its rounds) or a task may take."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

# The largest daily budget the settings accept (and so the largest fix to suggest).
MIN_BUDGET_MINUTES = 5  # the daily budget's range, wherever it is set
MAX_BUDGET_MINUTES = 600
# The furthest ahead an interview (and so the plan) may be: the plan steps every card
# through every day up to it, so this bounds its work (about a second for 365 days).
MAX_PLAN_DAYS = 365
# An interview of up to this many rounds: the first (Settings.interview_date) and the
# later ones (Settings.later_rounds).
MAX_ROUNDS = 4


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


def later_rounds_problems(rounds: Sequence[date | None], first: date, today: date,
                          stored: Sequence[date] = ()) -> list[tuple[int, str]]:
    """What is wrong with the later rounds' dates `rounds` (round 2 first; None: not
    given) after the first round on `first`, on study day `today`: (index into `rounds`,
    message naming the round) for each problem, none when they may be stored. Each round
    comes after the one before it (so after the first), on a different day, at most
    MAX_PLAN_DAYS ahead, and none is left out before one that is given. A date already
    `stored` may stay when it is today or past, as the first round's may."""
    problems: list[tuple[int, str]] = []
    if len(rounds) > MAX_ROUNDS - 1:
        return [(MAX_ROUNDS - 1, f"An interview can have at most {MAX_ROUNDS} rounds.")]
    last_allowed = today + timedelta(days=MAX_PLAN_DAYS)
    previous, previous_number = first, 1
    for index, day in enumerate(rounds):
        number = index + 2
        if day is None:
            later = next((k + 2 for k, d in enumerate(rounds) if k > index and d is not None),
                         None)
            if later is not None:
                problems.append((index, f"Round {number} is empty but round {later} is "
                                        f"set: give the rounds in order, round 2 first."))
            continue
        if day == previous:
            problems.append((index, f"Round {number} is on the same day as round "
                                    f"{previous_number} ({day:%-d %B %Y}): each round needs "
                                    f"its own day."))
        elif day < previous:
            problems.append((index, f"Round {number} ({day:%-d %B %Y}) must come after "
                                    f"round {previous_number} ({previous:%-d %B %Y})."))
        elif day <= today and day not in stored:
            problems.append((index, f"Round {number} cannot be today or in the past "
                                    f"(today is {today:%-d %B %Y})."))
        elif day > last_allowed:
            problems.append((index, f"Round {number} can be at most {MAX_PLAN_DAYS} days "
                                    f"ahead: {last_allowed:%-d %B %Y} at the latest."))
        if day > previous:
            previous, previous_number = day, number
    return problems


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
