"""The plan page, task changes and the calendar file over HTTP."""

import json
import re
import time
from datetime import date, timedelta

import numpy as np
import pytest
from icalendar import Calendar
from markupsafe import escape
from sqlalchemy import select

from flashcards.core.planner import MAX_PLAN_DAYS
from flashcards.core.taskformat import TaskKind
from flashcards.db import WRITE_LOCK_NAMESPACE
from flashcards.models import PlanTask, Settings
from flashcards.services import plans, progress
from tests.conftest import START, csrf_token

TODAY = date(2026, 3, 2)  # the test clock's study day


def planned_days(page: str) -> list[str]:
    """The calendar's days from today on that show the plan's minutes (today: done /
    planned), in order; past days and those after interview day are not among them."""
    found = re.findall(r'<li class="day(?: today| interview| over)*" data-date="([\d-]+)">'
                       r'\s*<div class="day-head">\s*<span class="date">[^<]*</span>\s*'
                       r'<(?:span class="load"><span class="mins">\d+ / \d+ min|'
                       r'span class="today-progress")', page)
    assert found == sorted(found) and len(set(found)) == len(found)
    return found


def day_item(page: str, day: date) -> str:
    """The calendar's item for `day`: its line (or, today, its tasks with tick boxes)."""
    match = re.search(rf'<li class="[^"]*" data-date="{day.isoformat()}">.*?</li>\s*'
                      r'(?=<li class="day|</ol>)', page, re.S)
    assert match, day
    return match.group(0)


def task_named(session, fragment: str) -> PlanTask:
    session.rollback()
    return next(t for t in session.execute(select(PlanTask)).scalars() if fragment in t.title)


def test_first_start_plans_thirty_days_and_every_task(seeded_app, session) -> None:
    client = seeded_app.test_client()
    page = client.get("/plan").get_data(as_text=True)
    assert "Plan to Wednesday 1 April" in page
    days = planned_days(page)
    assert len(days) == 31  # today through interview day
    settings = session.get(Settings, 1)
    assert (settings.plan_start, settings.interview_date) == (TODAY, TODAY + timedelta(days=30))
    session.rollback()
    tasks = session.execute(select(PlanTask)).scalars().all()
    assert tasks and all(t.scheduled_for is not None for t in tasks)
    assert "<svg" in page and "Predicted recall on interview day" in page


def test_tick_move_add_and_delete_tasks(seeded_app, session) -> None:
    client = seeded_app.test_client()
    client.get("/plan")
    token = csrf_token(client, "/plan")
    task = task_named(session, "Map your past programs")
    response = client.post(f"/plan/tasks/{task.id}/done", data={"csrf_token": token,
                                                                "done": "y", "whole": "y"})
    assert response.status_code == 302
    assert task_named(session, "Map your past programs").done_at is not None
    moved_to = TODAY + timedelta(days=5)
    client.post(f"/plan/tasks/{task.id}/move", data={"csrf_token": token,
                                                     "day": moved_to.isoformat()})
    moved = task_named(session, "Map your past programs")
    assert (moved.scheduled_for, moved.pinned) == (moved_to, True)
    past = client.post(f"/plan/tasks/{task.id}/move", data={
        "csrf_token": token, "day": (TODAY - timedelta(days=1)).isoformat()})
    assert "not into the past" in client.get(past.headers["Location"]).get_data(as_text=True)
    client.post("/plan/tasks", data={"csrf_token": token, "title": "Call a former colleague",
                                     "minutes": "25", "day": TODAY.isoformat(),
                                     "kind": "research"})
    added = task_named(session, "former colleague")
    added_id = added.id
    assert (added.minutes, added.scheduled_for, added.key) == (25, TODAY, None)
    client.post(f"/plan/tasks/{added_id}/delete", data={"csrf_token": token})
    session.rollback()
    assert session.execute(select(PlanTask).where(PlanTask.id == added_id)).first() is None


def split_map_task(session) -> PlanTask:
    """At 60 min every day, "Map your past programs" made 80 minutes long: no day holds
    it, so the plan splits this required task over the first days of its week."""
    task = task_named(session, "Map your past programs")
    session.get(Settings, 1).weekday_minutes = ",,,,,,"
    task.minutes = 80
    session.commit()
    return task


def planned_parts(session, task_id: int) -> tuple[tuple[date, int], ...]:
    view = plans.build_plan(session, START, np.random.default_rng(2026))
    session.rollback()
    return next(tv.parts for views in view.tasks.values() for tv in views
                if tv.task.id == task_id)


def test_unfinished_past_task_rolls_forward_and_says_so(seeded_app, session, clock) -> None:
    client = seeded_app.test_client()
    client.get("/plan")
    first = next(t for t in session.execute(select(PlanTask)).scalars()
                 if t.scheduled_for == TODAY)
    clock.advance(days=2)
    page = client.get("/").get_data(as_text=True)
    assert first.title in page and "from Mon 2 Mar" in page


def task_item(page: str, title: str) -> str:
    """The list item of the task titled `title` in a page's first task list (by its title
    line: every task's "Needs first" list names the others too)."""
    match = re.search(r'<li class="task[^"]*" data-task-id="\d+">(?:(?!</li>).)*?'
                      r'<span class="task-title">' + re.escape(title) + r".*?</li>", page, re.S)
    assert match, title
    return match.group(0)


def calendar_parts(client, task_id: int) -> set[tuple[date, str]]:
    """(day, how the summary starts or ends) of each calendar event of a task."""
    events = Calendar.from_ical(client.get("/plan.ics").data).walk("VEVENT")
    found = set()
    for event in events:
        if str(event["uid"]).startswith((f"task-{task_id}@", f"task-{task_id}-")):
            summary = str(event["summary"])
            mark = "Done: " if summary.startswith("Done: ") else summary[summary.rindex("("):]
            found.add((event["dtstart"].dt, mark))
    return found


def test_a_split_task_is_ticked_off_one_part_a_day(seeded_app, session, clock) -> None:
    """A required task no day holds is split over days (a part today): ticking it today
    does today's part, the rest stays in the plan at its own length, and the next day's
    tick finishes it."""
    client = seeded_app.test_client()
    task = split_map_task(session)
    client.get("/plan")
    title = "Map your past programs"
    (day0, part), (day1, rest) = planned_parts(session, task.id)
    assert (day0, day0 < day1, part + rest) == (TODAY, True, 80)
    task = task_named(session, title)
    assert (task.minutes, task.scheduled_for, task.plan_minutes) == (80, TODAY, part)
    # The calendar has an event for each part, on its day.
    assert calendar_parts(client, task.id) == {(TODAY, f"({part} of 80 min)"),
                                               (day1, f"({rest} of 80 min)")}
    home = client.get("/").get_data(as_text=True)
    assert f"Mark today’s {part} min as done" in task_item(home, title)
    token = csrf_token(client, "/")
    response = client.post(f"/plan/tasks/{task.id}/done",
                           data={"csrf_token": token, "done": "y"}, follow_redirects=True)
    task = task_named(session, title)
    assert (f"Today’s {part} min of “{task.title}” done; {rest} min left in the plan."
            in response.get_data(as_text=True))
    assert (task.done_at, task.minutes_done, task.part_done_on) == (None, part, TODAY)
    # A second click (a retry, another tab) records nothing more.
    client.post(f"/plan/tasks/{task.id}/done", data={"csrf_token": token, "done": "y"})
    assert task_named(session, title).minutes_done == part

    # The plan puts the minutes left on a later day; today still shows the part done.
    page = client.get("/plan").get_data(as_text=True)
    task = task_named(session, title)
    assert task.scheduled_for > TODAY and task.plan_minutes == rest
    assert f"{part} min done today, {rest} min left" in day_item(page, TODAY)
    home = client.get("/").get_data(as_text=True)
    item = task_item(home, title)
    assert 'aria-checked="true"' in item and f"Undo today’s {part} min" in item
    assert calendar_parts(client, task.id) == {(TODAY, "Done: "), (task.scheduled_for,
                                                                   f"({rest} of 80 min)")}
    day = progress.day_progress(session, clock())
    session.rollback()
    assert day.tasks_done >= 1 and day.minutes_done >= part

    # Its day comes: the minutes left, and the tick finishes the task.
    clock.advance(days=(task.scheduled_for - TODAY).days)
    home = client.get("/").get_data(as_text=True)
    assert f"{rest} of 80 min left" in task_item(home, title)
    client.post(f"/plan/tasks/{task.id}/done", data={"csrf_token": csrf_token(client, "/"),
                                                      "done": "y"})
    task = task_named(session, title)
    assert task.done_at is not None
    assert progress.task_minutes_on(task, task.scheduled_for) == rest


def test_todays_part_can_be_taken_back_and_the_whole_task_ticked(seeded_app, session) -> None:
    client = seeded_app.test_client()
    task = split_map_task(session)
    client.get("/plan")
    title = "Map your past programs"
    (_, part), _ = planned_parts(session, task.id)
    task = task_named(session, title)
    token = csrf_token(client, "/plan")
    client.post(f"/plan/tasks/{task.id}/done", data={"csrf_token": token, "done": "y"})
    client.get("/plan")  # the rest moves to a later day
    client.post(f"/plan/tasks/{task.id}/done", data={"csrf_token": token, "done": ""})
    task = task_named(session, title)
    assert (task.minutes_done, task.part_done_on, task.scheduled_for) == (0, None, TODAY)
    assert task.plan_minutes == part  # today's part, as before the tick
    client.get("/plan")
    assert task_named(session, title).plan_minutes == part  # today's part again
    page = client.get("/plan/tasks").get_data(as_text=True)
    assert "Mark the whole task done" in task_item(page, title)
    client.post(f"/plan/tasks/{task.id}/done",
                data={"csrf_token": token, "done": "y", "whole": "y"})
    task = task_named(session, title)
    assert task.done_at is not None and task.minutes_done == 0
    assert progress.task_minutes_on(task, TODAY) == 80


def test_home_shows_todays_tasks(seeded_app, session) -> None:
    client = seeded_app.test_client()
    page = client.get("/").get_data(as_text=True)
    today = [t.title for t in session.execute(select(PlanTask)).scalars()
             if t.scheduled_for == TODAY]
    assert today and "Today’s preparation" in page and all(title in page for title in today)


def test_calendar_file_names_each_task_and_keeps_stable_uids(seeded_app, session) -> None:
    client = seeded_app.test_client()
    response = client.get("/plan.ics")
    assert response.headers["Content-Disposition"] == "attachment; filename=interview-plan.ics"
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.data).walk("VEVENT")
    by_uid = {str(e["uid"]): e for e in events}
    assert len(by_uid) == len(events)
    # The day's cards, each task by its title on its day, and interview day.
    cards = by_uid["plan-2026-03-02@flashcards.plan"]
    assert str(cards["summary"]).startswith("Cards: ") and cards.decoded("dtstart") == TODAY
    tasks = session.execute(select(PlanTask)).scalars().all()
    for task in tasks:
        event = by_uid[f"task-{task.id}@flashcards.plan"]
        # Its length as the plan has it on that day (the stored plan_minutes).
        length = (f"{task.minutes} min" if task.plan_minutes in (None, task.minutes)
                  else f"{task.minutes} min, dropped from the plan" if task.plan_minutes == 0
                  else f"{task.plan_minutes} of {task.minutes} min")
        assert str(event["summary"]) == f"{task.title} ({length})"
        assert event.decoded("dtstart") == task.scheduled_for
    interview = by_uid["interview-1@flashcards.plan"]
    assert str(interview["summary"]) == "Interview day"
    assert interview.decoded("dtstart") == TODAY + timedelta(days=30)
    again = Calendar.from_ical(client.get("/plan.ics").data).walk("VEVENT")
    assert sorted(str(e["uid"]) for e in again) == sorted(by_uid)
    assert not any(e.walk("VALARM") for e in events)  # no reminder unless one is set


def test_cli_plan_json(seeded_app) -> None:
    result = seeded_app.test_cli_runner().invoke(args=["plan", "--json"])
    assert result.exit_code == 0
    days = json.loads(result.output)
    assert len(days) == 31
    first = days[0]
    assert set(first) == {"date", "reviews", "new", "tasks", "minutes", "budget",
                          "over_budget", "predicted_recall_on_interview_day"}
    assert first["date"] == "2026-03-02" and first["budget"] == 60.0
    assert set(first["predicted_recall_on_interview_day"]) == {
        "TPM terminology", "Career ladder and compensation", "Interview process",
        "Good and bad answers"}
    text = seeded_app.test_cli_runner().invoke(args=["plan"]).output
    assert text.startswith("Interview on Wednesday 1 April 2026")


def test_todays_new_cards_follow_the_plan_until_the_interview(seeded_app, session,
                                                               clock) -> None:
    client = seeded_app.test_client()
    page = client.get("/review").get_data(as_text=True)
    assert "the plan’s pace of 7 new cards (your limit is 20)" in page
    session.rollback()
    settings = session.get(Settings, 1)
    assert (settings.paced_day, settings.paced_new) == (TODAY, 7)
    clock.advance(days=31)  # past interview day: plain daily limits again
    page = client.get("/review").get_data(as_text=True)
    assert "your daily limit of 20 new cards" in page


def test_edit_a_task_and_refuse_bad_values(seeded_app, session) -> None:
    client = seeded_app.test_client()
    client.get("/plan")
    token = csrf_token(client, "/plan")
    task = task_named(session, "Map your past programs")
    task_id = task.id
    client.post(f"/plan/tasks/{task_id}/edit", data={
        "csrf_token": token, "title": "Map three programs", "minutes": "40", "details": "x"})
    edited = task_named(session, "Map three programs")
    assert (edited.minutes, edited.details, edited.edited_at is not None) == (40, "x", True)
    bad = client.post(f"/plan/tasks/{task_id}/edit", data={
        "csrf_token": token, "title": "", "minutes": "999", "details": ""})
    page = client.get(bad.headers["Location"]).get_data(as_text=True)
    assert "Give the task a title." in page and "Number must be between 1 and 240" in page
    assert task_named(session, "Map three programs").minutes == 40
    # The browser stops typing where the server would refuse: the edit form's limits
    # (on the task list, each field with its visible label).
    tasks_page = client.get("/plan/tasks").get_data(as_text=True)
    assert re.search(r'<label class="field-title">Task <input name="title" value="[^"]*" '
                     r'maxlength="200" required></label>', tasks_page)
    assert re.search(r'<label class="field-details">Details <input name="details" '
                     r'value="[^"]*" maxlength="2000"></label>', tasks_page)
    too_long = client.post(f"/plan/tasks/{task_id}/edit", data={
        "csrf_token": token, "title": "t" * 201, "minutes": "40", "details": "d" * 2001})
    page = client.get(too_long.headers["Location"]).get_data(as_text=True)
    assert page.count("Field cannot be longer than") == 2
    assert task_named(session, "Map three programs").details == "x"


@pytest.mark.parametrize("stored", [date(9999, 12, 31), TODAY + timedelta(days=4 * 365)])
def test_a_far_interview_date_already_stored_gives_a_plan_of_at_most_a_year(
        seeded_app, session, stored) -> None:
    """A date stored before the limit: 9999-12-31 made GET / run for minutes, and four
    years ahead (after a shorter plan) a 500 from the forecast's load balancer."""
    client = seeded_app.test_client()
    assert client.get("/plan").status_code == 200  # a 30-day plan first
    session.get(Settings, 1).interview_date = stored
    session.get(Settings, 1).paced_day = None  # plan again on the next page
    session.commit()
    last = TODAY + timedelta(days=MAX_PLAN_DAYS)
    started = time.perf_counter()
    for path in ("/", "/plan", "/plan.ics", "/settings"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert time.perf_counter() - started < 20
    page = client.get("/plan").get_data(as_text=True)
    assert f"Plan to {last:%A %-d %B}" in page and f"{MAX_PLAN_DAYS} days to go" in page
    days = planned_days(page)
    assert len(days) == MAX_PLAN_DAYS + 1
    assert f'value="{last.isoformat()}"' in client.get("/settings").get_data(as_text=True)


def test_task_days_are_bounded_by_today_and_interview_day(seeded_app, session) -> None:
    client = seeded_app.test_client()
    client.get("/plan")
    token = csrf_token(client, "/plan")
    task = task_named(session, "Map your past programs")
    task_id, before = task.id, task.scheduled_for
    interview = TODAY + timedelta(days=30)
    for day, message in ((interview + timedelta(days=1), "not after it"),
                         (date(9999, 12, 31), "not after it"),
                         (TODAY - timedelta(days=1), "not into the past")):
        added = client.post("/plan/tasks", data={
            "csrf_token": token, "title": "Far away", "minutes": "25", "day": day.isoformat(),
            "kind": "research"})
        assert message in client.get(added.headers["Location"]).get_data(as_text=True)
        moved = client.post(f"/plan/tasks/{task_id}/move", data={"csrf_token": token,
                                                                  "day": day.isoformat()})
        assert message in client.get(moved.headers["Location"]).get_data(as_text=True)
    session.rollback()
    assert not session.execute(select(PlanTask).where(PlanTask.title == "Far away")).first()
    assert task_named(session, "Map your past programs").scheduled_for == before
    client.post("/plan/tasks", data={"csrf_token": token, "title": "On the day",
                                     "minutes": "25", "day": interview.isoformat(),
                                     "kind": "research"})
    assert task_named(session, "On the day").scheduled_for == interview


def test_no_write_lock_is_held_while_the_plan_is_computed(seeded_app, session,
                                                          monkeypatch) -> None:
    """While the plan page computes the plan, another writer of the same user gets in at
    once (issue 11): the plan is computed in a read transaction, and only what it
    decided is written afterwards, in a short write transaction."""

    engine = seeded_app.extensions["flashcards.engine"]
    real_plan = plans.plan
    meanwhile = []

    def plan_with_a_writer_next_to_it(data, rng):
        with engine.connect() as other:
            other.execution_options(flashcards_write=True, flashcards_all_users=True)
            if engine.dialect.name == "sqlite":
                other.connection.driver_connection.execute("PRAGMA busy_timeout = 300")
                other.exec_driver_sql("UPDATE settings SET daily_minutes = 45 WHERE id = 1")
            else:
                other.exec_driver_sql("SET LOCAL lock_timeout = '300ms'")
                other.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_NAMESPACE}, 1)")
                other.exec_driver_sql("UPDATE settings SET daily_minutes = 45 WHERE id = 1")
            other.commit()
            if engine.dialect.name == "sqlite":
                other.connection.driver_connection.execute("PRAGMA busy_timeout = 10000")
        meanwhile.append(True)
        return real_plan(data, rng)

    monkeypatch.setattr(plans, "plan", plan_with_a_writer_next_to_it)
    client = seeded_app.test_client()
    assert client.get("/plan").status_code == 200
    assert meanwhile == [True]
    session.rollback()
    settings = session.get(Settings, 1)
    assert settings.daily_minutes == 45
    assert settings.paced_day == TODAY  # and the plan's own write went in after it


def test_task_forms_set_the_priority_and_the_plan_shows_it(seeded_app, session) -> None:
    client = seeded_app.test_client()
    client.get("/plan")
    token = csrf_token(client, "/plan")
    for title, kind, priority in (("Mock with a friend", "mock", ""),
                                  ("Skim a paper", "research", ""),
                                  ("Must rehearse", "stories", "required")):
        client.post("/plan/tasks", data={"csrf_token": token, "title": title, "minutes": "25",
                                         "day": TODAY.isoformat(), "kind": kind,
                                         "priority": priority})
    assert [task_named(session, title).priority for title in (
        "Mock with a friend", "Skim a paper", "Must rehearse")] == [
        "required", "optional", "required"]
    task_id = task_named(session, "Must rehearse").id
    client.post(f"/plan/tasks/{task_id}/edit", data={
        "csrf_token": token, "title": "Must rehearse", "minutes": "25", "details": "",
        "priority": "optional"})
    assert task_named(session, "Must rehearse").priority == "optional"
    # An edit without the field keeps the priority; an unknown one is refused.
    mock_id = task_named(session, "Mock with a friend").id
    client.post(f"/plan/tasks/{mock_id}/edit", data={
        "csrf_token": token, "title": "Mock with a friend", "minutes": "30", "details": ""})
    assert task_named(session, "Mock with a friend").priority == "required"
    bad = client.post(f"/plan/tasks/{mock_id}/edit", data={
        "csrf_token": token, "title": "Mock", "minutes": "30", "details": "",
        "priority": "urgent"})
    assert "Priority: Not a valid choice" in client.get(bad.headers["Location"]).get_data(
        as_text=True)
    assert task_named(session, "Mock with a friend").priority == "required"
    page = client.get("/plan/tasks").get_data(as_text=True)
    assert '<span class="priority priority-required">required</span>' in task_item(
        page, "Mock with a friend")
    assert '<span class="priority priority-optional">optional</span>' in task_item(
        page, "Must rehearse")
    assert ">Priority by kind</option>" in page


def chart_svg(page: str, css_class: str) -> str:
    match = re.search(rf'<svg class="chart {css_class}".*?</svg>', page, re.DOTALL)
    assert match, f"no {css_class} on the page"
    return match.group(0)


def table_rows(page: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table id="{table_id}">.*?</table>', page, re.DOTALL)
    assert table, f"no table {table_id}"
    body = table.group(0).split("<tbody>")[1]
    return [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)]


def test_the_minutes_chart_shows_its_values_budget_and_a_table(seeded_app, session) -> None:
    """Axis values, the budget labelled, over-budget days named, and the same numbers as
    a table: nothing needs a hover (phones have none)."""
    client = seeded_app.test_client()
    settings = session.get(Settings, 1)
    settings.daily_minutes = 45
    session.commit()
    # The plan runs no day over by itself: a long task pinned to tomorrow does.
    plans.add_task(session, title="Long mock with a friend", details="", minutes=120,
                   day=TODAY + timedelta(days=1), kind=TaskKind.MOCK, now=START)
    session.commit()
    page = client.get("/plan").get_data(as_text=True)
    svg = chart_svg(page, "minutes-chart")
    ticks = re.findall(r'<text x="[\d.]+" y="[\d.]+" text-anchor="end">(\d+)</text>', svg)
    assert ticks[0] == "0" and len(ticks) >= 3
    steps = {int(b) - int(a) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1 and steps.pop() > 0  # evenly spaced minutes
    assert 'class="budget-label">budget 45 min</text>' in svg
    assert ">budget 45 min</text>" in svg.split('<g class="legend">')[1].split("</g>")[0]
    dates = re.findall(r'text-anchor="(?:middle|end)">(\d+ \w{3})</text>', svg)
    assert dates[0] == "2 Mar" and 4 <= len(dates) <= 8  # readable, not one per day

    bars = re.findall(r"<title>(\w{3} \d+ \w{3}): (\d+) of (\d+) min</title>", svg)
    rows = table_rows(page, "minutes-table")
    assert len(rows) == len(bars) == 31
    assert [(day, minutes, budget) for day, minutes, budget, _ in rows] == bars
    over = [row for row in rows if row[3].startswith("yes")]
    assert over and svg.count('class="over"><title>') == len(over)
    assert all(row[3] == f"yes, by {int(row[1]) - int(row[2])} min" for row in over)
    summary = re.search(r'id="minutes-chart-summary">(.*?)</p>', page, re.DOTALL).group(1)
    assert f"Over budget on {len(over)} day" in summary
    first = over[0]
    assert f"{first[0].split(' ', 1)[1]} ({first[1]} of 45 min)" in summary


def test_the_recall_chart_shows_the_axis_target_and_a_table(seeded_app, session) -> None:
    client = seeded_app.test_client()
    page = client.get("/plan").get_data(as_text=True)
    svg = chart_svg(page, "recall-chart")
    assert re.findall(r'text-anchor="(?:start|middle|end)">(\d+%)</text>', svg) == [
        "0%", "25%", "50%", "75%", "100%"]
    assert ">target 90%</text>" in svg
    values = re.findall(r'class="deck-name">([^<]+)</text>.*?class="value">(\d+%)</text>', svg,
                        re.DOTALL)
    rows = table_rows(page, "recall-table")
    assert len(values) == 4 and [(deck, recall) for deck, recall, _ in rows] == values
    assert {target for _, _, target in rows} == {"90%"}


def test_the_charts_after_the_interview(seeded_app, session, clock) -> None:
    """A plan of one day (the interview is over) draws one wide bar with its value on it."""
    client = seeded_app.test_client()
    client.get("/plan")
    clock.advance(days=40)  # the interview (30 days ahead) is over
    response = client.get("/plan")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    rows = table_rows(page, "minutes-table")
    assert [row[0] for row in rows] == ["Sat 11 Apr"]
    svg = chart_svg(page, "minutes-chart")
    assert f'class="value">{rows[0][1]}</text>' in svg and ">11 Apr</text>" in svg


def week_details(page: str) -> dict[str, str]:
    """Each week of the calendar by its Monday: its <details> element, whole."""
    return {monday: whole for whole, monday in re.findall(
        r'(<details class="week[^"]*" id="week-([\d-]+)"[^>]*>.*?</details>)', page, re.S)}


def stored_rows(session) -> tuple[list[tuple], list[tuple]]:
    """Every task and settings column, as stored."""
    session.rollback()
    tasks = session.execute(select(PlanTask.__table__).order_by(PlanTask.id)).all()
    settings = session.execute(select(Settings.__table__).where(Settings.id == 1)).all()
    return [tuple(row) for row in tasks], [tuple(row) for row in settings]


def test_the_calendar_opens_this_week_and_folds_the_later_ones(seeded_app) -> None:
    page = seeded_app.test_client().get("/plan").get_data(as_text=True)
    weeks = week_details(page)
    # Mon 2 Mar (today) to Wed 1 Apr (interview day): five weeks, the first one open.
    assert list(weeks) == ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23",
                           "2026-03-30"]
    assert re.match(r'<details class="week current" id="week-2026-03-02" open>',
                    weeks["2026-03-02"])
    for monday, week in list(weeks.items())[1:]:
        assert re.match(rf'<details class="week" id="week-{monday}">', week)  # folded
    # A folded week's summary says its dates and its load against the week's budget.
    summary = re.search(r"<summary>(.*?)</summary>", weeks["2026-03-09"], re.S).group(1)
    text = " ".join(re.sub(r"<[^>]+>", " ", summary).split())
    # 60 min a day and 3 h 30 on Saturday 14 March: 570 min.
    load = re.fullmatch(r"9 Mar – 15 Mar (\d+) of 570 min · (\d+) tasks?", text)
    assert load and int(load.group(1)) > 0 and int(load.group(2)) > 0, text
    # Inside, one line a day: its minutes against its budget and its tasks' titles.
    lines = re.findall(r'<li class="day[^"]*" data-date="([\d-]+)">.*?'
                       r'<span class="mins">(\d+) / (\d+) min</span>', weeks["2026-03-09"], re.S)
    assert [day for day, _, _ in lines] == [(TODAY + timedelta(days=d)).isoformat()
                                            for d in range(7, 14)]
    assert [budget for _, _, budget in lines] == ["60"] * 5 + ["210", "60"]
    # The week's minutes are its days' (each line rounds its own).
    assert abs(int(load.group(1)) - sum(int(minutes) for _, minutes, _ in lines)) <= 4
    # The last week ends on interview day: the days after it are empty boxes.
    last = weeks["2026-03-30"]
    assert re.search(r'class="day interview[^"]*" data-date="2026-04-01"', last)
    assert len(re.findall(r'class="day outside"', last)) == 4
    # Today's item shows one minutes figure: done / planned, not also "of 60 min".
    today = day_item(page, TODAY)
    figures = re.findall(r"\d+ ?/ ?\d+ min|\d+ of \d+ min\b(?! left)", today)
    assert len(figures) == 1 and re.fullmatch(r"0/\d+ min", figures[0])
    assert 'id="plan-past"' not in page  # the plan starts today: no past days


def test_past_days_fold_into_one_summary_line(seeded_app, session, clock) -> None:
    from tests.web.test_review import first_card_form

    client = seeded_app.test_client()
    client.get("/plan")
    for _ in range(2):
        _, form = first_card_form(client)
        client.post("/review/grade", data={**form, "rating": "3", "shown_at": "0"})
    session.rollback()
    task = next(t for t in session.execute(select(PlanTask)).scalars()
                if t.scheduled_for == TODAY)
    client.post(f"/plan/tasks/{task.id}/done", data={
        "csrf_token": csrf_token(client, "/plan"), "done": "y", "whole": "y"})
    clock.advance(days=3)  # Thursday 5 March
    page = client.get("/plan").get_data(as_text=True)
    past = re.search(r'<details class="past-days" id="plan-past">\s*<summary>(.*?)</summary>'
                     r"(.*?)</details>", page, re.S)
    assert past, "no summary of the past days"
    assert past.group(1) == "Past 3 days: 2 reviews done, 1 task done"
    lines = re.findall(r'<li class="day-line" data-date="([\d-]+)">(.*?)</li>', past.group(2),
                       re.S)
    assert [day for day, _ in lines] == ["2026-03-02", "2026-03-03", "2026-03-04"]
    assert "2 reviews" in lines[0][1] and f"Done: {escape(task.title)}" in lines[0][1]
    # This week is still open, from today on; its past days are not drawn as days to do.
    weeks = week_details(page)
    assert list(weeks)[0] == "2026-03-02" and " open>" in weeks["2026-03-02"].split("\n")[0]
    assert planned_days(page)[0] == "2026-03-05"
    assert len(re.findall(r'class="day past"', weeks["2026-03-02"])) == 3


def test_the_task_list_shows_every_task_with_its_controls_and_writes_nothing(
        seeded_app, session) -> None:
    client = seeded_app.test_client()
    client.get("/")  # the day's first visit plans (and stores) the day
    before = stored_rows(session)
    response = client.get("/plan/tasks")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert stored_rows(session) == before  # nothing written on the way
    session.rollback()
    tasks = session.execute(select(PlanTask)).scalars().all()
    assert sorted(int(i) for i in re.findall(r'<li class="task[^"]*" data-task-id="(\d+)"',
                                             page)) == sorted(t.id for t in tasks)
    for task in tasks:
        item = task_item(page, str(escape(task.title)))
        assert '<summary>More<span class="visually-hidden">: ' in item
        for action in ("move", "edit", "delete"):
            assert f'action="/plan/tasks/{task.id}/{action}"' in item
        # Each field with a visible label; the moves stay inside the plan.
        assert f'<label for="task-{task.id}-day">Move to</label>' in item
        assert 'min="2026-03-02" max="2026-04-01"' in item
        for label in ("Task", "Minutes", "Priority", "Details"):
            assert f"{label} <" in item
        assert item.count('name="csrf_token"') == item.count('<form method="post"') >= 4
    # The plan page links to it, and no longer lists every task itself.
    plan = client.get("/plan").get_data(as_text=True)
    assert 'href="/plan/tasks" id="all-tasks-link">All tasks</a>' in plan
    assert "task-more" not in plan and 'class="tasks full"' not in plan
    # A move from the list comes back to the list.
    task = task_named(session, "Read published model cards")
    moved = client.post(f"/plan/tasks/{task.id}/move", data={
        "csrf_token": csrf_token(client, "/plan/tasks"), "next": "/plan/tasks?",
        "day": (TODAY + timedelta(days=9)).isoformat()})
    assert moved.headers["Location"].startswith("/plan/tasks")
    page = client.get(moved.headers["Location"]).get_data(as_text=True)
    day = re.search(r'<li class="task-day" id="day-2026-03-11">.*?(?=<li class="task-day"|</ul>)',
                    page, re.S)
    assert day and "Read published model cards" in day.group(0)


def test_the_task_list_before_any_plan_writes_nothing(seeded_app, session) -> None:
    """A first visit straight to the list: the tasks the plan has not placed yet show on
    the days they would get, and none of them is stored there by the visit."""
    before = stored_rows(session)
    assert all(task.scheduled_for is None for task in session.execute(select(PlanTask)).scalars())
    page = seeded_app.test_client().get("/plan/tasks").get_data(as_text=True)
    assert stored_rows(session) == before
    assert session.get(Settings, 1).paced_day is None
    assert re.search(r'<li class="task-day" id="day-2026-03-02">', page)
    assert "Map your past programs" in page and 'id="add-task-form"' in page
