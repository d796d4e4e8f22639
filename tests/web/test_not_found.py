"""A service's NotFound is the 404 page with the service's own words, also from views that
turn other service errors into a message on the page (web/errors.py)."""

from datetime import date

from tests.conftest import csrf_token, make_deck

TODAY = date(2026, 3, 2)  # the test clock's study day


def test_the_404_page_names_what_was_not_found(client, session) -> None:
    response = client.get("/cards/999")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<h1>Not Found <small" in page and "There is no card 999." in page


def test_moving_a_missing_task_is_a_404_not_a_message(seeded_app, session) -> None:
    client = seeded_app.test_client()
    token = csrf_token(client, "/plan")
    response = client.post("/plan/tasks/999999/move",
                           data={"csrf_token": token, "day": TODAY.isoformat()})
    assert response.status_code == 404
    assert "There is no task 999999." in response.get_data(as_text=True)


def test_undoing_a_missing_optimiser_run_is_a_404_not_a_message(client, session) -> None:
    token = csrf_token(client)
    response = client.post("/settings/fsrs/999/undo", data={"csrf_token": token})
    assert response.status_code == 404
    assert "There is no optimiser run 999." in response.get_data(as_text=True)


def test_burying_a_missing_card_is_a_404(client, session) -> None:
    make_deck(session, cards=1)
    token = csrf_token(client)
    response = client.post("/review/bury",
                           data={"csrf_token": token, "card_id": "999", "version": "1"})
    assert response.status_code == 404
    assert "There is no card 999." in response.get_data(as_text=True)
