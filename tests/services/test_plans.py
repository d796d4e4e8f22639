"""The plan service against real databases: its bounds on stored dates and task days."""

import time
from datetime import date, timedelta

import numpy as np
import pytest

from flashcards.core.planner import MAX_PLAN_DAYS
from flashcards.core.taskformat import TaskKind
from flashcards.models import PlanTask
from flashcards.services import plans
from flashcards.services.errors import ServiceError
from flashcards.services.settings import get_settings
from tests.conftest import START, count_rows, make_deck

TODAY = date(2026, 3, 2)  # START's study day


@pytest.mark.parametrize("stored", [date(9999, 12, 31), TODAY + timedelta(days=4 * 365)])
def test_a_far_interview_date_already_stored_plans_at_most_a_year(session, stored) -> None:
    """A date stored before the limit existed (or by hand) sizes no more work than the
    limit: 9999-12-31 ran for minutes, four years ahead raised IndexError."""
    make_deck(session, "D", cards=50)
    get_settings(session).interview_date = stored
    session.commit()
    last = TODAY + timedelta(days=MAX_PLAN_DAYS)
    assert plans.plan_dates(get_settings(session), TODAY)[1] == last
    started = time.perf_counter()
    view = plans.build_plan(session, START, np.random.default_rng(1))
    session.commit()
    assert time.perf_counter() - started < 10
    assert view.interview == last and len(view.plan.days) == MAX_PLAN_DAYS + 1
    assert view.plan.days[-1].day == last
    assert get_settings(session).interview_date == stored  # nothing rewritten behind the user


def test_add_task_only_between_today_and_interview_day(session) -> None:
    interview = TODAY + timedelta(days=30)
    for day in (TODAY - timedelta(days=1), interview + timedelta(days=1), date(9999, 12, 31)):
        with pytest.raises(ServiceError, match="A task can go"):
            plans.add_task(session, title="x", details="", minutes=10, day=day,
                           kind=TaskKind.RESEARCH, now=START)
        session.rollback()
    for day in (TODAY, interview):
        plans.add_task(session, title="x", details="", minutes=10, day=day,
                       kind=TaskKind.RESEARCH, now=START)
        session.commit()
    assert count_rows(session, PlanTask) == 2
