"""Accessibility in real Chromium: axe-core (through axe-playwright-python, which ships
its script: nothing is fetched) finds nothing critical or serious on any page, in light
and dark mode, on a phone (390 x 844, touch) and on a laptop (1280 x 800); every page has
one h1 and a skip link first; focus is visible; reduced motion turns transitions off; the
study page tells a screen reader the answer once it is shown."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from flashcards.models import Card, Deck
from flashcards.services import jobs, users

pytestmark = pytest.mark.browser

AXE = Axe()
BLOCKING = ("critical", "serious")
SCHEMES = ("light", "dark")
SCREENS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "laptop": {"viewport": {"width": 1280, "height": 800}},
}
# A form sent back with an error, and the 404 page, answer with an error status, which
# Chromium logs as a console error: not a script error.
EXPECTED_STATUS = re.compile(r"status of (400|404) ")


def first_id(app: Flask, model: type, *where: object) -> int:
    with app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        statement = select(model.id).where(*where).order_by(model.id).limit(1)
        return int(session.execute(statement).scalar_one())


# -- How each page is reached: fn(page, base url, app) leaves the page showing it. -------

def study_question(page: Page, base: str, app: Flask) -> None:
    page.goto(base + "/review/study")
    expect(page.locator("#reveal")).to_be_visible()


def study_answer(page: Page, base: str, app: Flask) -> None:
    study_question(page, base, app)
    page.locator("#reveal").click()
    expect(page.locator("#answer")).to_be_visible()


def answer_pair_deck(app: Flask) -> int:
    return first_id(app, Deck, Deck.name == "Good and bad answers")


def pair_question(page: Page, base: str, app: Flask) -> None:
    page.goto(base + f"/review/study?deck={answer_pair_deck(app)}")
    expect(page.locator("[data-pick]").first).to_be_visible()


def pair_answer(page: Page, base: str, app: Flask) -> None:
    pair_question(page, base, app)
    page.locator("[data-pick]").first.click()
    expect(page.locator(".verdict")).to_be_visible()


def review_done(page: Page, base: str, app: Flask) -> None:
    """The end of a session: a deck with nothing left to study."""
    page.goto(base + "/decks/new")
    page.fill("#name", "Empty deck")
    page.get_by_role("button", name="Create deck").click()
    deck = first_id(app, Deck, Deck.name == "Empty deck")
    page.goto(base + f"/review/study?deck={deck}")
    expect(page.locator("h1")).to_have_text("Nothing to study")


BROWSER_URL = "/cards?q=deck:%22TPM+terminology%22&sort=due&order=asc"


def bulk_action(page: Page, base: str, app: Flask) -> None:
    """Suspend the first card from the card browser: the bulk action's result page."""
    page.goto(base + BROWSER_URL)
    page.locator(".row-select").first.check()
    page.select_option("#action", "suspend")
    page.locator("#bulk-apply").click()
    expect(page).to_have_url(re.compile(r"/cards/actions/\d+"))


def card_browser(page: Page, base: str, app: Flask) -> None:
    # Sorted, so the sorted column's header says so, and with a suspended card's row.
    bulk_action(page, base, app)
    page.goto(base + BROWSER_URL)
    expect(page.locator("#card-table tr.suspended")).to_have_count(1)


def deck_edit(page: Page, base: str, app: Flask) -> None:
    page.goto(base + f"/decks/{first_id(app, Deck)}/edit")


def card_show(page: Page, base: str, app: Flask) -> None:
    page.goto(base + f"/cards/{first_id(app, Card)}")


def card_edit(page: Page, base: str, app: Flask) -> None:
    page.goto(base + f"/cards/{first_id(app, Card)}/edit")


def card_delete(page: Page, base: str, app: Flask) -> None:
    page.goto(base + f"/cards/{first_id(app, Card)}/delete")


def deck_delete(page: Page, base: str, app: Flask) -> None:
    page.goto(base + f"/decks/{first_id(app, Deck)}/delete")


def optimise_progress(page: Page, base: str, app: Flask) -> None:
    """The optimiser's page while another worker runs it (its heartbeat is fresh on the
    tests' clock, which stands still, so it stays running)."""
    with app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        token = jobs.enqueue_optimise(session, app.config["CLOCK"]())
        session.commit()
    with jobs.write_briefly(app.extensions["flashcards.engine"]) as connection:
        jobs.claim(connection, "elsewhere:1", app.config["CLOCK"](), token)
    page.goto(base + f"/settings/fsrs/job/{token}")
    expect(page.locator("#job-count")).to_contain_text("Reading your review history")


def import_progress(page: Page, base: str, app: Flask) -> None:
    """An import's page while another worker runs it (see optimise_progress)."""
    with app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        token = jobs.create(session, jobs.IMPORT, app.config["CLOCK"](), data=b"front,back\n",
                            options={}, state=jobs.QUEUED)
        session.commit()
    with jobs.write_briefly(app.extensions["flashcards.engine"]) as connection:
        jobs.claim(connection, "elsewhere:1", app.config["CLOCK"](), token)
    page.goto(base + f"/import/{token}")
    expect(page.locator("#job-count")).to_contain_text("0 of")


SMALL_CSV = "front,back,tags\nWhat is a RACI?,Who is responsible and accountable,process\n" \
            "What is a PRD?,A product requirements document,terms\n,no front,\n"


def upload(page: Page, base: str) -> None:
    page.goto(base + "/import")
    page.set_input_files("input[type=file]", files=[{
        "name": "small.csv", "mimeType": "text/csv", "buffer": SMALL_CSV.encode()}])
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#import-counts .new strong")).to_have_text("2")


def import_preview(page: Page, base: str, app: Flask) -> None:
    upload(page, base)


def import_result(page: Page, base: str, app: Flask) -> None:
    upload(page, base)
    page.get_by_role("button", name=re.compile("Import 2 cards")).click()
    expect(page.locator("#job-result")).to_contain_text("2 new")


def login_page(page: Page, base: str, app: Flask) -> None:
    with app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        users.create_user(session, "ada", "correct horse battery", datetime.now(UTC))
        session.commit()
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/login"))


def logged_in(page: Page, base: str, app: Flask) -> None:
    """Today with accounts on: the top bar has the user's name and Log out."""
    login_page(page, base, app)
    page.fill("#name", "ada")
    page.fill("#password", "correct horse battery")
    page.get_by_role("button", name="Log in").click()
    menu = page.locator("#menu-toggle summary")
    if menu.is_visible():  # a phone: Log out is in the compact menu, checked open
        menu.click()
    expect(page.locator("#logout")).to_be_visible()


def custom_study_error(page: Page, base: str, app: Flask) -> None:
    """A form sent back with its errors (in the red of errors)."""
    page.goto(base + "/review/custom")
    page.get_by_role("button", name="Start").click()
    expect(page.locator(".field .error")).to_contain_text("Choose a deck or type a tag")


def custom_session(page: Page, base: str, app: Flask) -> None:
    """Custom study of a card studied before and not due today (graded Easy)."""
    study_answer(page, base, app)
    card = int(page.locator("#card").get_attribute("data-card-id") or 0)
    page.locator("#grade-form button[value='4']").click()
    expect(page.locator("#studied")).to_have_text("Studied today: 1")
    with app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        deck = session.get(Card, card).deck_id
    app.config["CLOCK"].advance(minutes=5)  # a session starts after the card's last review
    page.goto(base + "/review/custom")
    page.select_option("#deck", str(deck))
    page.fill("#count", "1")
    page.get_by_role("button", name="Start").click()
    expect(page.locator("h1")).to_contain_text("Custom study:")


def custom_done(page: Page, base: str, app: Flask) -> None:
    custom_session(page, base, app)
    page.locator("#reveal").click()
    page.locator("#grade-form button[value='3']").click()
    expect(page.locator("h1")).to_have_text("Custom study done")


def calendar_link(page: Page, base: str, app: Flask) -> None:
    page.goto(base + "/settings")
    # By keyboard: on a phone today's settings page lays other fields over the button.
    page.get_by_role("button", name="Create link").press("Enter")
    expect(page.locator("h1")).to_have_text("Your calendar link")


def path(url: str) -> Callable[[Page, str, Flask], None]:
    def visit(page: Page, base: str, app: Flask) -> None:
        page.goto(base + url)
    return visit


def opened(url: str) -> Callable[[Page, str, Flask], None]:
    """The page at `url` with every disclosure in it open (weeks, More panels)."""
    def visit(page: Page, base: str, app: Flask) -> None:
        page.goto(base + url)
        page.evaluate("() => document.querySelectorAll('main details')"
                      ".forEach(d => d.open = true)")
    return visit


PAGES: dict[str, Callable[[Page, str, Flask], None]] = {
    "today": path("/"),
    "review": path("/review"),
    "study-question": study_question,
    "study-answer": study_answer,
    "pair-question": pair_question,
    "pair-answer": pair_answer,
    "review-done": review_done,
    "custom-study": path("/review/custom"),
    "custom-study-error": custom_study_error,
    "custom-session": custom_session,
    "custom-done": custom_done,
    "plan": path("/plan"),
    "plan-opened": opened("/plan"),
    "plan-tasks": opened("/plan/tasks"),
    "stats": path("/stats"),
    "decks": path("/decks"),
    "deck-new": path("/decks/new"),
    "deck-edit": deck_edit,
    "deck-delete": deck_delete,
    "cards": card_browser,
    "cards-bulk-action": bulk_action,
    "card": card_show,
    "card-add": path("/cards/new"),
    "card-edit": card_edit,
    "card-delete": card_delete,
    "import": path("/import"),
    "import-preview": import_preview,
    "import-result": import_result,
    "import-progress": import_progress,
    "settings": path("/settings"),
    "retention": path("/settings/retention"),

    "optimise-progress": optimise_progress,
    "calendar-link": calendar_link,
    "setup": path("/setup"),
    "login": login_page,
    "logged-in": logged_in,
    "not-found": path("/no-such-page"),
}
# The set-up page shows only to a user who has not set up yet (the `first_run` mark).
FIRST_RUN = {"setup"}


def page_params() -> list[object]:
    return [pytest.param(name, marks=[pytest.mark.first_run] if name in FIRST_RUN else [],
                         id=name) for name in PAGES]


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """A new page in a browser context of the given screen and colour scheme; no script
    errors allowed on it."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def make(screen: str = "laptop", scheme: str = "light", **options: object) -> Page:
        context = browser.new_context(color_scheme=scheme, **SCREENS[screen], **options)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
                and not EXPECTED_STATUS.search(msg.text) else None)
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == [], f"browser errors: {errors}"


def blocking_violations(page: Page) -> list[str]:
    """axe-core's critical and serious findings, one line per element: rule, impact,
    target and what is wrong (e.g. the contrast ratio)."""
    results = AXE.run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            summary = node.get("failureSummary", "").replace("\n", " ")
            found.append(f"{violation['id']} ({violation['impact']}) "
                         f"{' '.join(map(str, node['target']))}: {summary[:160]}")
    return found


FIRST_FOCUSABLE = """() => {
    const el = document.querySelector('a[href], button, input:not([type=hidden]), select,'
                                       + ' textarea, summary, [tabindex]:not([tabindex="-1"])');
    return el.textContent.trim() + ' ' + el.getAttribute('href');
}"""


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", page_params())
def test_no_serious_accessibility_problems(live_server, seeded_app, open_page, name, scheme,
                                           screen) -> None:
    """axe-core finds nothing critical or serious (the failure lists each element with the
    rule, its impact and what is wrong); one h1; the skip link is the first stop."""
    page = open_page(screen, scheme)
    PAGES[name](page, live_server, seeded_app)
    page.wait_for_load_state("load")
    violations = blocking_violations(page)
    assert violations == [], f"{name} ({scheme}, {screen}):\n" + "\n".join(violations)
    headings = page.locator("h1").all_inner_texts()
    assert len(headings) == 1, f"{name}: one h1 expected, found {headings}"
    assert page.evaluate(FIRST_FOCUSABLE) == "Skip to content #main"
    expect(page.locator("main#main")).to_have_count(1)


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("url", ["/", "/review/study", "/settings"])
def test_skip_link_comes_first_and_leads_to_the_content(live_server, open_page, url,
                                                         screen) -> None:
    page = open_page(screen)
    page.goto(live_server + url)
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).not_to_be_in_viewport()  # out of sight until it has the focus
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab lands inside the content, past the menu.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


FOCUS_RING = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {tag: el.tagName, text: (el.textContent || el.name || '').trim().slice(0, 30),
            outline: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth)};
}"""


FOCUSABLE_KINDS = {
    # The fields moved to the task list (issue 23): the plan keeps links, tick boxes
    # and the weeks' disclosures.
    "/plan": {"A", "BUTTON", "SUMMARY"},
    "/plan/tasks": {"A", "BUTTON", "INPUT", "SELECT", "SUMMARY"},
    "/cards?q=tag:process": {"A", "BUTTON", "INPUT", "SELECT", "SUMMARY"},
    "/settings": {"A", "BUTTON", "INPUT", "SELECT"},
    "/stats": {"A", "BUTTON", "SELECT", "SUMMARY"},
}


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("url", list(FOCUSABLE_KINDS))
def test_keyboard_focus_is_visible(live_server, open_page, url, scheme) -> None:
    """Tabbing through a page's links, buttons and fields: each shows an outline of 2 px
    or more when it has the focus."""
    page = open_page("laptop", scheme)
    page.goto(live_server + url)
    seen = set()
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_RING)
        if focused["tag"] == "BODY":  # past the last one
            break
        seen.add(focused["tag"])
        assert focused["outline"] >= 2, f"no visible focus on {focused}"
    assert FOCUSABLE_KINDS[url] <= seen


MOVING = ".button { transition: background-color 2s; animation: wobble 2s infinite; }" \
         " @keyframes wobble { from { opacity: 1; } to { opacity: .5; } }"
MOTION = """() => {
    const style = getComputedStyle(document.querySelector('.button'));
    return [style.transitionDuration, style.animationName];
}"""


def test_reduced_motion_turns_transitions_and_animations_off(live_server, open_page) -> None:
    """Whatever moves (here a transition and an animation added to the page's buttons)
    stands still for a user who asks for reduced motion, and moves for the others."""
    moving = open_page("phone", reduced_motion="no-preference", bypass_csp=True)
    moving.goto(live_server + "/")
    moving.add_style_tag(content=MOVING)
    assert moving.evaluate(MOTION) == ["2s", "wobble"]

    still = open_page("phone", reduced_motion="reduce", bypass_csp=True)
    still.goto(live_server + "/")
    still.add_style_tag(content=MOVING)
    assert still.evaluate(MOTION) == ["0s", "none"]


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_shown_answer_is_announced(live_server, seeded_app, open_page, screen) -> None:
    """A polite live region gets the answer when Show answer is pressed (in the page), and
    an answer pair's verdict and answer after a pick (a new page)."""
    page = open_page(screen)
    study_question(page, live_server, seeded_app)
    region = page.locator("#answer-announce")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region).to_have_text("")
    card_id = int(page.locator("#card").get_attribute("data-card-id") or 0)
    with seeded_app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        back = " ".join(session.get(Card, card_id).back.split())
    page.locator("#reveal").click()
    expect(region).to_have_text(f"Answer: {back}")

    pair_answer(page, live_server, seeded_app)
    region = page.locator("#answer-announce")
    verdict = page.locator(".verdict").inner_text()
    expect(region).to_contain_text(f"Answer: {verdict}")
    expect(region).to_contain_text(page.locator("#answer .back").inner_text().split("\n")[0])


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_phone_menu_when_open(live_server, open_page, scheme) -> None:
    """On a phone the top bar's menu, once opened (when it folds away: a button with
    aria-expanded or a <details>), shows every page's link, and axe-core finds nothing
    critical or serious in it either."""
    page = open_page("phone", scheme)
    page.goto(live_server + "/")
    toggle = page.locator("header button[aria-expanded=false], "
                          "header details:not([open]) > summary")
    if toggle.count():
        toggle.first.click()
    nav = page.locator("header nav")
    for name in ("Today", "Review", "Plan", "Decks", "Cards", "Settings"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    violations = blocking_violations(page)
    assert violations == [], f"menu ({scheme}):\n" + "\n".join(violations)
