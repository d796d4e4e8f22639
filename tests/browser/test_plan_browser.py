"""The plan in real Chromium: settings, ticking and moving a task, the calendar file."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from flashcards.models import Settings

pytestmark = pytest.mark.browser


def test_plan_settings_tick_move_and_calendar(live_server, page) -> None:
    page.goto(live_server + "/settings")
    interview = date(2026, 3, 2) + timedelta(days=35)
    page.fill("#interview_date", interview.isoformat())
    page.fill("#daily_minutes", "75")
    page.fill("#minutes_sunday", "40")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("Settings saved.")

    page.goto(live_server + "/plan")
    expect(page.locator("h1")).to_contain_text("Plan to Monday 6 April")
    # Today through interview day, one line each (the days after it are empty boxes).
    expect(page.locator("li.day[data-date]:not(.past):not(.outside) .day-head")).to_have_count(36)
    expect(page.locator("li.day.today")).to_have_count(1)
    expect(page.locator("li.day.interview")).to_have_attribute("data-date", interview.isoformat())

    # Tick today's first task in the calendar.
    today_cell = page.locator("li.day.today")
    first = today_cell.locator("li.task").first
    title = first.locator(".task-title").inner_text()
    first.locator("button.checkbox").click()
    expect(page.locator("li.day.today li.task.done .task-title").first).to_have_text(title)

    # Move a task to another day from the task list, behind the plan's "All tasks".
    # By its title: every task's "Needs first" list names the others too.
    page.locator("#all-tasks-link").click()
    entry = page.locator("ul.tasks.full li.task").filter(
        has=page.locator(".task-title", has_text="Read published model cards"))
    entry.locator("summary").click()
    target = date(2026, 3, 2) + timedelta(days=10)
    entry.locator("input[type=date]").fill(target.isoformat())
    entry.get_by_role("button", name="Move").click()
    expect(page.locator(".flash")).to_contain_text("Moved")
    expect(page).to_have_url(re.compile(r"/plan/tasks\??$"))
    page.goto(live_server + "/plan")
    expect(page.locator(f'li.day[data-date="{target.isoformat()}"]')).to_contain_text(
        "Read published model cards")

    with page.expect_download() as info:
        page.locator("#ics-link").click()
    calendar = Calendar.from_ical(Path(info.value.path()).read_bytes())
    events = list(calendar.walk("VEVENT"))
    # The task's own event, on the day it was moved to; interview day on the new date.
    moved = next(e for e in events if "Read published model cards" in str(e["summary"]))
    assert moved.decoded("dtstart") == target and str(moved["uid"]).startswith("task-")
    day = next(e for e in events if str(e["summary"]) == "Interview day")
    assert day.decoded("dtstart") == interview


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pressure_panel_at_phone_width_and_its_weekday_fix(live_server, page, session,
                                                           scheme) -> None:
    # 60 min every day: the full mock loop (a 180-minute sitting) fits no day.
    session.get(Settings, 1).weekday_minutes = ",,,,,,"
    session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server + "/plan")
    panel = page.locator("section.pressure")
    expect(panel.locator("#plan-warning")).to_contain_text("Not in the plan: 1 required task")
    expect(panel.locator("#plan-top-item")).to_contain_text(
        "Mock interview: full loop of all four rounds” (180 min) does not fit")
    # What the panel adds stays inside the phone's width.
    assert panel.evaluate("el => el.scrollWidth <= el.clientWidth")
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    fix = panel.locator("#plan-top-item .fix-weekday button")
    assert fix.bounding_box()["height"] >= 44
    assert panel.locator("#plan-top-item .plan-anyway button").bounding_box()["height"] >= 44
    label = fix.inner_text()
    day = re.match(r"Give (\w+)s ", label).group(1)
    fix.click()
    expect(page.locator(".flash")).to_contain_text(f"{day}s now have ")
    expect(page.locator("section.pressure")).to_contain_text("Everything fits in your budget")


def test_the_combined_budget_and_new_card_limit_fix_at_phone_width(live_server, page,
                                                                   session) -> None:
    # Interview in 10 days at 30 min every day: the new-card limit binds too.
    settings = session.get(Settings, 1)
    settings.daily_minutes, settings.interview_date = 30, date(2026, 3, 2) + timedelta(days=10)
    settings.weekday_minutes = ",,,,,,"
    session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/plan")
    panel = page.locator("section.pressure")
    assert panel.evaluate("el => el.scrollWidth <= el.clientWidth")
    fix = panel.locator("#fix-budget button")
    box = fix.bounding_box()
    assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 390
    label = fix.inner_text()
    minutes, limit = re.fullmatch(r"Raise the daily budget to (\d+) min and new cards to "
                                  r"(\d+) a day", label).groups()
    fix.click()
    expect(page.locator(".flash")).to_contain_text(
        f"Budget raised to {minutes} min a day, new-card limit {limit} a day.")
    expect(page.locator("section.pressure")).not_to_contain_text("Not in the plan")
