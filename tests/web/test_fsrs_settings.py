"""Settings → Scheduler parameters: where they come from, Optimise now, go back."""

import re

import pytest
from sqlalchemy import select

from flashcards.models import FsrsFit, Settings
from tests.conftest import csrf_token
from tests.fsrs_learner import learner, store_history


@pytest.fixture(autouse=True)
def optimise_in_the_request(app):
    """Optimise now queues a job; here it runs in the request that queued it."""
    app.config["JOBS_IN_BACKGROUND"] = False


def section(page: str) -> str:
    match = re.search(r'<section class="panel fsrs-parameters".*?</section>', page, re.S)
    assert match
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


def test_optimise_now_adopts_shows_the_scores_and_goes_back(client, session) -> None:
    store_history(session, learner(700, scale=0.4, seed=3, per_card=10))
    page = client.get("/settings").get_data(as_text=True)
    assert "FSRS-6 defaults" in section(page) and "needs 200 reviews" in section(page)
    token = csrf_token(client)
    response = client.post("/settings/fsrs/optimise", data={"csrf_token": token},
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Adopted: log loss" in text and "due dates are unchanged" in text
    shown = section(text)
    record = session.execute(select(FsrsFit)).scalar_one()
    assert f"Optimised on {record.reviews_used} of your reviews" in shown
    assert f"Before {record.log_loss_before:.4f}" in shown
    assert f"Now {record.log_loss_after:.4f}" in shown
    client.post(f"/settings/fsrs/{record.id}/undo", data={"csrf_token": token})
    session.rollback()
    assert session.get(Settings, 1).fsrs_parameters is None
    assert "FSRS-6 defaults" in section(client.get("/settings").get_data(as_text=True))
    # Going back twice is refused with a message; nothing changes.
    again = client.post(f"/settings/fsrs/{record.id}/undo", data={"csrf_token": token},
                        follow_redirects=True)
    assert "not the ones in use" in again.get_data(as_text=True)


def test_a_short_history_says_why_nothing_changed(client, session) -> None:
    store_history(session, learner(25, scale=0.4, seed=3, per_card=5))
    response = client.post("/settings/fsrs/optimise", data={"csrf_token": csrf_token(client)},
                           follow_redirects=True)
    shown = section(response.get_data(as_text=True))
    assert "FSRS-6 defaults" in shown and "calibrating needs 30" in shown
    session.rollback()
    assert session.get(Settings, 1).fsrs_parameters is None


def test_optimise_needs_the_csrf_token(client) -> None:
    assert client.post("/settings/fsrs/optimise").status_code == 400


def test_the_first_visit_of_the_day_optimises_once_a_week(client, session, clock) -> None:
    store_history(session, learner(700, scale=0.4, seed=3, per_card=10))
    client.get("/")
    session.rollback()
    [first] = session.execute(select(FsrsFit)).scalars().all()
    assert first.adopted and session.get(Settings, 1).fsrs_parameters is not None
    # Later the same week: no second run, however often pages are opened.
    clock.advance(days=3)
    client.get("/")
    client.get("/")
    session.rollback()
    assert len(session.execute(select(FsrsFit)).scalars().all()) == 1
    # A week on, the first visit of the day runs it again.
    clock.advance(days=4)
    client.get("/")
    session.rollback()
    assert len(session.execute(select(FsrsFit)).scalars().all()) == 2


def test_no_run_by_itself_below_the_minimum_history_then_daily_until_it_learns(
        client, session, clock) -> None:
    store_history(session, learner(20, scale=0.4, seed=3, per_card=10))
    client.get("/")
    session.rollback()
    assert session.execute(select(FsrsFit)).first() is None  # too few answers to try
    store_history(session, learner(40, scale=0.4, seed=4, per_card=1), deck="More")
    client.get("/")  # the same study day: planned already, nothing runs
    clock.advance(days=1)
    client.get("/")
    session.rollback()
    [short] = session.execute(select(FsrsFit)).scalars().all()
    assert not short.adopted and "calibrating needs 30" in short.reason
    # The next day it tries again (not a week later), while the history is short.
    clock.advance(days=1)
    client.get("/")
    session.rollback()
    assert len(session.execute(select(FsrsFit)).scalars().all()) == 2


def test_reschedule_is_offered_after_adopting_and_then_done(client, session) -> None:
    store_history(session, learner(700, scale=0.4, seed=3, per_card=10))
    token = csrf_token(client)
    client.post("/settings/fsrs/optimise", data={"csrf_token": token})
    assert "Reschedule cards" in section(client.get("/settings").get_data(as_text=True))
    response = client.post("/settings/fsrs/reschedule", data={"csrf_token": token},
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert re.search(r"Due dates re-computed with the parameters in use: \d+ cards moved", text)
    assert "Reschedule cards" not in section(text)
