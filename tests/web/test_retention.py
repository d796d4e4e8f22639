"""Help me decide over HTTP: the table and chart on their page (linked from Settings),
a row's button sets the desired retention, anything else is a 400 that changes nothing,
and a user sees their own state only."""

import re
from datetime import date

import pytest

from flashcards.core.retention import RETENTIONS, RetentionRow
from flashcards.models import Settings
from flashcards.services import users
from flashcards.web.charts import VIEW_WIDTH
from flashcards.web.retention_chart import VALUE_WIDTH, retention_chart
from tests.conftest import START, csrf_token, make_deck

PASSWORD = "correct horse battery"


def stored(session, user_id: int = 1) -> float:
    session.rollback()
    return session.get(Settings, user_id).desired_retention


def rows_of(page: str) -> list[tuple[str, bool]]:
    """(the row's retention, whether it is marked as the user's) for each table row."""
    body = re.search(r'<table class="retention-table".*?</table>', page, re.S)
    assert body
    return [(value, 'aria-current="true"' in attrs) for attrs, value in re.findall(
        r'<tr([^>]*)>\s*<th scope="row">.*?name="retention" type="hidden" value="([^"]+)"',
        body.group(0), re.S)]


def test_settings_links_to_the_table_next_to_both_fields(client) -> None:
    page = client.get("/settings").get_data(as_text=True)
    assert page.count('href="/settings/retention"') == 2
    retention_at = page.index('name="desired_retention"')
    target_at = page.index('name="interview_retention"')
    links = [m.start() for m in re.finditer('href="/settings/retention"', page)]
    assert any(0 < link - target_at < 2000 for link in links)
    assert any(0 < link - retention_at < 2000 for link in links)


def test_the_table_and_chart_for_the_bundled_decks(seeded_app, client) -> None:
    response = client.get("/settings/retention")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert rows_of(page) == [(f"{r:g}", r == 0.9) for r in RETENTIONS]
    assert page.count('<rect x="48"') == len(RETENTIONS)  # a bar per row
    assert 'class="chart retention-chart"' in page and " min</text>" in page
    assert "Recall on the day" in page and "Below target" in page
    assert "After the interview" in page and "costs the least study time" in page
    # Strict CSP: no inline styles or scripts.
    assert "style=" not in page and "<script>" not in page and " onclick" not in page


def test_a_rows_button_sets_the_value(seeded_app, client, session) -> None:
    token = csrf_token(client, "/settings/retention")
    response = client.post("/settings/retention", data={"csrf_token": token,
                                                       "retention": "0.85"})
    assert response.status_code == 302 and response.location.endswith("/settings/retention")
    assert stored(session) == 0.85
    page = client.get(response.location).get_data(as_text=True)
    assert "Desired retention changed from 0.90 to 0.85" in page
    assert [value for value, mine in rows_of(page) if mine] == ["0.85"]
    # The settings form shows it too.
    assert 'name="desired_retention" required step="any" type="number" value="0.85"' in client.get(
        "/settings").get_data(as_text=True)


@pytest.mark.parametrize(("retention", "message"), [
    ("0.5", "from 0.70 to 0.99"), ("1.2", "from 0.70 to 0.99"), ("abc", "not a number"),
    ("", "not a number"), (None, "not a number"), ("nan", "from 0.70 to 0.99")])
def test_a_bad_value_is_a_400_and_changes_nothing(client, session, retention,
                                                  message) -> None:
    data = {"csrf_token": csrf_token(client)}
    if retention is not None:
        data["retention"] = retention
    response = client.post("/settings/retention", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored(session) == 0.9


@pytest.mark.parametrize("token", [None, "forged"])
def test_a_forged_form_is_a_400_and_changes_nothing(client, session, token) -> None:
    data = {"retention": "0.85"} | ({"csrf_token": token} if token else {})
    assert client.post("/settings/retention", data=data).status_code == 400
    assert stored(session) == 0.9


def test_each_user_sees_and_sets_their_own(client, session) -> None:
    ada = users.create_user(session, "ada", PASSWORD, START).user.id
    bob = users.create_user(session, "bob", PASSWORD, START).user.id
    session.commit()
    make_deck(session, "Ada deck", cards=5, user_id=ada)
    make_deck(session, "Bob deck", cards=40, user_id=bob)
    users.for_user(session, bob)
    session.get(Settings, bob).desired_retention = 0.81
    session.get(Settings, bob).interview_retention = 0.95
    session.commit()
    token = csrf_token(client, "/login")
    client.post("/login", data={"csrf_token": token, "name": "ada", "password": PASSWORD})
    page = client.get("/settings/retention").get_data(as_text=True)
    assert [value for value, mine in rows_of(page) if mine] == ["0.9"]
    assert "0.81" not in page and "your 5 cards" in page
    assert "follows each row" in page  # ada left the interview's target empty; bob did not
    client.post("/settings/retention", data={"csrf_token": csrf_token(client),
                                             "retention": "0.92"})
    users.for_user(session, ada)
    assert stored(session, ada) == 0.92
    users.for_user(session, bob)
    assert stored(session, bob) == 0.81


def row(retention: float, minutes: float, recall: float, *, current: bool = False,
        target: float = 0.9) -> RetentionRow:
    return RetentionRow(retention=retention, average_minutes=minutes, busiest_minutes=minutes,
                        busiest_day=date(2026, 3, 5), recall=recall, below_target=0.0,
                        target=target, unplaced_new=0, current=current)


def test_chart_bars_grow_with_minutes_and_labels_fit() -> None:
    chart = retention_chart([row(0.8, 5.3, 0.93), row(0.9, 6.4, 0.96, current=True),
                             row(0.97, 206.4, 0.87)])
    assert [bar.label for bar in chart.bars] == ["80%", "90%", "97%"]
    assert [bar.value_label for bar in chart.bars] == ["5 min · 93%", "6 min · 96%",
                                                       "206 min · 87%"]
    assert [bar.current for bar in chart.bars] == [False, True, False]
    assert [bar.below_target for bar in chart.bars] == [False, False, True]
    widths = [bar.width for bar in chart.bars]
    assert widths == sorted(widths)
    assert all(bar.value_x + VALUE_WIDTH - 5 <= VIEW_WIDTH for bar in chart.bars)
    assert [tick.label for tick in chart.x_ticks] == ["0", "60", "120", "180", "240"]
    assert chart.x_ticks[-1].position == chart.plot_right
    assert chart.height > chart.plot_bottom > chart.plot_top


def test_a_passed_interview_says_so_and_an_empty_collection_still_answers(client,
                                                                         session) -> None:
    settings = session.get(Settings, 1)
    settings.plan_start, settings.interview_date = date(2026, 2, 1), date(2026, 3, 1)
    session.commit()
    response = client.get("/settings/retention")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Your interview day is today or has passed" in page
    assert "your 0 cards" in page
    assert [value for value, mine in rows_of(page) if mine] == ["0.9"]
