"""The plan's panel over HTTP: what does not fit in the budget, in at most five short
lines with the rest behind "Details", and its fixes (budget, weekday, interview date,
"Plan it anyway")."""

import re
from datetime import date, timedelta

import numpy as np
from sqlalchemy import select

from flashcards.models import PlanTask, Settings
from flashcards.services import plans
from tests.conftest import START, csrf_token, make_deck

TODAY = date(2026, 3, 2)  # the test clock's study day


def pressure_panel(page: str) -> str:
    match = re.search(r'<section class="panel pressure".*?</section>', page, re.S)
    assert match, "no pressure panel"
    return match.group(0)


def visible_lines(panel: str) -> list[str]:
    """The panel's lines outside its "Details": each paragraph or block after the heading."""
    outside = re.sub(r"<details.*?</details>", "<details></details>", panel, flags=re.S)
    return re.findall(r"<(?:p|div|details)\b", outside)


def task_keyed(session, key: str) -> PlanTask:
    session.rollback()
    return session.execute(select(PlanTask).where(PlanTask.key == key)).scalar_one()


def set_budget(session, minutes: int, days: int, weekday_minutes: str = ",,,,,,") -> None:
    settings = session.get(Settings, 1)
    settings.daily_minutes, settings.interview_date = minutes, TODAY + timedelta(days=days)
    settings.weekday_minutes = weekday_minutes
    session.commit()


def test_the_first_plan_holds_every_bundled_task_and_alarms_nobody(seeded_app, session) -> None:
    """A new user's first plan (30 days, 60 min a day and 3 h 30 on Saturdays): nothing
    left out, nothing red, no day over budget."""
    client = seeded_app.test_client()
    page = client.get("/plan").get_data(as_text=True)
    panel = pressure_panel(page)
    assert "Everything fits in your budget" in panel
    assert 'class="warning"' not in panel and "Not in the plan" not in panel
    assert session.get(Settings, 1).weekday_minutes == ",,,,,210,"
    assert 'class="warning"' not in page.split('id="plan-calendar"')[1].split("</section>")[0]


def test_ten_days_at_thirty_minutes_stays_in_the_budget_and_names_what_does_not_fit(
        seeded_app, session) -> None:
    set_budget(session, 30, 10)
    client = seeded_app.test_client()
    page = client.get("/plan").get_data(as_text=True)
    panel = pressure_panel(page)
    assert len(visible_lines(panel)) <= 5
    assert re.search(r'id="plan-warning">Not in the plan: \d+ required tasks', panel)
    # The first required task left out, with why, on the second line.
    top = re.search(r'id="plan-top-item">(.*?)</div>', panel, re.S).group(1)
    assert "does not fit" in top or "waits for" in top
    # Every not-planned task is in the details, one line each.
    details = re.search(r"<details.*?</details>", panel, re.S).group(0)
    session.rollback()
    view = plans.build_plan(session, START, np.random.default_rng(2026))
    session.rollback()
    left_out = [tv for views in view.tasks.values() for tv in views
                if tv.fitted is not None and tv.fitted.change.value == "dropped"]
    assert left_out and details.count('class="not-planned"') == len(left_out)
    # No day over its budget: the budget is a promise.
    assert view.plan.days_over == []
    # The mocks are one sitting each: a 45-minute mock does not fit a 30-minute day.
    mock = next(tv for tv in left_out if tv.task.key == "mock-behavioral")
    assert mock.fitted is not None and mock.fitted.parts == ()


def test_the_panel_and_the_plan_are_the_same_on_every_load(seeded_app, session) -> None:
    set_budget(session, 45, 21)
    client = seeded_app.test_client()
    pages = [pressure_panel(client.get("/plan").get_data(as_text=True)) for _ in range(3)]
    # Without the CSRF tokens, which differ per form render only by design.
    pages = [re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", p) for p in pages]
    assert pages[0] == pages[1] == pages[2]


def test_a_budget_fix_is_refused_without_csrf_or_out_of_range_and_applied_with_both(
        seeded_app, session) -> None:
    set_budget(session, 30, 10)
    client = seeded_app.test_client()
    panel = pressure_panel(client.get("/plan").get_data(as_text=True))
    budget = int(re.search(r'name="daily_minutes" type="hidden" value="(\d+)"', panel).group(1))
    assert budget > 30 and f"Raise the daily budget to {budget} min" in panel
    assert client.post("/plan/fix", data={"daily_minutes": str(budget)}).status_code == 400
    token = csrf_token(client, "/plan")
    refused = client.post("/plan/fix", data={"csrf_token": token, "daily_minutes": "9999"})
    assert "Number must be between 5 and 600" in client.get(refused.headers["Location"]
                                                            ).get_data(as_text=True)
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    past = client.post("/plan/fix", data={"csrf_token": token, "interview_date": yesterday})
    assert "cannot be in the past" in client.get(past.headers["Location"]).get_data(as_text=True)
    session.rollback()
    assert session.get(Settings, 1).daily_minutes == 30
    data = {"csrf_token": token, "daily_minutes": str(budget)}
    limit = re.search(r'id="fix-budget">.*?name="new_per_day" type="hidden" value="(\d+)"',
                      panel, re.S)
    if limit:
        data["new_per_day"] = limit.group(1)
    assert client.post("/plan/fix", data=data).status_code == 302
    session.rollback()
    assert session.get(Settings, 1).daily_minutes == budget
    after = pressure_panel(client.get("/plan").get_data(as_text=True))
    assert "Not in the plan" not in after


def test_a_sitting_no_day_holds_offers_a_weekday_and_plan_it_anyway(seeded_app,
                                                                    session) -> None:
    # 30 days at 60 min, every day alike: the 180-minute full loop fits no day.
    set_budget(session, 60, 30)
    client = seeded_app.test_client()
    panel = pressure_panel(client.get("/plan").get_data(as_text=True))
    loop = task_keyed(session, "mock-loop-full")
    item = re.search(rf'<li class="not-planned" data-task-id="{loop.id}">(.*?)</li>', panel,
                     re.S).group(1)
    assert "(180 min) does not fit: no day before the interview has 180 min free" in item
    weekday = int(re.search(r'name="weekday" type="hidden" value="(\d)"', item).group(1))
    minutes = int(re.search(r'name="weekday_minutes" type="hidden" value="(\d+)"',
                            item).group(1))
    assert minutes >= 180 and minutes % 15 == 0
    name = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[weekday]
    assert f"Give {name}s" in item
    token = csrf_token(client, "/plan")
    # "Plan it anyway": whole on one day, which runs over, as the user chose; undoable.
    assert client.post(f"/plan/tasks/{loop.id}/anyway", data={"on": "on"}).status_code == 400
    assert client.post(f"/plan/tasks/{loop.id}/anyway",
                       data={"csrf_token": token, "on": "on"}).status_code == 302
    session.rollback()
    view = plans.build_plan(session, START, np.random.default_rng(2026))
    session.rollback()
    mine = next(tv for views in view.tasks.values() for tv in views if tv.task.id == loop.id)
    assert mine.fitted is not None and mine.fitted.over and mine.planned_minutes == 180
    over_days = {d.day for d in view.plan.days_over}
    assert over_days == {mine.day}
    panel = pressure_panel(client.get("/plan").get_data(as_text=True))
    assert "over the budget, as you chose" in panel and "Undo “Plan it anyway”" in panel
    client.post(f"/plan/tasks/{loop.id}/anyway", data={"csrf_token": token, "on": "off"})
    assert task_keyed(session, "mock-loop-full").anyway is False
    # The weekday fix: that weekday's budget, and the loop fits with nothing over.
    assert client.post("/plan/fix", data={"csrf_token": token, "weekday": str(weekday),
                                          "weekday_minutes": str(minutes)}).status_code == 302
    session.rollback()
    stored = session.get(Settings, 1).weekday_minutes.split(",")
    assert stored[weekday] == str(minutes)
    view = plans.build_plan(session, START, np.random.default_rng(2026))
    session.rollback()
    mine = next(tv for views in view.tasks.values() for tv in views if tv.task.id == loop.id)
    assert mine.planned_minutes == 180 and view.plan.days_over == []
    # A weekday fix out of range, or half of one, changes nothing.
    for bad in ({"weekday": "7", "weekday_minutes": "60"}, {"weekday": "2"},
                {"weekday": "2", "weekday_minutes": "601"}):
        client.post("/plan/fix", data={"csrf_token": token, **bad})
    session.rollback()
    assert session.get(Settings, 1).weekday_minutes.split(",") == stored


def test_another_users_task_cannot_be_planned_anyway(seeded_app, session) -> None:
    client = seeded_app.test_client()
    token = csrf_token(client, "/plan")
    assert client.post("/plan/tasks/999999/anyway",
                       data={"csrf_token": token, "on": "on"}).status_code == 404


def test_the_panel_says_when_everything_fits(app, session) -> None:
    make_deck(session, "D", cards=20)
    panel = pressure_panel(app.test_client().get("/plan").get_data(as_text=True))
    assert "Everything fits in your budget" in panel and 'id="plan-warning"' not in panel
