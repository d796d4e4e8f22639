"""No user reaches another's data through any route (issue 11, item 2).

Walks `app.url_map` and calls every route with every method, logged in as ada, with
bob's ids wherever an id can go: in the path, in the query string (card, deck, task,
job, action, ids) and in every form field that takes one. Each answer must be a refusal
or a page without bob's content, never a 5xx, and bob's rows (and his pending import)
must be exactly as they were. A new route is covered without editing this test; a
new kind of path argument fails it until it is named in PATH_IDS."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from flashcards.core.cards import CardKind
from flashcards.core.scheduling import DEFAULT_PARAMETERS, Rating
from flashcards.core.taskformat import TaskKind
from flashcards.models import Base, FsrsFit
from flashcards.scoping import OWNER_COLUMNS
from flashcards.services import bulk, cards, jobs, plans, study, users
from flashcards.services.settings import get_settings
from tests.conftest import START, csrf_token, every_user, make_deck

PASSWORD = "correct horse battery"
SECRET = "BOBSECRET"


@pytest.fixture
def ada_and_bob(app, session):
    """ada and bob, each with a deck, two cards (one reviewed), a task and a bulk
    action; bob also has an upload waiting for confirmation. Bob's text says SECRET."""
    ada = users.create_user(session, "ada", PASSWORD, START).user.id
    bob = users.create_user(session, "bob", PASSWORD, START).user.id
    session.commit()
    ids = {}
    for name, user_id in (("ada", ada), ("bob", bob)):
        label = SECRET if name == "bob" else "ada"
        deck = make_deck(session, f"{label} deck", user_id=user_id).id
        users.for_user(session, user_id)
        card = cards.add_card(session, deck, CardKind.BASIC, cards.CardContent(
            f"{label} front", f"{label} back", None, None, f"{label}-tag", label), START)
        pair = cards.add_card(session, deck, CardKind.ANSWER_PAIR, cards.CardContent(
            f"{label} question", f"{label} why", f"{label} weak", f"{label} strong", "", ""),
            START)
        session.commit()
        study.grade(session, card.id, card.version, Rating.GOOD, START)
        task = plans.add_task(session, title=f"{label} task", details="", minutes=10,
                              day=date(2026, 3, 3), kind=TaskKind.RESEARCH, now=START)
        action = bulk.apply(session, bulk.BulkAction.ADD_TAG, [pair.id], START, tag=label)
        session.commit()
        ids[name] = {"user": user_id, "deck": deck, "card": card.id, "pair": pair.id,
                     "task": task.id, "action": action.action_id,
                     "version": session.get(type(card), card.id).version}
    # Bob's scheduler parameters, adopted from a run of the optimiser that can be undone.
    users.for_user(session, bob)
    learnt = json.dumps([round(w * 0.9, 4) for w in DEFAULT_PARAMETERS])
    fit = FsrsFit(user_id=bob, created_at=START, reviews_used=500, adopted=True,
                  reason="Adopted", parameters=learnt, log_loss_before=0.5,
                  rmse_bins_before=0.1, log_loss_after=0.4, rmse_bins_after=0.05)
    session.add(fit)
    get_settings(session).fsrs_parameters = learnt
    session.commit()
    ids["bob"]["fit"] = fit.id
    ids["bob"]["job"] = jobs.create(
        session, jobs.IMPORT, START, data=f"front,back\n{SECRET} upload,x\n".encode(),
        options={"file_name": "bob.csv", "deck": "", "policy": "update",
                 "default_deck": "bob", "header": None, "columns": None})
    session.commit()
    return ids


def bobs_rows(session, bob: int) -> dict[str, list[tuple]]:
    """Every row of bob's, in every owned table."""
    session.rollback()
    snapshot = {}
    for name, column in OWNER_COLUMNS.items():
        table = Base.metadata.tables[name]
        rows = session.execute(every_user(select(table).where(table.c[column] == bob)
                                          .order_by(text("1")))).all()
        snapshot[name] = [tuple(row) for row in rows]
    return snapshot


def login(client, name: str = "ada") -> str:
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "name": name,
                                           "password": PASSWORD})
    assert response.status_code == 302
    return csrf_token(client, "/settings")


# Path arguments and the id of bob's that each one gets.
# A calendar feed's token is a key of its own: whoever holds bob's reads bob's plan
# (tests/web/test_calendar_feed.py); here another secret of bob's must open nothing.
PATH_IDS = {"card_id": "card", "deck_id": "deck", "task_id": "task", "action_id": "action",
            "token": "job", "feed_token": "job", "fit_id": "fit"}


def walk(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        unknown = set(rule.arguments) - set(PATH_IDS)
        assert not unknown, f"{rule.rule}: name the ids for {unknown} in PATH_IDS"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_refuses_another_users_ids(app, client, session, ada_and_bob) -> None:
    app.config["JOBS_IN_BACKGROUND"] = False
    bob = ada_and_bob["bob"]
    ada = ada_and_bob["ada"]
    before = bobs_rows(session, bob["user"])
    query = {"card": bob["card"], "deck": bob["deck"], "task": bob["task"], "job": bob["job"],
             "action": bob["action"], "ids": bob["card"], "show": "1", "pick": "a",
             "format": "csv", "scheduling": "1"}
    tomorrow = (START + timedelta(days=1)).date().isoformat()
    form = {"card_id": bob["card"], "version": bob["version"], "rating": "3",
            "deck": bob["deck"], "deck_id": bob["deck"], "ids": [bob["card"], bob["pair"]],
            "task_id": bob["task"], "action": "move", "scope": "selected", "confirm": "yes",
            "q": "", "tag": "stolen", "name": "Taken over", "description": "mine",
            "front": "taken", "back": "taken", "weak_answer": "w", "strong_answer": "s",
            "kind": "basic", "tags": "", "source": "", "title": "taken", "details": "",
            "minutes": "10", "day": tomorrow, "done": "y", "next": "/", "job": bob["job"],
            "on_duplicate": "update"}
    checked = []
    for rule, method in walk(app):
        values = {arg: bob[PATH_IDS[arg]] for arg in rule.arguments}
        path = app.url_map.bind("localhost").build(rule.endpoint, values, method=method,
                                                   force_external=False)
        token = login(client)
        if method == "GET":
            # All of bob's ids at once, then each alone (a deck that is refused first
            # must not hide what a card id alone would show).
            for variant in [query, *({key: query[key], "show": "1", "pick": "a"}
                                     for key in ("card", "deck", "task", "job", "action",
                                                 "ids"))]:
                response = client.get(path, query_string=variant)
                body = response.get_data(as_text=True)
                where = f"GET {rule.rule}?{sorted(variant)} -> {response.status_code}"
                assert response.status_code < 500, where
                assert SECRET not in body, f"{where} shows bob's data"
        else:
            data = {**form, "csrf_token": token}
            if rule.endpoint == "transfer.upload":
                data["file"] = (io.BytesIO(b"front,back\nQ,A\n"), "x.csv")
            response = client.post(path, query_string=query, data=data,
                                   content_type="multipart/form-data")
        body = response.get_data(as_text=True)
        where = f"{method} {rule.rule} -> {response.status_code}"
        assert response.status_code < 500, where
        assert SECRET not in body, f"{where} shows bob's data"
        checked.append(where)
        client.get("/")  # let a redirect's flash go
    after = bobs_rows(session, bob["user"])
    assert after == before, "bob's rows changed"
    # Ada's own card did not move into bob's deck either.
    users.for_user(session, ada["user"])
    assert cards.card_info(session, ada["card"], START).card.deck_id == ada["deck"]
    assert len(checked) > 30, checked
