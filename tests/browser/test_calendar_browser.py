"""The calendar subscription in real Chromium, on a phone-sized screen, light and dark:
create the link, copy it, subscribe to it, revoke it."""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def overflowing(page: Page, selector: str = ".calendar-feed") -> list[str]:
    """What in the calendar section reaches past the screen's width, or scrolls sideways
    inside (the read-only address may: it scrolls within its box). The rest of the page
    is not this test's to judge."""
    return list(page.evaluate("""selector => {
        const width = document.documentElement.clientWidth;
        const section = document.querySelector(selector);
        return [section, ...section.querySelectorAll("*")].filter(
            el => el.getBoundingClientRect().right > width + 0.5
                  || (el.tagName !== "INPUT" && el.scrollWidth > el.clientWidth + 1))
            .map(el => el.tagName + "." + el.className);
    }""", selector))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_create_copy_and_revoke_the_link_on_a_phone(live_server, browser: Browser,
                                                    scheme: str) -> None:
    context = browser.new_context(viewport=PHONE, color_scheme=scheme)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(live_server + "/settings#calendar")
        section = page.locator("#calendar")
        expect(section).to_contain_text("No link yet.")
        page.select_option("#reminder", "510")
        section.get_by_role("button", name="Set reminder").click()
        expect(page.locator(".flash")).to_contain_text("reminder set to 08:30")
        assert overflowing(page) == []

        page.locator("#calendar").get_by_role("button", name="Create link").click()
        address = page.locator("#calendar-url")
        url = address.input_value()
        assert url.startswith(live_server + "/plan/") and url.endswith(".ics")
        expect(page.get_by_role("link", name="Open in calendar app")).to_have_attribute(
            "href", "webcal://" + url.split("://", 1)[1])
        assert overflowing(page) == []
        copy = page.locator("button[data-copy]")
        expect(copy).to_be_visible()
        expect(copy).to_have_text("Copy")
        copy.click()
        expect(copy).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == url

        # What a calendar app gets at that address: no cookie needed.
        feed = context.request.get(url, headers={"Cookie": ""})
        assert feed.status == 200
        events = Calendar.from_ical(feed.body()).walk("VEVENT")
        assert any(alarm.decoded("trigger").seconds == 8 * 3600 + 30 * 60
                   for event in events for alarm in event.walk("VALARM"))

        page.goto(live_server + "/settings#calendar")
        expect(page.locator("#calendar")).to_contain_text("A link is active")
        assert overflowing(page) == []
        page.locator("#calendar").get_by_role("button", name="Revoke link").click()
        expect(page.locator(".flash")).to_contain_text("Calendar link revoked")
        assert context.request.get(url).status == 404
    finally:
        context.close()
    assert errors == [], f"browser errors: {errors}"


def test_without_javascript_the_address_is_there_and_no_dead_copy_button(
        live_server, browser: Browser) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server + "/settings")
        page.locator("#calendar").get_by_role("button", name="Create link").click()
        expect(page.locator("#calendar-url")).to_have_value(
            re.compile(r"^http://127\.0\.0\.1:\d+/plan/[A-Za-z0-9_-]{43}\.ics$"))
        expect(page.locator("button[data-copy]")).to_be_hidden()
        expect(page.get_by_role("link", name="Open in calendar app")).to_be_visible()
    finally:
        context.close()
