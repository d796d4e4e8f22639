"""Personal FSRS parameters: run the optimiser on the user's review log, store what it
found, adopt what beats the parameters in use, and go back when the user asks.

The log is read and the fit computed in a read transaction; what it decided is stored
in a short write transaction of its own (as the plan does), so no write lock is held
while fsrs-rs works. Adopting parameters re-computes every card's memory state
(stability and difficulty) from its history with them; due dates stay as they are
until the user chooses to reschedule.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from typing import cast

import fsrs_rs_python as fsrs_rs
import numpy as np
from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from flashcards.core.days import study_date
from flashcards.core.fsrs_items import Answer, build_items, card_history
from flashcards.core.fsrs_vector import FsrsModel
from flashcards.core.optimizer import (
    CALIBRATION_MIN,
    EXAM_STABILITY_CAP,
    MIN_ITEMS,
    Fit,
    learn,
    recall_factor,
)
from flashcards.core.scheduling import CardState
from flashcards.db import begin_write
from flashcards.models import Card, FsrsFit, ReviewLog, Settings
from flashcards.scoping import OWNER
from flashcards.services.errors import ServiceError
from flashcards.services.settings import (
    get_settings,
    parameters_from,
    scheduler_config,
    time_zone,
)
from flashcards.services.users import owned, owner


def parameters_of(settings: Settings) -> tuple[float, ...]:
    """The FSRS parameters in use: the user's, or FSRS-6's defaults."""
    return parameters_from(settings.fsrs_parameters)


def _dump(parameters: Sequence[float] | None) -> str | None:
    return None if parameters is None else json.dumps([round(w, 6) for w in parameters])


def load_answers(session: Session) -> list[Answer]:
    """The user's review log as answers on study days (the user's zone and rollover
    hour), ordered by card and then by time."""
    settings = get_settings(session)
    zone, rollover = time_zone(settings), settings.rollover_hour
    new = int(CardState.NEW)
    # Declarative models map a Table; SQLAlchemy types __table__ as FromClause.
    logs = cast(Table, ReviewLog.__table__)
    rows = session.connection().execute(
        select(logs.c.card_id, logs.c.reviewed_at, logs.c.rating, logs.c.state_before)
        .where(logs.c.user_id == OWNER)
        .order_by(logs.c.card_id, logs.c.reviewed_at, logs.c.id))
    return [Answer(card_id, study_date(moment, zone, rollover).toordinal(), rating,
                   state == new)
            for card_id, moment, rating, state in rows]


@dataclass(frozen=True)
class Outcome:
    fit: Fit
    record: FsrsFit | None  # None for a dry run
    cards_updated: int = 0


# The phases optimise() reports to its `progress(done, len(PHASES))`.
PHASES = ("Reading your review history", "Fitting and evaluating parameters", "Saving")


def optimise(session: Session, now: datetime, *, dry_run: bool = False,
             progress: Callable[[int, int], None] | None = None) -> Outcome:
    """Learn parameters from the log and adopt them when they predict better. The
    caller commits (a dry run stores nothing). `progress(done, total)` hears of each
    phase as it starts (PHASES[done]), and of the end."""
    report = progress or (lambda done, total: None)
    report(0, len(PHASES))
    settings = get_settings(session)
    current = parameters_of(settings)
    answers = load_answers(session)
    report(1, len(PHASES))
    fit = learn(build_items(answers), current)
    if dry_run:
        session.rollback()
        return Outcome(fit, None)
    session.commit()  # ends the read: the write below is short
    report(2, len(PHASES))
    begin_write(session)
    settings = get_settings(session)
    record = FsrsFit(
        user_id=owner(session), created_at=now, reviews_used=fit.reviews_used,
        adopted=False, reason=fit.reason, parameters=_dump(fit.parameters),
        log_loss_before=fit.log_loss_before, rmse_bins_before=fit.rmse_bins_before,
        log_loss_after=fit.log_loss_after, rmse_bins_after=fit.rmse_bins_after)
    session.add(record)
    updated = 0
    # Adopted only if nobody changed the parameters meanwhile (another run, an undo).
    if fit.adopted and fit.parameters is not None and parameters_of(settings) == current:
        record.adopted = True
        record.previous_parameters = settings.fsrs_parameters
        settings.fsrs_parameters = _dump(fit.parameters)
        updated = recompute_memory(session, parameters_of(settings), answers)
    elif fit.adopted:
        record.reason = "The parameters were changed while the optimiser ran; nothing adopted."
    session.flush()
    report(3, len(PHASES))
    return Outcome(fit, record, updated)


def recompute_memory(session: Session, parameters: Sequence[float],
                     answers: Sequence[Answer] | None = None) -> int:
    """Every studied card's stability and difficulty from its history under
    `parameters` (due dates unchanged); cards without a history from their first answer
    (a schedule imported without it) keep theirs. `answers`: the log as load_answers
    read it in this transaction, if the caller has it. Returns how many changed."""
    session.flush()  # what the caller changed is written before the rows are expired
    cards = cast(Table, Card.__table__)
    studied = set(session.connection().execute(
        select(cards.c.id).where(cards.c.user_id == OWNER,
                                 cards.c.state != int(CardState.NEW))).scalars())
    histories = {}
    for card_id, group in groupby(load_answers(session) if answers is None else answers,
                                  key=lambda answer: answer.card_id):
        if card_id in studied:
            history = card_history(list(group))
            if history:
                histories[card_id] = history
    if not histories:
        return 0
    ids = list(histories)
    items = [fsrs_rs.FSRSItem([fsrs_rs.FSRSReview(r, d) for r, d in histories[i]]) for i in ids]
    states = fsrs_rs.FSRS(list(parameters)).memory_state_batch(items)
    session.connection().execute(
        update(cards).where(cards.c.id == bindparam("card_id"), cards.c.user_id == OWNER)
        .values(stability=bindparam("s"), difficulty=bindparam("d"),
                version=cards.c.version + 1),
        [{"card_id": i, "s": float(state.stability), "d": float(state.difficulty)}
         for i, state in zip(ids, states, strict=True)])
    session.expire_all()  # the cards' rows changed under the ORM
    return len(ids)


def latest_fit(session: Session) -> FsrsFit | None:
    return session.execute(select(FsrsFit).where(FsrsFit.user_id == owner(session))
                           .order_by(FsrsFit.created_at.desc(), FsrsFit.id.desc())
                           .limit(1)).scalar_one_or_none()


def source_fit(session: Session) -> FsrsFit | None:
    """The adopted fit the parameters in use come from (None: the defaults)."""
    settings = get_settings(session)
    if not settings.fsrs_parameters:
        return None
    return session.execute(select(FsrsFit).where(
        FsrsFit.user_id == owner(session), FsrsFit.adopted, FsrsFit.undone_at.is_(None),
        FsrsFit.parameters == settings.fsrs_parameters)
        .order_by(FsrsFit.id.desc()).limit(1)).scalar_one_or_none()


def undo_fit(session: Session, fit_id: int, now: datetime) -> int:
    """Go back to the parameters an adopted fit replaced (only while it is the one in
    use); memory states are re-computed with them. Returns the cards updated."""
    begin_write(session)
    record = owned(session, FsrsFit, fit_id, "optimiser run")
    settings = get_settings(session)
    if not record.adopted or record.undone_at is not None \
            or settings.fsrs_parameters != record.parameters:
        raise ServiceError("Those parameters are not the ones in use, so there is nothing "
                           "to go back from.")
    settings.fsrs_parameters = record.previous_parameters
    record.undone_at = now
    return recompute_memory(session, parameters_of(settings))


@dataclass(frozen=True)
class FsrsStatus:
    """What the settings page says about the parameters: where the ones in use come
    from and the latest run of the optimiser."""

    parameters: tuple[float, ...]
    source: FsrsFit | None  # the adopted run they come from; None: FSRS-6's defaults
    latest: FsrsFit | None
    min_reviews: int


def status(session: Session) -> FsrsStatus:
    return FsrsStatus(parameters_of(get_settings(session)), source_fit(session),
                      latest_fit(session), MIN_ITEMS)


# How often the optimiser runs by itself (at a study day's first visit) once the log
# is large enough: Anki leaves it to the user; a month of preparation cannot wait.
AUTO_EVERY = timedelta(days=7)
# A study day's first visit comes at another hour each day: runs a few hours short of
# a day (or a week) apart count as a day (or a week) apart.
_EARLY = timedelta(hours=4)


def auto_optimise(session: Session, now: datetime) -> Outcome | None:
    """Run the optimiser if the last run is a week old (or there was none) and the log
    holds enough answers to learn from; None when it was not due. The caller commits."""
    latest = latest_fit(session)
    if latest is not None:
        # Daily while the history was too short to learn from (such a run only counts
        # the items), weekly after.
        wait = timedelta(days=1) if latest.reviews_used < MIN_ITEMS else AUTO_EVERY
        if now - latest.created_at < wait - _EARLY:
            return None
    logs = cast(Table, ReviewLog.__table__)
    answers = session.connection().execute(
        select(func.count()).select_from(logs).where(logs.c.user_id == OWNER)).scalar_one()
    if answers < CALIBRATION_MIN:
        return None
    return optimise(session, now)


def reschedule(session: Session, now: datetime) -> int:
    """Due dates from the memory states under the parameters in use, when the user
    agrees to it after new parameters were adopted (Anki's "reschedule cards on
    change"): each review card is due its interval for the desired retention after its
    last review, and no earlier than now. Marks the adopted run rescheduled. Returns
    how many cards moved."""
    begin_write(session)
    settings = get_settings(session)
    model = FsrsModel.from_config(scheduler_config(settings))
    cards = cast(Table, Card.__table__)
    rows = session.connection().execute(
        select(cards.c.id, cards.c.stability, cards.c.last_review, cards.c.due)
        .where(cards.c.user_id == OWNER, cards.c.state == int(CardState.REVIEW),
               cards.c.stability.is_not(None), cards.c.last_review.is_not(None))).all()
    changes = []
    if rows:
        intervals = model.next_interval(np.array([row.stability for row in rows]))
        for row, days in zip(rows, intervals.tolist(), strict=True):
            due = max(row.last_review + timedelta(days=days), now)
            if abs((due - row.due).total_seconds()) >= 3600:
                changes.append({"card_id": row.id, "due": due})
    if changes:
        session.connection().execute(
            update(cards).where(cards.c.id == bindparam("card_id"), cards.c.user_id == OWNER)
            .values(due=bindparam("due"), version=cards.c.version + 1), changes)
    source = source_fit(session)
    if source is not None:
        source.rescheduled_at = now
    session.flush()
    session.expire_all()
    return len(changes)


# The latest review answers exam mode checks the model against (about a week's).
RECALL_WINDOW = 300


def stability_factor(session: Session, model: FsrsModel) -> float:
    """Exam mode's share of the card's stability it counts on when it checks recall on
    interview day: once the app learns from the user's answers (the optimiser has run,
    by itself or from Settings), what the user's latest review answers bear out
    (core.optimizer.recall_factor), and at most EXAM_STABILITY_CAP; 1 before that.

    Exam mode's only: the forecast's learner recalling with the measured factor (and
    the forecast's intervals shortened by it) made each morning's forecast of the days
    left worse with `benchmarks/simulate.py --misspecified` (3 seeds: 13.7% against
    14.6% to 27.5% over six variants). The factor measures how optimistic the model
    was at each answer (the stabilities logged then), which calibration and the
    optimiser have since corrected in the parameters in use: counted again, the
    forecast expects more reviews than come."""
    fits = cast(Table, FsrsFit.__table__)
    if session.connection().execute(
            select(fits.c.id).where(fits.c.user_id == OWNER).limit(1)).first() is None:
        return 1.0
    logs = cast(Table, ReviewLog.__table__)
    rows = session.connection().execute(
        select(logs.c.reviewed_at, logs.c.last_review_before, logs.c.stability_before,
               logs.c.rating)
        .where(logs.c.user_id == OWNER, logs.c.state_before == int(CardState.REVIEW),
               logs.c.stability_before.is_not(None), logs.c.last_review_before.is_not(None))
        .order_by(logs.c.reviewed_at.desc()).limit(RECALL_WINDOW)).all()
    elapsed = [(row.reviewed_at - row.last_review_before).total_seconds() / 86400
               for row in rows]
    measured = recall_factor(model, elapsed, [row.stability_before for row in rows],
                             [row.rating > 1 for row in rows])
    return min(EXAM_STABILITY_CAP, measured)
