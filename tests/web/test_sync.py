"""POST /review/sync over HTTP, with CSRF on as in production (issue 26)."""

from datetime import timedelta

from sqlalchemy import func, select

from flashcards.core.sync import MAX_ANSWERS
from flashcards.models import Card, ReviewLog
from flashcards.services import users
from tests.conftest import START, csrf_token, make_deck


def post(client, body, token):
    headers = {"X-CSRFToken": token} if token else {}
    return client.post("/review/sync", json=body, headers=headers)


def test_sync_applies_answers_once_and_reports_each(client, session) -> None:
    make_deck(session, cards=2)
    card_id = session.execute(select(func.min(Card.id))).scalar_one()
    token = csrf_token(client)
    body = {"answers": [
        {"id": "3f1c-1", "card_id": card_id, "version": 1, "rating": 3,
         "reviewed_at": (START - timedelta(minutes=3)).isoformat(), "duration_ms": 5000},
        {"id": "3f1c-2", "card_id": card_id, "version": 2, "rating": 7,
         "reviewed_at": START.isoformat(), "duration_ms": None}]}
    response = post(client, body, token)
    assert response.status_code == 200
    assert response.get_json() == {
        "results": [{"id": "3f1c-1", "status": "applied", "reason": ""},
                    {"id": "3f1c-2", "status": "refused",
                     "reason": "The grade must be 1 (Again) to 4 (Easy), not 7."}],
        "counts": {"applied": 1, "merged": 0, "duplicate": 0, "refused": 1}}
    # A retry (the answer to the first request was lost) records nothing more.
    retry = post(client, body, token).get_json()
    assert retry["counts"] == {"applied": 0, "merged": 0, "duplicate": 1, "refused": 1}
    session.rollback()  # a fresh read: the app committed meanwhile
    log = session.execute(select(ReviewLog)).scalar_one()
    assert (log.reviewed_at, log.duration_ms, log.client_answer_id) == (
        START - timedelta(minutes=3), 5000, "3f1c-1")


def test_sync_without_the_csrf_token_is_refused(client, session) -> None:
    make_deck(session, cards=1)
    session.rollback()
    csrf_token(client)  # the session has a token; the request does not send it
    body = {"answers": [{"id": "a", "card_id": 1, "version": 1, "rating": 3,
                         "reviewed_at": START.isoformat()}]}
    assert post(client, body, None).status_code == 400
    assert session.execute(select(func.count()).select_from(ReviewLog)).scalar_one() == 0


def test_sync_refuses_a_malformed_body_or_too_many_answers_whole(client) -> None:
    token = csrf_token(client)
    bad = client.post("/review/sync", data="answers", headers={"X-CSRFToken": token},
                      content_type="application/json")
    assert bad.status_code == 400 and "answers" in bad.get_json()["error"]
    assert post(client, {"answer": []}, token).status_code == 400
    many = post(client, {"answers": [{}] * (MAX_ANSWERS + 1)}, token)
    assert many.status_code == 413
    assert f"at most {MAX_ANSWERS}" in many.get_json()["error"]


def test_sync_needs_a_login_where_accounts_are_on(client, session) -> None:
    make_deck(session, cards=1)
    users.create_user(session, "ada", "correct horse battery", START)
    session.commit()
    card_id = session.execute(select(func.min(Card.id))).scalar_one()
    session.rollback()
    token = csrf_token(client, "/login")
    body = {"answers": [{"id": "a", "card_id": card_id, "version": 1, "rating": 3,
                         "reviewed_at": START.isoformat()}]}
    assert post(client, body, token).status_code == 401
    assert session.execute(select(func.count()).select_from(ReviewLog)).scalar_one() == 0
    client.post("/login", data={"csrf_token": token, "name": "ada",
                                "password": "correct horse battery"})
    token = csrf_token(client)
    assert post(client, body, token).get_json()["counts"]["applied"] == 1
