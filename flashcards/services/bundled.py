"""Seeding the bundled decks from decks/ on first run, and merging later updates."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from flashcards.core.deckformat import CardRow, parse_deck_csv
from flashcards.core.taskformat import TaskRow, format_task_ids, parse_tasks_csv
from flashcards.db import begin_write
from flashcards.models import Card, Deck, PlanTask, SeededBundle
from flashcards.services.decks import deck_named
from flashcards.services.positions import last_position
from flashcards.services.settings import get_settings, is_valid_time_zone
from flashcards.services.users import owner


@dataclass(frozen=True, slots=True)
class BundledDeck:
    key: str
    name: str
    description: str
    rows: list[CardRow]
    checksum: str


@dataclass(frozen=True, slots=True)
class BundledTasks:
    rows: list[TaskRow]
    checksum: str


@dataclass(frozen=True, slots=True)
class Bundle:
    """Everything in decks/: the decks and the plan tasks."""

    decks: list[BundledDeck]
    tasks: BundledTasks | None


@dataclass
class SeedReport:
    decks_created: list[str] = field(default_factory=list)
    cards_added: int = 0
    cards_updated: int = 0
    # Bundled cards the new edition dropped: suspended and tagged, never deleted.
    cards_retired: int = 0
    tasks_added: int = 0
    tasks_updated: int = 0


def describe_update(report: SeedReport) -> str | None:
    """The start-up line for a new edition of the bundled content, or None if nothing
    changed (or the decks were seeded for the first time)."""
    if report.decks_created:
        return None
    parts = []
    if report.cards_updated or report.cards_added or report.cards_retired:
        parts.append(f"{report.cards_updated} cards rewritten, {report.cards_added} added, "
                     f"{report.cards_retired} retired (suspended, tagged {RETIRED_TAG})")
    if report.tasks_updated or report.tasks_added:
        parts.append(f"{report.tasks_updated} plan tasks rewritten, "
                     f"{report.tasks_added} added")
    return f"Bundled decks updated: {'; '.join(parts)}" if parts else None


# The tag of a bundled card that a new edition no longer has.
RETIRED_TAG = "retired"

# The SeededBundle key of decks/tasks.csv (deck keys may not take it).
TASKS_KEY = "plan-tasks"


class BundleError(ValueError):
    """decks/decks.toml or one of its files is broken."""


def load_bundle(decks_dir: Path) -> Bundle:
    """The decks and plan tasks listed in decks/decks.toml, parsed and checked."""
    manifest_path = decks_dir / "decks.toml"
    try:
        manifest = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BundleError(f"{manifest_path}: {exc}") from exc
    unknown_sections = set(manifest) - {"deck", "tasks"}
    if unknown_sections:
        raise BundleError(f"{manifest_path}: unknown section(s) {sorted(unknown_sections)}")
    decks = []
    for entry in manifest.get("deck", []):
        unknown = set(entry) - {"key", "file", "name", "description"}
        if unknown or not all(entry.get(k) for k in ("key", "file", "name")):
            raise BundleError(f"{manifest_path}: deck entry {entry!r} needs key, file and name "
                              f"and nothing else besides description")
        if entry["key"] == TASKS_KEY:
            raise BundleError(f"{manifest_path}: the deck key {TASKS_KEY!r} is reserved")
        raw = _read(decks_dir / entry["file"])
        rows = parse_deck_csv(raw.decode("utf-8"), name=entry["file"])
        digest = hashlib.sha256(raw)
        digest.update(f"{entry['name']}\0{entry.get('description', '')}".encode())
        decks.append(BundledDeck(entry["key"], entry["name"], entry.get("description", ""),
                                 rows, digest.hexdigest()))
    tasks = None
    if "tasks" in manifest:
        entry = manifest["tasks"]
        if set(entry) != {"file"}:
            raise BundleError(f"{manifest_path}: [tasks] needs exactly one setting, file")
        raw = _read(decks_dir / entry["file"])
        tasks = BundledTasks(parse_tasks_csv(raw.decode("utf-8"), name=entry["file"]),
                             hashlib.sha256(raw).hexdigest())
    return Bundle(decks, tasks)


def _read(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
        raw.decode("utf-8")
    except OSError as exc:
        raise BundleError(f"{path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise BundleError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    return raw


def load_bundled_decks(decks_dir: Path) -> list[BundledDeck]:
    """The bundled decks alone."""
    return load_bundle(decks_dir).decks


def seed_bundle(session: Session, bundle: Bundle, now: datetime) -> SeedReport:
    """Seed (or update) the bundled decks and plan tasks in one transaction."""
    report = seed_bundled_decks(session, bundle.decks, now)
    if bundle.tasks is not None:
        _seed_tasks(session, bundle.tasks, now, report)
    session.flush()
    return report


def _seed_tasks(session: Session, tasks: BundledTasks, now: datetime,
                report: SeedReport) -> None:
    """Add the file's new tasks and refresh those the user has not edited (text, weeks,
    priority, sitting, and `after` as the ids of the user's tasks with those keys); a
    task the user deleted is not brought back, nor named in another's `after`."""
    user_id = owner(session)
    record = session.get(SeededBundle, (user_id, TASKS_KEY))
    if record is not None and record.checksum == tasks.checksum:
        return
    previously = set(record.guids.split()) if record is not None else set()
    existing = {task.key: task for task in session.execute(
        select(PlanTask).where(PlanTask.user_id == user_id,
                               PlanTask.key.in_([row.key for row in tasks.rows]))).scalars()}
    position = last_position(session, PlanTask, user_id)
    # The tasks this edition may write to (added now, or not edited by the user).
    # (row, task, whether it is new, whether its other columns changed)
    refreshed: list[tuple[TaskRow, PlanTask, bool, bool]] = []
    for row in tasks.rows:
        values = {"title": row.title, "details": row.details, "kind": row.kind.value,
                  "minutes": row.minutes, "earliest_week": row.earliest_week,
                  "latest_week": row.latest_week, "source": row.source,
                  "priority": _task_priority(row), "sitting": row.sitting}
        task = existing.get(row.key)
        if task is None:
            if row.key in previously:
                continue  # deleted by the user: stays deleted
            position += 1
            task = PlanTask(user_id=user_id, key=row.key, position=position,
                            created_at=now, after_ids="", **values)
            session.add(task)
            existing[row.key] = task
            report.tasks_added += 1
            refreshed.append((row, task, True, False))
        elif task.edited_at is None:
            changed = any(getattr(task, k) != v for k, v in values.items())
            for name, value in values.items():
                setattr(task, name, value)
            refreshed.append((row, task, False, changed))
    session.flush()  # the new tasks' ids, for the `after` of those that need them
    for row, task, added, changed in refreshed:
        after_ids = format_task_ids(existing[key].id for key in row.after if key in existing)
        if after_ids != task.after_ids:
            task.after_ids, changed = after_ids, True
        if changed and not added:
            report.tasks_updated += 1
    guids = " ".join(sorted(previously | {row.key for row in tasks.rows}))
    if record is None:
        session.add(SeededBundle(user_id=user_id, key=TASKS_KEY, checksum=tasks.checksum,
                                 guids=guids,
                                 seeded_at=now))
    else:
        record.checksum, record.guids, record.seeded_at = tasks.checksum, guids, now


def _task_priority(row: TaskRow) -> str:
    """The row's priority (its column, or by kind in a file without one)."""
    return row.priority.value


def seed_bundled_decks(session: Session, bundles: list[BundledDeck], now: datetime) -> SeedReport:
    """Create the bundled decks once; later, add their new cards and refresh cards the
    user has not edited. A second run with the same files changes nothing."""
    begin_write(session)
    report = SeedReport()
    user_id = owner(session)
    seeded = {row.key: row for row in session.execute(
        select(SeededBundle).where(SeededBundle.user_id == user_id)).scalars()}
    # New cards are introduced round-robin across the bundled decks, so studying
    # "all decks" mixes terminology, ladder, process and answer pairs from day one.
    base = last_position(session, Card, user_id)
    stride = len(bundles)
    for index, bundle in enumerate(bundles):
        record = seeded.get(bundle.key)
        if record is not None and record.checksum == bundle.checksum:
            continue
        deck = session.execute(
            select(Deck).where(Deck.user_id == user_id, Deck.bundle_key == bundle.key)
        ).scalar_one_or_none()
        if record is None and deck is None:
            deck = Deck(user_id=user_id, name=_free_deck_name(session, bundle.name),
                        description=bundle.description,
                        bundle_key=bundle.key, created_at=now)
            session.add(deck)
            session.flush()
            report.decks_created.append(deck.name)
        previously = set(record.guids.split()) if record is not None else set()
        if deck is not None:
            _merge_cards(session, deck, bundle, previously, now, report,
                         first_position=base + index + 1, stride=stride)
        guids = " ".join(sorted(previously | {row.guid for row in bundle.rows}))
        if record is None:
            session.add(SeededBundle(user_id=user_id, key=bundle.key, checksum=bundle.checksum,
                                     guids=guids,
                                     seeded_at=now))
        else:
            record.checksum, record.guids, record.seeded_at = bundle.checksum, guids, now
    session.flush()
    return report


def _merge_cards(session: Session, deck: Deck, bundle: BundledDeck, previously: set[str],
                 now: datetime, report: SeedReport, *, first_position: int, stride: int) -> None:
    if deck.edited_at is None:
        deck.description = bundle.description
    existing = {card.guid: card for card in session.execute(
        select(Card).where(Card.user_id == deck.user_id,
                           Card.guid.in_([row.guid for row in bundle.rows]))).scalars()}
    for number, row in enumerate(bundle.rows):
        card = existing.get(row.guid)
        if card is None:
            if row.guid in previously:
                continue  # seeded before and deleted by the user: stays deleted
            position = first_position + number * stride
            session.add(Card(user_id=deck.user_id, deck_id=deck.id, guid=row.guid,
                             kind=row.kind.value, front=row.front, back=row.back,
                             weak_answer=row.weak_answer,
                             strong_answer=row.strong_answer, tags=" ".join(row.tags),
                             source=row.source, position=position, created_at=now))
            report.cards_added += 1
        # Each card the user edited is left alone. (Not the whole deck: editing one card
        # marks its deck edited too, and would stop every later edition reaching it.)
        elif card.edited_at is None and _differs(card, row):
            # Text only: the schedule (state, stability, due...) and the reviews stay.
            if RETIRED_TAG in card.tags.split() and RETIRED_TAG not in row.tags:
                card.suspended = False  # back in this edition
            card.kind, card.front, card.back = row.kind.value, row.front, row.back
            card.weak_answer, card.strong_answer = row.weak_answer, row.strong_answer
            card.tags, card.source = " ".join(row.tags), row.source
            report.cards_updated += 1
    _retire_dropped_cards(session, deck, previously - {row.guid for row in bundle.rows},
                          report)


def _retire_dropped_cards(session: Session, deck: Deck, dropped: set[str],
                          report: SeedReport) -> None:
    """Suspend and tag the deck's cards that an earlier edition had and this one has not;
    they keep their reviews. Cards the user edited, or retired already, are left alone."""
    if not dropped:
        return
    cards = session.execute(select(Card).where(
        Card.user_id == deck.user_id, Card.deck_id == deck.id, Card.guid.in_(sorted(dropped)),
        Card.edited_at.is_(None))).scalars()
    for card in cards:
        tags = card.tags.split()
        if RETIRED_TAG in tags:
            continue
        card.tags = " ".join([*tags, RETIRED_TAG])
        card.suspended = True
        report.cards_retired += 1


def _differs(card: Card, row: CardRow) -> bool:
    return (card.kind, card.front, card.back, card.weak_answer, card.strong_answer, card.tags,
            card.source) != (row.kind.value, row.front, row.back, row.weak_answer,
                             row.strong_answer, " ".join(row.tags), row.source)


def _free_deck_name(session: Session, name: str) -> str:
    """`name`, or "name (2)", "name (3)"... when the user has a deck of that name (in
    any case): a bundled deck never takes over a deck of the user's."""
    candidate, n = name, 1
    while deck_named(session, candidate) is not None:
        n += 1
        candidate = f"{name} ({n})"
    return candidate


def adopt_local_time_zone(session: Session, zone_name: str | None) -> bool:
    """On the very first start, study days follow the machine's time zone."""
    begin_write(session)
    first_start = session.execute(select(SeededBundle.key).where(
        SeededBundle.user_id == owner(session)).limit(1)).first() is None
    settings = get_settings(session)
    if first_start and settings.timezone == "UTC" and zone_name and is_valid_time_zone(zone_name):
        settings.timezone = zone_name
        return True
    return False
