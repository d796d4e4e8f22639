"""Job pages: another user's token is not found; asking for a job's progress takes
over a job whose worker stopped; Optimise now is a job with a progress page, and a
second click while it runs starts nothing."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from flashcards.models import Job
from flashcards.services import jobs, users
from tests.conftest import START, count_rows, csrf_token, every_user
from tests.fsrs_learner import learner, store_history
from tests.web.test_isolation import PASSWORD, login
from tests.web.test_transfer import TOKEN_RE, card_count, upload

OPTIONS = {"file_name": "bob.csv", "deck": "", "policy": "update", "default_deck": "bob",
           "header": None, "columns": None}


@pytest.fixture
def in_the_request(app):
    app.config["JOBS_IN_BACKGROUND"] = False
    return app


def job_row(session, token: str) -> Job:
    session.rollback()
    return session.execute(every_user(select(Job).where(Job.token == token))).scalar_one()


def test_another_users_job_is_not_found(in_the_request, client, session) -> None:
    ada = users.create_user(session, "ada", PASSWORD, START).user.id
    bob = users.create_user(session, "bob", PASSWORD, START).user.id
    session.commit()
    users.for_user(session, bob)
    done = jobs.create(session, jobs.IMPORT, START, data=b"front,back\nBOB,x\n",
                       options=OPTIONS, state=jobs.QUEUED)
    optimising = jobs.enqueue_optimise(session, START)
    session.commit()
    session.execute(select(Job).where(Job.token == done)).scalar_one().state = jobs.DONE
    session.execute(select(Job).where(Job.token == done)).scalar_one().result = json.dumps(
        {"counts": {"new": 1, "updated": 0, "unchanged": 0, "rejected": 0},
         "new_decks": ["BOBSECRET"], "file_name": "bob.csv"})
    session.commit()
    login(client, "ada")
    for path in (f"/import/{done}", f"/import/{done}.json", f"/settings/fsrs/job/{optimising}",
                 f"/settings/fsrs/job/{optimising}.json",
                 f"/settings/fsrs/job/{done}",  # a token of the wrong kind, even one's own
                 "/import/" + "x" * 24, "/settings/fsrs/job/" + "x" * 24):
        assert client.get(path).status_code == 404, path
    # Bob's queued optimiser did not run for ada (nor as ada) either.
    assert job_row(session, optimising).state == jobs.QUEUED
    assert users.for_user(session, ada) and count_rows(session, Job) == 2
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, "bob")
    page = client.get(f"/import/{done}").get_data(as_text=True)
    assert "bob.csv: 1 new" in page and "BOBSECRET" in page


def test_asking_for_progress_takes_over_a_job_whose_worker_stopped(
        in_the_request, app, client, session, clock) -> None:
    page = upload(client, b"front,back\nA,B\nC,D\n", name="two.csv").get_data(as_text=True)
    token = TOKEN_RE.search(page).group(1)
    session.rollback()
    jobs.enqueue(session, token, START)
    session.commit()
    # A worker (of another server) claimed it, then died without a word.
    with jobs.write_briefly(app.extensions["flashcards.engine"]) as connection:
        assert jobs.claim(connection, "gone:1", START, token) is not None
    status = client.get(f"/import/{token}.json").get_json()
    assert status["state"] == "running"  # heard from just now: not stale yet
    clock.advance(seconds=app.config["JOB_STALE_SECONDS"] + 1)
    status = client.get(f"/import/{token}.json").get_json()
    assert status["state"] == "done", status  # requeued, and run here
    assert status["attempts"] == 2 and status["result"]["counts"]["new"] == 2
    assert card_count(session) == 2


def test_a_job_that_stopped_twice_is_shown_failed(in_the_request, app, client,
                                                  session, clock) -> None:
    page = upload(client, b"front,back\nA,B\n").get_data(as_text=True)
    token = TOKEN_RE.search(page).group(1)
    session.rollback()
    jobs.enqueue(session, token, START)
    session.commit()
    engine = app.extensions["flashcards.engine"]
    for attempt in range(app.config["JOB_MAX_ATTEMPTS"]):
        with jobs.write_briefly(engine) as connection:
            if attempt:
                jobs.take_over_stale(connection, clock(), jobs.JobSettings())
            assert jobs.claim(connection, f"gone:{attempt}", clock(), token) is not None
        clock.advance(seconds=app.config["JOB_STALE_SECONDS"] + 1)
    page = client.get(f"/import/{token}").get_data(as_text=True)
    assert "Import failed" in page
    assert "The worker running this import stopped; nothing was imported." in page
    assert card_count(session) == 0


def test_optimise_now_shows_progress_and_a_second_click_starts_nothing(
        in_the_request, app, client, session) -> None:
    store_history(session, learner(700, scale=0.4, seed=3, per_card=10))
    token = csrf_token(client)
    # Another server is running the optimiser for this user.
    running = jobs.enqueue_optimise(session, START)
    session.commit()
    with jobs.write_briefly(app.extensions["flashcards.engine"]) as connection:
        assert jobs.claim(connection, "elsewhere:1", START) is not None
    assert "The optimiser is running" in client.get("/settings").get_data(as_text=True)
    response = client.post("/settings/fsrs/optimise", data={"csrf_token": token})
    assert response.headers["Location"] == f"/settings/fsrs/job/{running}"
    assert count_rows(session, Job) == 1
    # Its page works without JavaScript: the phase, and a link to refresh it (no timed
    # refresh: it would pull the page from under a screen reader's user).
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page
    assert "Reading your review history…" in page
    assert re.search(rf'href="/settings/fsrs/job/{running}">Refresh</a>', page)
    status = client.get(f"/settings/fsrs/job/{running}.json").get_json()
    assert (status["state"], status["kind"]) == ("running", "optimise")
    # Once it has ended, a click runs a new one, and its page leads back to Settings.
    job_row(session, running).state = jobs.DONE
    session.commit()
    again = client.post("/settings/fsrs/optimise", data={"csrf_token": token})
    assert again.headers["Location"] != f"/settings/fsrs/job/{running}"
    shown = client.get(again.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Adopted: log loss" in shown, re.sub(r"<[^>]+>", " ", shown)[:3000]
    assert re.search(r"Optimised</strong> on \d+ of your reviews", shown)


def test_an_import_is_not_undone_by_its_own_heartbeat(in_the_request, app, client,
                                                      session) -> None:
    """On SQLite a transaction that read and then writes fails if another write was
    committed in between: the import must hold the write lock from its start, or the
    heartbeat written while it reads the file would fail it."""
    app.config["JOB_STALE_SECONDS"] = 0.2  # heartbeats every 0.05 s
    rows = 50_000  # read for well over a heartbeat's 0.05 s
    # Short rows: under 500 kB, which the test client would spool to a file it leaks.
    data = b"front,back\n" + b"".join(b"%d,a\n" % i for i in range(rows))
    token = TOKEN_RE.search(upload(client, data).get_data(as_text=True)).group(1)
    client.post(f"/import/{token}/confirm", data={"csrf_token": csrf_token(client)})
    status = client.get(f"/import/{token}.json").get_json()
    assert status["state"] == "done", status
    assert card_count(session) == rows
