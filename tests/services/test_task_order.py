"""Tasks in order (issue 23): what a task needs first, one sitting, "Plan it anyway", the
budget per weekday, as the services store them and hand them to the planner."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from flashcards.core.taskformat import TaskKind
from flashcards.models import PlanTask, Settings
from flashcards.services import plans, study, users
from flashcards.services.errors import NotFound, ServiceError
from flashcards.services.settings import get_settings, update_settings
from tests.conftest import START

TODAY = date(2026, 3, 2)  # START's study day, a Monday


def second_user(session) -> int:
    """bob's id, beside the local user (the first account takes the local collection)."""
    users.create_user(session, "ada", "correct horse battery", START)
    bob = users.create_user(session, "bob", "correct horse battery", START).user.id
    session.commit()
    assert bob != 1
    return bob


def add(session, title: str, *, after=(), kind=TaskKind.RESEARCH, sitting=None) -> PlanTask:
    task = plans.add_task(session, title=title, details="", minutes=30, day=TODAY,
                          kind=kind, now=START, after=list(after), sitting=sitting)
    session.commit()
    return task


def edit(session, task: PlanTask, after) -> PlanTask:
    return plans.edit_task(session, task.id, title=task.title, details="", minutes=30,
                           now=START, after=list(after))


def stored(session) -> dict[str, str]:
    session.expire_all()
    return dict(session.execute(select(PlanTask.title, PlanTask.after_ids)).all())


def test_a_task_needs_the_users_own_tasks_first_and_never_a_circle(session) -> None:
    one = add(session, "One")
    two = add(session, "Two", after=[one.id])
    three = add(session, "Three", after=[two.id])
    assert stored(session) == {"One": "", "Two": str(one.id), "Three": str(two.id)}
    # One needing Three closes the circle One -> Three -> Two -> One.
    with pytest.raises(ServiceError, match="That would make a circle: “One” needs “Three” "
                                           "needs “Two” needs “One”"):
        edit(session, one, [three.id])
    session.rollback()
    with pytest.raises(ServiceError, match="cannot need itself"):
        edit(session, two, [two.id])
    session.rollback()
    with pytest.raises(NotFound, match="There is no task 99999"):
        edit(session, one, [99999])
    session.rollback()
    assert stored(session) == {"One": "", "Two": str(one.id), "Three": str(two.id)}
    edit(session, three, [one.id, two.id])
    session.commit()
    assert stored(session)["Three"] == f"{one.id} {two.id}"


def test_another_users_task_cannot_be_needed_first(session) -> None:
    bob = second_user(session)
    users.for_user(session, bob)
    bobs = add(session, "Bob's")
    users.for_user(session, 1)
    mine = add(session, "Mine")
    with pytest.raises(NotFound, match=f"There is no task {bobs.id}"):
        edit(session, mine, [bobs.id])
    session.rollback()
    with pytest.raises(NotFound):
        add(session, "Also mine", after=[bobs.id])
    session.rollback()
    assert stored(session) == {"Mine": ""}


def test_deleting_a_task_frees_the_tasks_that_needed_it(session) -> None:
    one, two = add(session, "One"), add(session, "Two")
    three = add(session, "Three", after=[one.id, two.id])
    plans.delete_task(session, one.id)
    session.commit()
    assert stored(session) == {"Two": "", "Three": str(two.id)}
    assert session.get(PlanTask, three.id).after == (two.id,)


def test_sitting_follows_the_kind_unless_given(session) -> None:
    mock = add(session, "Mock", kind=TaskKind.MOCK)
    story = add(session, "Story", kind=TaskKind.STORIES)
    marked = add(session, "Marked", kind=TaskKind.STORIES, sitting=True)
    assert (mock.sitting, story.sitting, marked.sitting) == (True, False, True)
    plans.edit_task(session, mock.id, title="Mock", details="", minutes=45, now=START,
                    sitting=False)
    session.commit()
    assert session.get(PlanTask, mock.id).sitting is False


def test_set_anyway_on_and_off_for_the_users_task_only(session) -> None:
    task = add(session, "Long")
    assert plans.set_anyway(session, task.id, True).anyway is True
    session.commit()
    assert plans.set_anyway(session, task.id, False).anyway is False
    session.commit()
    bob = second_user(session)
    users.for_user(session, bob)
    with pytest.raises(NotFound):
        plans.set_anyway(session, task.id, True)
    session.rollback()
    users.for_user(session, 1)
    session.expire_all()
    assert session.get(PlanTask, task.id).anyway is False


def test_the_planner_gets_rank_after_sitting_and_anyway(session) -> None:
    one = add(session, "One")
    two = add(session, "Two", after=[one.id])
    done = add(session, "Done")
    mock = add(session, "Mock", kind=TaskKind.MOCK, after=[one.id, two.id, done.id])
    plans.set_done(session, done.id, True, START, whole=True)
    plans.set_anyway(session, mock.id, True)
    session.commit()
    settings = get_settings(session)
    views = plans.task_days(session, settings, TODAY)
    fitted = {t.id: t for t in plans._tasks_to_fit(views, TODAY, TODAY + timedelta(days=30))}
    assert done.id not in fitted  # a done task is not fitted, nor needed first
    assert [(fitted[t.id].rank, fitted[t.id].after, fitted[t.id].sitting,
             fitted[t.id].anyway) for t in (one, two, mock)] == [
        (0, (), False, False), (1, (one.id,), False, False),
        (3, (one.id, two.id), True, True)]


def test_weekday_budgets_reach_the_plan_and_today(session) -> None:
    settings = get_settings(session)
    settings.daily_minutes, settings.weekday_minutes = 60, "45,,,,,180,0"
    session.commit()
    allowance = study.day_allowance(session, START)
    data = plans.plan_input(session, allowance, get_settings(session), [])
    assert data.weekday_minutes == (45.0, 60.0, 60.0, 60.0, 60.0, 180.0, 0.0)


def test_weekday_minutes_are_saved_checked_and_release_unpinned_tasks(session) -> None:
    task = add(session, "Placed")
    task.pinned = False
    session.commit()
    base = dict(desired_retention=0.9, new_per_day=20, max_reviews_per_day=200,
                timezone="UTC", rollover_hour=4, today=TODAY)
    update_settings(session, **base, weekday_minutes=" ,,,,, 180 ,0")
    session.commit()
    session.expire_all()
    assert get_settings(session).weekday_minutes == ",,,,,180,0"
    assert session.get(PlanTask, task.id).scheduled_for is None  # placed again
    with pytest.raises(ServiceError, match="Sunday: '601' must be a whole number of "
                                           "minutes from 0 to 600"):
        update_settings(session, **base, weekday_minutes=",,,,,,601")
    session.rollback()
    with pytest.raises(ServiceError, match="must be 7 entries"):
        update_settings(session, **base, weekday_minutes="30,30")
    session.rollback()
    assert session.get(Settings, 1).weekday_minutes == ",,,,,180,0"


def test_the_load_balancer_weighs_a_migrated_reduced_day_at_half(session) -> None:
    """Migration 0023 turns Easy Days' reduced into half the budget and minimum into 0:
    the load balancer's weights stay the old 0.5 and 0."""
    settings = get_settings(session)
    settings.daily_minutes, settings.weekday_minutes = 60, ",,,,,30,0"  # was nnnnnrm
    session.commit()
    balance = study._load_balance(session, START, ZoneInfo("UTC"), 4, 60, ",,,,,30,0")
    # Day 0 is Monday 2 March: Saturday is 5 days on, Sunday 6.
    assert [balance.easy(k) for k in range(7)] == [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0]
    assert study._load_balance(session, START, ZoneInfo("UTC"), 4, 60,
                               ",,,,,90,").easy(5) == 1.0  # more than the budget: 1
