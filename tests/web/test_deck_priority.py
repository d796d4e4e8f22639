"""The plan page names the lower-priority decks whose new cards do not fit."""

import re
from datetime import date, timedelta

from flashcards.services import decks
from flashcards.services.settings import get_settings
from tests.conftest import START, make_deck

TODAY = date(2026, 3, 2)  # START's study day


def unplaced_decks_line(client) -> tuple[int, str | None]:
    """How many new cards will not fit, and the line naming their decks (if any)."""
    page = client.get("/plan").get_data(as_text=True)
    unplaced = re.search(r'<li id="unplaced-new">(\d+) new cards? do(?:es)? not fit', page)
    assert unplaced, "every new card fits"
    match = re.search(r'<li id="unplaced-new">[^<]*?(They come from .*?)</li>', page, re.S)
    return int(unplaced.group(1)), match.group(1) if match else None


def test_the_pressure_panel_says_which_decks_the_cards_left_out_come_from(client,
                                                                          session) -> None:
    main = make_deck(session, "Main", cards=40)
    make_deck(session, "Extra", cards=40)
    settings = get_settings(session)
    settings.plan_start = TODAY
    settings.interview_date = TODAY + timedelta(days=10)
    settings.daily_minutes = 10
    session.commit()
    # No deck marked: the sentence about cards that do not fit stands alone.
    assert unplaced_decks_line(client)[1] is None
    decks.update_deck(session, main.id, "Main", "", START, lower_priority=True)
    session.commit()
    unplaced, line = unplaced_decks_line(client)
    assert line == f"They come from “Main” ({unplaced}, lower priority)."
