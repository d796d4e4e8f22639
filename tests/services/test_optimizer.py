"""Personal FSRS parameters from the review log, on both databases."""

import json
from datetime import timedelta

import fsrs_rs_python as fsrs_rs
import numpy as np
import pytest
from sqlalchemy import select

from flashcards.core.fsrs_items import card_history
from flashcards.core.scheduling import DEFAULT_PARAMETERS
from flashcards.models import Card, FsrsFit, Settings
from flashcards.services import optimizer
from flashcards.services.errors import NotFound
from flashcards.services.settings import get_settings, scheduler_config
from tests.conftest import START
from tests.fsrs_learner import learner, store_history


def memory(session) -> dict[int, tuple[float, float]]:
    session.expire_all()
    return {c.id: (c.stability, c.difficulty) for c in session.execute(select(Card)).scalars()
            if c.stability is not None}


@pytest.fixture
def history(session):
    """About 700 answers of a learner who forgets faster than the defaults believe."""
    store_history(session, learner(700, scale=0.4, seed=3, per_card=10))
    return session


def test_learnt_parameters_are_adopted_stored_and_used_and_can_be_undone(history) -> None:
    session = history
    before = memory(session)
    dues = {c.id: c.due for c in session.execute(select(Card)).scalars()}
    outcome = optimizer.optimise(session, START + timedelta(days=200))
    session.commit()
    fit = outcome.fit
    assert fit.adopted, fit.reason
    assert fit.log_loss_after < fit.log_loss_before
    record = session.execute(select(FsrsFit)).scalar_one()
    settings = session.get(Settings, 1)
    assert record.adopted and record.previous_parameters is None
    assert json.loads(settings.fsrs_parameters) == pytest.approx(list(fit.parameters), abs=1e-6)
    # The scheduler and the plan use them.
    assert scheduler_config(get_settings(session)).parameters == pytest.approx(fit.parameters,
                                                                               abs=1e-6)
    # Every studied card's memory is re-computed from its history; due dates stay.
    after = memory(session)
    assert outcome.cards_updated == len(before) and set(after) == set(before)
    assert all(after[i] != before[i] for i in list(after)[:20])
    assert {c.id: c.due for c in session.execute(select(Card)).scalars()} == dues
    # ... as fsrs-rs computes it from the card's answers with the new parameters.
    card_id = next(iter(after))
    history_of = card_history([a for a in optimizer.load_answers(session)
                               if a.card_id == card_id])
    expected = fsrs_rs.FSRS(list(fit.parameters)).memory_state(
        fsrs_rs.FSRSItem([fsrs_rs.FSRSReview(r, d) for r, d in history_of]))
    assert after[card_id] == pytest.approx((expected.stability, expected.difficulty), rel=1e-5)
    assert optimizer.source_fit(session).id == record.id

    # Undo: back to the defaults, and memory states with them.
    optimizer.undo_fit(session, record.id, START + timedelta(days=201))
    session.commit()
    assert session.get(Settings, 1).fsrs_parameters is None
    assert scheduler_config(get_settings(session)).parameters == tuple(DEFAULT_PARAMETERS)
    restored = memory(session)
    assert all(restored[i] == pytest.approx(before[i], rel=1e-4) for i in before)
    assert optimizer.source_fit(session) is None


def test_a_dry_run_stores_and_changes_nothing(history) -> None:
    session = history
    before = memory(session)
    outcome = optimizer.optimise(session, START + timedelta(days=200), dry_run=True)
    session.commit()
    assert outcome.fit.adopted and outcome.record is None
    assert session.execute(select(FsrsFit)).first() is None
    assert session.get(Settings, 1).fsrs_parameters is None
    assert memory(session) == before


def test_a_short_history_keeps_the_defaults_and_says_why(session) -> None:
    store_history(session, learner(30, scale=0.4, seed=3, per_card=6))
    outcome = optimizer.optimise(session, START + timedelta(days=100))
    session.commit()
    record = session.execute(select(FsrsFit)).scalar_one()
    assert not record.adopted
    assert "calibrating needs 30 and the optimiser needs 200" in record.reason
    assert session.get(Settings, 1).fsrs_parameters is None
    assert outcome.cards_updated == 0


def test_another_users_run_cannot_be_undone(history) -> None:
    session = history
    record = optimizer.optimise(session, START + timedelta(days=200)).record
    session.commit()
    from flashcards.scoping import for_user
    for_user(session, 2)
    with pytest.raises(NotFound):
        optimizer.undo_fit(session, record.id, START + timedelta(days=201))


def test_a_history_too_short_for_the_optimiser_calibrates_and_reschedules(session) -> None:
    store_history(session, learner(150, scale=0.3, seed=5, per_card=6))
    dues = {c.id: c.due for c in session.execute(select(Card)).scalars()}
    outcome = optimizer.optimise(session, START + timedelta(days=60))
    session.commit()
    record = outcome.record
    assert record.adopted and record.reason.startswith("Calibrated on")
    assert outcome.fit.log_loss_after < outcome.fit.log_loss_before
    # Due dates stay until the user agrees to reschedule.
    assert {c.id: c.due for c in session.execute(select(Card)).scalars()} == dues
    now = START + timedelta(days=60)
    moved = optimizer.reschedule(session, now)
    session.commit()
    assert moved > 0
    config = scheduler_config(get_settings(session))
    from flashcards.core.fsrs_vector import FsrsModel
    model = FsrsModel.from_config(config)
    for card in session.execute(select(Card)).scalars():
        days = int(model.next_interval(np.array([card.stability]))[0])
        assert card.due == max(card.last_review + timedelta(days=days), now)
    assert session.get(FsrsFit, record.id).rescheduled_at == now
