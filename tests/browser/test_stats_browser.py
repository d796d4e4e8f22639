"""The statistics page in real Chromium at phone width: nothing scrolls sideways, the
charts show, dark mode draws them in its colours, and without JavaScript the deck and
period selectors still work (a GET form)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, expect
from sqlalchemy import select

from flashcards.core.scheduling import CardState
from flashcards.models import Card, Deck, ReviewLog
from tests.conftest import START

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
CHARTS = ("#heatmap", "#reviews-chart", "#minutes-chart", "#retention-chart",
          "#readiness-chart", "#forecast-chart", "#stability-chart", "#difficulty-chart")


@pytest.fixture
def history(seeded_app: Flask) -> str:
    """Three weeks of answers on the first bundled deck's cards (young and mature review
    answers among them); returns that deck's name."""
    with seeded_app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        deck = session.execute(select(Deck).order_by(Deck.id)).scalars().first()
        cards = session.execute(select(Card.id).where(Card.deck_id == deck.id)
                                .order_by(Card.id).limit(20)).scalars().all()
        version = 100
        for day in range(21):
            for k, card in enumerate(cards[: 5 + day % 7]):
                at = START - timedelta(days=day, hours=k)
                interval = timedelta(days=3 if k % 2 else 30)
                version += 1
                session.add(ReviewLog(
                    card_id=card, user_id=1, reviewed_at=at, rating=1 if k == 3 else 3,
                    duration_ms=8000 + 1000 * k, card_version=version,
                    state_before=int(CardState.REVIEW), state_after=int(CardState.REVIEW),
                    due_before=at - timedelta(hours=1),
                    last_review_before=at - timedelta(hours=1) - interval))
        session.commit()
        return deck.name


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_stats_fit_a_phone_and_draw_every_chart(live_server, browser, contexts, history,
                                                scheme) -> None:
    context = browser.new_context(color_scheme=scheme, **PHONE)
    contexts.append(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server + "/plan")  # the plan stores today's readiness per deck
    for path in ("/stats", "/stats?range=365"):
        page.goto(live_server + path)
        expect(page.locator("h1")).to_have_text("Statistics")
        # The year's heatmap keeps readable cells: its box scrolls sideways on a phone,
        # and it opens on the latest weeks (today's cell is on screen).
        scroller = page.locator(".heatmap-scroll").bounding_box()
        assert scroller is not None and scroller["x"] >= 0
        assert scroller["x"] + scroller["width"] <= 390, scroller
        cells = page.locator("#heatmap g.cells rect")
        first_cell = cells.first.bounding_box()
        assert first_cell is not None and first_cell["width"] >= 10, first_cell
        today = cells.last.bounding_box()
        assert today is not None, "no cell for today"
        assert scroller["x"] <= today["x"] and today["x"] + today["width"] <= (
            scroller["x"] + scroller["width"]), (today, scroller)
        for chart in CHARTS[1:]:
            box = page.locator(chart).bounding_box()
            assert box is not None, chart
            assert box["width"] > 250 and box["height"] > 60, (chart, box)
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (chart, box)
        # Open every table too: still nothing wider than the screen.
        for summary in page.locator("details.chart-table > summary").all():
            summary.click()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide at 390 px"
    bar_fill = page.locator("#reviews-chart rect.ok").first.evaluate(
        "e => getComputedStyle(e).fill")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    if scheme == "dark":
        assert bar_fill == "rgb(122, 167, 255)" and background == "rgb(20, 23, 28)"
    else:
        assert bar_fill == "rgb(37, 99, 235)" and background == "rgb(246, 247, 249)"
    # The menu's compact form on a phone lists the page.
    page.locator("#menu-toggle summary").click()
    expect(page.locator("#site-nav a[href='/stats']")).to_be_visible()
    assert errors == []


def test_without_javascript_the_selectors_work_by_submitting(live_server, browser, contexts,
                                                             history) -> None:
    context = browser.new_context(java_script_enabled=False, **PHONE)
    contexts.append(context)
    page = context.new_page()
    page.goto(live_server + "/stats")
    expect(page.locator("#figure-reviews")).not_to_have_text("0")
    page.select_option("#stats-deck", label=history)
    page.select_option("#stats-range", "7")
    page.locator("#stats-show").click()
    expect(page.locator("h1")).to_have_text(f"Statistics: {history}")
    assert "range=7" in page.url and "deck=" in page.url
    expect(page.locator("#stats-range")).to_have_value("7")
    expect(page.locator("#figure-days")).to_have_text("7 of 7")
    expect(page.locator("#reviews-chart")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
