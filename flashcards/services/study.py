"""The daily review loop: what is due today, grading, undo, bury and suspend.

"Today" is the user's study day (time zone + rollover hour). Daily limits are
for the whole collection, as a parent deck's limits are in Anki: 20 new cards a
day means 20 in all, whichever decks they come from.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from flashcards.core.days import StudyDay, study_day
from flashcards.core.scheduling import LEARN_AHEAD, CardState, Rating, Scheduler
from flashcards.db import begin_write
from flashcards.models import Card, Deck, ReviewLog, Settings
from flashcards.services.errors import NotFound, NothingToUndo, StaleCard
from flashcards.services.settings import get_settings, scheduler_config, time_zone

LEARNING_STATES = (int(CardState.LEARNING), int(CardState.RELEARNING))
# Anki's cap on the time counted for one answer.
MAX_ANSWER_MS = 60_000


@dataclass(frozen=True, slots=True)
class Today:
    """The study day as of `now`, with what is left of the daily limits."""

    now: datetime
    day: StudyDay
    settings: Settings
    new_studied: int
    reviews_done: int
    studied: int

    @property
    def new_left(self) -> int:
        return max(0, self.settings.new_per_day - self.new_studied)

    @property
    def reviews_left(self) -> int:
        return max(0, self.settings.max_reviews_per_day - self.reviews_done)


@dataclass(frozen=True, slots=True)
class QueueCounts:
    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


@dataclass(frozen=True, slots=True)
class DeckOverview:
    deck_id: int
    name: str
    description: str
    counts: QueueCounts
    total_cards: int


@dataclass(frozen=True, slots=True)
class GradeOutcome:
    card: Card
    log: ReviewLog
    # True when this exact grade had already been applied (a double click or a retry).
    duplicate: bool


@dataclass(frozen=True, slots=True)
class UndoAction:
    """What the last action on the review screen did, so it can be taken back."""

    kind: str  # "review", "bury" or "suspend"
    card_id: int
    log_id: int | None = None
    buried_until: datetime | None = None

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "card_id": self.card_id, "log_id": self.log_id,
                "buried_until": self.buried_until.isoformat() if self.buried_until else None}

    @classmethod
    def from_dict(cls, data: object) -> UndoAction | None:
        if not isinstance(data, dict) or data.get("kind") not in ("review", "bury", "suspend"):
            return None
        try:
            buried = data.get("buried_until")
            return cls(str(data["kind"]), int(data["card_id"]),
                       int(data["log_id"]) if data.get("log_id") is not None else None,
                       datetime.fromisoformat(buried) if buried else None)
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True, slots=True)
class DaySummary:
    reviewed: int
    by_rating: dict[Rating, int]
    seconds: int
    next_learning_due: datetime | None


def today(session: Session, now: datetime) -> Today:
    """The study day containing `now`, and how much of today's limits is used."""
    settings = get_settings(session)
    day = study_day(now, time_zone(settings), settings.rollover_hour)
    new_studied, reviews_done, studied = session.execute(
        select(
            func.count().filter(ReviewLog.state_before == int(CardState.NEW)),
            func.count().filter(ReviewLog.state_before == int(CardState.REVIEW)),
            func.count(),
        ).where(ReviewLog.reviewed_at >= day.start, ReviewLog.reviewed_at < day.end)
    ).one()
    return Today(now, day, settings, new_studied, reviews_done, studied)


def _available(now: datetime) -> ColumnElement[bool]:
    return and_(Card.suspended.is_(False),
                or_(Card.buried_until.is_(None), Card.buried_until <= now))


def _in_deck(query: Select[tuple[int]] | Select[tuple[Card]], deck_id: int | None):  # type: ignore[no-untyped-def]
    return query if deck_id is None else query.where(Card.deck_id == deck_id)


def _learning_due(cutoff: datetime) -> ColumnElement[bool]:
    return and_(Card.state.in_(LEARNING_STATES), Card.due <= cutoff)


def _review_due(day: StudyDay) -> ColumnElement[bool]:
    return and_(Card.state == int(CardState.REVIEW), Card.due < day.end)


def _capped_count(session: Session, where: ColumnElement[bool], deck_id: int | None,
                  cap: int | None, now: datetime) -> int:
    if cap == 0:
        return 0
    ids = _in_deck(select(Card.id).where(where, _available(now)), deck_id)
    if cap is not None:
        ids = ids.limit(cap)
    return session.execute(select(func.count()).select_from(ids.subquery())).scalar_one()


def queue_counts(session: Session, today_: Today, deck_id: int | None = None) -> QueueCounts:
    """New, learning and review cards left today (limits applied), for one deck or all."""
    now = today_.now
    return QueueCounts(
        new=_capped_count(session, Card.state == int(CardState.NEW), deck_id,
                          today_.new_left, now),
        learning=_capped_count(session, _learning_due(now + LEARN_AHEAD), deck_id, None, now),
        review=_capped_count(session, _review_due(today_.day), deck_id,
                             today_.reviews_left, now),
    )


def next_card(session: Session, today_: Today, deck_id: int | None = None) -> Card | None:
    """The card to show next: learning cards that are due, then reviews, then new cards,
    then learning cards due within the learn-ahead limit (as Anki does)."""
    now = today_.now
    queries = [_in_deck(select(Card).where(_learning_due(now)).order_by(Card.due), deck_id)]
    if today_.reviews_left:
        queries.append(_in_deck(
            select(Card).where(_review_due(today_.day)).order_by(Card.due), deck_id))
    if today_.new_left:
        queries.append(_in_deck(
            select(Card).where(Card.state == int(CardState.NEW)).order_by(Card.position, Card.id),
            deck_id))
    queries.append(_in_deck(
        select(Card).where(_learning_due(now + LEARN_AHEAD)).order_by(Card.due), deck_id))
    for query in queries:
        card = session.execute(query.where(_available(now)).limit(1)).scalar_one_or_none()
        if card is not None:
            return card
    return None


def deck_overview(session: Session, today_: Today) -> list[DeckOverview]:
    """Every deck with what is left to study in it today."""
    totals = dict(session.execute(
        select(Card.deck_id, func.count()).group_by(Card.deck_id)).all())
    decks = session.execute(select(Deck).order_by(Deck.name)).scalars().all()
    return [
        DeckOverview(deck.id, deck.name, deck.description,
                     queue_counts(session, today_, deck.id), totals.get(deck.id, 0))
        for deck in decks
    ]


def get_card(session: Session, card_id: int) -> Card:
    card = session.get(Card, card_id)
    if card is None:
        raise NotFound(f"There is no card {card_id}.")
    return card


def grade(
    session: Session,
    card_id: int,
    version: int,
    rating: Rating,
    now: datetime,
    *,
    duration_ms: int | None = None,
    rng: random.Random | None = None,
) -> GradeOutcome:
    """Apply one grade to the card version the user saw, exactly once.

    A repeat of the grade that was just applied (double click, retry) returns
    the earlier outcome and writes nothing; any other grade for an old version
    raises StaleCard.
    """
    begin_write(session)
    card = session.get(Card, card_id, with_for_update=True)
    if card is None:
        raise NotFound(f"There is no card {card_id}.")
    if card.version != version:
        last = session.execute(
            select(ReviewLog).where(ReviewLog.card_id == card_id)
            .order_by(ReviewLog.id.desc()).limit(1)
        ).scalar_one_or_none()
        if last is not None and last.card_version == version and last.rating == int(rating):
            return GradeOutcome(card, last, duplicate=True)
        raise StaleCard(card_id, card.version)
    scheduler = Scheduler(scheduler_config(get_settings(session)), rng)
    before = card.schedule
    after = scheduler.review(card.id, before, rating, now)
    if duration_ms is not None:
        duration_ms = max(0, min(duration_ms, MAX_ANSWER_MS))
    log = ReviewLog(
        card_id=card.id, reviewed_at=now, rating=int(rating), duration_ms=duration_ms,
        card_version=card.version,
        state_before=int(before.state), step_before=before.step,
        stability_before=before.stability, difficulty_before=before.difficulty,
        due_before=before.due, last_review_before=before.last_review,
        state_after=int(after.state), step_after=after.step, stability_after=after.stability,
        difficulty_after=after.difficulty, due_after=after.due,
    )
    card.set_schedule(after)
    session.add(log)
    session.flush()
    return GradeOutcome(card, log, duplicate=False)


def undo(session: Session, now: datetime, action: UndoAction | None) -> Card:
    """Take back the last review-screen action; without one, the latest review today."""
    begin_write(session)
    if action is None or action.kind == "review":
        return _undo_review(session, today(session, now), action.log_id if action else None)
    card = get_card(session, action.card_id)
    if action.kind == "bury":
        card.buried_until = action.buried_until
    else:
        card.suspended = False
    session.flush()
    return card


def _undo_review(session: Session, today_: Today, log_id: int | None) -> Card:
    if log_id is None:
        log = session.execute(
            select(ReviewLog).where(ReviewLog.reviewed_at >= today_.day.start)
            .order_by(ReviewLog.id.desc()).limit(1)
        ).scalar_one_or_none()
    else:
        log = session.get(ReviewLog, log_id)
    if log is None:
        raise NothingToUndo("There is no review to undo.")
    card = get_card(session, log.card_id)
    if (card.state, card.due, card.last_review) != (log.state_after, log.due_after,
                                                    log.reviewed_at):
        raise NothingToUndo("That card has been reviewed or changed since, so the review "
                            "cannot be undone.")
    lapsed = log.state_before == int(CardState.REVIEW) and log.rating == int(Rating.AGAIN)
    card.set_schedule(log.schedule_before(card.reps - 1, card.lapses - (1 if lapsed else 0)))
    session.delete(log)
    session.flush()
    return card


def _check_version(card: Card, version: int) -> None:
    if card.version != version:
        raise StaleCard(card.id, card.version)


def bury(session: Session, now: datetime, card_id: int, version: int) -> UndoAction:
    """Hide the card until the next study day starts."""
    begin_write(session)
    card = get_card(session, card_id)
    _check_version(card, version)
    action = UndoAction("bury", card.id, buried_until=card.buried_until)
    card.buried_until = today(session, now).day.end
    session.flush()
    return action


def suspend(session: Session, card_id: int, version: int) -> UndoAction:
    """Take the card out of reviews until it is unsuspended."""
    begin_write(session)
    card = get_card(session, card_id)
    _check_version(card, version)
    card.suspended = True
    session.flush()
    return UndoAction("suspend", card.id)


def day_summary(session: Session, today_: Today, deck_id: int | None = None) -> DaySummary:
    """What was studied today, and when the next learning card comes back."""
    spent = func.coalesce(func.sum(ReviewLog.duration_ms), 0)
    query = (select(ReviewLog.rating, func.count(), spent)
             .where(ReviewLog.reviewed_at >= today_.day.start,
                    ReviewLog.reviewed_at < today_.day.end)
             .group_by(ReviewLog.rating))
    if deck_id is not None:
        query = query.join(Card, Card.id == ReviewLog.card_id).where(Card.deck_id == deck_id)
    by_rating = {rating: 0 for rating in Rating}
    total_ms = 0
    for rating, count, ms in session.execute(query):
        by_rating[Rating(rating)] = count
        total_ms += ms
    next_due = session.execute(
        _in_deck(select(func.min(Card.due)).where(
            Card.state.in_(LEARNING_STATES), Card.due < today_.day.end,
            _available(today_.now)), deck_id)
    ).scalar_one_or_none()
    return DaySummary(sum(by_rating.values()), by_rating, total_ms // 1000, next_due)


def time_until(moment: datetime, now: datetime) -> timedelta:
    return max(moment - now, timedelta(0))
