"""The card browser in real Chromium: search, select, bulk suspend, undo."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from flashcards.services.bundled import load_bundle

DECKS = Path(__file__).resolve().parent.parent.parent / "decks"
TERMINOLOGY_CARDS = next(len(d.rows) for d in load_bundle(DECKS).decks if d.key == "terminology")

pytestmark = pytest.mark.browser


def test_search_select_bulk_suspend_and_undo(live_server, page) -> None:
    page.goto(live_server + "/cards")
    page.fill("#q", 'deck:"TPM terminology" -is:suspended')
    page.press("#q", "Enter")
    expect(page.locator("#match-count")).to_contain_text(f"{TERMINOLOGY_CARDS} cards")
    boxes = page.locator(".row-select")
    boxes.nth(0).check()
    boxes.nth(1).check()
    # The deck and tag inputs show only for the actions that need them.
    expect(page.locator("#bulk-deck")).to_be_hidden()
    page.select_option("#action", "move")
    expect(page.locator("#bulk-deck")).to_be_visible()
    page.select_option("#action", "suspend")
    page.click("#bulk-apply")
    expect(page.locator("#action-summary")).to_have_text("Suspended 2 cards.")

    page.goto(live_server + "/cards?q=is:suspended")
    expect(page.locator("#match-count")).to_contain_text("2 cards")
    page.go_back()
    page.click("#undo-bulk")
    expect(page.locator(".flash")).to_contain_text("Undone: 2 cards restored.")
    # back to the search
    expect(page.locator("#match-count")).to_contain_text(f"{TERMINOLOGY_CARDS} cards")

    page.goto(live_server + "/cards?q=is:suspended")
    expect(page.locator("#match-count")).to_contain_text("0 cards")


def test_select_all_on_page_and_search_error(live_server, page) -> None:
    page.goto(live_server + "/cards")
    page.check("#select-all")
    checked = page.locator(".row-select:checked")
    expect(checked).to_have_count(50)
    page.fill("#q", "is:nonsense")
    page.press("#q", "Enter")
    expect(page.locator("#search-error")).to_contain_text("is:nonsense")


def test_a_long_unbroken_search_stays_within_a_phone_screen(live_server, browser) -> None:
    """The match count repeats the search: 50 stars in a row wrap, not widen the page."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    phone = context.new_page()
    try:
        phone.goto(live_server + "/cards?q=tag:" + "*" * 50)
        expect(phone.locator("#match-count")).to_contain_text("cards")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
