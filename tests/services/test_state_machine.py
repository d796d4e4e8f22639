"""A Hypothesis state machine over the review loop: grade, undo, bury, suspend, import,
export and the day rollover, in any order, each step one committed transaction (as a web
request is), with the review log and the cards checked against each other after every
step."""

from __future__ import annotations

import csv
import io
import random
import shutil
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from itertools import count, pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flashcards import create_app
from flashcards.core.csvformat import ImportFileError
from flashcards.core.scheduling import CardState, Rating
from flashcards.models import Card, ReviewLog
from flashcards.services import study
from flashcards.services.errors import NothingToUndo
from flashcards.services.exporter import ExportFormat, export_cards
from flashcards.services.importer import DuplicatePolicy, import_file
from flashcards.services.settings import get_settings
from tests.conftest import Clock, make_deck

# What undo promises to put back exactly (the version moves on: old forms go stale).
RESTORED_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps",
                   "lapses", "suspended", "tags", "buried_until")
SCHEDULE_FIELDS = RESTORED_FIELDS[:8]
CONTENT_FIELDS = ("deck_id", "guid", "kind", "front", "back", "tags", "source", "is_html")

# Small sets, so imports meet existing cards (make_deck's fronts), each other, blank
# fronts and fronts equal only after trimming and NFC.
DECKS = ("Deck", "Other")
FRONTS = ("Deck front 0", " Deck front 1 ", "Deck front 2", "Question", "question",
          "caf\u00e9", "cafe\u0301", "")
BACKS = ("answer", "another answer", "")
TAGS = ("", "a", "a b", "b")
# A few grades in a row, each maybe taken back at once (the undo key right after).
RATINGS = st.lists(st.tuples(st.sampled_from(list(Rating)), st.booleans()), min_size=1,
                   max_size=5)


def snapshot(card: Card, fields: tuple[str, ...] = RESTORED_FIELDS) -> dict[str, Any]:
    return {f: getattr(card, f) for f in fields}


def csv_file(rows: list[tuple[str, str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("front", "back", "tags"))
    writer.writerows(rows)
    return buffer.getvalue().encode()


def export_text(session: Session) -> str:
    return "".join(export_cards(session, deck_id=None, export_format=ExportFormat.CSV,
                                with_schedule=True))


class Database:
    """A fresh copy of the migrated template behind its own app, made as the `app`
    fixture makes it (no bundled decks seeded)."""

    def __init__(self, template: Path, path: Path, clock: Clock) -> None:
        shutil.copyfile(template, path)
        self.path = path
        self.app = create_app({
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{path}",
            "SECRET_KEY": "test-secret",
            "CLOCK": clock,
            "RNG": random.Random(1234),
        })

    def session(self) -> Session:
        """A new session for the local user: one per step, as one per web request."""
        return self.app.extensions["flashcards.sessionmaker"](info={"user_id": 1})

    def close(self) -> None:
        self.app.extensions["flashcards.engine"].dispose()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


@dataclass(frozen=True)
class Undoable:
    """The review screen's remembered action, and the card as it was before it."""

    action: study.UndoAction
    before: dict[str, Any]


class ReviewMachine(RuleBasedStateMachine):
    # Set by the module fixture below: the migrated template and a folder for copies.
    template: Path | None = None
    workdir: Path | None = None
    _numbers = count()

    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock()
        self.databases: list[Database] = []
        self.db: Database | None = None
        self.undoable: Undoable | None = None

    def _database(self) -> Database:
        assert self.template is not None and self.workdir is not None, "needs the fixture"
        db = Database(self.template, self.workdir / f"db{next(self._numbers)}.sqlite3",
                      self.clock)
        self.databases.append(db)
        return db

    def teardown(self) -> None:
        for db in self.databases:
            db.close()

    @initialize(cards=st.integers(1, 6), new_per_day=st.sampled_from([1, 3, 20]),
                max_reviews=st.sampled_from([1, 3, 200]),
                leech_threshold=st.sampled_from([1, 2, 8]),
                leech_action=st.sampled_from(["suspend", "tag"]),
                zone=st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata"]),
                rollover=st.sampled_from([0, 4, 23]), seed=st.integers(0, 2**32 - 1))
    def open_database(self, cards: int, new_per_day: int, max_reviews: int,
                      leech_threshold: int, leech_action: str, zone: str, rollover: int,
                      seed: int) -> None:
        self.db = self._database()
        self.rng = random.Random(seed)
        self.new_per_day, self.max_reviews = new_per_day, max_reviews
        with self.db.session() as session:
            make_deck(session, "Deck", cards=cards, now=self.clock.now)
            options = get_settings(session)
            options.new_per_day, options.max_reviews_per_day = new_per_day, max_reviews
            options.leech_threshold, options.leech_action = leech_threshold, leech_action
            options.timezone, options.rollover_hour = zone, rollover
            session.commit()

    # -- the review screen -------------------------------------------------------------

    @rule(ratings=RATINGS)
    def grade(self, ratings: list[tuple[Rating, bool]]) -> None:
        """Grade the next few cards now, one request each."""
        for rating, undo in ratings:
            self._grade_next(rating, undo)

    @rule(ratings=RATINGS, late=st.integers(0, 3 * 24 * 60))
    def grade_when_due(self, ratings: list[tuple[Rating, bool]], late: int) -> None:
        """Come back when the next card falls due (or some minutes later) and grade it,
        a few times over: without this, cards seldom reach review and never lapse."""
        assert self.db is not None
        for rating, undo in ratings:
            with self.db.session() as session:
                due = session.execute(select(func.min(Card.due)).where(
                    Card.suspended == False, Card.due.is_not(None))).scalar_one()  # noqa: E712
            if due is not None and due + timedelta(minutes=late) > self.clock.now:
                self.clock.now = due + timedelta(minutes=late)
            self._grade_next(rating, undo)

    def _grade_next(self, rating: Rating, undo: bool) -> None:
        assert self.db is not None
        now = self.clock.now
        with self.db.session() as session:
            card = study.next_card(session, study.day_allowance(session, now))
            if card is None:
                return
            assert not card.suspended
            assert card.buried_until is None or card.buried_until <= now
            before, version = snapshot(card), card.version
            outcome = study.grade(session, card.id, version, rating, now, rng=self.rng)
            session.commit()
        assert not outcome.duplicate
        with self.db.session() as session:
            card = session.get(Card, outcome.card_id)
            log = session.get(ReviewLog, outcome.log_id)
            assert card is not None and log is not None
            assert card.version == version + 1 and log.card_version == version
            assert (log.rating, log.reviewed_at) == (int(rating), now)
            assert (log.state_before, log.step_before, log.stability_before,
                    log.difficulty_before, log.due_before, log.last_review_before) == (
                before["state"], before["step"], before["stability"], before["difficulty"],
                before["due"], before["last_review"])
            assert card.schedule == outcome.schedule
            assert (card.reps, card.last_review) == (before["reps"] + 1, now)
        self.undoable = Undoable(study.UndoAction("review", card.id, log_id=outcome.log_id),
                                 before)
        if undo:
            self._undo()

    def _hide_next(self, hide: str) -> None:
        assert self.db is not None
        now = self.clock.now
        with self.db.session() as session:
            card = study.next_card(session, study.day_allowance(session, now))
            if card is None:
                return
            before = snapshot(card)
            if hide == "bury":
                action = study.bury(session, now, card.id, card.version)
            else:
                action = study.suspend(session, card.id, card.version)
            session.commit()
            shown = study.next_card(session, study.day_allowance(session, now))
            # Hidden for the rest of the study day (or until unsuspended).
            assert shown is None or shown.id != card.id
        self.undoable = Undoable(action, before)

    @rule()
    def bury(self) -> None:
        self._hide_next("bury")

    @rule()
    def suspend(self) -> None:
        self._hide_next("suspend")

    @precondition(lambda self: self.undoable is not None)
    @rule()
    def undo(self) -> None:
        """Undo later: after other steps (time, imports, exports) in between."""
        self._undo()

    def _undo(self) -> None:
        assert self.db is not None and self.undoable is not None
        action, before = self.undoable.action, self.undoable.before
        with self.db.session() as session:
            version = session.get(Card, action.card_id).version
            study.undo(session, self.clock.now, action)
            session.commit()
        with self.db.session() as session:
            card = session.get(Card, action.card_id)
            assert snapshot(card) == before
            # A form showing the graded (or buried) card is stale now.
            assert card.version > version
            if action.log_id is not None:
                assert session.get(ReviewLog, action.log_id) is None
        self.undoable = None

    @rule()
    def undo_latest_review(self) -> None:
        """Undo with no action remembered (a new browser tab): today's latest review."""
        assert self.db is not None
        now = self.clock.now
        with self.db.session() as session:
            today = study.day_allowance(session, now)
            latest = session.execute(select(ReviewLog).order_by(ReviewLog.id.desc()).limit(1)
                                     ).scalar_one_or_none()
            if latest is None or latest.reviewed_at < today.day.start:
                with pytest.raises(NothingToUndo):
                    study.undo(session, now, None)
                session.rollback()
                return
            log_id, card_id = latest.id, latest.card_id
            expected = (latest.state_before, latest.step_before, latest.stability_before,
                        latest.difficulty_before, latest.due_before, latest.last_review_before)
            reps = session.get(Card, card_id).reps
            assert study.undo(session, now, None).id == card_id
            session.commit()
        with self.db.session() as session:
            card = session.get(Card, card_id)
            assert (card.state, card.step, card.stability, card.difficulty, card.due,
                    card.last_review, card.reps) == (*expected, reps - 1)
            assert session.get(ReviewLog, log_id) is None
        if self.undoable is None or self.undoable.action.card_id != card_id:
            return
        if self.undoable.action.log_id == log_id:
            self.undoable = None
        else:
            # A bury or suspend remembered since: its undo now finds this schedule.
            self.undoable = replace(self.undoable, before={
                **self.undoable.before, **snapshot(card, SCHEDULE_FIELDS + ("tags",))})

    # -- time ----------------------------------------------------------------------------

    @rule(minutes=st.integers(1, 12 * 60))
    def advance_minutes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    @rule(days=st.integers(1, 40))
    def advance_days(self, days: int) -> None:
        self.clock.advance(days=days)

    @rule(offset=st.sampled_from([-1, 0, 1]))
    def advance_to_rollover(self, offset: int) -> None:
        """To a second before, at or after the start of the next study day."""
        assert self.db is not None
        with self.db.session() as session:
            today = study.day_allowance(session, self.clock.now)
            target = today.day.end + timedelta(seconds=offset)
            if target > self.clock.now:
                self.clock.now = target
                assert study.current_day(session, target).date != today.day.date or offset < 0

    # -- files ---------------------------------------------------------------------------

    @rule(rows=st.lists(st.tuples(st.sampled_from(FRONTS), st.sampled_from(BACKS),
                                  st.sampled_from(TAGS)), min_size=1, max_size=4),
          deck=st.sampled_from(DECKS), policy=st.sampled_from(list(DuplicatePolicy)))
    def import_cards(self, rows: list[tuple[str, str, str]], deck: str,
                     policy: DuplicatePolicy) -> None:
        assert self.db is not None
        # A row of blank cells is a blank line: skipped, as Anki skips them.
        cards_in_file = sum(1 for row in rows if "".join(row).strip())
        with self.db.session() as session:
            cards = session.execute(select(Card)).scalars().all()
            before = {c.id: (snapshot(c, CONTENT_FIELDS), snapshot(c)) for c in cards}
            if not cards_in_file:
                with pytest.raises(ImportFileError, match="no cards"):
                    import_file(session, csv_file(rows), deck=deck, policy=policy,
                                now=self.clock.now)
                session.rollback()
                return
            _, result = import_file(session, csv_file(rows), deck=deck, policy=policy,
                                    now=self.clock.now)
            session.commit()
        counts = result.counts
        assert min(counts.values()) >= 0
        assert sum(counts.values()) == cards_in_file, counts
        with self.db.session() as session:
            cards = session.execute(select(Card)).scalars().all()
            after = {c.id: (snapshot(c, CONTENT_FIELDS), snapshot(c)) for c in cards}
        assert len(after) == len(before) + counts["new"]
        changed = [i for i in before if after[i][0] != before[i][0]]
        assert len(changed) == counts["updated"]
        if policy != DuplicatePolicy.UPDATE:
            assert changed == []
        # An import changes text only: schedules, suspension and burial stay.
        for card_id, (_, state) in before.items():
            assert {f: after[card_id][1][f] for f in state if f != "tags"} == {
                f: v for f, v in state.items() if f != "tags"}
        for card_id in set(after) - set(before):
            assert after[card_id][1]["state"] == CardState.NEW
        if self.undoable is not None and self.undoable.action.card_id in changed:
            # Undo puts back the schedule, not text the import has since rewritten.
            card_id = self.undoable.action.card_id
            self.undoable = replace(self.undoable, before={
                **self.undoable.before, "tags": after[card_id][0]["tags"]})

    @rule()
    def export_import_roundtrip(self) -> None:
        """A schedule export imported into an empty database exports the same again."""
        assert self.db is not None
        with self.db.session() as session:
            first = export_text(session)
        fresh = self._database()
        with fresh.session() as session:
            plan, _ = import_file(session, first.encode(), now=self.clock.now)
            session.commit()
        assert plan.rejected == [] and plan.warnings == []
        with fresh.session() as session:
            second = export_text(session)
        fresh.close()
        self.databases.remove(fresh)
        assert second == first

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def review_log_agrees_with_cards(self) -> None:
        if self.db is None:
            return
        with self.db.session() as session:
            cards = {c.id: c for c in session.execute(select(Card)).scalars()}
            logs = session.execute(select(ReviewLog).order_by(ReviewLog.id)).scalars().all()
            by_card: dict[int, list[ReviewLog]] = defaultdict(list)
            for log in logs:
                assert log.card_id in cards and cards[log.card_id].user_id == log.user_id
                by_card[log.card_id].append(log)
            assert len({(log.card_id, log.card_version) for log in logs}) == len(logs)
            for card in cards.values():
                own = by_card[card.id]
                assert card.reps == len(own) and card.lapses >= 0
                assert card.lapses == sum(
                    1 for log in own if log.state_before == CardState.REVIEW
                    and log.rating == Rating.AGAIN)
                if not own:
                    assert (card.state, card.step, card.stability, card.difficulty, card.due,
                            card.last_review) == (CardState.NEW, None, None, None, None, None)
                    continue
                latest = own[-1]
                assert (card.state, card.step, card.stability, card.difficulty, card.due,
                        card.last_review) == (
                    latest.state_after, latest.step_after, latest.stability_after,
                    latest.difficulty_after, latest.due_after, latest.reviewed_at)
                assert own[0].state_before == CardState.NEW and own[0].due_before is None
                for earlier, later in pairwise(own):
                    # Each grade starts where the one before left the card.
                    assert (later.state_before, later.step_before, later.stability_before,
                            later.difficulty_before, later.due_before,
                            later.last_review_before) == (
                        earlier.state_after, earlier.step_after, earlier.stability_after,
                        earlier.difficulty_after, earlier.due_after, earlier.reviewed_at)
                    assert later.card_version > earlier.card_version

    @invariant()
    def queues_keep_the_daily_limits(self) -> None:
        if self.db is None:
            return
        with self.db.session() as session:
            today = study.day_allowance(session, self.clock.now)
            counts = study.queue_counts(session, today)
            assert min(counts.new, counts.learning, counts.review) >= 0
            assert 0 <= today.new_studied <= self.new_per_day
            assert 0 <= today.reviews_done <= self.max_reviews
            assert counts.new <= today.new_left <= self.new_per_day
            assert counts.review <= today.reviews_left <= self.max_reviews
            # The counts and the queue agree on whether anything is left.
            assert (study.next_card(session, today) is None) == (counts.total == 0)
            summary = study.day_summary(session, today)
            assert summary.reviewed == sum(summary.by_rating.values()) == today.studied


@pytest.fixture(autouse=True, scope="module")
def _machine_files(migrated_db: Path, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[None]:
    ReviewMachine.template = migrated_db
    ReviewMachine.workdir = tmp_path_factory.mktemp("state_machine")
    yield
    ReviewMachine.template = ReviewMachine.workdir = None


TestReviewMachine = ReviewMachine.TestCase
TestReviewMachine.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
