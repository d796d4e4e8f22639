"""The first-run set-up in real Chromium on a phone-sized screen: a new user lands
there, the time zone comes from the browser, saving and skipping both store the plan's
basics, and nothing scrolls sideways at 390 px."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.first_run]

PHONE = {"width": 390, "height": 844}
# A form sent back with an error answers 400, which Chromium logs: not a script error.
FORM_ERROR_STATUS = "status of 400 (BAD REQUEST)"


@pytest.fixture
def phone_in(browser: Browser) -> Iterator[Callable[[str], Page]]:
    """A page in a phone-sized browser whose clock runs in the given time zone."""
    contexts = []
    errors: list[str] = []

    def open_page(zone: str) -> Page:
        context = browser.new_context(timezone_id=zone, viewport=PHONE)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console",
                lambda msg: errors.append(msg.text) if msg.type == "error"
                and not msg.text.endswith(FORM_ERROR_STATUS) else None)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert errors == [], f"browser errors: {errors}"


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_first_run_set_up_takes_the_browsers_zone_and_saves(live_server, phone_in) -> None:
    page = phone_in("America/New_York")
    page.goto(live_server + "/plan")
    expect(page).to_have_url(re.compile(r"/setup\?next=/plan$"))
    expect(page.locator("h1")).to_have_text("Set up your plan")
    expect(page.locator("#timezone")).to_have_value("America/New_York")
    expect(page.locator("#timezone-hint")).to_contain_text("Filled in from this device")
    expect(page.locator("#interview_date")).to_have_value("2026-04-01")
    expect(page.locator("#daily_minutes")).to_have_value("60")
    assert no_sideways_scroll(page)

    # A date the server refuses comes back as a form error naming the problem.
    page.fill("#interview_date", "2026-03-02")
    page.get_by_role("button", name="Save and start").click()
    expect(page.locator(".field.has-error .error")).to_contain_text(
        "The interview date cannot be today")
    expect(page.locator("#timezone")).to_have_value("America/New_York")
    assert no_sideways_scroll(page)

    page.fill("#interview_date", "2026-03-20")
    page.fill("#daily_minutes", "45")
    page.get_by_role("button", name="Save and start").click()
    expect(page).to_have_url(live_server + "/plan")
    expect(page.locator("h1")).to_contain_text("Plan to Friday 20 March")
    expect(page.locator("p.lead")).to_contain_text("Budget 45 min a day")

    page.goto(live_server + "/settings")
    expect(page.locator("#timezone")).to_have_value("America/New_York")
    expect(page.locator("#interview_date")).to_have_value("2026-03-20")
    page.goto(live_server + "/setup")  # asked once only
    expect(page).to_have_url(live_server + "/")


def test_skip_keeps_the_defaults_and_the_browsers_zone(live_server, phone_in) -> None:
    page = phone_in("Asia/Tokyo")
    page.goto(live_server + "/")
    expect(page).to_have_url(re.compile(r"/setup\?next=/$"))
    assert no_sideways_scroll(page)
    page.get_by_role("button", name="Skip (use the defaults)").click()
    expect(page).to_have_url(live_server + "/")
    expect(page.locator(".flash")).to_contain_text("Set up with the defaults")
    page.goto(live_server + "/settings")
    expect(page.locator("#timezone")).to_have_value("Asia/Tokyo")
    expect(page.locator("#daily_minutes")).to_have_value("60")
    # 14:00 UTC is 23:00 in Tokyo: still 2 March there, so the interview is on 1 April.
    expect(page.locator("#interview_date")).to_have_value("2026-04-01")
