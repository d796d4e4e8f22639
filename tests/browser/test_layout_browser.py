"""Every page fits the screen from 320 to 1440 px, in light and dark mode (issue 13):
no sideways scrolling, a compact menu on a phone, the plan as a day-by-day agenda, and
settings (the minutes on each weekday, the time zone) that fit and save at 320 px."""

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
STATUS_LOG = re.compile(r"status of (400|401|404)\b")


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
        ("Statistics", "/stats"),
        ("Statistics, a deck over a year", f"/stats?deck={deck}&range=365"),
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
        ("Help me decide", "/settings/retention"),
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
        # What folds away (a task's "More", the search syntax, a chart's table) fits too.
        if not name.startswith("Study") and page.evaluate("""() => {
                const closed = document.querySelectorAll('main details:not([open])');
                closed.forEach(d => { d.open = true; });
                return closed.length > 0; }"""):
            seen.measure(name + ", folded parts open")
        if name == "Study page":
            page.locator("#reveal").click()
            expect(page.locator("#answer")).to_be_visible()
            seen.measure("Study page, answer shown")
            with page.expect_navigation():
                page.locator('#grade-form button[value="3"]').click()  # Good
    # A card with a review history (a stacked table on a phone).
    page.goto(base + "/cards?q=-is:new")
    page.locator("#card-table tbody a").first.click()
    expect(page.locator("#review-history")).to_contain_text("Good")
    seen.measure("A card with its history")
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


@pytest.mark.parametrize("width", [360, 414, 600, 700, 701, 768, 900, 1024, 990, 1060, 1061, 1440])
def test_the_widest_pages_fit_between_the_breakpoints(live_server, seeded_app, open_page,
                                                      width) -> None:
    page = open_page("light", viewport={"width": width, "height": 900})
    seen = Widths(page)
    card, _ = first_card(seeded_app)
    out_of_panel = {}
    for name, path in [("Today", "/"), ("Plan", "/plan"), ("Decks", "/decks"),
                       ("Cards", "/cards"), ("A card", f"/cards/{card}"),
                       ("Settings", "/settings")]:
        page.goto(live_server + path)
        seen.measure(name)
        # A table or form control wider than its panel spills into its margin or over it.
        out_of_panel[name] = page.evaluate("""() => [...document.querySelectorAll(
                '.panel table, .panel select, .panel input, .panel fieldset')]
            .filter(e => e.getClientRects().length > 0)
            .filter(e => {
                const panel = e.closest('.panel');
                const inner = panel.getBoundingClientRect().right
                    - parseFloat(getComputedStyle(panel).paddingRight)
                    - parseFloat(getComputedStyle(panel).borderRightWidth);
                return e.getBoundingClientRect().right > inner + 0.5; })
            .map(e => e.outerHTML.slice(0, 80))""")
    assert seen.too_wide() == {}
    assert {name: found for name, found in out_of_panel.items() if found} == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_compact_menu_opens_and_its_links_work(live_server, open_page, scheme) -> None:
    page = open_page(scheme, **PHONE)
    page.goto(live_server + "/")
    menu = page.locator("#menu-toggle summary")
    nav = page.locator("#site-nav")
    expect(menu).to_be_visible()
    expect(nav).to_be_hidden()
    box = menu.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 390
    menu.tap()
    expect(nav).to_be_visible()
    links = nav.get_by_role("link")
    expect(links).to_have_text(["Today", "Review", "Plan", "Decks", "Cards", "Stats",
                                "Settings"])
    for i in range(7):  # one under the other, each a full-width target
        link_box = links.nth(i).bounding_box()
        assert link_box["height"] >= 44 and link_box["width"] > 300
    expect(nav.get_by_role("link", name="Today")).to_have_attribute("aria-current", "page")
    assert scroll_width(page) <= 390

    nav.get_by_role("link", name="Cards").tap()
    expect(page).to_have_url(live_server + "/cards")
    expect(page.locator("h1")).to_have_text("Cards")
    expect(nav).to_be_hidden()  # a new page starts with the menu closed
    menu.tap()
    expect(nav.get_by_role("link", name="Cards")).to_have_attribute("aria-current", "page")
    nav.get_by_role("link", name="Settings").tap()
    expect(page).to_have_url(live_server + "/settings")
    menu.tap()
    nav.get_by_role("link", name="Plan").tap()
    expect(page.locator("h1")).to_contain_text("Plan to")
    # A second tap closes it; so do Escape and a tap outside the menu.
    menu.tap()
    expect(nav).to_be_visible()
    menu.tap()
    expect(nav).to_be_hidden()
    menu.tap()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()
    menu.tap()
    page.locator("h1").tap()
    expect(nav).to_be_hidden()


def test_the_compact_menu_needs_no_script(live_server, open_page) -> None:
    page = open_page("light", java_script_enabled=False, **PHONE)
    page.goto(live_server + "/plan")
    nav = page.locator("#site-nav")
    expect(nav).to_be_hidden()
    page.locator("#menu-toggle summary").tap()
    nav.get_by_role("link", name="Decks").tap()
    expect(page).to_have_url(live_server + "/decks")
    assert scroll_width(page) <= 390


def test_a_wide_screen_shows_the_links_and_no_menu_button(live_server, open_page) -> None:
    page = open_page("light", **DESKTOP)
    page.goto(live_server + "/decks")
    expect(page.locator("#menu-toggle summary")).to_be_hidden()
    nav = page.locator("#site-nav")
    expect(nav.get_by_role("link", name="Decks")).to_be_visible()
    tops = {round(nav.get_by_role("link").nth(i).bounding_box()["y"]) for i in range(7)}
    assert len(tops) == 1  # in one row


def visible_days(page: Page) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll('#plan-calendar li.day')]
        .filter(li => li.checkVisibility()).map(li => li.dataset.date)""")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_plan_is_a_day_by_day_agenda_on_a_phone(live_server, open_page, scheme,
                                                    tmp_path) -> None:
    page = open_page(scheme, **PHONE)
    page.goto(live_server + "/plan")
    days = visible_days(page)
    # Today first (Monday 2 March 2026, the test clock), then the rest of its week; the
    # later weeks are folded to one line each.
    assert days == [f"2026-03-0{d}" for d in range(2, 9)]
    today = page.locator("li.day.today")
    box = today.bounding_box()
    assert box["width"] > 330  # a day is a full-width row, not a seventh of the screen
    expect(today.locator(".date")).to_have_text("Mon 2 Mar · today")
    # One minutes figure today: done / planned (no "of 60 min" beside it).
    expect(today.locator("#today-progress .minutes")).to_have_text(re.compile(r"^\d+/\d+ min$"))
    expect(today.locator(".mins")).to_have_count(0)
    expect(today.locator("#today-progress")).to_contain_text("tasks")
    tomorrow = page.locator('li.day[data-date="2026-03-03"]')
    expect(tomorrow.locator(".mins")).to_have_text(re.compile(r"^\d+ / 60 min$"))
    expect(tomorrow.locator(".nums")).to_contain_text(re.compile(r"\d+ rev · \d+ new"))
    assert tomorrow.bounding_box()["y"] > box["y"] + box["height"] - 1
    assert scroll_width(page) <= 390
    page.screenshot(path=str(tmp_path / f"agenda-{scheme}.png"))
    # A later week opens with a tap: a line a day.
    page.locator("#week-2026-03-09 > summary").tap()
    assert visible_days(page) == days + [f"2026-03-{d:02}" for d in range(9, 16)]

    # Tick today's first task from the agenda.
    task = today.locator("li.task").first
    title = task.locator(".task-title").inner_text()
    tick = task.locator("button.checkbox")
    tick_box, title_box = tick.bounding_box(), task.locator(".task-title").bounding_box()
    assert tick_box["x"] + tick_box["width"] <= title_box["x"]  # beside its title
    tick.tap()
    expect(page.locator(".flash")).to_be_visible()
    ticked = page.locator("li.day.today li.task").filter(has_text=title)
    expect(ticked.locator("button.checkbox")).to_have_attribute("aria-checked", "true")
    assert visible_days(page)[0] == "2026-03-02"


def test_the_plan_is_a_week_of_boxes_on_a_wide_screen(live_server, open_page) -> None:
    page = open_page("light", **DESKTOP)
    page.goto(live_server + "/plan")
    # This week's seven days side by side, today (a Monday) first.
    assert visible_days(page) == [f"2026-03-0{d}" for d in range(2, 9)]
    today = page.locator("li.day.today").bounding_box()
    tomorrow = page.locator('li.day[data-date="2026-03-03"]').bounding_box()
    assert today["width"] < 200 and tomorrow["y"] == today["y"]
    assert tomorrow["x"] >= today["x"] + today["width"] - 1
    expect(page.locator("li.day.today #today-progress .minutes")).to_have_text(
        re.compile(r"^\d+/\d+ min$"))


def right_edges(page: Page, selector: str) -> list[float]:
    return page.evaluate("""(s) => [...document.querySelectorAll(s)]
        .map(e => e.getBoundingClientRect().right)""", selector)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_settings_fit_a_small_phone_and_save(live_server, open_page, scheme) -> None:
    page = open_page(scheme, timezone_id="Europe/Paris", **SMALL_PHONE)
    page.goto(live_server + "/settings")
    assert scroll_width(page) <= 320
    panel_right = page.locator(".weekday-minutes").bounding_box()
    limit = panel_right["x"] + panel_right["width"]
    edges = right_edges(page, ".weekday-minutes input")
    assert len(edges) == 7 and max(edges) <= limit + 0.5
    for day in page.locator(".weekday-minutes input").all():
        assert day.bounding_box()["height"] >= 44
    # A new collection's Saturdays hold 3 h 30; the other days follow the daily budget.
    expect(page.get_by_label("Saturday", exact=True)).to_have_value("210")
    expect(page.get_by_label("Sunday", exact=True)).to_have_value("")

    # The time zone: a text field searching the zones, grouped by region; this device's
    # zone is offered (the stored one is the server's, UTC).
    zone = page.locator("#timezone")
    expect(zone).to_have_attribute("list", "time-zones")
    expect(zone).to_have_value(re.compile(r"^(Etc/)?UTC$"))
    labels = page.locator("#time-zones option").evaluate_all(
        "options => options.map(o => [o.value, o.label])")
    assert len(labels) > 400
    assert labels[0][1].startswith("Africa · ") and labels[-1][1].startswith("Other · ")
    assert ["America/New_York", "America · New York"] in labels
    assert ["America/Argentina/Buenos_Aires", "America · Argentina · Buenos Aires"] in labels
    regions = [label.split(" · ")[0] for _, label in labels]
    assert regions == sorted(regions, key=lambda r: (r == "Other", r))  # grouped
    use = page.locator("#use-device-zone")
    expect(use).to_have_text("Use this device’s zone: Europe/Paris")
    use.tap()
    expect(zone).to_have_value("Europe/Paris")
    expect(use).to_be_hidden()

    page.fill("#minutes_saturday", "120")
    page.fill("#minutes_sunday", "0")
    page.fill("#daily_minutes", "45")
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.locator(".flash")).to_have_text("Settings saved.")
    expect(zone).to_have_value("Europe/Paris")
    expect(use).to_be_hidden()
    expect(page.locator("#minutes_saturday")).to_have_value("120")
    expect(page.locator("#minutes_sunday")).to_have_value("0")
    expect(page.locator("#minutes_monday")).to_have_value("")
    expect(page.locator("#daily_minutes")).to_have_value("45")
    assert scroll_width(page) <= 320

    # A zone the server does not know is a form error, the page still fitting.
    zone.fill("Mars/Olympus")
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.locator(".timezone-field .error")).to_contain_text(
        "“Mars/Olympus” is not a time zone this server knows")
    assert scroll_width(page) <= 320


def test_weekday_minutes_sit_in_one_row_on_a_wide_screen(live_server, open_page) -> None:
    page = open_page("light", timezone_id="UTC", **DESKTOP)
    page.goto(live_server + "/settings")
    inputs = page.locator(".weekday-minutes input")
    tops = {round(s.bounding_box()["y"]) for s in inputs.all()}
    assert len(tops) == 1
    fieldset = page.locator(".weekday-minutes").bounding_box()
    assert max(right_edges(page, ".weekday-minutes input")) <= fieldset["x"] + fieldset["width"]
    # The browser is in the stored zone (UTC, whether named UTC or Etc/UTC): no offer.
    expect(page.locator("#timezone")).to_have_value(re.compile(r"^(Etc/)?UTC$"))
    expect(page.locator("#use-device-zone")).to_be_hidden()


@pytest.mark.first_run
@pytest.mark.parametrize("screen", [PHONE, SMALL_PHONE], ids=["390", "320"])
def test_the_set_up_page_fits_a_phone(live_server, open_page, screen) -> None:
    page = open_page("dark", timezone_id="Asia/Tokyo", **screen)
    page.goto(live_server + "/")
    expect(page.locator("h1")).to_have_text("Set up your plan")
    expect(page.locator("#timezone")).to_have_value("Asia/Tokyo")
    expect(page.locator("#menu-toggle summary")).to_be_hidden()  # no way out but the set-up
    expect(page.locator("#use-device-zone")).to_have_count(0)
    assert scroll_width(page) <= screen["viewport"]["width"]


PASSWORD = "correct horse battery"


def test_login_and_the_menu_with_an_account_fit_a_small_phone(live_server, seeded_app,
                                                              open_page) -> None:
    from flashcards.services import users
    from tests.conftest import START

    with seeded_app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        users.create_user(session, "ada_with_a_rather_long_display_name", PASSWORD, START)
        session.commit()
    page = open_page("light", **SMALL_PHONE)
    page.goto(live_server + "/decks")
    expect(page.locator("h1")).to_have_text("Log in")
    expect(page.locator("#menu-toggle")).to_have_count(0)  # nothing to show before a login
    assert scroll_width(page) <= 320
    page.fill("#name", "ada_with_a_rather_long_display_name")
    page.fill("#password", "not the password")
    page.get_by_role("button", name="Log in").tap()
    expect(page.locator(".field .error")).to_be_visible()
    assert scroll_width(page) <= 320
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").tap()
    expect(page.locator("h1")).to_have_text("Decks")
    assert scroll_width(page) <= 320

    # The account (name, Log out) is in the menu with the links.
    logout = page.locator("#logout")
    expect(logout).to_be_hidden()
    page.locator("#menu-toggle summary").tap()
    expect(logout).to_be_visible()
    expect(page.locator(".topbar .account")).to_contain_text("ada_with_a_rather_long")
    assert scroll_width(page) <= 320
    logout.tap()
    expect(page.locator("h1")).to_have_text("Log in")
