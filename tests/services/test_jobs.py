"""Jobs in the database (services/jobs.py): claimed once, heartbeating, taken over
when their worker stops, failed after the last attempt, and work committed only
together with "done". The clock is passed in: nothing here waits for real time."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from flashcards.models import Deck, Job
from flashcards.services import jobs
from flashcards.services.errors import NotFound
from tests.conftest import START, count_rows, every_user

SETTINGS = jobs.JobSettings(stale_after=timedelta(seconds=15), heartbeat_every=2.0,
                            max_attempts=2, poll_every=0.1)
CSV = b"front,back\nA,B\nC,D\n"
OPTIONS = {"file_name": "a.csv", "deck": "", "policy": "update", "default_deck": "A",
           "header": None, "columns": None}


@pytest.fixture
def engine(app):
    return app.extensions["flashcards.engine"]


def queued_import(session) -> str:
    token = jobs.create(session, jobs.IMPORT, START, data=CSV, options=OPTIONS)
    session.commit()
    jobs.enqueue(session, token, START)
    session.commit()
    return token


def claim(engine, worker: str, now, token=None):
    with jobs.write_briefly(engine) as connection:
        return jobs.claim(connection, worker, now, token)


def row(session, token: str) -> Job:
    session.rollback()
    return session.execute(every_user(select(Job).where(Job.token == token))).scalar_one()


def test_a_job_is_claimed_once_then_taken_over_then_failed(engine, session) -> None:
    token = queued_import(session)
    first = claim(engine, "a", START)
    assert first is not None and first.token == token and first.attempts == 1
    assert first.data == CSV and first.options["now"] == START.isoformat()
    assert claim(engine, "b", START) is None  # nobody else gets it
    # A live worker's heartbeat keeps it: 20 s after the start, 10 s after the last beat.
    with jobs.write_briefly(engine) as connection:
        assert jobs.heartbeat(connection, first.id, "a", START + timedelta(seconds=10),
                              (5, 10))
    assert jobs.resolve_stale(engine, START + timedelta(seconds=20), SETTINGS) == 0
    assert (row(session, token).state, row(session, token).done) == ("running", 5)
    # Silent for more than 15 s: back in the queue, to run again from the start.
    assert jobs.resolve_stale(engine, START + timedelta(seconds=26), SETTINGS) == 1
    taken = row(session, token)
    assert (taken.state, taken.worker, taken.done) == ("queued", None, 0)
    # The old worker, if it was only slow, finds the job is no longer its own...
    with jobs.write_briefly(engine) as connection:
        assert not jobs.heartbeat(connection, first.id, "a", START + timedelta(seconds=27))
    session.rollback()
    assert not jobs.finish(session, first.id, "a", START, {"counts": {}})
    session.rollback()
    # ...and another worker runs it (the second attempt).
    second = claim(engine, "b", START + timedelta(seconds=30))
    assert second is not None and second.attempts == 2
    # It stops too: the last attempt is spent, so the job fails with a clear message,
    # its upload dropped, never left running.
    assert jobs.resolve_stale(engine, START + timedelta(seconds=60), SETTINGS) == 1
    failed = row(session, token)
    assert failed.state == "failed" and failed.data is None
    assert failed.error == "The worker running this import stopped; nothing was imported."
    assert claim(engine, "c", START + timedelta(minutes=2)) is None


def test_a_confirmed_upload_is_queued_once(session) -> None:
    token = jobs.create(session, jobs.IMPORT, START, data=CSV, options=OPTIONS)
    session.commit()
    assert jobs.upload(session, token) == (CSV, OPTIONS)
    with pytest.raises(NotFound):  # not a job to show until confirmed
        jobs.status(jobs.find(session, token))
    jobs.enqueue(session, token, START)
    session.commit()
    with pytest.raises(NotFound):
        jobs.enqueue(session, token, START)
    session.rollback()
    with pytest.raises(NotFound):
        jobs.upload(session, token)
    session.rollback()
    assert jobs.status(jobs.find(session, token))["state"] == "queued"


def runner(app, engine, handler, clock=lambda: START) -> jobs.Runner:
    return jobs.Runner(engine, app.extensions["flashcards.sessionmaker"], clock,
                       {jobs.IMPORT: handler, jobs.OPTIMISE: handler}, SETTINGS)


def add_deck(session, name: str) -> None:
    session.add(Deck(user_id=1, name=name, name_key=name.lower(), description="",
                     created_at=START))
    session.flush()


def test_the_work_and_done_are_committed_together(app, engine, session) -> None:
    token = queued_import(session)

    def work(job_session, job, progress):
        progress(1, 2)
        add_deck(job_session, "From the job")
        progress(2, 2)
        return {"decks": 1}

    runner(app, engine, work).run_now(token)
    done = row(session, token)
    assert (done.state, json.loads(done.result), done.data) == ("done", {"decks": 1}, None)
    assert session.execute(select(func.count()).select_from(Deck)
                           .where(Deck.name == "From the job")).scalar_one() == 1


def test_a_worker_whose_job_was_taken_over_rolls_its_work_back(app, engine, session) -> None:
    token = queued_import(session)

    def work(job_session, job, progress):
        # Meanwhile its heartbeat went stale and another process requeued the job.
        assert jobs.resolve_stale(engine, START + timedelta(minutes=1), SETTINGS) == 1
        add_deck(job_session, "Twice")
        return {}

    runner(app, engine, work).run_now(token)
    assert row(session, token).state == "queued"  # for its new runner
    assert session.execute(select(func.count()).select_from(Deck)
                           .where(Deck.name == "Twice")).scalar_one() == 0


def test_a_failing_job_says_why_and_writes_nothing(app, engine, session) -> None:
    token = queued_import(session)

    def work(job_session, job, progress):
        add_deck(job_session, "Half done")
        raise ValueError("line 3: the front is empty")

    runner(app, engine, work).run_now(token)
    failed = row(session, token)
    assert (failed.state, failed.error, failed.data) == (
        "failed", "line 3: the front is empty", None)
    assert session.execute(select(func.count()).select_from(Deck)
                           .where(Deck.name == "Half done")).scalar_one() == 0


def test_a_second_optimise_while_one_waits_starts_nothing(session) -> None:
    first = jobs.enqueue_optimise(session, START)
    session.commit()
    assert jobs.enqueue_optimise(session, START) == first
    session.commit()
    assert count_rows(session, Job) == 1
    session.execute(every_user(select(Job))).scalar_one().state = "done"
    session.commit()
    assert jobs.enqueue_optimise(session, START) != first
    session.commit()
    assert count_rows(session, Job) == 2


def test_jobs_are_forgotten_after_a_day_but_not_while_running(engine, session) -> None:
    old = queued_import(session)
    waiting = jobs.create(session, jobs.IMPORT, START, data=CSV, options=OPTIONS)
    session.commit()
    assert claim(engine, "a", START, old) is not None
    later = START + timedelta(hours=25)
    jobs.create(session, jobs.IMPORT, later, data=CSV, options=OPTIONS)  # cleans on the way
    session.commit()
    tokens = set(session.execute(every_user(select(Job.token))).scalars())
    assert old in tokens and waiting not in tokens and len(tokens) == 2


def test_the_background_runner_picks_up_queued_jobs(app, engine, session) -> None:
    token = queued_import(session)
    own = runner(app, engine, lambda s, job, progress: {"ran": job.token})
    own.wake()
    try:
        deadline = time.monotonic() + 30
        while row(session, token).state != "done":
            assert time.monotonic() < deadline, row(session, token).state
            time.sleep(0.05)
    finally:
        own.stop()
    assert json.loads(row(session, token).result) == {"ran": token}


def test_an_unexpected_error_is_logged_not_shown(app, engine, session, caplog) -> None:
    token = queued_import(session)

    def work(job_session, job, progress):
        raise RuntimeError("connection to 10.0.0.5 lost; SELECT secret FROM ...")

    runner(app, engine, work).run_now(token)
    failed = row(session, token)
    assert failed.state == "failed" and "10.0.0.5" not in failed.error
    assert failed.error == jobs.UNEXPECTED[jobs.IMPORT]
    assert "10.0.0.5" in caplog.text


def test_workers_claiming_at_once_each_get_other_jobs(engine, session) -> None:
    """Eight workers claim from one queue at the same time (SKIP LOCKED on PostgreSQL,
    the write lock on SQLite): every job is claimed by exactly one of them."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy.exc import OperationalError

    tokens = {queued_import(session) for _ in range(24)}

    def worker(name: str) -> list[str]:
        mine = []
        while True:
            try:
                claimed = claim(engine, name, START)
            except OperationalError:  # SQLite's lock busy for longer than a brief wait
                time.sleep(0.01)
                continue
            if claimed is None:
                return mine
            mine.append(claimed.token)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(worker, [f"w{i}" for i in range(8)]))
    claimed = [token for result in results for token in result]
    assert sorted(claimed) == sorted(tokens)  # all of them, none twice
    session.rollback()
    workers = dict(session.execute(every_user(select(Job.token, Job.worker))).all())
    assert all(workers[token] == f"w{i}" for i, result in enumerate(results)
               for token in result)
