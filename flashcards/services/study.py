"""The daily review loop: what is due today, grading, undo, bury and suspend.

"Today" is the user's study day (time zone + rollover hour): `current_day` gives it,
and `day_allowance` gives it with what is left of the daily limits (`DayAllowance`).
Daily limits are for the whole collection, as a parent deck's limits are in Anki: 20
new cards a day means 20 in all, whichever decks they come from.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    Table,
    and_,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.orm.exc import StaleDataError

from flashcards.core.cards import (
    LEECH_TAG,
    CardKind,
    LeechAction,
    add_tag,
    becomes_leech,
    has_tag,
    remove_tag,
)
from flashcards.core.days import StudyDay, day_start, study_day
from flashcards.core.fsrs_vector import FsrsModel
from flashcards.core.planner import MAX_PLAN_DAYS, budget_factor, exam_due_day
from flashcards.core.scheduling import (
    CardState,
    LoadBalance,
    Rating,
    Schedule,
    Scheduler,
    SchedulerConfig,
)
from flashcards.db import UTCDateTime, begin_write, commit_retrying_once, epoch_seconds
from flashcards.models import Card, Deck, ReviewLog, Settings
from flashcards.scoping import OWNER
from flashcards.services import availability, optimizer
from flashcards.services.errors import NotFound, NothingToUndo, ServiceError, StaleCard
from flashcards.services.settings import (
    StudyOptions,
    config_of,
    get_settings,
    load_options,
    parse_rounds,
    scheduler_config,
    stored_rounds,
    time_zone,
    zone_named,
)
from flashcards.services.users import owned, owner

LEARNING_STATES = availability.LEARNING_STATES
# Anki's cap on the time counted for one answer.
MAX_ANSWER_MS = 60_000
# Counts stop here ("1000+"): past it nobody reads the exact number, and counting
# ten thousand overdue cards on every page would cost more than the rest of the page.
COUNT_CAP = 1000


@dataclass(frozen=True, slots=True)
class DayAllowance:
    """The study day as of `now`, with what is left of the daily limits."""

    now: datetime
    day: StudyDay
    settings: StudyOptions
    new_studied: int
    reviews_done: int
    studied: int
    user_id: int

    @property
    def new_limit(self) -> int:
        """New cards for today: the daily maximum, or fewer when the plan paces them (the
        target fixed at the day's first plan), plus any the user added (Learn more)."""
        limit = self.settings.new_per_day
        if self.settings.paced_day == self.day.date and self.settings.paced_new is not None:
            limit = min(limit, self.settings.paced_new)
        return limit + self.extra_new

    @property
    def extra_new(self) -> int:
        """New cards the user added to today with Learn more today."""
        if self.settings.extra_new_day != self.day.date:
            return 0
        return self.settings.extra_new or 0

    @property
    def paced(self) -> bool:
        return self.settings.paced_day == self.day.date

    @property
    def new_left(self) -> int:
        return max(0, self.new_limit - self.new_studied)

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
    counts: QueueCounts  # what studying this deck alone gives today (limits applied)
    total_cards: int
    new_in_deck: int = 0  # its new cards ready to learn (to COUNT_CAP), whatever the limit


def new_limit_shared(decks: list[DeckOverview], counts: QueueCounts) -> bool:
    """Whether today's new cards are shared out among the decks: two or more decks have
    new cards, and together more than today's count (`counts`: all decks), so each
    deck's own count (the whole day's, capped) is not what that deck gets."""
    with_new = [deck.new_in_deck for deck in decks if deck.new_in_deck]
    return counts.new > 0 and len(with_new) > 1 and sum(with_new) > counts.new


@dataclass(frozen=True, slots=True)
class GradeOutcome:
    card_id: int
    log_id: int
    schedule: Schedule
    # True when this exact grade had already been applied (a double click or a retry).
    duplicate: bool
    # The grade made the card a leech: tagged, and suspended with the "suspend" action.
    leech: bool = False
    suspended: bool = False


class UndoKind(StrEnum):
    """The review-screen actions Undo takes back."""

    REVIEW = "review"
    BURY = "bury"
    SUSPEND = "suspend"


@dataclass(frozen=True, slots=True)
class UndoAction:
    """What the last action on the review screen did, so it can be taken back."""

    kind: UndoKind
    card_id: int
    log_id: int | None = None
    buried_until: datetime | None = None

    def to_dict(self) -> dict[str, object]:
        return {"kind": str(self.kind), "card_id": self.card_id, "log_id": self.log_id,
                "buried_until": self.buried_until.isoformat() if self.buried_until else None}

    @classmethod
    def from_dict(cls, data: object) -> UndoAction | None:
        if not isinstance(data, dict) or data.get("kind") not in tuple(UndoKind):
            return None
        try:
            buried = data.get("buried_until")
            return cls(UndoKind(data["kind"]), int(data["card_id"]),
                       int(data["log_id"]) if data.get("log_id") is not None else None,
                       datetime.fromisoformat(buried) if buried else None)
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True, slots=True)
class DaySummary:
    reviewed: int  # answers given today (a card learnt again counts each time)
    by_rating: dict[Rating, int]
    seconds: int
    next_learning_due: datetime | None
    cards: int = 0  # the cards those answers were on


# The hot-path statements are built once with bound parameters: building a select()
# costs more Python time than SQLite spends running it.
_NOW = bindparam("now", type_=UTCDateTime())
# Which cards may be studied is services.availability's rule (is_studyable in Python).
_AVAILABLE = and_(Card.user_id == OWNER, availability.not_hidden_sql(_NOW))
_IS_NEW = availability.new_sql()
_LEARNING_DUE_NOW = availability.learning_due_sql(_NOW)
_LEARNING_DUE_AHEAD = availability.learning_due_sql(bindparam("ahead", type_=UTCDateTime()))
_REVIEW_DUE = availability.review_due_sql(bindparam("day_end", type_=UTCDateTime()))
_IN_DECK = Card.deck_id == bindparam("deck_id")

_TODAYS_LOG_COUNTS = select(
    func.count().filter(ReviewLog.state_before == int(CardState.NEW)),
    func.count().filter(ReviewLog.state_before == int(CardState.REVIEW)),
    func.count(),
).where(ReviewLog.user_id == OWNER,
        ReviewLog.reviewed_at >= bindparam("day_start", type_=UTCDateTime()),
        ReviewLog.reviewed_at < bindparam("day_end", type_=UTCDateTime()))


def _capped_count(where: ColumnElement[bool], cap: str, in_deck: bool) -> ScalarSelect[int]:
    # Counting stops at the cap: nothing past it is shown.
    ids = select(Card.id).where(where, _AVAILABLE)
    if in_deck:
        ids = ids.where(_IN_DECK)
    return (select(func.count()).select_from(ids.limit(bindparam(cap)).subquery())
            .scalar_subquery())


_QUEUE_COUNTS = {
    in_deck: select(
        _capped_count(_IS_NEW, "new_cap", in_deck),
        _capped_count(_LEARNING_DUE_AHEAD, "learning_cap", in_deck),
        _capped_count(_REVIEW_DUE, "review_cap", in_deck),
    )
    for in_deck in (False, True)
}


def _queue(where: ColumnElement[bool], order: tuple[QueryableAttribute[Any], ...],
           in_deck: bool) -> Select[Card]:
    query = select(Card).where(where, _AVAILABLE)
    if in_deck:
        query = query.where(_IN_DECK)
    return query.order_by(*order).limit(1)


# New cards come in this order within each group: the plan (plans.card_arrays) reads
# them in the same order.
NEW_CARD_ORDER = (Card.position, Card.id)
# The user's decks marked lower priority: their new cards come after every other deck's.
LOWER_PRIORITY_DECKS = select(Deck.id).where(Deck.user_id == OWNER,
                                             Deck.lower_priority == True)  # noqa: E712
# In the order a session shows them, as Anki does: learning cards that are due, then
# reviews, then new cards (lower-priority decks' last), then learning cards due within
# the learn-ahead limit. Two new-card queries, not one sorted by the deck's mark, so
# each reads its index in order and stops at the first card.
_NEXT_CARD = {
    False: {
        "learning": _queue(_LEARNING_DUE_NOW, (Card.due,), False),
        "review": _queue(_REVIEW_DUE, (Card.due,), False),
        "new": _queue(and_(_IS_NEW, Card.deck_id.not_in(LOWER_PRIORITY_DECKS)),
                      NEW_CARD_ORDER, False),
        "new_lower": _queue(and_(_IS_NEW, Card.deck_id.in_(LOWER_PRIORITY_DECKS)),
                            NEW_CARD_ORDER, False),
        "ahead": _queue(_LEARNING_DUE_AHEAD, (Card.due,), False),
    },
    # Within one deck every new card is in the same group.
    True: {
        "learning": _queue(_LEARNING_DUE_NOW, (Card.due,), True),
        "review": _queue(_REVIEW_DUE, (Card.due,), True),
        "new": _queue(_IS_NEW, NEW_CARD_ORDER, True),
        "ahead": _queue(_LEARNING_DUE_AHEAD, (Card.due,), True),
    },
}


def current_day(session: Session, now: datetime) -> StudyDay:
    """The user's study day containing `now` (their time zone and rollover hour)."""
    settings = load_options(session)
    return study_day(now, time_zone(settings), settings.rollover_hour)


def day_allowance(session: Session, now: datetime) -> DayAllowance:
    """The study day containing `now`, and how much of its daily limits is used."""
    settings = load_options(session)
    user_id = owner(session)
    day = study_day(now, time_zone(settings), settings.rollover_hour)
    new_studied, reviews_done, studied = session.connection().execute(
        _TODAYS_LOG_COUNTS, {"day_start": day.start,
                             "day_end": day.end}).one()
    return DayAllowance(now, day, settings, new_studied, reviews_done, studied, user_id)


LEARN_MORE_MAX = 100
# The most new cards Learn more may add to one study day, all clicks together.
EXTRA_NEW_CAP = 1000


def learn_more(session: Session, now: datetime, count: int) -> DayAllowance:
    """Add `count` (1..LEARN_MORE_MAX) new cards to today's target, ahead of the plan;
    the plan spreads the remaining new cards over the following days. Two requests at
    once both count: the addition happens in the UPDATE itself."""
    if not 1 <= count <= LEARN_MORE_MAX:
        raise ServiceError(f"Learn more takes 1 to {LEARN_MORE_MAX} new cards, not {count}.")
    begin_write(session)
    allowance = day_allowance(session, now)
    if allowance.extra_new + count > EXTRA_NEW_CAP:
        raise ServiceError(f"Today already has {allowance.extra_new} extra new cards: at most "
                           f"{EXTRA_NEW_CAP} can be added to one day.")
    day = allowance.day.date
    session.execute(update(Settings).where(Settings.id == allowance.user_id).values(
        extra_new=case((Settings.extra_new_day == day,
                        func.coalesce(Settings.extra_new, 0) + count), else_=count),
        extra_new_day=day).execution_options(synchronize_session=False))
    loaded = session.identity_map.get(session.identity_key(Settings, allowance.user_id))
    if loaded is not None:
        session.expire(loaded)
    return day_allowance(session, now)


def _queue_params(allowance: DayAllowance, deck_id: int | None) -> dict[str, object]:
    params: dict[str, object] = {"now": allowance.now,
                                 "ahead": availability.ahead_of(allowance.now),
                                 "day_end": allowance.day.end}
    if deck_id is not None:
        params["deck_id"] = deck_id
    return params


def queue_counts(session: Session, allowance: DayAllowance,
                 deck_id: int | None = None) -> QueueCounts:
    """New, learning and review cards left today (limits applied), for one deck or all."""
    return _queue_counts(session, allowance, deck_id, min(allowance.new_left, COUNT_CAP))


def _queue_counts(session: Session, allowance: DayAllowance, deck_id: int | None,
                  new_cap: int) -> QueueCounts:
    params = _queue_params(allowance, deck_id)
    params.update(new_cap=new_cap, learning_cap=COUNT_CAP,
                  review_cap=min(allowance.reviews_left, COUNT_CAP))
    new, learning, review = session.connection().execute(
        _QUEUE_COUNTS[deck_id is not None], params).one()
    return QueueCounts(new=new, learning=learning, review=review)


def next_card(session: Session, allowance: DayAllowance,
              deck_id: int | None = None) -> Card | None:
    """The card to show next, or None when nothing is left for now."""
    queues = _NEXT_CARD[deck_id is not None]
    params = _queue_params(allowance, deck_id)
    for name, query in queues.items():
        if ((name == "review" and not allowance.reviews_left)
                or (name.startswith("new") and not allowance.new_left)):
            continue
        card = session.execute(query, params).scalar_one_or_none()
        if card is not None:
            return card
    return None


def deck_overview(session: Session, allowance: DayAllowance) -> list[DeckOverview]:
    """Every deck with what is left to study in it today."""
    user_id = owner(session)
    totals = dict(session.execute(
        select(Card.deck_id, func.count()).where(Card.user_id == user_id)
        .group_by(Card.deck_id)).all())
    decks = session.execute(select(Deck).where(Deck.user_id == user_id)
                            .order_by(Deck.name)).scalars().all()
    overview = []
    for deck in decks:
        # One count per deck: its new cards up to COUNT_CAP, today's share is the lesser.
        counts = _queue_counts(session, allowance, deck.id, COUNT_CAP)
        overview.append(DeckOverview(
            deck.id, deck.name, deck.description,
            replace(counts, new=min(counts.new, allowance.new_left)), totals.get(deck.id, 0),
            new_in_deck=counts.new))
    return overview


@dataclass(frozen=True, slots=True)
class AnswerOption:
    letter: str
    strong: bool
    text: str


@dataclass(frozen=True)
class StudyPage:
    """What the study page shows: the card to study (None when the session is done),
    its answer-pair options in their order, and the interval each grade gives."""

    allowance: DayAllowance
    deck: Deck | None
    counts: QueueCounts
    card: Card | None
    queue: str = ""
    revealed: bool = False
    options: tuple[AnswerOption, ...] = ()
    picked: AnswerOption | None = None
    suggested: Rating = Rating.GOOD
    intervals: dict[Rating, timedelta] | None = None
    summary: DaySummary | None = None


def _is_studyable(card: Card, allowance: DayAllowance, deck_id: int | None) -> bool:
    """Whether `card` may be shown now: in the deck, not hidden, and due today."""
    if deck_id is not None and card.deck_id != deck_id:
        return False
    return availability.is_studyable(card, allowance.now, availability.ahead_of(allowance.now),
                                     allowance.day.end)


def queue_name(card: Card) -> str:
    if card.state == CardState.NEW:
        return "new"
    return "review" if card.state == CardState.REVIEW else "learning"


def study_page(session: Session, allowance: DayAllowance, *, deck_id: int | None,
               card_id: int | None, show: bool, pick: str | None) -> StudyPage:
    """The page for the next card (or `card_id`, the user's own card that the page
    showed, while it is still to be studied), with its answer shown when asked."""
    deck = None
    if deck_id is not None:
        from flashcards.services.decks import get_deck  # decks imports this module

        deck = get_deck(session, deck_id)
    counts = queue_counts(session, allowance, deck_id)
    card = get_card_or_none(session, card_id) if card_id else None
    if card is None or not _is_studyable(card, allowance, deck_id):
        card = next_card(session, allowance, deck_id)
    if card is None:
        return StudyPage(allowance, deck, counts, None,
                         summary=day_summary(session, allowance, deck_id))
    return card_page(allowance, deck, counts, card, card_id=card_id, show=show, pick=pick)


def card_page(allowance: DayAllowance, deck: Deck | None, counts: QueueCounts, card: Card, *,
              card_id: int | None, show: bool, pick: str | None) -> StudyPage:
    """The study page for `card`: its answer shown when `card_id` (the card the page
    showed) is this card and the answer was asked for or an answer picked."""
    this_card = card_id == card.id
    revealed = this_card and show
    options: tuple[AnswerOption, ...] = ()
    picked = None
    if card.kind == CardKind.ANSWER_PAIR.value:
        # Random order, stable for this version of the card so a reload does not reshuffle.
        strong_first = random.Random(f"{card.id}:{card.version}").random() < 0.5
        pair = [(True, card.strong_answer or ""), (False, card.weak_answer or "")]
        if not strong_first:
            pair.reverse()
        options = tuple(AnswerOption(letter, strong, text)
                        for letter, (strong, text) in zip("ab", pair, strict=True))
        chosen = pick if this_card else None
        picked = next((o for o in options if o.letter == chosen), None)
        revealed = revealed or picked is not None
    suggested = Rating.AGAIN if picked is not None and not picked.strong else Rating.GOOD
    intervals = Scheduler(scheduler_config(allowance.settings)).preview(card.id, card.schedule,
                                                                     allowance.now)
    return StudyPage(allowance, deck, counts, card, queue_name(card), revealed, options, picked,
                     suggested, intervals)


def get_card_or_none(session: Session, card_id: int) -> Card | None:
    try:
        return get_card(session, card_id)
    except NotFound:
        return None


def get_card(session: Session, card_id: int) -> Card:
    """The user's card `card_id`; another user's card is as missing as no card."""
    return owned(session, Card, card_id, "card")


# Declarative models map a Table; SQLAlchemy types __table__ as FromClause.
_CARDS = cast(Table, Card.__table__)
_SCHEDULE_COLUMNS = (Card.state, Card.step, Card.stability, Card.difficulty, Card.due,
                     Card.last_review, Card.reps, Card.lapses)
# Grading is the hottest write: plain statements, built once, instead of the ORM's
# unit of work. The version in the WHERE clause makes the update apply only to the
# card the user saw, on SQLite and PostgreSQL alike.
_SETTINGS = cast(Table, Settings.__table__)
_GRADE_LOAD = (
    select(_CARDS.c.version, *(_CARDS.c[column.key] for column in _SCHEDULE_COLUMNS),
           _SETTINGS.c.desired_retention, _SETTINGS.c.interview_date, _SETTINGS.c.later_rounds,
           _SETTINGS.c.interview_retention, _SETTINGS.c.timezone, _SETTINGS.c.rollover_hour,
           _SETTINGS.c.daily_minutes, _SETTINGS.c.weekday_minutes, _SETTINGS.c.leech_threshold,
           _SETTINGS.c.leech_action, _SETTINGS.c.fsrs_parameters)
    .join(_SETTINGS, _SETTINGS.c.id == _CARDS.c.user_id)  # the card's user's settings
    .where(_CARDS.c.id == bindparam("card_id"), _CARDS.c.user_id == OWNER,
           _SETTINGS.c.id == OWNER)
)
_GRADE_UPDATE = (
    update(_CARDS)
    .where(_CARDS.c.id == bindparam("card_id"), _CARDS.c.version == bindparam("version"),
           _CARDS.c.user_id == OWNER)
    .values({column.key: bindparam(f"new_{column.key}") for column in _SCHEDULE_COLUMNS}
            | {"version": _CARDS.c.version + 1})
)
_LOGS = cast(Table, ReviewLog.__table__)
_INSERT_LOG = insert(_LOGS).returning(_LOGS.c.id)
_LAST_LOG = (select(ReviewLog).where(ReviewLog.card_id == bindparam("card_id"))
             .order_by(ReviewLog.id.desc()).limit(1))


def grade(
    session: Session,
    card_id: int,
    version: int,
    rating: Rating,
    now: datetime,
    *,
    duration_ms: int | None = None,
    rng: random.Random | None = None,
    client_answer_id: str | None = None,
) -> GradeOutcome:
    """Apply one grade to the card version the user saw, exactly once.

    A repeat of the grade that was just applied (double click, retry) returns
    the earlier outcome and writes nothing; any other grade for an old version
    raises StaleCard. `client_answer_id`: the id an offline client gave the answer
    (services/sync.py), stored with the log entry.
    """
    begin_write(session)
    connection = session.connection()
    user_id = owner(session)
    row = connection.execute(_GRADE_LOAD, {"card_id": card_id}).one_or_none()
    if row is None:
        raise NotFound(f"There is no card {card_id}.")
    (current_version, *schedule_values, retention, interview_date, later_rounds,
     interview_retention, zone_name, rollover_hour, daily_minutes, weekday_minutes,
     leech_threshold, leech_action,
     parameters) = row
    if current_version != version:
        last = session.execute(_LAST_LOG, {"card_id": card_id}).scalar_one_or_none()
        if last is not None and last.card_version == version and last.rating == int(rating):
            reps, lapses = schedule_values[-2:]
            return GradeOutcome(card_id, last.id, last.schedule_after(reps, lapses),
                                duplicate=True)
        raise StaleCard(card_id, current_version)
    before = Schedule(CardState(schedule_values[0]), *schedule_values[1:])
    config = config_of(retention, parameters)
    zone = zone_named(zone_name)
    balance = _load_balance(session, now, zone, rollover_hour, daily_minutes, weekday_minutes)
    elapsed = None
    if before.last_review is not None:
        elapsed = (study_day(now, zone, rollover_hour).date
                   - study_day(before.last_review, zone, rollover_hour).date).days
    after = Scheduler(config, rng).review(card_id, before, rating, now, balance, elapsed)
    if interview_date is not None and after.state == CardState.REVIEW:
        after = _aim_at_interview(session, after, now, config,
                                  (interview_date, *(day for day in parse_rounds(later_rounds)
                                                     if day > interview_date)),
                                  interview_retention or retention, zone_name, rollover_hour)
    if duration_ms is not None:
        duration_ms = max(0, min(duration_ms, MAX_ANSWER_MS))
    updated = connection.execute(_GRADE_UPDATE, {
        "card_id": card_id, "version": version,
        **{f"new_{column.key}": getattr(after, column.key) for column in _SCHEDULE_COLUMNS},
    })
    if updated.rowcount != 1:
        raise StaleCard(card_id, version + 1)
    tagged = suspended = False
    leech = after.lapses > before.lapses and becomes_leech(after.lapses, leech_threshold)
    if leech:
        tagged, suspended = _mark_leech(connection, card_id, leech_action == LeechAction.SUSPEND)
    log_id = connection.execute(_INSERT_LOG, {
        "card_id": card_id, "user_id": user_id, "reviewed_at": now, "rating": int(rating),
        "duration_ms": duration_ms, "card_version": version,
        "client_answer_id": client_answer_id,
        "state_before": int(before.state), "step_before": before.step,
        "stability_before": before.stability, "difficulty_before": before.difficulty,
        "due_before": before.due, "last_review_before": before.last_review,
        "state_after": int(after.state), "step_after": after.step,
        "stability_after": after.stability, "difficulty_after": after.difficulty,
        "due_after": after.due, "leech_tagged": tagged, "leech_suspended": suspended,
    }).scalar_one()
    # A Card already loaded in this session is now out of date.
    loaded = session.identity_map.get(session.identity_key(Card, card_id))
    if loaded is not None:
        session.expire(loaded)
    return GradeOutcome(card_id, log_id, after, duplicate=False,
                        leech=leech, suspended=suspended)


def answer(session: Session, card_id: int, version: int, rating: Rating, now: datetime, *,
           shown_at_ms: int | None = None, rng: random.Random | None = None) -> GradeOutcome:
    """The user's grade (see `grade`) in a transaction of its own, committed. The time
    taken runs from `shown_at_ms` (when the page showed the card, ms since the epoch).

    Another request may grade the same card between this one's read and its write
    (two tabs, a double click): the write then fails (IntegrityError, or StaleDataError
    from the ORM); the grade is tried once more, and finds the one that request applied.
    On an error (StaleCard, NotFound) the transaction is rolled back and the error
    raised."""
    duration = None
    if shown_at_ms is not None:
        duration = int(now.timestamp() * 1000) - shown_at_ms
    return commit_retrying_once(
        session, lambda: grade(session, card_id, version, rating, now, duration_ms=duration,
                               rng=rng),
        (IntegrityError, StaleDataError))


def _mark_leech(connection: Connection, card_id: int, suspend: bool) -> tuple[bool, bool]:
    """Tag a leech (and suspend it); returns what changed, for the review log."""
    tags, was_suspended = connection.execute(
        select(_CARDS.c.tags, _CARDS.c.suspended).where(_CARDS.c.id == card_id,
                                                        _CARDS.c.user_id == OWNER)).one()
    tagged = not has_tag(tags, LEECH_TAG)
    suspended = suspend and not was_suspended
    if tagged or suspended:
        connection.execute(update(_CARDS).where(_CARDS.c.id == card_id,
                                                _CARDS.c.user_id == OWNER).values(
            tags=add_tag(tags, LEECH_TAG), suspended=was_suspended or suspend))
    return tagged, suspended


def _aim_at_interview(session: Session, after: Schedule, now: datetime,
                      config: SchedulerConfig, rounds: tuple[date, ...], target: float,
                      zone_name: str, rollover_hour: int) -> Schedule:
    """Exam mode on a fresh grade: the same planner function the forecast uses decides
    whether the card needs a final review before one of the interview's `rounds` (the
    first first), and on which day."""
    assert after.due is not None and after.stability is not None
    zone = zone_named(zone_name)
    review_day = study_day(now, zone, rollover_hour).date
    due_day = study_day(after.due, zone, rollover_hour).date
    if not any(review_day < round_day < due_day for round_day in rounds):
        return after
    model = FsrsModel.from_config(config)
    chosen = exam_due_day(review_day=review_day.toordinal(), due_day=due_day.toordinal(),
                          stability=after.stability, interview_day=rounds[0].toordinal(),
                          later_rounds=[day.toordinal() for day in rounds[1:]],
                          target=target, model=model,
                          load=_review_load(session, zone, rollover_hour),
                          stability_factor=optimizer.stability_factor(session, model))
    if chosen == due_day.toordinal():
        return after
    return replace(after, due=now + timedelta(days=chosen - review_day.toordinal()))


def _review_load(session: Session, zone: ZoneInfo, rollover_hour: int,
                 added: dict[int, int] | None = None) -> Callable[[int], float]:
    """Review cards due on a study day (by its ordinal), plus `added` ones."""
    def load(day_number: int) -> float:
        day = date.fromordinal(day_number)
        start, end = day_start(day, zone, rollover_hour), day_start(
            day + timedelta(days=1), zone, rollover_hour)
        return float(session.execute(
            select(func.count()).select_from(Card).where(
                Card.user_id == owner(session), Card.state == int(CardState.REVIEW),
                Card.due >= start, Card.due < end, Card.suspended == False)  # noqa: E712
        ).scalar_one()) + (added or {}).get(day_number, 0)
    return load


def aim_at_interview(session: Session, now: datetime) -> int:
    """Exam mode again for the review cards already due after a round of the interview
    still ahead: one whose recall on that round's day, as the parameters in use and the
    user's latest answers now see it (a card's check at its last grade may have seen it
    otherwise), is below the target comes back in the final window before it, from
    today on. Reads, and only when a card moves writes in a short transaction of its
    own (committed by the caller). Returns how many cards moved."""
    settings = get_settings(session)
    zone, rollover = time_zone(settings), settings.rollover_hour
    today = study_day(now, zone, rollover).date
    if settings.interview_date is None:
        return 0
    # The rounds still ahead and within the plan (a date stored before the limit is not).
    rounds = [day for day in (settings.interview_date, *stored_rounds(settings))
              if today < day <= today + timedelta(days=MAX_PLAN_DAYS)]
    if not rounds:
        return 0
    model = FsrsModel.from_config(scheduler_config(settings))
    target = settings.interview_retention or settings.desired_retention
    factor = optimizer.stability_factor(session, model)
    # Recall on the day is below the target after more than `per_stability` days per
    # day of the stability counted on; a card's whole study days to the interview are
    # at most one more than the days from its last review to the day's start (and an
    # hour, across a clock change), so the query leaves out only cards surely enough.
    per_stability = factor * (target ** (1 / model.decay) - 1) / model.factor
    dialect = session.get_bind().dialect.name
    reviewed_at = epoch_seconds(Card.last_review, dialect)
    # Due after a round, with too little recall left on its day.
    crossing = or_(*(and_(
        Card.due >= day_start(day + timedelta(days=1), zone, rollover),
        (day_start(day, zone, rollover).timestamp() - reviewed_at) / 86400.0 + 1.05
        > Card.stability * per_stability) for day in rounds))
    rows = session.execute(
        select(Card.id, Card.stability, Card.last_review, Card.due).where(
            Card.user_id == owner(session), Card.state == int(CardState.REVIEW),
            Card.suspended == False,  # noqa: E712
            Card.stability.is_not(None), Card.last_review.is_not(None), crossing)).all()
    if not rows:
        return 0
    added: dict[int, int] = {}
    load = _review_load(session, zone, rollover, added)
    changes = []
    # The WHERE leaves out NULL stability and last_review, and review cards have a due.
    for card_id, stability, last_review, due in cast(
            Sequence[tuple[int, float, datetime, datetime]], rows):
        review_day = study_day(last_review, zone, rollover).date.toordinal()
        due_day = study_day(due, zone, rollover).date.toordinal()
        chosen = exam_due_day(review_day=review_day, due_day=due_day, stability=stability,
                              interview_day=rounds[0].toordinal(),
                              later_rounds=[day.toordinal() for day in rounds[1:]],
                              target=target, model=model, load=load,
                              stability_factor=factor, first_day=today.toordinal())
        if chosen != due_day:
            added[chosen] = added.get(chosen, 0) + 1
            changes.append({"card_id": card_id, "old_due": due,
                            "new_due": max(last_review + timedelta(days=chosen - review_day),
                                           now)})
    if not changes:
        return 0
    session.commit()  # ends the read: the write below is short
    begin_write(session)
    moved = session.connection().execute(
        update(_CARDS).where(_CARDS.c.id == bindparam("card_id"), _CARDS.c.user_id == OWNER,
                             _CARDS.c.due == bindparam("old_due"))  # unless graded meanwhile
        .values(due=bindparam("new_due"), version=_CARDS.c.version + 1), changes)
    session.expire_all()
    return int(moved.rowcount) if moved.rowcount >= 0 else len(changes)


# Counting stops here: past it a day is simply full.
LOAD_COUNT_CAP = 200
_DAY_LOAD = select(func.count()).select_from(
    select(Card.id).where(
        Card.user_id == OWNER,
        Card.state == int(CardState.REVIEW), Card.suspended == False,  # noqa: E712
        Card.due >= bindparam("start", type_=UTCDateTime()),
        Card.due < bindparam("end", type_=UTCDateTime()),
    ).limit(LOAD_COUNT_CAP).subquery())


def _load_balance(session: Session, now: datetime, zone: ZoneInfo, rollover_hour: int,
                  daily_minutes: int, weekday_minutes: str) -> LoadBalance:
    """Load balancing from the database: reviews already due on each study day of the
    fuzz window (counted only when the balancer asks), and each day's weight (as Easy
    Days'): its weekday's budget over the daily budget, at most 1."""
    review_day = study_day(now, zone, rollover_hour).date
    connection = session.connection()

    def load(interval: int) -> float:
        day = review_day + timedelta(days=interval)
        return float(connection.execute(_DAY_LOAD, {
            "start": day_start(day, zone, rollover_hour),
            "end": day_start(day + timedelta(days=1), zone, rollover_hour)}).scalar_one())

    def easy(interval: int) -> float:
        return budget_factor(daily_minutes, weekday_minutes,
                             review_day + timedelta(days=interval))

    return LoadBalance(load, easy)


def undo(session: Session, now: datetime, action: UndoAction | None) -> Card:
    """Take back the last review-screen action; without one, the latest review today."""
    begin_write(session)
    if action is None or action.kind == UndoKind.REVIEW:
        return _undo_review(session, day_allowance(session, now), action.log_id if action else None)
    card = get_card(session, action.card_id)
    if action.kind == UndoKind.BURY:
        card.buried_until = action.buried_until
    else:
        card.suspended = False
    session.flush()
    return card


def _undo_review(session: Session, allowance: DayAllowance, log_id: int | None) -> Card:
    if log_id is None:
        log = session.execute(
            select(ReviewLog).where(ReviewLog.user_id == allowance.user_id,
                                    ReviewLog.reviewed_at >= allowance.day.start)
            .order_by(ReviewLog.id.desc()).limit(1)
        ).scalar_one_or_none()
    else:
        log = session.get(ReviewLog, log_id)
    if log is None or log.user_id != allowance.user_id:
        raise NothingToUndo("There is no review to undo.")
    card = get_card(session, log.card_id)
    if (card.state, card.due, card.last_review) != (log.state_after, log.due_after,
                                                    log.reviewed_at):
        raise NothingToUndo("That card has been reviewed or changed since, so the review "
                            "cannot be undone.")
    lapsed = log.state_before == int(CardState.REVIEW) and log.rating == int(Rating.AGAIN)
    card.set_schedule(log.schedule_before(card.reps - 1, card.lapses - (1 if lapsed else 0)))
    if log.leech_tagged:
        card.tags = remove_tag(card.tags, LEECH_TAG)
    if log.leech_suspended:
        card.suspended = False
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
    action = UndoAction(UndoKind.BURY, card.id, buried_until=card.buried_until)
    card.buried_until = current_day(session, now).end
    session.flush()
    return action


def suspend(session: Session, card_id: int, version: int) -> UndoAction:
    """Take the card out of reviews until it is unsuspended."""
    begin_write(session)
    card = get_card(session, card_id)
    _check_version(card, version)
    card.suspended = True
    session.flush()
    return UndoAction(UndoKind.SUSPEND, card.id)


def day_summary(session: Session, allowance: DayAllowance,
                deck_id: int | None = None) -> DaySummary:
    """What was studied today, and when the next learning card comes back."""
    # COALESCE(..., 0) is never NULL, though SQLAlchemy types it int | None.
    spent = cast(ColumnElement[int], func.coalesce(func.sum(ReviewLog.duration_ms), 0))
    query = (select(ReviewLog.rating, func.count(), spent)
             .where(ReviewLog.user_id == allowance.user_id,
                    ReviewLog.reviewed_at >= allowance.day.start,
                    ReviewLog.reviewed_at < allowance.day.end)
             .group_by(ReviewLog.rating))
    if deck_id is not None:
        query = query.join(Card, Card.id == ReviewLog.card_id).where(Card.deck_id == deck_id)
    by_rating = {rating: 0 for rating in Rating}
    total_ms = 0
    for rating, count, ms in session.execute(query):
        by_rating[Rating(rating)] = count
        total_ms += ms
    next_due_query = select(func.min(Card.due)).where(
        Card.state.in_(LEARNING_STATES), Card.due < allowance.day.end, _AVAILABLE)
    if deck_id is not None:
        next_due_query = next_due_query.where(Card.deck_id == deck_id)
    next_due = session.execute(next_due_query, {"now": allowance.now}).scalar_one_or_none()
    cards_query = (select(func.count(ReviewLog.card_id.distinct()))
                   .where(ReviewLog.user_id == allowance.user_id,
                          ReviewLog.reviewed_at >= allowance.day.start,
                          ReviewLog.reviewed_at < allowance.day.end))
    if deck_id is not None:
        cards_query = (cards_query.join(Card, Card.id == ReviewLog.card_id)
                       .where(Card.deck_id == deck_id))
    cards = session.execute(cards_query).scalar_one()
    return DaySummary(sum(by_rating.values()), by_rating, total_ms // 1000, next_due, cards)


@dataclass(frozen=True, slots=True)
class TomorrowLoad:
    """Tomorrow's reviews: the cards due by the end of tomorrow's study day (counting
    stops at COUNT_CAP), and how many of them the daily review limit lets through."""

    day: StudyDay
    due: int
    limit: int

    @property
    def reviews(self) -> int:
        return min(self.due, self.limit)


def tomorrow_load(session: Session, allowance: DayAllowance) -> TomorrowLoad:
    """The reviews waiting for tomorrow: every studied card, not suspended, due before
    tomorrow's study day ends (learning cards and anything left of today included)."""
    tomorrow = study_day(allowance.day.end, time_zone(allowance.settings),
                         allowance.settings.rollover_hour)
    due = select(Card.id).where(Card.user_id == allowance.user_id,
                                Card.suspended == False,  # noqa: E712
                                Card.state != int(CardState.NEW), Card.due < tomorrow.end)
    count = session.execute(select(func.count()).select_from(
        due.limit(COUNT_CAP).subquery())).scalar_one()
    return TomorrowLoad(tomorrow, count, allowance.settings.max_reviews_per_day)

