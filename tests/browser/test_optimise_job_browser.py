"""Optimise now in real Chromium: a background job whose page follows its progress
(app.js) and, once it has ended, shows Settings with what the optimiser found."""

import re

import pytest
from playwright.sync_api import expect

from tests.fsrs_learner import learner, store_history

pytestmark = pytest.mark.browser


def test_optimise_now_runs_in_the_background_and_ends_on_settings(live_server, page,
                                                                  session) -> None:
    store_history(session, learner(700, scale=0.4, seed=3, per_card=10))
    page.goto(live_server + "/settings")
    page.get_by_role("button", name="Optimise now").click()
    # The job's page (or, if it was quicker than the page, Settings right away).
    expect(page).to_have_url(re.compile(r"/settings"))
    expect(page.locator(".flashes")).to_contain_text(
        "Adopted: log loss", timeout=60_000)
    expect(page).to_have_url(re.compile(r"/settings#fsrs$"))
    expect(page.locator("section.fsrs-parameters")).to_contain_text("Optimised on")
