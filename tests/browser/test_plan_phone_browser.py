"""The plan on a phone (issue 23, part 8) in real Chromium, light and dark: the whole
page under five screens at the defaults, every control a finger can hit, and native
controls in the page's colour scheme."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MAX_PLAN_HEIGHT = 4200  # five screens of 844 px, less the browser's bars

# Every control in view (not the skip link, off screen until focused), with its box.
CONTROLS = """() => [...document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), select, summary')]
    .filter(el => el.checkVisibility() && el.getBoundingClientRect().bottom > 0
                  && !el.classList.contains('skip-link'))
    .map(el => {
        const box = el.getBoundingClientRect();
        const inline = el.tagName === 'A' && getComputedStyle(el).display === 'inline'
                       && el.parentElement.textContent.trim().length > el.textContent.trim().length;
        return {tag: el.tagName, text: (el.textContent || el.name || el.type).trim().slice(0, 40),
                id: el.id, width: box.width, height: box.height, inline};
    })"""


def small_controls(page: Page) -> list[str]:
    """The controls smaller than 44 x 44 px, but links inline in a sentence (WCAG 2.5.8
    exempts them: the line of text sets their size)."""
    return [f"{c['tag']} {c['id'] or c['text']!r} {c['width']:.0f}x{c['height']:.0f}"
            for c in page.evaluate(CONTROLS)
            if not c["inline"] and (c["width"] < 44 or c["height"] < 44)]


def open_every_disclosure(page: Page) -> None:
    page.evaluate("() => document.querySelectorAll('main details').forEach(d => d.open = true)")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_plan_fits_five_screens_with_big_enough_controls(live_server, page, scheme,
                                                             tmp_path) -> None:
    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server + "/plan")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < MAX_PLAN_HEIGHT, f"/plan is {height} px tall at 390 px ({scheme})"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # This week open, the later ones folded to their summary lines.
    expect(page.locator("details.week.current")).to_have_attribute("open", "")
    expect(page.locator("details.week:not(.current)[open]")).to_have_count(0)
    expect(page.locator("details.week:not(.current) li.day").first).to_be_hidden()
    expect(page.locator("li.day.today .task-title").first).to_be_visible()
    page.screenshot(path=str(tmp_path / f"plan-{scheme}.png"), full_page=True)
    assert small_controls(page) == []
    # Folded or open, every week's controls stay big enough.
    open_every_disclosure(page)
    assert small_controls(page) == []

    page.locator("#all-tasks-link").click()
    expect(page).to_have_url(live_server + "/plan/tasks")
    assert small_controls(page) == []
    open_every_disclosure(page)  # each task's More panel
    assert small_controls(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Every field of a More panel has a label one can see, not only an aria-label.
    more = page.locator("details.task-more").first
    # (A select's name is its label and its chosen option: "Priority Required".)
    for name in ("Move to", "Task", "Minutes", re.compile(r"^Priority"), "Details"):
        field = more.get_by_label(name, exact=True)
        expect(field).to_be_visible()
        assert field.get_attribute("aria-label") is None
    page.screenshot(path=str(tmp_path / f"tasks-{scheme}.png"), full_page=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_native_controls_follow_the_colour_scheme(live_server, page, scheme) -> None:
    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server + "/plan/tasks")
    open_every_disclosure(page)
    for selector in ("select[name=priority]", "input[type=date]", "input[name=title]"):
        control = page.locator(selector).first
        assert control.evaluate("el => getComputedStyle(el).colorScheme") == "light dark"
    # What the browser paints for a control without colours of its own: dark with the
    # dark scheme, light with the light one.
    background = page.evaluate("""() => {
        const probe = document.createElement('select');
        document.querySelector('main').append(probe);
        const color = getComputedStyle(probe).backgroundColor;
        probe.remove();
        return color; }""")
    channels = [int(part) for part in background.removeprefix("rgb(").removesuffix(")")
                .split(",")[:3]]
    assert (sum(channels) / 3 < 128) == (scheme == "dark"), background
