"""The task forms' "Needs first" and "One sitting", and "Plan it anyway", over HTTP with
CSRF on (issue 23)."""

import html
import re
from datetime import date

from sqlalchemy import select

from flashcards.models import PlanTask
from tests.conftest import csrf_token

TODAY = date(2026, 3, 2)  # the test clock's study day


def task_named(session, title: str) -> PlanTask:
    session.rollback()
    return session.execute(select(PlanTask).where(PlanTask.title == title)).scalar_one()


def flashes(client, response) -> str:
    return html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))


def test_a_task_form_sets_what_it_needs_first_and_refuses_a_circle(seeded_app,
                                                                   session) -> None:
    client = seeded_app.test_client()
    token = csrf_token(client, "/plan")
    first = task_named(session, "Draft trade-off story 1: a process that slowed delivery "
                                "but cut risk")
    second = task_named(session, "Draft trade-off story 2: a process that slowed delivery "
                                 "but cut risk")
    assert second.after == (first.id,)  # from decks/tasks.csv
    added = client.post("/plan/tasks", data={
        "csrf_token": token, "title": "Tell story 2 to a friend", "minutes": "20",
        "day": TODAY.isoformat(), "kind": "stories", "after": [str(second.id)],
        "sitting": "y"})
    assert "Added “Tell story 2 to a friend”." in flashes(client, added)
    told = task_named(session, "Tell story 2 to a friend")
    assert (told.after, told.sitting) == ((second.id,), True)
    # Story 1 needing the new task closes a circle: refused, named, nothing changed.
    circle = client.post(f"/plan/tasks/{first.id}/edit", data={
        "csrf_token": token, "title": "Renamed", "minutes": "45", "details": "",
        "with_order": "y", "after": [str(told.id)]})
    page = flashes(client, circle)
    assert ("Needs first: That would make a circle: “Draft trade-off story 1: a process "
            "that slowed delivery but cut risk” needs “Tell story 2 to a friend” needs "
            "“Draft trade-off story 2: a process that slowed delivery but cut risk” needs "
            "“Draft trade-off story 1") in page
    unchanged = session.get(PlanTask, first.id)
    assert (unchanged.title, unchanged.after_ids, unchanged.edited_at) == (
        first.title, "", None)
    # An unknown task id: as if missing, and nothing changed.
    assert client.post(f"/plan/tasks/{first.id}/edit", data={
        "csrf_token": token, "title": "Renamed", "minutes": "45", "details": "",
        "with_order": "y", "after": ["987654"]}).status_code == 404
    assert task_named(session, first.title).edited_at is None
    # The form with its order fields replaces both; one without them keeps both.
    client.post(f"/plan/tasks/{told.id}/edit", data={
        "csrf_token": token, "title": told.title, "minutes": "20", "details": "",
        "with_order": "y", "after": [str(first.id), str(second.id)]})
    edited = task_named(session, told.title)
    assert (edited.after, edited.sitting) == ((first.id, second.id), False)
    client.post(f"/plan/tasks/{told.id}/edit", data={
        "csrf_token": token, "title": told.title, "minutes": "25", "details": ""})
    kept = task_named(session, told.title)
    assert (kept.minutes, kept.after, kept.sitting) == (25, (first.id, second.id), False)


def test_the_plan_page_labels_needs_first_and_one_sitting(seeded_app, session) -> None:
    client = seeded_app.test_client()
    client.get("/plan")
    page = client.get("/plan/tasks").get_data(as_text=True)
    mock = task_named(session, "Mock interview: full loop of all four rounds")
    full_list = page[page.index('<ul class="tasks full"'):]  # the list with each task's forms
    item = full_list[full_list.index(f'data-task-id="{mock.id}"'):]
    item = item[:item.index("</li>")]
    needs = re.search(r'<label class="needs-first">Needs first\s*<select name="after" '
                      r'multiple[^>]*>(.*?)</select>', item, re.S)
    assert needs
    selected = re.findall(r'<option value="(\d+)" selected>', needs.group(1))
    assert sorted(int(i) for i in selected) == sorted(mock.after) and len(selected) == 5
    assert f'<option value="{mock.id}"' not in needs.group(1)  # not itself
    assert re.search(r'<label class="sitting"><input type="checkbox" name="sitting" '
                     r'value="y" checked> One sitting', item)
    add_form = page[page.index('id="add-task-form"'):]
    assert '<label class="needs-first">Needs first' in add_form[:add_form.index("</form>")]


def test_plan_it_anyway_on_off_and_only_for_the_users_task(seeded_app, session) -> None:
    client = seeded_app.test_client()
    token = csrf_token(client, "/plan")
    loop = task_named(session, "Mock interview: full loop of all four rounds")
    url = f"/plan/tasks/{loop.id}/anyway"
    on = client.post(url, data={"csrf_token": token, "on": "on"})
    assert on.status_code == 302
    assert ("“Mock interview: full loop of all four rounds” will be planned even where its "
            "day runs over the budget.") in flashes(client, on)
    assert task_named(session, loop.title).anyway is True
    off = client.post(url, data={"csrf_token": token, "on": "off"})
    assert "is planned only where the budget holds it again" in flashes(client, off)
    assert task_named(session, loop.title).anyway is False
    # No CSRF token, or no on/off: refused, nothing changed.
    assert client.post(url, data={"on": "on"}).status_code == 400
    assert client.post(url, data={"csrf_token": token, "on": "yes"}).status_code == 400
    assert task_named(session, loop.title).anyway is False
    assert client.post("/plan/tasks/987654/anyway",
                       data={"csrf_token": token, "on": "on"}).status_code == 404
