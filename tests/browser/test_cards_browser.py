"""Adding and editing cards in real Chromium: the keyboard flow of adding many cards."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_add_page_starts_in_front_and_ctrl_enter_adds_the_next_card(live_server,
                                                                     page) -> None:
    page.goto(live_server + "/cards/new")
    assert focused_id(page) == "front"
    page.keyboard.type("First front")
    page.keyboard.press("Tab")  # to Back
    page.keyboard.type("First back")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".flash")).to_contain_text("Card added")
    # Back on the add page, ready to type the next card's front.
    expect(page.locator("#front")).to_be_focused()
    expect(page.locator("#front")).to_have_value("")
    page.keyboard.type("Second front")
    page.fill("#back", "Second back")
    page.focus("#tags")
    page.keyboard.press("Meta+Enter")  # Cmd+Enter on a Mac
    expect(page.locator(".flash")).to_contain_text("Card added")
    page.goto(live_server + '/cards?q="Second front"')
    expect(page.locator("#match-count")).to_contain_text("1 card")
    page.goto(live_server + '/cards?q="First front"')
    expect(page.locator("#match-count")).to_contain_text("1 card")


def test_ctrl_enter_saves_the_edit_form_and_a_plain_enter_does_not(live_server,
                                                                  page) -> None:
    page.goto(live_server + "/cards/new")
    page.fill("#front", "Edit me")
    page.fill("#back", "Old back")
    page.keyboard.press("Control+Enter")
    page.get_by_role("link", name="the card you just made").click()
    page.get_by_role("link", name="Edit").first.click()
    page.fill("#back", "New back")
    page.press("#back", "Enter")  # a line break in the textarea, not a save
    assert "/edit" in page.url
    page.press("#back", "Control+Enter")
    expect(page.locator(".flash")).to_contain_text("saved", ignore_case=True)
    assert "/edit" not in page.url
    page.goto(live_server + '/cards?q="Edit me"')
    expect(page.locator("table.browser")).to_contain_text("New back")
