"""Reviewing on a phone by thumb, and the app installed on it (issue 13, parts 2 and 3):
real Chromium at 390 x 844 with a touch screen."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select
from werkzeug.serving import make_server

from flashcards.models import Card, Deck, ReviewLog

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
HEIGHT = 844

# Every element a finger may aim at, inside the page's own content (the top menu is the
# layout's, issue 13 part 1).
TARGETS = ("a[href], button, summary, select, textarea, label.hit, "
           "input:not([type=hidden])")


def small_targets(page: Page, minimum: float = 44) -> list[str]:
    """The visible targets in <main> less than `minimum` px high or wide."""
    return page.evaluate("""([selector, minimum]) => [...document.querySelectorAll(
            'main ' + selector.split(', ').join(', main '))]
        .filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
        .filter(e => { const r = e.getBoundingClientRect();
                       return r.height < minimum || r.width < minimum; })
        .map(e => e.outerHTML.slice(0, 100) + ' ' + JSON.stringify(e.getBoundingClientRect()))""",
                         [TARGETS, minimum])


def on_screen_untouched(page: Page, selector: str, *, at_top: bool = True) -> list[dict]:
    """Each element's box, after checking it lies inside the viewport without scrolling
    (unless not `at_top`: the page scrolled itself) and that a tap at its centre reaches
    it (nothing covers it)."""
    if at_top:
        assert page.evaluate("window.scrollY") == 0
    boxes = []
    for element in page.locator(selector).all():
        box = element.bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, (selector, box)
        assert element.evaluate("""e => { const r = e.getBoundingClientRect();
            const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
            return e === hit || e.contains(hit); }"""), f"{selector} is covered"
        boxes.append(box)
    return boxes


def log_count(app) -> int:
    with app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        return session.execute(select(func.count()).select_from(ReviewLog)).scalar_one()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_review_session_by_taps_on_a_phone(live_server, browser: Browser, seeded_app,
                                             scheme, tmp_path) -> None:
    context = browser.new_context(**PHONE, color_scheme=scheme)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server + "/review/study")
    expect(page.locator("#card")).to_be_visible()
    first = page.locator("#card").get_attribute("data-card-id")
    if page.locator("[data-pick]").count():  # the first card may be an answer pair
        page.locator("[data-pick]").first.tap()
    else:
        # No keyboard hints on a touch screen; Show answer at the bottom, thumb-sized.
        expect(page.locator("#reveal")).to_be_visible()
        expect(page.locator("#reveal kbd")).to_be_hidden()
        assert small_targets(page) == []
        (reveal,) = on_screen_untouched(page, "#reveal")
        assert reveal["height"] >= 48 and reveal["y"] > HEIGHT / 2
        page.screenshot(path=str(tmp_path / "front.png"))
        page.locator("#reveal").tap()
    expect(page.locator("#answer")).to_be_visible()
    grades = on_screen_untouched(page, "#grade-form .grade")
    assert len(grades) == 4
    assert all(box["height"] >= 48 and box["y"] > HEIGHT / 2 for box in grades), grades
    expect(page.locator("#grade-form kbd").first).to_be_hidden()
    assert small_targets(page) == []
    page.screenshot(path=str(tmp_path / "answer.png"))
    page.locator(".grade-good").tap()
    expect(page.locator("#card")).not_to_have_attribute("data-card-id", first or "")
    expect(page.locator("#studied")).to_have_text("Studied today: 1")

    # An answer pair: its two options push the answer below the fold, the grades do not.
    page.goto(live_server + "/review")
    page.get_by_role("link", name="Good and bad answers").first.tap()
    expect(page.locator(".prompt")).to_contain_text("Which answer passes?")
    expect(page.locator(".prompt .keys")).to_be_hidden()
    assert small_targets(page) == []
    pair = page.locator("#card").get_attribute("data-card-id")
    page.locator("[data-pick]").first.tap()
    expect(page.locator(".verdict")).to_be_visible()
    # The page scrolls the verdict above the bar (issue 26); the bar stays put.
    grades = on_screen_untouched(page, "#grade-form .grade", at_top=False)
    assert all(box["height"] >= 48 for box in grades), grades
    # The grades sit in the lower part of the screen, where a thumb reaches them.
    height = page.viewport_size["height"]
    assert min(box["y"] for box in grades) > 0.6 * height, grades
    assert small_targets(page) == []
    page.screenshot(path=str(tmp_path / "pair-picked.png"))
    # The end of a long answer scrolls clear of the bar.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    menu = page.locator("#card-menu > summary").bounding_box()
    bar = page.locator("#grade-form").bounding_box()
    assert menu is not None and bar is not None and menu["y"] + menu["height"] <= bar["y"]
    page.evaluate("window.scrollTo(0, 0)")
    page.locator(".grade-good").tap()
    expect(page.locator("#card")).not_to_have_attribute("data-card-id", pair or "")
    expect(page.locator("#studied")).to_have_text("Studied today: 2")

    # Undo from the menu: secondary actions are behind one tap, each >= 44 px.
    expect(page.locator("#undo-form button")).to_be_hidden()
    page.locator("#card-menu > summary").tap()
    expect(page.locator("#undo-form button")).to_be_visible()
    expect(page.locator("#card-menu kbd").first).to_be_hidden()
    assert small_targets(page) == []
    page.locator("#suspend-form button").scroll_into_view_if_needed()
    menu_items = page.locator("#card-menu .link").all()
    assert len(menu_items) == 4
    for item in menu_items:  # none hides behind the bar once scrolled to
        box = item.bounding_box()
        assert box is not None and box["height"] >= 44 and box["y"] + box["height"] <= (
            page.locator("#reveal").bounding_box() or {"y": HEIGHT})["y"], box
    page.screenshot(path=str(tmp_path / "menu.png"))
    page.locator("#undo-form button").tap()
    expect(page.locator(".flash")).to_contain_text("Undid the review")
    expect(page.locator("#card")).to_have_attribute("data-card-id", pair or "")
    expect(page.locator("#studied")).to_have_text("Studied today: 1")
    with seeded_app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        card = session.get(Card, int(pair or 0))
        assert card is not None and card.reps == 0
    assert log_count(seeded_app) == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
    context.close()


def test_keyboard_hints_show_with_a_mouse(live_server, browser: Browser, tmp_path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(live_server + "/review/study")
    hint = page.locator("#reveal kbd, .prompt .keys").first
    expect(hint).to_be_visible()
    # On a wide screen the grades stay under the answer, not in a bar.
    page.locator("#reveal, [data-pick]").first.click()
    expect(page.locator("#grade-form kbd").first).to_be_visible()
    assert page.locator("#grade-form").evaluate("e => getComputedStyle(e).position") == "static"
    page.screenshot(path=str(tmp_path / "wide.png"))
    context.close()


def test_the_grades_stay_on_screen_with_the_phone_on_its_side(live_server,
                                                              browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 844, "height": 390}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(live_server + "/review")
    page.get_by_role("link", name="Good and bad answers").first.tap()
    page.locator("[data-pick]").first.tap()
    expect(page.locator(".verdict")).to_be_visible()
    assert page.evaluate("window.innerHeight") == 390
    for box in page.locator("#grade-form .grade").all():
        rect = box.bounding_box()
        assert rect is not None and rect["height"] >= 48 and rect["y"] + rect["height"] <= 390
    context.close()


def test_task_tick_boxes_are_thumb_sized(live_server, browser: Browser, tmp_path) -> None:
    context = browser.new_context(**PHONE, color_scheme="dark")
    page = context.new_page()
    page.goto(live_server + "/plan")  # the plan places today's tasks
    page.goto(live_server + "/")
    ticks = page.locator("li.task button.checkbox")
    expect(ticks.first).to_be_visible()
    for tick in ticks.all():
        box = tick.bounding_box()
        assert box is not None and box["width"] >= 44 and box["height"] >= 44, box
    # The visible box stays small; a tap near its edge still ticks it.
    first = ticks.first
    first.scroll_into_view_if_needed()
    box = first.bounding_box()
    assert box is not None
    page.touchscreen.tap(box["x"] + 4, box["y"] + 4)
    expect(page.locator(".flash")).to_be_visible()
    expect(page.locator("li.task button.checkbox").first).to_have_attribute("aria-checked", "true")
    page.locator("ul.tasks").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "tasks-dark.png"))
    context.close()


@pytest.fixture
def stoppable_server(seeded_app):
    """A live server that the test can stop, as when a phone loses the connection."""
    server = make_server("127.0.0.1", 0, seeded_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    running = {"server": server}

    def stop() -> None:
        if running.pop("server", None) is not None:
            server.shutdown()
            server.server_close()
            thread.join()

    yield f"http://127.0.0.1:{server.server_port}", stop
    stop()


WAIT_FOR_CONTROL = """() => navigator.serviceWorker.ready.then(() =>
    navigator.serviceWorker.controller ? 'controlled' : new Promise(resolve =>
        navigator.serviceWorker.addEventListener('controllerchange',
                                                  () => resolve('controlled'))))"""

CACHED_URLS = """() => caches.keys().then(names => Promise.all(names.map(name =>
    caches.open(name).then(cache => cache.keys())
        .then(requests => requests.map(r => [r.method, new URL(r.url).pathname])))))
    .then(lists => lists.flat())"""


def test_the_service_worker_shows_the_offline_page_and_never_keeps_a_grade(
        stoppable_server, browser: Browser, seeded_app, tmp_path) -> None:
    url, stop = stoppable_server
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(url + "/review/study")
    assert page.evaluate(WAIT_FOR_CONTROL) == "controlled"
    expect(page.locator("#card")).to_be_visible()

    # A grade sent without a connection fails as it would without the worker...
    if page.locator("[data-pick]").count():
        page.locator("[data-pick]").first.tap()
    else:
        page.locator("#reveal").tap()
    expect(page.locator("#answer")).to_be_visible()
    context.set_offline(True)
    page.locator(".grade-good").tap()
    expect(page.locator("#card")).to_have_count(0)  # the browser's own "no connection"
    context.set_offline(False)
    # ...and it is not sent later: not on coming back online, not on the next page.
    page.goto(url + "/review")
    page.wait_for_timeout(500)
    assert log_count(seeded_app) == 0
    assert page.evaluate("""() => navigator.serviceWorker.ready.then(r =>
        r.sync ? r.sync.getTags() : [])""") == []
    # Its cache holds the app shell only: no page of anyone's data, no POST.
    cached = page.evaluate(CACHED_URLS)
    assert ["GET", "/offline"] in cached and ["GET", "/static/style.css"] in cached
    assert all(method == "GET" and (path == "/offline" or path.startswith("/static/"))
               for method, path in cached), cached

    # The phone loses its connection: a page shows "you are offline" instead of an error.
    context.set_offline(True)
    page.goto(url + "/review")
    expect(page.locator("h1")).to_have_text("You are offline")
    context.set_offline(False)
    page.goto(url + "/review")
    expect(page.locator("h1")).not_to_have_text("You are offline")

    # The server goes away: the same page, styled from the cache.
    stop()
    page.goto(url + "/plan")
    expect(page.locator("h1")).to_have_text("You are offline")
    expect(page.locator("#offline")).to_contain_text("Nothing is sent or saved")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") in (
        "rgb(246, 247, 249)", "rgb(20, 23, 28)")  # the stylesheet came from the cache
    assert small_targets(page) == []
    page.screenshot(path=str(tmp_path / "offline.png"))
    context.close()


@pytest.mark.first_run
def test_a_page_the_worker_fetches_still_leads_a_new_user_to_the_set_up(
        live_server, browser: Browser) -> None:
    """The worker passes navigations on with fetch(), which Chromium sends as "empty"
    (mode "navigate"): the set-up check still sees a page, not a script's fetch."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(live_server + "/")
    expect(page).to_have_url(re.compile(r"/setup\?next=/$"))
    assert page.evaluate(WAIT_FOR_CONTROL) == "controlled"
    page.goto(live_server + "/plan")
    expect(page).to_have_url(re.compile(r"/setup\?next=/plan$"))
    context.close()


def tap_near_corner(page: Page, selector: str) -> None:
    """Tap 3 px inside the top-left corner of `selector`'s 44 px area, not on the box."""
    target = page.locator(selector)
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44, (selector, box)
    page.touchscreen.tap(box["x"] + 3, box["y"] + 3)


def test_checkboxes_have_44_px_hit_areas(live_server, browser: Browser, tmp_path) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    # A form's checkbox: its label reaches over the box.
    page.goto(live_server + "/decks/1/edit")
    box = page.locator("#lower_priority")
    expect(box).not_to_be_checked()
    field = page.locator(".field.check")
    field_box = field.bounding_box()
    assert field_box is not None and field_box["height"] >= 44
    page.touchscreen.tap(field_box["x"] + 3, field_box["y"] + 3)
    expect(box).to_be_checked()
    page.screenshot(path=str(tmp_path / "deck-edit.png"))
    # The card browser's row boxes: a 44 px label around each.
    page.goto(live_server + "/cards")
    tap_near_corner(page, "label.hit:has(.row-select) >> nth=0")
    expect(page.locator(".row-select").first).to_be_checked()
    expect(page.locator(".row-select").nth(1)).not_to_be_checked()
    tap_near_corner(page, "label.hit:has(#select-all)")
    expect(page.locator(".row-select").nth(1)).to_be_checked()
    page.screenshot(path=str(tmp_path / "browser.png"))
    context.close()


# -- Thumb fixes on the study page (issue 26, item 7) ---------------------------------------

LONG_WEAK = ("I would tell the team that the date is fixed, that everyone has to work harder "
             "and that I will check on them every day until we ship, because the customer "
             "was promised this release and we cannot go back on our word now. ") * 3
LONG_STRONG = ("I would lay out what we know: the scope, the risks and the date, then agree "
               "with the sponsor which features we cut or move, so that the team commits "
               "to a plan it believes in, and I report the trade-off openly. ") * 3
WHY = ("A programme manager trades scope, time and risk in the open with the sponsor: "
       "pressure alone does not move a date, a clear trade-off does.")


def long_pair_deck(app) -> int:
    """The answer-pair deck with every pair made long (both answers ~600 characters); the
    weak answer reads 'I would tell the team'."""
    with app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        deck = session.execute(select(Deck.id).where(Deck.name == "Good and bad answers")
                               ).scalar_one()
        for card in session.execute(select(Card).where(Card.deck_id == deck)).scalars():
            card.weak_answer, card.strong_answer, card.back = LONG_WEAK, LONG_STRONG, WHY
        session.commit()
    return int(deck)


def weak_letter(page: Page) -> str:
    letter = page.locator("[data-pick]").filter(has_text="I would tell the team"
                                                 ).get_attribute("data-pick")
    assert letter in ("a", "b")
    return letter


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_wrong_pick_on_a_long_pair_shows_the_verdict_and_why_above_the_bar(
        live_server, browser: Browser, seeded_app, scheme, tmp_path) -> None:
    deck = long_pair_deck(seeded_app)
    context = browser.new_context(**PHONE, color_scheme=scheme)
    page = context.new_page()
    page.goto(live_server + f"/review/study?deck={deck}")
    expect(page.locator(".prompt")).to_contain_text("Which answer passes?")
    # The choices sit in the bar at the bottom, where a thumb reaches, whatever the pair's
    # length; each is a big target.
    choices = on_screen_untouched(page, ".reveal-row .choice")
    assert [page.locator(".reveal-row .choice").nth(i).inner_text() for i in (0, 1)] == [
        "Pick A", "Pick B"]
    assert all(box["height"] >= 48 and box["width"] >= 88 and box["y"] > 0.75 * HEIGHT
               for box in choices), choices
    assert small_targets(page) == []
    page.screenshot(path=str(tmp_path / "long-pair.png"))
    weak = weak_letter(page)
    page.get_by_role("link", name=f"Pick {weak.upper()}", exact=True).tap()

    expect(page.locator(".verdict")).to_contain_text("Not this one")
    # Right after the pick: the verdict, the why's heading and the why itself lie on the
    # screen, above the grade bar, with nothing over them.
    page.wait_for_function("window.scrollY > 0")
    bar = page.locator("#grade-form").bounding_box()
    assert bar is not None and bar["y"] + bar["height"] <= HEIGHT
    for selector in (".verdict", "#answer .why", "#answer .back"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= bar["y"], (
            selector, box, bar)
        assert page.locator(selector).evaluate("""e => { const r = e.getBoundingClientRect();
            const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
            return e === hit || e.contains(hit); }"""), f"{selector} is covered"
    assert small_targets(page) == []
    page.screenshot(path=str(tmp_path / "long-pair-wrong.png"))
    context.close()


def test_a_wrong_pick_on_a_long_pair_shows_the_verdict_and_grades_on_a_laptop(
        live_server, browser: Browser, seeded_app) -> None:
    deck = long_pair_deck(seeded_app)
    context = browser.new_context(viewport={"width": 1280, "height": 600})
    page = context.new_page()
    page.goto(live_server + f"/review/study?deck={deck}")
    # On a wide screen the options are the choices (no bar).
    expect(page.locator(".reveal-row .choice").first).to_be_hidden()
    page.locator(f'[data-pick="{weak_letter(page)}"]').click()
    expect(page.locator(".verdict")).to_contain_text("Not this one")
    for selector in (".verdict", "#answer .back", "#grade-form"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 600, (
            selector, box)
    context.close()


def test_the_queue_counts_are_labelled_in_words(live_server, browser: Browser) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(live_server + "/review/study")
    counts = page.get_by_role("list", name="Left today")
    expect(counts).to_be_visible()
    items = counts.get_by_role("listitem")
    expect(items).to_have_text([re.compile(r"^\d+\+? new$"), re.compile(r"^\d+\+? learning$"),
                                re.compile(r"^\d+\+? to review$")])
    # The queue of the card shown is said in words too, not by its underline alone.
    queue = page.locator("#card .badge").inner_text()
    expect(counts.locator("[aria-current=true]")).to_have_count(1)
    expect(counts.locator("[aria-current=true]")).to_contain_text(
        {"new": "new", "learning": "learning", "review": "to review"}[queue])
    context.close()
