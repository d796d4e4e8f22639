"""How today went, Learn more and custom study in real Chromium, on a phone (390 px) in
light and dark mode."""

import pytest
from playwright.sync_api import Browser, expect

pytestmark = pytest.mark.browser

def overflowing(page, selector: str) -> list[str]:
    """Elements inside `selector` that stick out of the viewport on the right."""
    return page.evaluate("""(selector) => {
        const width = window.innerWidth;
        return [...document.querySelectorAll(selector + ' *')]
            .filter(e => e.getBoundingClientRect().right > width + 1)
            .map(e => e.outerHTML.slice(0, 80));
    }""", selector)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_progress_and_learn_more_on_a_phone(live_server, browser: Browser, scheme,
                                            tmp_path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  color_scheme=scheme)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server + "/")
    block = page.locator("#day-progress")
    expect(block).to_contain_text("How today is going")
    expect(block.locator("li").nth(1)).to_contain_text("0/7")
    page.screenshot(path=str(tmp_path / f"home-{scheme}.png"), full_page=True)
    # What this adds stays inside the screen (the nav and the deck table are older).
    assert overflowing(page, "#day-progress") == []

    page.fill("#learn-more-count", "3")
    page.get_by_role("button", name="Add new cards").click()
    expect(page.locator(".flash")).to_contain_text("Added 3 new cards to today")
    expect(block.locator("li").nth(1)).to_contain_text("0/10")

    page.goto(live_server + "/plan")
    expect(page.locator("#today-progress")).to_contain_text("0/10 new")
    assert overflowing(page, "#today-progress") == []
    page.locator("li.day.today").screenshot(path=str(tmp_path / f"today-cell-{scheme}.png"))

    assert errors == []
    page.goto(live_server + "/review/custom")
    expect(page.locator("h1")).to_have_text("Custom study")
    assert overflowing(page, "#custom-study") == []
    page.get_by_role("button", name="Start").click()
    expect(page.locator(".field .error")).to_contain_text("Choose a deck or type a tag")
    page.screenshot(path=str(tmp_path / f"custom-{scheme}.png"), full_page=True)
    context.close()


def test_a_split_task_is_ticked_off_one_part_on_a_phone(live_server, browser: Browser,
                                                        session, tmp_path) -> None:
    """Today holds a part of a required task no day holds whole: the tick does that
    part, the item says what is done and left, and a second tap takes the part back."""
    from tests.web.test_plan import planned_parts, split_map_task

    task = split_map_task(session)  # 80 minutes at 60 a day
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    page.goto(live_server + "/plan")
    (_, part), (_, rest) = planned_parts(session, task.id)
    page.goto(live_server + "/")
    item = page.locator("li.task").filter(has_text="Map your past programs")
    tick = item.locator("button.checkbox")
    expect(tick).to_have_attribute("title", f"Mark today’s {part} min as done")
    tick.tap()
    expect(page.locator(".flash")).to_contain_text(f"{rest} min left in the plan")
    expect(item.locator(".task-minutes")).to_have_text(f"{part} min done today, {rest} min left")
    expect(tick).to_have_attribute("aria-checked", "true")
    expect(page.locator("#day-progress")).to_contain_text("1/")
    assert overflowing(page, "ul.tasks") == []
    page.screenshot(path=str(tmp_path / "part-done.png"), full_page=True)

    # On the plan the rest is on a later day, and today keeps the part done.
    page.goto(live_server + "/plan")
    expect(page.locator("li.day.today li.task.part-done")).to_contain_text(
        "Map your past programs")
    later = page.locator("li.day:not(.today) ul.day-tasks li").filter(
        has_text="Map your past programs")
    expect(later).to_contain_text(f"{rest} of 80 min left")

    page.goto(live_server + "/")
    tick.tap()
    expect(page.locator(".flash")).to_contain_text("not done yet")
    expect(item.locator(".task-minutes")).to_have_text("80 min")
    expect(tick).to_have_attribute("aria-checked", "false")
    expect(tick).to_have_attribute("title", f"Mark today’s {part} min as done")
    context.close()
