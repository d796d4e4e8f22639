"""Typed SQLAlchemy 2.0 models. The schema changes only through Alembic migrations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.sql.expression import false

from flashcards import scoping
from flashcards.core.cards import MAX_DECK_NAME, MAX_DECK_NAME_KEY, deck_name_key
from flashcards.core.planner.easy_days import NEW_USER_WEEKDAY_MINUTES, SAME_EVERY_DAY
from flashcards.core.scheduling import CardState, Schedule
from flashcards.core.taskformat import MAX_TITLE_LENGTH, parse_task_ids
from flashcards.db import Base

# SQLite: a deleted row's id is never handed out again (migration 0009).
AUTOINCREMENT = {"sqlite_autoincrement": True}

# The one user of a collection without accounts (made by migration 0008).
LOCAL_USER_ID = 1


class User(Base):
    """Whose decks, cards, reviews, tasks and settings a row is. Without a password the
    app has no login and serves this computer only."""

    __tablename__ = "users"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]


class LoginFailure(Base):
    """A failed login, for rate limiting by name and by address (any worker process)."""

    __tablename__ = "login_failures"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)


def _owner() -> Mapped[int]:
    return mapped_column(ForeignKey("users.id", ondelete="CASCADE"))


class LoginSession(Base):
    """One login: the session cookie carries a random token, stored here only as its
    SHA-256. A request's session counts only while its row exists: logout deletes the
    row, and a new password deletes all of the user's rows."""

    __tablename__ = "login_sessions"
    __table_args__ = AUTOINCREMENT

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]


def _name_key_of_inserted_row(context: DefaultExecutionContext) -> str:
    return deck_name_key(context.get_current_parameters()["name"])


class Deck(Base):
    __tablename__ = "decks"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _owner()
    name: Mapped[str] = mapped_column(String(MAX_DECK_NAME))
    # The name as deck names compare (deck_name_key), unique per user; set with the name
    # (by _keep_name_key below; a Core INSERT without it gets it from the default).
    name_key: Mapped[str] = mapped_column(String(MAX_DECK_NAME_KEY),
                                          default=_name_key_of_inserted_row)
    description: Mapped[str] = mapped_column(Text, default="")
    # Which bundled deck this came from (decks/decks.toml key), if any.
    bundle_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    # Set when the user changes the deck or one of its cards: seeding then leaves it alone.
    edited_at: Mapped[datetime | None]
    # New cards from a lower-priority deck are introduced after every other deck's, so
    # they are the first the plan leaves out when time is short.
    lower_priority: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=false())

    cards: Mapped[list[Card]] = relationship(back_populates="deck", passive_deletes=True)

    __table_args__ = (
        UniqueConstraint("user_id", "name_key", name="uq_decks_user_name_key"),
        UniqueConstraint("user_id", "bundle_key", name="uq_decks_user_bundle_key"),
        AUTOINCREMENT,
    )

    @validates("name")
    def _keep_name_key(self, _attribute: str, name: str) -> str:
        # Every way a name is set goes through here, so the key cannot fall behind.
        self.name_key = deck_name_key(name)
        return name


class Card(Base):
    __tablename__ = "cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The deck's user, repeated here so the queue indexes can start with it.
    user_id: Mapped[int] = _owner()
    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="basic")
    front: Mapped[str] = mapped_column(Text)
    # For answer pairs: why the strong answer passes.
    back: Mapped[str] = mapped_column(Text)
    weak_answer: Mapped[str | None] = mapped_column(Text)
    strong_answer: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    # The text fields hold sanitised HTML (from an HTML import) rather than plain text.
    is_html: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Order in which new cards are introduced.
    position: Mapped[int] = mapped_column(Integer, default=0)

    # Server defaults too: a bulk import leaves these columns out of its INSERT.
    state: Mapped[int] = mapped_column(SmallInteger, default=int(CardState.NEW),
                                       server_default=text("0"))
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime | None]
    last_review: Mapped[datetime | None]
    reps: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    lapses: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    suspended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    buried_until: Mapped[datetime | None]
    # Bumped by every update; a grade for an older version is stale.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]

    deck: Mapped[Deck] = relationship(back_populates="cards")

    __table_args__ = (
        CheckConstraint("state BETWEEN 0 AND 3", name="state_range"),
        UniqueConstraint("user_id", "guid", name="uq_cards_user_guid"),
        # The review queues, covering the hidden-card filter so counts read only the index.
        # Partial: cards with a due date (SQLite infers "due IS NOT NULL" from "due < ?"),
        # and new cards by position, so a new card sits in two of them, not four.
        # The trailing columns cover the plan's read of every studied card.
        Index("ix_cards_state_due", "user_id", "state", "suspended", "due", "buried_until",
              "deck_id", "stability", "difficulty", "last_review",
              sqlite_where=text("due IS NOT NULL"), postgresql_where=text("due IS NOT NULL")),
        Index("ix_cards_deck_state_due", "user_id", "deck_id", "state", "suspended", "due",
              "buried_until",
              sqlite_where=text("due IS NOT NULL"), postgresql_where=text("due IS NOT NULL")),
        # deck_id last: the plan reads every new card's deck in order from the index alone.
        Index("ix_cards_new_position", "user_id", "state", "suspended", "position",
              "buried_until", "deck_id", sqlite_where=text("state = 0"),
              postgresql_where=text("state = 0")),
        Index("ix_cards_deck_new_position", "user_id", "deck_id", "state", "suspended",
              "position", "buried_until",
              sqlite_where=text("state = 0"), postgresql_where=text("state = 0")),
        AUTOINCREMENT,
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def schedule(self) -> Schedule:
        return Schedule(
            state=CardState(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
            reps=self.reps,
            lapses=self.lapses,
        )

    def set_schedule(self, schedule: Schedule) -> None:
        self.state = int(schedule.state)
        self.step = schedule.step
        self.stability = schedule.stability
        self.difficulty = schedule.difficulty
        self.due = schedule.due
        self.last_review = schedule.last_review
        self.reps = schedule.reps
        self.lapses = schedule.lapses

    @property
    def tag_list(self) -> list[str]:
        return self.tags.split()


class ReviewLog(Base):
    """One grade, with the card's schedule before and after, so undo is exact and the
    log can feed the FSRS optimiser."""

    __tablename__ = "review_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    # The card's user, repeated so today's counts read one index.
    user_id: Mapped[int] = _owner()
    reviewed_at: Mapped[datetime]
    rating: Mapped[int] = mapped_column(SmallInteger)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    # The card version that was graded: one grade per version, whatever the client retries.
    card_version: Mapped[int] = mapped_column(Integer)
    # The id an offline client gave the answer (services/sync.py): one row per id and
    # user, whatever the retries; NULL for a grade given online.
    client_answer_id: Mapped[str | None] = mapped_column(String(64))

    state_before: Mapped[int] = mapped_column(SmallInteger)
    step_before: Mapped[int | None] = mapped_column(Integer)
    stability_before: Mapped[float | None] = mapped_column(Float)
    difficulty_before: Mapped[float | None] = mapped_column(Float)
    due_before: Mapped[datetime | None]
    last_review_before: Mapped[datetime | None]

    state_after: Mapped[int] = mapped_column(SmallInteger)
    step_after: Mapped[int | None] = mapped_column(Integer)
    stability_after: Mapped[float | None] = mapped_column(Float)
    difficulty_after: Mapped[float | None] = mapped_column(Float)
    due_after: Mapped[datetime | None]
    # What this grade did to a leech (so undo can take it back): tagged it, suspended it.
    leech_tagged: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    leech_suspended: Mapped[bool] = mapped_column(Boolean, default=False,
                                                  server_default=false())

    __table_args__ = (
        UniqueConstraint("card_id", "card_version", name="uq_review_logs_card_version"),
        CheckConstraint("rating BETWEEN 1 AND 4", name="rating_range"),
        # Today's counts by state read only this index.
        Index("ix_review_logs_reviewed_at", "user_id", "reviewed_at", "state_before"),
        # The statistics page's sums by study day read only this index (migration 0021).
        Index("ix_review_logs_client_answer", "user_id", "client_answer_id", unique=True),
        Index("ix_review_logs_stats", "user_id", "reviewed_at", "card_id", "state_before",
              "rating", "duration_ms", "due_before", "last_review_before"),
        AUTOINCREMENT,
    )

    def schedule_before(self, reps: int, lapses: int) -> Schedule:
        return Schedule(CardState(self.state_before), self.step_before, self.stability_before,
                        self.difficulty_before, self.due_before, self.last_review_before,
                        reps, lapses)

    def schedule_after(self, reps: int, lapses: int) -> Schedule:
        return Schedule(CardState(self.state_after), self.step_after, self.stability_after,
                        self.difficulty_after, self.due_after, self.reviewed_at, reps, lapses)


class Settings(Base):
    """The user's study options (one row)."""

    __tablename__ = "settings"

    # One row per user, keyed by the user's id.
    id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                    primary_key=True)
    desired_retention: Mapped[float] = mapped_column(Float, default=0.9)
    new_per_day: Mapped[int] = mapped_column(Integer, default=20)
    max_reviews_per_day: Mapped[int] = mapped_column(Integer, default=200)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    rollover_hour: Mapped[int] = mapped_column(SmallInteger, default=4)
    # The plan: from the first study day to the interview (default: 30 days later).
    plan_start: Mapped[date | None] = mapped_column(Date)
    interview_date: Mapped[date | None] = mapped_column(Date)
    # The interview's later rounds, interview_date being the first: their ISO dates,
    # comma-separated, increasing, after the first ('' for an interview of one round).
    later_rounds: Mapped[str] = mapped_column(String(40), default="",
                                              server_default=text("''"))
    daily_minutes: Mapped[int] = mapped_column(Integer, default=60, server_default=text("60"))
    # Recall wanted on interview day; None: the desired retention.
    interview_retention: Mapped[float | None] = mapped_column(Float)
    # Monday..Sunday, comma-separated: each day's minutes (0-600), or empty for
    # daily_minutes (core.planner.easy_days reads it). Absorbed Easy Days (migration 0023).
    weekday_minutes: Mapped[str] = mapped_column(String(64), default=NEW_USER_WEEKDAY_MINUTES,
                                                 server_default=text(f"'{SAME_EVERY_DAY}'"))
    # The plan's new cards for one study day (the review limit follows the plan).
    paced_day: Mapped[date | None] = mapped_column(Date)
    paced_new: Mapped[int | None] = mapped_column(Integer)
    # Learn more today: new cards the user added on extra_new_day, on top of paced_new.
    extra_new_day: Mapped[date | None] = mapped_column(Date)
    extra_new: Mapped[int | None] = mapped_column(Integer)
    # A card that lapses this many times is a leech (then again every half of it), as
    # in Anki: tagged "leech" and, with the "suspend" action, suspended.
    leech_threshold: Mapped[int] = mapped_column(Integer, default=8, server_default=text("8"))
    leech_action: Mapped[str] = mapped_column(String(16), default="suspend",
                                              server_default=text("'suspend'"))
    # The plan's calendar (download and subscription): a reminder on each plan day at
    # this many minutes after midnight; None: no reminder.
    calendar_reminder: Mapped[int | None] = mapped_column(SmallInteger)
    # When the user chose (or skipped) the first-run set-up: interview date, daily
    # minutes, time zone. None: pages lead to the set-up page first.
    setup_done_at: Mapped[datetime | None]
    # The FSRS parameters in use, as a JSON list of 21 numbers; None: FSRS-6's defaults.
    # Set by the optimiser when it adopts parameters learnt from the review log.
    fsrs_parameters: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("desired_retention > 0 AND desired_retention < 1", name="retention_range"),
        CheckConstraint("rollover_hour BETWEEN 0 AND 23", name="rollover_range"),
        CheckConstraint("new_per_day >= 0", name="new_per_day_range"),
        CheckConstraint("max_reviews_per_day >= 0", name="max_reviews_range"),
        CheckConstraint("daily_minutes > 0", name="daily_minutes_positive"),
        CheckConstraint("leech_threshold > 0", name="leech_threshold_positive"),
        CheckConstraint("leech_action IN ('suspend', 'tag')", name="leech_action_known"),
        CheckConstraint("calendar_reminder BETWEEN 0 AND 1439", name="calendar_reminder_range"),
    )


class PlanTask(Base):
    """A preparation task for the plan (stories, whiteboarding, research, mocks, rest)."""

    __tablename__ = "plan_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _owner()
    # The bundled task this came from (decks/tasks.csv key), if any.
    key: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(MAX_TITLE_LENGTH))
    details: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[int] = mapped_column(Integer)
    # Weeks 1-4 of a 30-day plan in which the task belongs.
    earliest_week: Mapped[int] = mapped_column(SmallInteger)
    latest_week: Mapped[int] = mapped_column(SmallInteger)
    source: Mapped[str] = mapped_column(Text, default="")
    # "required" or "optional" (flashcards.core.taskformat.TaskPriority).
    priority: Mapped[str] = mapped_column(String(16), default="optional",
                                          server_default=text("'optional'"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The day the plan put it on; `pinned` when the user chose the day themselves.
    scheduled_for: Mapped[date | None] = mapped_column(Date)
    # The minutes the plan last gave it on the day it shows on (its first part when the
    # plan splits it; 0: dropped from the plan by the budget); None: not fitted yet.
    plan_minutes: Mapped[int | None] = mapped_column(Integer)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    done_at: Mapped[datetime | None]
    # Minutes of it done in parts (a task the plan splits over days is ticked off one
    # part a day); the latest part's study day and minutes, so that day can undo it.
    minutes_done: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    part_done_on: Mapped[date | None] = mapped_column(Date)
    part_minutes: Mapped[int | None] = mapped_column(Integer)
    # The ids of the user's tasks that must be done on an earlier day, space-separated.
    after_ids: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    # Done in one sitting (a mock interview): the plan never splits or shortens it.
    sitting: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # "Plan it anyway": the user accepts its day running over when no day holds it.
    anyway: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("minutes > 0", name="minutes_positive"),
        CheckConstraint("minutes_done >= 0", name="minutes_done_not_negative"),
        CheckConstraint("earliest_week <= latest_week", name="week_order"),
        CheckConstraint("priority IN ('required', 'optional')", name="priority_values"),
        UniqueConstraint("user_id", "key", name="uq_plan_tasks_user_key"),
        AUTOINCREMENT,
    )

    @property
    def after(self) -> tuple[int, ...]:
        """The ids in after_ids (the tasks that must come first)."""
        return parse_task_ids(self.after_ids)

    @property
    def minutes_left(self) -> int:
        """Its minutes not done yet in parts (the whole task when none is)."""
        return max(self.minutes - (self.minutes_done or 0), 1)


class CardAction(Base):
    """A change to many cards at once (from the card browser), with what it replaced,
    so it can be undone once."""

    __tablename__ = "card_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _owner()
    action: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    # Where the user came from (the browser's search), to go back after undo.
    query: Mapped[str] = mapped_column(Text, default="")
    card_count: Mapped[int] = mapped_column(Integer)
    # JSON: the replaced values of each card, and each card's version after the change.
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    undone_at: Mapped[datetime | None]

    __table_args__ = {"sqlite_autoincrement": True}


class SeededBundle(Base):
    """A bundled deck file that has been seeded, so a second start adds nothing."""

    __tablename__ = "seeded_bundles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    checksum: Mapped[str] = mapped_column(String(64))
    # Space-separated guids seeded so far: a card the user deleted is not brought back.
    guids: Mapped[str] = mapped_column(Text, default="")
    seeded_at: Mapped[datetime]


class CalendarFeed(Base):
    """The user's private calendar subscription: the feed URL carries a random token,
    stored here only as its SHA-256. Revoking deletes the row; a new link replaces the
    hash, so the old URL stops working either way."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]


class FsrsFit(Base):
    """One run of the FSRS optimiser on the user's review log: what it learnt, how the
    parameters in use and the new ones scored, and whether they were adopted (with the
    parameters they replaced, so the change can be undone)."""

    __tablename__ = "fsrs_fits"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _owner()
    created_at: Mapped[datetime]
    reviews_used: Mapped[int] = mapped_column(Integer)
    adopted: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text)
    # JSON lists of 21 numbers: what the optimiser learnt (None: it did not run) and,
    # for an adopted fit, what was in use before (None: the defaults).
    parameters: Mapped[str | None] = mapped_column(Text)
    previous_parameters: Mapped[str | None] = mapped_column(Text)
    log_loss_before: Mapped[float | None] = mapped_column(Float)
    rmse_bins_before: Mapped[float | None] = mapped_column(Float)
    log_loss_after: Mapped[float | None] = mapped_column(Float)
    rmse_bins_after: Mapped[float | None] = mapped_column(Float)
    # Set when the user went back to the parameters it replaced.
    undone_at: Mapped[datetime | None]
    # Set when the user had the due dates re-computed with these parameters.
    rescheduled_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_fsrs_fits_user_created", "user_id", "created_at"),
        AUTOINCREMENT,
    )


class Job(Base):
    """Work that runs outside the request that asked for it (an import, the optimiser),
    kept in the database so that any app server can run it, show its progress and take
    it over when the worker running it stops (services/jobs.py). URLs name a job by its
    random token; its id is internal."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _owner()
    token: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "import" or "optimise"
    # uploaded (waiting for confirmation), queued, running, done or failed.
    state: Mapped[str] = mapped_column(String(16))
    # The uploaded file (an import's), dropped once the job ends.
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    options: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[str | None] = mapped_column(Text)  # JSON, once done
    error: Mapped[str | None] = mapped_column(Text)  # once failed
    worker: Mapped[str | None] = mapped_column(String(100))  # who runs it
    heartbeat_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_jobs_state_heartbeat", "state", "heartbeat_at"),
        Index("ix_jobs_user_kind_state", "user_id", "kind", "state"),
        AUTOINCREMENT,
    )


class ReadinessHistory(Base):
    """A deck's predicted recall on interview day as the plan of one study day saw it:
    one row per deck per day, written (and rewritten the same day) when the plan is
    built, so the statistics page can show how readiness moved."""

    __tablename__ = "readiness_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _owner()
    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    recall: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        CheckConstraint("recall BETWEEN 0 AND 1", name="recall_range"),
        UniqueConstraint("user_id", "deck_id", "day", name="uq_readiness_history_user_deck_day"),
        AUTOINCREMENT,
    )


# Every query of these rows is scoped to the session's user (flashcards.scoping).
OWNED_MODELS: list[type] = [Deck, Card, ReviewLog, PlanTask, CardAction, SeededBundle,
                            CalendarFeed, FsrsFit, Job, ReadinessHistory]
scoping.install(OWNED_MODELS, Settings)


def unit_of_work_caches() -> list[object]:
    """The mappers' compiled caches, by which the unit of work's statements are known."""
    return [mapper._compiled_cache for mapper in Base.registry.mappers]
