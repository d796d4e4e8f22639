"""Every page fits the screen from 320 to 1440 px, in light and dark mode (issue 13):
no sideways scrolling, a compact menu on a phone, the plan as a day-by-day agenda, and
settings (Easy Days, the time zone) that fit and save at 320 px."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from flashcards.models import Card, Deck

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SMALL_PHONE = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
# Chromium logs a page answered with an error status (the error pages, a form sent
# back with a problem): that is the page under test, not a script error.
STATUS_LOG = re.compile(r"status of (400|404)\b")


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """A page in a new browser context (a screen size, a colour scheme); script errors
    fail the test."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def make(scheme: str = "light", **options: Any) -> Page:
        context = browser.new_context(color_scheme=scheme, **options)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text)
                if msg.type == "error" and not STATUS_LOG.search(msg.text) else None)
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == [], f"browser errors: {errors}"


def scroll_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def sticking_out(page: Page) -> list[str]:
    """What sticks out on the right (to say why a page is too wide)."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        return [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1)
            .filter(e => !e.parentElement.closest('*') ||
                         e.parentElement.getBoundingClientRect().right <= width + 1)
            .map(e => e.outerHTML.slice(0, 100));
    }""")


def first_card(app: Flask) -> tuple[int, int]:
    """The id of a card of the first bundled deck, and the deck's id."""
    with app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        deck = session.execute(select(Deck).order_by(Deck.id)).scalars().first()
        card = session.execute(select(Card).where(Card.deck_id == deck.id)
                               .order_by(Card.id)).scalars().first()
        return card.id, deck.id


def pages(base: str, app: Flask) -> list[tuple[str, str]]:
    card, deck = first_card(app)
    return [
        ("Today", "/"),
        ("Review overview", "/review"),
        ("Study page", f"/review/study?deck={deck}"),
        ("Custom study", "/review/custom"),
        ("Plan", "/plan"),
        ("Decks", "/decks"),
        ("New deck", "/decks/new"),
        ("Edit deck", f"/decks/{deck}/edit"),
        ("Delete deck", f"/decks/{deck}/delete"),
        ("Cards", "/cards"),
        ("Cards, a search", "/cards?q=deck:%22TPM%20terminology%22&sort=due"),
        ("A card", f"/cards/{card}"),
        ("Add card", "/cards/new"),
        ("Edit card", f"/cards/{card}/edit"),
        ("Delete card", f"/cards/{card}/delete"),
        ("Import", "/import"),
        ("Settings", "/settings"),
        ("Error page", "/cards/999999999"),
    ]


def upload(page: Page, base: str, tmp_path: Path) -> None:
    """The import preview of a small file with one rejected row."""
    source = tmp_path / "Phone deck with a rather long file name for a small screen.csv"
    rows = "".join(f"Question {i} with a_very_long_unbroken_word_{'x' * 40},Answer {i},"
                   f"tag{i}\n" for i in range(30))
    source.write_text("front,back,tags\n" + rows + ",no front,\n", encoding="utf-8")
    page.goto(base + "/import")
    page.set_input_files("input[type=file]", str(source))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#import-counts .new strong")).to_have_text("30")


class Widths:
    """scrollWidth of each page seen, and what sticks out of those too wide."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.found: dict[str, int] = {}
        self.why: dict[str, list[str]] = {}

    def measure(self, name: str) -> None:
        width = scroll_width(self.page)
        self.found[name] = width
        if width > self.page.viewport_size["width"]:
            self.why[name] = sticking_out(self.page)

    def too_wide(self) -> dict[str, Any]:
        limit = self.page.viewport_size["width"]
        return {name: (width, self.why.get(name)) for name, width in self.found.items()
                if width > limit}


def widths(page: Page, base: str, app: Flask, tmp_path: Path) -> Widths:
    """Every page (and the study page with the answer shown, the import preview and the
    import's result)."""
    seen = Widths(page)
    for name, path in pages(base, app):
        page.goto(base + path)
        seen.measure(name)
        if name == "Study page":
            page.locator("#reveal").click()
            expect(page.locator("#answer")).to_be_visible()
            seen.measure("Study page, answer shown")
    upload(page, base, tmp_path)
    seen.measure("Import preview")
    page.get_by_role("button", name=re.compile(r"Import 30 cards")).click()
    expect(page.locator("#job-result")).to_contain_text("30 new", timeout=30_000)
    seen.measure("Import result")
    return seen


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", [PHONE, SMALL_PHONE, DESKTOP], ids=["390", "320", "1280"])
def test_no_page_scrolls_sideways(live_server, seeded_app, open_page, screen, scheme,
                                  tmp_path) -> None:
    page = open_page(scheme, **screen)
    width = screen["viewport"]["width"]
    seen = widths(page, live_server, seeded_app, tmp_path)
    print(f"\n{width} px {scheme}: " + ", ".join(f"{k} {v}" for k, v in seen.found.items()))
    assert seen.too_wide() == {}
