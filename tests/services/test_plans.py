"""The plan service against real databases: its bounds on stored dates and task days."""

import time
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from flashcards.core.fitting import TaskWeeks
from flashcards.core.fsrs_vector import FsrsModel
from flashcards.core.planner import MAX_PLAN_DAYS, CardArrays, PlanInput
from flashcards.core.scheduling import SchedulerConfig
from flashcards.core.taskformat import TaskKind
from flashcards.models import PlanTask
from flashcards.services import plans
from flashcards.services.errors import ServiceError
from flashcards.services.pressure import pressure
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


# -- one budget for cards and tasks ---------------------------------------------------


def all_task_views(view) -> list:
    return [tv for views in view.tasks.values() for tv in views]


@pytest.mark.parametrize("visits", [1, 2])
def test_the_default_plan_keeps_every_day_within_the_budget(seeded_app, session,
                                                            visits) -> None:
    """The bundled decks and tasks, 30 days at 60 min and 3 h 30 on Saturdays (a fresh
    `flask setup`): no day over budget and nothing left out, on the first visit and
    after the plan stored its task days."""
    for _ in range(visits):
        session.expire_all()  # each visit is a request of its own
        view = plans.plan_and_save(session, START, np.random.default_rng(2026))
        session.commit()
    settings = get_settings(session)
    assert (settings.daily_minutes, view.interview) == (60, TODAY + timedelta(days=30))
    assert len(all_task_views(view)) == 35  # dropped tasks stay in the list
    assert view.plan.days_over == []
    assert all(d.minutes <= d.budget + 0.5 for d in view.plan.days)
    # Saturdays hold 3 h 30, the other days 60 min.
    assert {d.budget for d in view.plan.days if d.day.weekday() == 5} == {210.0}
    assert {d.budget for d in view.plan.days if d.day.weekday() != 5} == {60.0}
    assert view.plan.unplaced_new == 0
    # A new collection's first plan holds every bundled task (issue 23, point 9).
    panel = pressure(view)
    assert (panel.not_planned, panel.shortened, panel.pressed) == ([], [], False)
    # Every task has a stored day, the dropped ones too (where they show in the list).
    session.expire_all()
    stored = session.execute(select(PlanTask)).scalars().all()
    assert [t.key for t in stored if t.scheduled_for is None] == []
    # The planned task minutes per day are the tasks' planned parts.
    for day in view.plan.days:
        parts = sum(m for tv in all_task_views(view) for d, m in tv.parts if d == day.day)
        assert day.task_minutes == parts


def test_a_pinned_task_stays_on_its_day_and_required_tasks_come_first(seeded_app,
                                                                        session) -> None:
    get_settings(session).daily_minutes = 30
    session.commit()
    pinned = plans.add_task(session, title="Call a former colleague", details="", minutes=25,
                            day=TODAY + timedelta(days=3), kind=TaskKind.RESEARCH, now=START)
    session.commit()
    session.expire_all()
    view = plans.plan_and_save(session, START, np.random.default_rng(2026))
    session.commit()
    mine = next(tv for tv in all_task_views(view) if tv.task.id == pinned.id)
    assert (mine.day, mine.planned_minutes, mine.change) == (TODAY + timedelta(days=3), 25,
                                                             None)
    panel = pressure(view)
    # What does not fit is left out, not run over: no day over budget but the pinned
    # task's, if it does not fit its day.
    assert panel.pressed and panel.not_planned
    assert [d.day for d in view.plan.days_over
            if d.day != TODAY + timedelta(days=3)] == []
    # Required tasks come first: every optional task is left out before a required one
    # of the same weeks... and the pinned one is never left out.
    assert pinned.id not in {n.view.task.id for n in panel.not_planned}
    session.expire_all()
    assert session.get(PlanTask, pinned.id).scheduled_for == TODAY + timedelta(days=3)


def test_a_budget_below_every_task_leaves_them_out_and_no_day_over(seeded_app,
                                                                     session) -> None:
    get_settings(session).daily_minutes = 15
    get_settings(session).weekday_minutes = ",,,,,,"
    session.commit()
    view = plans.plan_and_save(session, START, np.random.default_rng(2026))
    session.commit()
    panel = pressure(view)
    # 15 minutes a day hold the cards and no part of a task (a part is 15 min or more,
    # beside the headroom kept for the cards): each task is named, none runs a day over.
    assert view.plan.days_over == []
    assert {n.view.task.key for n in panel.not_planned} == {
        tv.task.key for views in view.tasks.values() for tv in views}
    assert panel.required_left_out and panel.budget_fix is not None


def test_apply_fix_sets_the_budget_or_the_interview_and_refuses_bad_values(seeded_app,
                                                                           session) -> None:
    plans.plan_and_save(session, START, np.random.default_rng(2026))
    session.commit()
    for bad in ({"daily_minutes": 4}, {"daily_minutes": 601},
                {"interview_date": TODAY - timedelta(days=1)},
                {"interview_date": TODAY + timedelta(days=MAX_PLAN_DAYS + 1)}):
        with pytest.raises(ServiceError):
            plans.apply_fix(session, now=START, **bad)
        session.rollback()
    settings = get_settings(session)
    assert (settings.daily_minutes, settings.interview_date) == (60, TODAY + timedelta(days=30))
    plans.apply_fix(session, now=START, daily_minutes=90)
    session.commit()
    assert get_settings(session).daily_minutes == 90
    later = TODAY + timedelta(days=45)
    plans.apply_fix(session, now=START, interview_date=later)
    session.commit()
    assert get_settings(session).interview_date == later
    # The plan places its tasks again over the longer runway.
    session.expire_all()
    assert all(t.scheduled_for is None for t in session.execute(select(PlanTask)).scalars())
    view = plans.build_plan(session, START, np.random.default_rng(2026))
    session.commit()
    assert view.plan.days_over == [] and pressure(view).not_planned == []


def test_apply_fix_sets_the_new_card_limit_with_a_budget_and_refuses_it_alone(seeded_app,
                                                                              session) -> None:
    plans.plan_and_save(session, START, np.random.default_rng(2026))
    session.commit()
    for bad in ({"daily_minutes": 90, "new_per_day": -1},
                {"daily_minutes": 90, "new_per_day": plans.MAX_NEW_PER_DAY + 1},
                {"new_per_day": 30}):
        with pytest.raises(ServiceError):
            plans.apply_fix(session, now=START, **bad)
        session.rollback()
    settings = get_settings(session)
    assert (settings.daily_minutes, settings.new_per_day) == (60, 20)
    plans.apply_fix(session, now=START, daily_minutes=90, new_per_day=35)
    session.commit()
    session.expire_all()
    settings = get_settings(session)
    assert (settings.daily_minutes, settings.new_per_day) == (90, 35)
    later = TODAY + timedelta(days=40)
    plans.apply_fix(session, now=START, interview_date=later, new_per_day=25)
    session.commit()
    session.expire_all()
    settings = get_settings(session)
    assert (settings.interview_date, settings.new_per_day,
            settings.daily_minutes) == (later, 25, 90)


def cache_input(**changes) -> PlanInput:
    """Twenty cards, half studied, half new, and one task: a plan's input without a
    database."""
    n = 20
    studied = np.arange(n) < n // 2
    cards = CardArrays(deck=np.arange(n) % 2, is_new=~studied,
                       stability=np.where(studied, 5.0, np.nan),
                       difficulty=np.where(studied, 5.0, np.nan),
                       due_day=np.where(studied, np.arange(n) % 5, 0).astype(np.int64),
                       last_day=np.where(studied, -3, 0).astype(np.int64),
                       new_order=np.flatnonzero(~studied))
    data = PlanInput(today=date(2026, 3, 2), interview=date(2026, 3, 20), cards=cards,
                     deck_names=["A", "B"],
                     model=FsrsModel.from_config(SchedulerConfig()), target=0.9,
                     budget_minutes=30,
                     tasks=(TaskWeeks(1, 45, True, False, None, 1, 2, False),))
    return replace(data, **changes)


def test_a_plan_is_computed_once_per_inputs_and_again_when_any_changes(monkeypatch) -> None:
    computed = []
    real = plans.plan
    monkeypatch.setattr(plans, "plan", lambda data, rng: computed.append(1) or real(data, rng))
    data = cache_input()
    first = plans.cached_plan(data, np.random.default_rng(2026))
    again = plans.cached_plan(cache_input(), np.random.default_rng(2026))
    assert len(computed) == 1 and again is first
    assert repr(first) == repr(real(cache_input(), np.random.default_rng(2026)))
    computed.clear()
    stability = data.cards.stability.copy()
    stability[3] = 40.0  # one card's state
    changed = [
        (cache_input(cards=replace(data.cards, stability=stability)), 2026),
        (cache_input(budget_minutes=31), 2026),
        (cache_input(interview=date(2026, 3, 21)), 2026),
        (cache_input(tasks=(TaskWeeks(1, 45, True, True, 4, 1, 2, False),)), 2026),
        (cache_input(task_minutes={3: 10}), 2026),
        (cache_input(), 2027),  # another seed
    ]
    for changed_input, seed in changed:
        result = plans.cached_plan(changed_input, np.random.default_rng(seed))
        assert repr(result) == repr(real(changed_input, np.random.default_rng(seed)))
    assert len(computed) == len(changed)
