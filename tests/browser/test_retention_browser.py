"""Help me decide in real Chromium on a phone (390 px), light and dark: reached from
Settings, the table and chart fit the screen, and a tap on a row's button sets the
desired retention."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from flashcards.models import Settings

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def stored(app) -> float:
    with app.extensions["flashcards.sessionmaker"](info={"user_id": 1}) as session:
        return session.get(Settings, 1).desired_retention


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_table_and_chart_fit_a_phone_and_a_tap_sets_the_value(
        live_server, seeded_app, browser: Browser, scheme) -> None:
    context = browser.new_context(color_scheme=scheme, **PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(live_server + "/settings")
        page.get_by_role("link", name="Help me decide").first.tap()
        expect(page.locator("h1")).to_have_text("Help me decide: desired retention")
        table = page.locator("#retention-table")
        chart = page.locator("svg.retention-chart")
        expect(table.locator("tbody tr")).to_have_count(8)
        expect(chart).to_be_visible()
        expect(table.locator('tr[aria-current="true"] button')).to_have_text("0.90")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        inner = page.evaluate("""() => {
            const panel = document.querySelector('.retention-decide');
            const style = getComputedStyle(panel);
            return panel.getBoundingClientRect().right - parseFloat(style.paddingRight); }""")
        for part in (table, chart):
            box = part.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= inner + 0.5
        # The chart's text is legible: at least 10 px on the phone.
        size = page.evaluate("""() => {
            const t = document.querySelector('svg.retention-chart text.value');
            return t.getBoundingClientRect().height; }""")
        assert size >= 10
        # Colours follow the scheme: the page, the chart's labels and the user's bar.
        colours = page.evaluate("""() => {
            const rgb = e => getComputedStyle(e);
            return {page: rgb(document.body).backgroundColor,
                    label: rgb(document.querySelector('svg.retention-chart text.value')).fill,
                    mine: rgb(document.querySelector('svg.retention-chart rect.current')).fill,
                    other: rgb(document.querySelector('svg.retention-chart rect.ok')).fill}; }""")
        dark = scheme == "dark"
        assert colours["page"] == ("rgb(20, 23, 28)" if dark else "rgb(246, 247, 249)")
        assert colours["label"] == ("rgb(231, 233, 238)" if dark else "rgb(29, 35, 48)")
        assert colours["mine"] == ("rgb(122, 167, 255)" if dark else "rgb(37, 99, 235)")
        assert colours["mine"] != colours["other"]

        # Every row's button is a tap target of 44 px at least.
        heights = table.locator("tbody button").evaluate_all(
            "buttons => buttons.map(b => b.getBoundingClientRect().height)")
        assert len(heights) == 8 and min(heights) >= 44
        table.get_by_role("button", name="Use 0.85").tap()
        expect(page.locator(".flash")).to_contain_text(
            "Desired retention changed from 0.90 to 0.85")
        expect(table.locator('tr[aria-current="true"] button')).to_have_text("0.85")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert stored(seeded_app) == 0.85
    finally:
        context.close()
    assert errors == []
