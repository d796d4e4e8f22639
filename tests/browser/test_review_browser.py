"""A new user reviews with the keyboard in real Chromium."""

import re
from datetime import date

from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from flashcards.models import Card, ReviewLog, Settings

pytestmark = __import__("pytest").mark.browser


def counts(page: Page) -> tuple[int, int, int]:
    values = page.locator(".studybar .count .n").all_inner_texts()
    return tuple(int(v) for v in values)  # type: ignore[return-value]


def test_keyboard_review_answer_pair_undo_and_counts(live_server, page, seeded_app) -> None:
    # An interview nine days away, with time enough: the plan paces new cards at the
    # daily limit of 20.
    with seeded_app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        settings = session.get(Settings, 1)
        settings.interview_date = date(2026, 3, 11)
        settings.daily_minutes = 240
        session.commit()
    page.goto(live_server + "/")
    expect(page.locator("h1")).to_contain_text("Today")
    page.click("#start")
    expect(page.locator("#card")).to_be_visible()
    assert counts(page) == (20, 0, 0)

    # Ten new cards with the keyboard: Space shows the answer, 3 grades Good.
    reviewed = 0
    while reviewed < 10:
        card = page.locator("#card")
        expect(card).to_be_visible()
        card_id = card.get_attribute("data-card-id")
        if page.locator("[data-pick]").count():
            # An answer pair: pick with the keyboard, then grade.
            page.keyboard.press("b")
            expect(page.locator(".verdict")).to_be_visible()
            page.keyboard.press("3")
        else:
            expect(page.locator("#answer")).to_be_hidden()
            page.keyboard.press("Space")
            expect(page.locator("#answer")).to_be_visible()
            page.keyboard.press("3")
        expect(page.locator("#card")).not_to_have_attribute("data-card-id", card_id or "")
        reviewed += 1
    expect(page.locator("#studied")).to_have_text("Studied today: 10")
    assert counts(page) == (10, 10, 0)

    # Answer-pair deck: pick the weak answer on purpose, see the verdict, take the suggestion.
    page.goto(live_server + "/review")
    page.get_by_role("link", name="Good and bad answers").first.click()
    expect(page.locator(".prompt")).to_contain_text("Which answer passes?")
    options = page.locator(".option .text").all_inner_texts()
    pair_card = page.locator("#card").get_attribute("data-card-id")
    with seeded_app.app_context():
        maker = seeded_app.extensions["flashcards.sessionmaker"]
        with maker(info={"user_id": 1}) as session:
            weak_text = session.get(Card, int(pair_card)).weak_answer
    weak_key = "a" if options[0] == weak_text else "b"
    page.keyboard.press(weak_key)
    expect(page.locator(".verdict.bad")).to_contain_text("is the weak answer")
    expect(page.locator(".grade.suggested .label")).to_have_text("Again")
    page.keyboard.press("Space")  # Space takes the suggested grade
    expect(page.locator("#card")).not_to_have_attribute("data-card-id", pair_card or "")

    # Undo the slip with U: the pair card comes back, unchanged.
    page.keyboard.press("u")
    expect(page.locator(".flash")).to_contain_text("Undid the review")
    expect(page.locator("#card")).to_have_attribute("data-card-id", pair_card or "")

    with seeded_app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        logs = session.execute(select(func.count()).select_from(ReviewLog)).scalar_one()
        card = session.get(Card, int(pair_card))
        assert logs == 10 and card.reps == 0 and card.state == 0

    # The overview agrees: 10 new left today, 10 learning, nothing due.
    page.goto(live_server + "/review")
    foot = page.locator("table.decks tfoot tr")
    expect(foot.locator("td.new")).to_have_text("10")
    expect(foot.locator("td.learning")).to_have_text("10")
    expect(foot.locator("td.review")).to_have_text("0")


def test_review_works_without_javascript(live_server, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/review/study")
    page.get_by_role("link", name=re.compile("Show answer")).click()
    expect(page.locator("#answer")).to_be_visible()
    first = page.locator("#card").get_attribute("data-card-id")
    page.get_by_role("button", name=re.compile("Good")).click()
    expect(page.locator("#card")).not_to_have_attribute("data-card-id", first or "")
    expect(page.locator("#studied")).to_have_text("Studied today: 1")
    context.close()


def test_double_click_on_a_grade_records_one_review(live_server, page, seeded_app) -> None:
    page.goto(live_server + "/review/study")
    page.keyboard.press("Space")
    page.locator(".grade-good").dblclick()
    expect(page.locator("#studied")).to_have_text("Studied today: 1")
    with seeded_app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        assert session.execute(select(func.count()).select_from(ReviewLog)).scalar_one() == 1


def test_card_text_is_never_executed(live_server, page, seeded_app) -> None:
    with seeded_app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        card = session.execute(select(Card).order_by(Card.position).limit(1)).scalar_one()
        card.front = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
        # An HTML card (from an HTML import) is sanitised, not escaped: still inert.
        html_card = session.execute(select(Card).order_by(Card.position).offset(1).limit(1)
                                    ).scalar_one()
        html_card.is_html = True
        html_card.back = ('<b>bold</b><script>window.pwned=3</script>'
                          '<a href="javascript:window.pwned=4">link</a>')
        card_id, html_id = card.id, html_card.id
        session.commit()
    page.goto(live_server + "/review/study")
    expect(page.locator(".front")).to_contain_text("<script>window.pwned=1</script>")
    assert page.evaluate("window.pwned") is None
    for path in (f"/cards/{card_id}", f"/cards/{html_id}", "/cards?q=pwned",
                 f"/cards/{card_id}/edit"):
        page.goto(live_server + path)
        assert page.evaluate("window.pwned") is None, path
    page.goto(live_server + f"/cards/{html_id}")
    expect(page.locator(".card-fields b")).to_have_text("bold")
    page.locator(".card-fields a", has_text="link").click()
    assert page.evaluate("window.pwned") is None
