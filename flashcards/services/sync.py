"""Answers given offline (on the train), applied once back online.

Each answer goes through study.grade with the time it was given, in time order, so the
card ends as answering online at those times would have left it. The client's answer
id is stored with the log entry: a retry, a second tab or a double sync records it once.

An answer for a card graded elsewhere since the client's copy (the card's log has
entries for the version the client saw or later) is merged: given after those, it is
graded on the card as it is now; given before them, it goes into the log in its place
in time and the card's stability and difficulty are recomputed from the whole history
(as the optimiser does; the due date the latest answer set stays). An answer dated
before the card's last review while nothing was graded since the client's copy can
only come from a wrong clock (the client had seen that review), so it is refused.

One transaction for the whole request: nothing is half-applied, and the client keeps
its queue until the answer to the request says what became of each item, so a failed
request (a lost connection, a crash) is simply sent again and loses nothing.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import fsrs_rs_python as fsrs_rs
from sqlalchemy import Table, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flashcards.core.days import study_date, study_day
from flashcards.core.fsrs_items import Answer, card_history
from flashcards.core.scheduling import CardState, Rating, Scheduler
from flashcards.core.sync import ItemResult, OfflineAnswer, Status, counts_of, parse_answers
from flashcards.db import begin_write, commit_retrying_once
from flashcards.models import Card, ReviewLog
from flashcards.scoping import OWNER
from flashcards.services import study
from flashcards.services.optimizer import parameters_of
from flashcards.services.settings import get_settings, scheduler_config, time_zone
from flashcards.services.users import owner

_CARDS = cast(Table, Card.__table__)
_LOGS = cast(Table, ReviewLog.__table__)
_CARD = select(_CARDS.c.id, _CARDS.c.version, _CARDS.c.last_review).where(
    _CARDS.c.user_id == OWNER)


@dataclass(frozen=True, slots=True)
class SyncReport:
    results: list[ItemResult]  # in the request's order

    def to_json(self) -> dict[str, object]:
        return {"results": [result.to_json() for result in self.results],
                "counts": counts_of(self.results)}


def apply_answers(session: Session, now: datetime, items: Sequence[object], *,
                  rng: random.Random | None = None) -> SyncReport:
    """Record the offline answers `items` (the request's JSON list) in one write
    transaction, not committed; each item's result says what became of it."""
    begin_write(session)
    answers, results = parse_answers(list(items), now)
    batch = _Batch(session, answers)
    for answer in answers:
        results.append(_apply(session, answer, batch, rng))
    session.flush()
    return SyncReport(sorted(results, key=lambda result: result.index))


# Ids per IN (...) list: well under SQLite's and PostgreSQL's limits on parameters.
_CHUNK = 500


class _Batch:
    """What the request's answers need to know before each is applied, read in a few
    statements for the whole request (not three per answer) and kept up to date as
    they are applied: the ids already recorded, each card's version and last review."""

    def __init__(self, session: Session, answers: list[OfflineAnswer]) -> None:
        connection = session.connection()
        ids = sorted({answer.id for answer in answers})
        card_ids = sorted({answer.card_id for answer in answers})
        self.recorded: set[str] = set()
        self.cards: dict[int, tuple[int, datetime | None]] = {}
        for start in range(0, len(ids), _CHUNK):
            self.recorded.update(connection.execute(
                select(_LOGS.c.client_answer_id).where(
                    _LOGS.c.user_id == OWNER,
                    _LOGS.c.client_answer_id.in_(ids[start:start + _CHUNK]))).scalars())
        for start in range(0, len(card_ids), _CHUNK):
            for card_id, version, last_review in connection.execute(
                    _CARD.where(_CARDS.c.id.in_(card_ids[start:start + _CHUNK]))):
                self.cards[card_id] = (version, last_review)
        self.ours: set[int] = set()  # log entries this request wrote


def sync(session: Session, now: datetime, items: Sequence[object], *,
         rng: random.Random | None = None) -> SyncReport:
    """apply_answers, committed. Another request recording the same answer first (two
    tabs syncing at once) makes this one's write fail: it is tried once more and then
    finds those answers recorded. On any error everything is rolled back."""
    return commit_retrying_once(
        session, lambda: apply_answers(session, now, items, rng=rng), (IntegrityError,))


def _apply(session: Session, answer: OfflineAnswer, batch: _Batch,
           rng: random.Random | None) -> ItemResult:
    def result(status: Status, reason: str = "") -> ItemResult:
        return ItemResult(answer.index, answer.id, status, reason)

    if answer.id in batch.recorded:
        return result(Status.DUPLICATE, "Already recorded by an earlier sync.")
    card = batch.cards.get(answer.card_id)
    if card is None:  # another user's card is as missing as a deleted one
        return result(Status.REFUSED, f"There is no card {answer.card_id}: it was deleted "
                                      "(or never existed), so the answer was not applied.")
    version, last_review = card
    if answer.version > version:
        return result(Status.REFUSED, f"Card {answer.card_id} has no version "
                                      f"{answer.version} yet (it is at {version}).")
    since: set[int] = set()
    if answer.version < version:  # a grade bumps the version: none since without a bump
        since = set(session.connection().execute(
            select(_LOGS.c.id).where(_LOGS.c.card_id == answer.card_id,
                                     _LOGS.c.user_id == OWNER,
                                     _LOGS.c.card_version >= answer.version)).scalars())
    elsewhere = bool(since - batch.ours)
    if last_review is not None and answer.reviewed_at < last_review:
        if not since:
            return result(Status.REFUSED, "Dated before the card's last review "
                                          f"({last_review.isoformat()}), which the device had "
                                          "already seen: check the device's clock.")
        batch.ours.add(_insert_in_history(session, answer, version, rng))
        batch.recorded.add(answer.id)
        batch.cards[answer.card_id] = (version + 1, last_review)
        return result(Status.MERGED, "The card was also answered elsewhere after this answer: "
                                     "both are kept, its memory state recomputed.")
    outcome = study.grade(session, answer.card_id, version, Rating(answer.rating),
                          answer.reviewed_at, duration_ms=answer.duration_ms, rng=rng,
                          client_answer_id=answer.id)
    batch.ours.add(outcome.log_id)
    batch.recorded.add(answer.id)
    batch.cards[answer.card_id] = (version + 1, answer.reviewed_at)
    if elsewhere:
        return result(Status.MERGED, "The card was also answered elsewhere before this "
                                     "answer: both are kept, this one applied after it.")
    return result(Status.APPLIED)


def _insert_in_history(session: Session, answer: OfflineAnswer, version: int,
                       rng: random.Random | None) -> int:
    """Put `answer` in the card's log at its time, and recompute the card's stability
    and difficulty from the whole history; returns the new log entry's id."""
    connection = session.connection()
    settings = get_settings(session)
    zone, rollover = time_zone(settings), settings.rollover_hour
    logs = session.execute(
        select(ReviewLog).where(ReviewLog.card_id == answer.card_id,
                                ReviewLog.user_id == OWNER)
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)).scalars().all()
    earlier = [log for log in logs if log.reviewed_at <= answer.reviewed_at]
    # The card as it was when the answer was given: after the answer before it.
    before = earlier[-1].schedule_after(0, 0) if earlier else logs[0].schedule_before(0, 0)
    elapsed = None
    if before.last_review is not None:
        elapsed = (study_day(answer.reviewed_at, zone, rollover).date
                   - study_day(before.last_review, zone, rollover).date).days
    after = Scheduler(scheduler_config(settings), rng).review(
        answer.card_id, before, Rating(answer.rating), answer.reviewed_at,
        elapsed_days=elapsed)
    log = ReviewLog(
        card_id=answer.card_id, user_id=owner(session), reviewed_at=answer.reviewed_at,
        rating=answer.rating, duration_ms=_clamped(answer.duration_ms),
        card_version=version, client_answer_id=answer.id,
        state_before=int(before.state), step_before=before.step,
        stability_before=before.stability, difficulty_before=before.difficulty,
        due_before=before.due, last_review_before=before.last_review,
        state_after=int(after.state), step_after=after.step, stability_after=after.stability,
        difficulty_after=after.difficulty, due_after=after.due)
    session.add(log)
    session.flush()
    history = card_history(
        [Answer(answer.card_id, study_date(entry.reviewed_at, zone, rollover).toordinal(),
                entry.rating, entry.state_before == int(CardState.NEW))
         for entry in sorted([*logs, log], key=lambda entry: (entry.reviewed_at, entry.id))])
    values: dict[str, object] = {"reps": _CARDS.c.reps + 1, "version": _CARDS.c.version + 1}
    if before.state == CardState.REVIEW and answer.rating == int(Rating.AGAIN):
        values["lapses"] = _CARDS.c.lapses + 1
    if history:
        item = fsrs_rs.FSRSItem([fsrs_rs.FSRSReview(r, d) for r, d in history])
        state = fsrs_rs.FSRS(list(parameters_of(settings))).memory_state_batch([item])[0]
        values.update(stability=float(state.stability), difficulty=float(state.difficulty))
    connection.execute(update(_CARDS).where(_CARDS.c.id == answer.card_id,
                                            _CARDS.c.user_id == OWNER).values(values))
    loaded = session.identity_map.get(session.identity_key(Card, answer.card_id))
    if loaded is not None:
        session.expire(loaded)
    return log.id


def _clamped(duration_ms: int | None) -> int | None:
    return None if duration_ms is None else max(0, min(duration_ms, study.MAX_ANSWER_MS))


