"""Import with preview and progress, and an export download, in real Chromium."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_import_preview_confirm_and_progress(live_server, page, tmp_path) -> None:
    rows = "".join(f"Question {i},Answer {i},bulk\n" for i in range(8000))
    source = tmp_path / "Bulk deck.csv"
    source.write_text("front,back,tags\n" + rows + ",no front,\n", encoding="utf-8")
    page.goto(live_server + "/decks")
    page.get_by_role("link", name="Import a file").click()
    page.set_input_files("input[type=file]", str(source))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#import-counts .new strong")).to_have_text("8000")
    expect(page.locator("#import-counts .rejected strong")).to_have_text("1")
    expect(page.locator("#rejected-rows")).to_contain_text("Line 8002: the front is empty")
    page.get_by_role("button", name=re.compile("Import 8000 cards")).click()
    expect(page.locator("#job-result")).to_contain_text(
        "Bulk deck.csv: 8000 new, 0 updated, 0 unchanged, 1 rejected.", timeout=60_000)
    page.goto(live_server + "/decks")
    expect(page.locator("table.decks")).to_contain_text("Bulk deck")


def test_export_link_downloads_a_csv(live_server, page) -> None:
    page.goto(live_server + "/decks")
    with page.expect_download() as info:
        page.locator("#backup-link").click()
    download = info.value
    assert re.fullmatch(r"all-decks-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    from pathlib import Path

    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("guid,deck,kind,front,back") and "TPM terminology" in text


def test_a_zero_rejected_count_is_not_red_and_a_real_one_is(live_server, page,
                                                           tmp_path) -> None:
    def rejected_colour(text: str) -> tuple[str, str]:
        source = tmp_path / "colours.csv"
        source.write_text(text, encoding="utf-8")
        page.goto(live_server + "/import")
        page.set_input_files("input[type=file]", str(source))
        page.get_by_role("button", name="Preview").click()
        count = page.locator("#import-counts .rejected strong")
        return count.inner_text(), count.evaluate("e => getComputedStyle(e).color")

    # The error colour, as the page resolves it (light or dark scheme).
    page.goto(live_server + "/import")
    red = page.evaluate("""() => { const e = document.createElement('p'); e.className = 'error';
        document.body.append(e); return getComputedStyle(e).color; }""")
    assert rejected_colour("front,back\nA,B\n,no front\n") == ("1", red)
    zero, colour = rejected_colour("front,back\nA,B\n")
    assert zero == "0" and colour != red
