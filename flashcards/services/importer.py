"""Importing card files: plan what would happen (nothing written), then apply the plan
in one transaction."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain, count
from operator import attrgetter
from pathlib import PurePath
from typing import Any, cast

from sqlalchemy import Table, bindparam, column, insert, select, table, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from flashcards.core import importplan
from flashcards.core.cards import (
    MAX_DECK_NAME,
    CardKind,
    deck_name_key,
    new_guids,
    normalise_text,
)
from flashcards.core.csvformat import (
    AUTO_LAYOUT,
    ImportLayout,
    ParsedFile,
    parse_import,
)
from flashcards.core.importplan import (
    CONTENT_FIELDS,
    Action,
    DuplicatePolicy,
    ExistingCard,
    ImportPlan,
    PlannedRow,
    content,
)
from flashcards.db import begin_write
from flashcards.models import Card, Deck
from flashcards.scoping import OWNER
from flashcards.services.positions import last_position
from flashcards.services.users import owner

CHUNK = 2000
DEFAULT_DECK = "Imported"  # for rows with no deck from anywhere, e.g. read from stdin


def deck_name_for_file(file_name: str) -> str:
    """The deck for rows with no deck of their own and no #deck: line: the file's name
    without its extension, underscores read as spaces ("Python_terms.csv": "Python terms")."""
    stem = PurePath(file_name).stem.replace("_", " ").strip()
    return stem[:MAX_DECK_NAME] or DEFAULT_DECK


@dataclass
class ImportResult:
    counts: dict[str, int]
    new_decks: list[str] = field(default_factory=list)


# Young objects left by an import, above which _paused_gc freezes them rather than have
# the collector walk them (about two a row: some 10,000 rows).
FREEZE_ABOVE = 20_000


@contextmanager
def _paused_gc() -> Iterator[None]:
    """Without the cyclic garbage collector for the length of a big import: it would
    walk every one of the hundreds of thousands of new objects, again and again, and
    none of them form cycles (reference counting frees them).

    After a big import the objects alive are frozen (gc.freeze) instead: the
    collector's first passes would walk all of them, a tenth of a second of the user's
    wait at the commit, though most are freed by reference counting as soon as the
    caller drops the plan. The next import hands them back (gc.unfreeze) and collects
    once first, so a cycle that was garbage at the freeze is still freed."""
    enabled = gc.isenabled()
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_count()[0] > FREEZE_ABOVE:
            gc.freeze()
        if enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What the user chose for an import: the deck for rows without one, what to do with
    duplicates, and how to read the file."""

    deck: str | None = None  # for rows without a deck column (else the file's #deck:)
    policy: DuplicatePolicy = DuplicatePolicy.UPDATE
    default_deck: str = DEFAULT_DECK  # when neither the rows, the user nor the file says
    layout: ImportLayout = AUTO_LAYOUT

    @classmethod
    def from_saved(cls, options: dict[str, Any]) -> ImportOptions:
        """The options an upload keeps with it (JSON: see web/transfer.py)."""
        columns = options.get("columns")
        return cls(options["deck"] or None, DuplicatePolicy(options["policy"]),
                   options["default_deck"],
                   ImportLayout(options.get("header"), tuple(columns) if columns else None))


def run_import(session: Session, data: bytes, options: ImportOptions, *, now: datetime,
               before_write: Callable[[ImportPlan], object] | None = None,
               progress: Callable[[int, int], None] | None = None
               ) -> tuple[ImportPlan, ImportResult]:
    """An import as the `import-deck` command and the import job run it: the whole file
    in the session's transaction, which the caller commits. `before_write(plan)` backs
    the database up (maintenance.backup_hooks.backup_before_import); `progress(done, total)` as in
    apply_import. Raises ImportFileError for a file that cannot be read."""
    # The write lock from the start (BEGIN IMMEDIATE on SQLite): a transaction that read
    # the decks and then writes would fail there once another write (such as a running
    # job's own heartbeat) had been committed in between.
    begin_write(session)
    return import_file(session, data, deck=options.deck, policy=options.policy,
                       default_deck=options.default_deck, now=now, layout=options.layout,
                       progress=progress, before_write=before_write)


def plan_file(session: Session, data: bytes, options: ImportOptions) -> ImportPlan:
    """What run_import would do with the file (a dry run); writes nothing."""
    return plan_import(session, parse_import(data, layout=options.layout), deck=options.deck,
                       policy=options.policy, default_deck=options.default_deck)


def import_file(session: Session, data: bytes, *, deck: str | None = None,
                policy: DuplicatePolicy = DuplicatePolicy.UPDATE,
                default_deck: str = DEFAULT_DECK, now: datetime,
                layout: ImportLayout = AUTO_LAYOUT,
                progress: Callable[[int, int], None] | None = None,
                before_write: Callable[[ImportPlan], object] | None = None
                ) -> tuple[ImportPlan, ImportResult]:
    """Read, plan and write a whole file in the session's transaction (the caller
    commits). Raises ImportFileError for a file that cannot be read. `before_write(plan)`
    runs once the file is read and planned, before anything is written (the entry
    points back up the database there); what it raises stops the import."""
    with _paused_gc():
        plan = plan_import(session, parse_import(data, layout=layout), deck=deck, policy=policy,
                           default_deck=default_deck)
        if before_write is not None:
            before_write(plan)
        return plan, apply_import(session, plan, now, progress)


def plan_import(session: Session, parsed: ParsedFile, *, deck: str | None = None,
                policy: DuplicatePolicy = DuplicatePolicy.UPDATE,
                default_deck: str = DEFAULT_DECK) -> ImportPlan:
    """What importing `parsed` would do; reads the database, writes nothing.

    A row goes to its own deck column, else `deck` (the user's choice), else the file's
    #deck: line, else `default_deck`. Duplicates match by guid, else by the NFC-trimmed
    front within that deck (core/importplan.py decides; this loads what it needs)."""
    fallback = importplan.fallback_deck(deck, parsed.deck, default_deck)
    user_id = owner(session)
    names_by_key: dict[str, str] = {}
    decks: dict[str, int] = {}
    for deck_id, name, key in session.execute(select(Deck.id, Deck.name, Deck.name_key)
                                              .where(Deck.user_id == user_id)):
        names_by_key[key] = name
        decks[name] = deck_id
    rows = importplan.assign_decks(parsed.rows, fallback, names_by_key)
    by_guid = _cards_by_guid(session, user_id, [row.guid for row, _ in rows if row.guid])
    wanted_decks = {decks[name] for name in {name for _, name in rows} if name in decks}
    by_front = _fronts(session, wanted_decks)
    matched = (_cards_by_id(session, user_id, importplan.front_matches(rows, decks, by_front))
               if policy == DuplicatePolicy.UPDATE and by_front else {})
    return importplan.classify(parsed, rows,
                               importplan.Existing(decks, by_guid, by_front, matched), policy)


# The columns of an ExistingCard, in its order.
_EXISTING = (Card.id, *(getattr(Card, name) for name in CONTENT_FIELDS))
_IN_CLAUSE = 900  # ids or guids a query (SQLite allows 999 variables)


def _cards_by_guid(session: Session, user_id: int,
                   guids: list[str]) -> dict[str, ExistingCard]:
    """The user's cards with these guids."""
    found: dict[str, ExistingCard] = {}
    for start in range(0, len(guids), _IN_CLAUSE):
        for guid, *card in session.execute(select(Card.guid, *_EXISTING).where(
                Card.user_id == user_id, Card.guid.in_(guids[start:start + _IN_CLAUSE]))):
            found[guid] = ExistingCard(*card)
    return found


def _cards_by_id(session: Session, user_id: int, ids: list[int]) -> dict[int, ExistingCard]:
    found: dict[int, ExistingCard] = {}
    for start in range(0, len(ids), _IN_CLAUSE):
        for card in session.execute(select(*_EXISTING).where(
                Card.user_id == user_id, Card.id.in_(ids[start:start + _IN_CLAUSE]))):
            found[card.id] = ExistingCard(*card)
    return found


def _fronts(session: Session, deck_ids: set[int]) -> dict[tuple[int, str], int]:
    """(deck id, NFC-trimmed front) -> card id for the cards of these decks; the newest
    card where several have the same front."""
    by_front: dict[tuple[int, str], int] = {}
    if deck_ids:
        for card_id, deck_id, front in session.execute(
                select(Card.id, Card.deck_id, Card.front)
                .where(Card.deck_id.in_(deck_ids)).order_by(Card.id.desc())):
            by_front[(deck_id, normalise_text(front))] = card_id
    return by_front


# Declarative models map a Table; SQLAlchemy types __table__ as FromClause.
_CARDS = cast(Table, Card.__table__)
_INSERT_COLUMNS = tuple(column.key for column in _CARDS.columns if column.key != "id")


# The columns a new card's INSERT sets; the rest take their server defaults (a new card)
# unless the file carries schedules (a backup being restored).
_TEXT_COLUMNS = ("user_id", "deck_id", "guid", "kind", "front", "back", "weak_answer",
                 "strong_answer", "tags", "source", "is_html", "position", "created_at")
_SCHEDULE_COLUMNS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps",
                     "lapses", "suspended")


_MARKERS = {"qmark": "?", "format": "%s"}


class _BulkInsert:
    """INSERTs of many new cards, several hundred rows to a statement.

    SQLAlchemy's executemany converts every parameter of every row in Python and runs
    one statement per row, which together cost more than SQLite's own work for a 100k-row
    import. Here each statement is compiled once per size, rows go in several hundred
    to a statement, and only the values that need it are converted, with SQLAlchemy's
    own converters (`convert`): the caller converts values shared by all rows once."""

    ROWS_PER_STATEMENT = 400  # x 22 columns at most: well under SQLite's 32,766 variables

    def __init__(self, connection: Connection, columns: tuple[str, ...],
                 shared: tuple[str, ...] = ()) -> None:
        self.connection = connection
        self.columns = columns
        dialect = connection.dialect
        # dialect_impl: the converter SQLAlchemy itself applies (a UTC datetime becomes
        # SQLite's text form, exactly as every other write stores it).
        processors = {key: _CARDS.c[key].type.dialect_impl(dialect).bind_processor(dialect)
                      for key in columns}
        self.processors = processors
        # Per-row conversion only where the driver needs another value than Python's:
        # not for booleans and floats that the converter leaves equal, nor for the
        # `shared` columns the caller passes converted.
        self.per_row = [(place, processor) for place, key in enumerate(columns)
                        if (processor := processors[key]) and key not in shared
                        and not _transparent(processor, _CARDS.c[key].type.python_type)]
        self.statements: dict[int, str] = {}

    def convert(self, key: str, value: object) -> object:
        processor = self.processors[key]
        return processor(value) if processor and value is not None else value

    def _statement(self, rows: int) -> str:
        if rows not in self.statements:
            self.statements[rows] = (self._repeated(rows) if self._marker
                                     else self._compiled(rows))
        return self.statements[rows]

    @property
    def _marker(self) -> str | None:
        return _MARKERS.get(self.connection.dialect.paramstyle)

    def _compiled(self, rows: int) -> str:
        # A bare table clause: the mapped table would add its Python-side defaults.
        bare = table(_CARDS.name, *(column(key) for key in self.columns))
        compiled = insert(bare).values([dict.fromkeys(self.columns)] * rows).compile(
            dialect=self.connection.dialect)
        expected = [f"{key}_m{row}" for row in range(rows) for key in self.columns]
        names = list(compiled.positiontup or []) if compiled.positional else []
        if compiled.positional and names != expected:
            raise AssertionError("unexpected parameter order in a multi-row INSERT")
        return str(compiled)

    def _repeated(self, rows: int) -> str:
        """What _compiled gives for positional markers, without compiling: the one-row
        INSERT's VALUES group repeated (compiling a 400-row INSERT through SQLAlchemy
        takes longer than SQLite takes to store 10,000 of the rows)."""
        one = self._compiled(1)
        group = "(" + ", ".join([self._marker or ""] * len(self.columns)) + ")"
        if not one.endswith(f"VALUES {group}"):
            raise AssertionError(f"unexpected one-row INSERT: {one}")
        return one + ", " + ", ".join([group] * (rows - 1)) if rows > 1 else one

    def __call__(self, rows: Sequence[tuple[object, ...]]) -> None:
        if self.per_row:
            rows = [self._converted(row) for row in rows]
        positional = self.connection.dialect.positional
        size = self.ROWS_PER_STATEMENT
        width = len(self.columns)
        for start in range(0, len(rows), size):
            group = rows[start:start + size]
            sql = self._statement(len(group))
            flat = tuple(chain.from_iterable(group))
            parameters: object = flat if positional else {
                f"{self.columns[i % width]}_m{i // width}": value
                for i, value in enumerate(flat)}
            self.connection.exec_driver_sql(sql, parameters)  # type: ignore[arg-type]

    def _converted(self, row: tuple[object, ...]) -> tuple[object, ...]:
        values = list(row)
        for place, processor in self.per_row:
            if values[place] is not None:
                values[place] = processor(values[place])
        return tuple(values)


def _transparent(processor: Callable[[object], object], python_type: type) -> bool:
    samples: dict[type, tuple[object, ...]] = {bool: (True, False), float: (1.5, 2.0)}
    values = samples.get(python_type)
    return values is not None and all(processor(v) == v for v in values)


_UPDATE_CONTENT = (
    update(_CARDS).where(_CARDS.c.id == bindparam("card_id"),
                         _CARDS.c.user_id == OWNER)
    .values({name: bindparam(f"new_{name}") for name in CONTENT_FIELDS}
            | {"edited_at": bindparam("new_edited_at"), "version": _CARDS.c.version + 1})
)


def apply_import(session: Session, plan: ImportPlan, now: datetime,
                 progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Write the plan in the session's transaction (the caller commits once): new decks,
    new cards (with their schedule when the file carries one), updated cards."""
    begin_write(session)
    user_id = owner(session)
    ids_by_key, created = _create_decks(session, user_id, plan.new_decks, now)
    new, changed = Action.NEW, Action.UPDATE  # (an enum's attribute costs a call a row)
    new_items = (plan.items if plan.count(new) == len(plan.items)
                 else [item for item in plan.items if item.action is new])
    updates = [item for item in plan.items if item.action is changed] if plan.count(changed) else []
    total = len(new_items) + len(updates)
    done = 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        if progress:
            progress(done, total)

    _insert_cards(session, user_id, new_items, ids_by_key, now,
                  with_schedules=plan.has_schedule, advance=advance)
    _update_cards(session.connection(), updates, now, advance)
    # Cards already loaded in this session are now out of date.
    session.expire_all()
    return ImportResult(plan.counts, created)


def _create_decks(session: Session, user_id: int, names: list[str],
                  now: datetime) -> tuple[dict[str, int], list[str]]:
    """The user's decks (name key -> id) once the missing ones among `names` are made,
    and the names of those made."""
    ids_by_key = dict(session.execute(select(Deck.name_key, Deck.id)
                                      .where(Deck.user_id == user_id)).all())
    created = []
    for name in names:
        if deck_name_key(name) not in ids_by_key:
            deck = Deck(user_id=user_id, name=name, description="", created_at=now)
            session.add(deck)
            session.flush()
            ids_by_key[deck.name_key] = deck.id
            created.append(name)
    return ids_by_key, created


def _insert_cards(session: Session, user_id: int, new_items: list[PlannedRow],
                  ids_by_key: dict[str, int], now: datetime, *, with_schedules: bool,
                  advance: Callable[[int], None]) -> None:
    """The new cards, CHUNK rows at a time: each with the file's guid unless the
    collection or the file has it already, and after the user's last card."""
    deck_ids = {name: ids_by_key[deck_name_key(name)]
                for name in set(map(attrgetter("deck"), new_items))}
    used_guids: set[str] = set()
    with_guids = any(map(attrgetter("row.guid"), new_items))
    if with_guids:
        used_guids = set(session.execute(select(Card.guid).where(Card.user_id == user_id)
                                         ).scalars())
    position = last_position(session, Card, user_id)
    connection = session.connection()
    plain_insert = _BulkInsert(connection, _TEXT_COLUMNS, shared=("user_id", "created_at"))
    scheduled_insert = _BulkInsert(connection, _TEXT_COLUMNS + _SCHEDULE_COLUMNS,
                                   shared=("user_id", "created_at"))
    created_at = plain_insert.convert("created_at", now)
    # In sorted order the unique guid index grows at its end instead of at random places.
    generated = sorted(new_guids(len(new_items)))
    kinds = {kind: kind.value for kind in CardKind}
    for start in range(0, len(new_items), CHUNK):
        chunk = new_items[start:start + CHUNK]
        if with_guids:  # the file's guid, unless the collection or the file has it already
            fresh = iter(generated[start:start + CHUNK])
            guids = [row.guid if row.guid and row.guid not in used_guids else next(fresh)
                     for row in (item.row for item in chunk)]
            used_guids.update(guids)
        else:
            guids = generated[start:start + CHUNK]
        first = position + start + 1
        # One comprehension, not a loop of appends: 100k rows spend a good part of the
        # import here. ImportRow has no answers unless it is an answer pair.
        values = [(user_id, deck_ids[item.deck], guid, kinds[row.kind], row.front, row.back,
                   row.weak_answer, row.strong_answer, " ".join(row.tags), row.source,
                   row.is_html, row.position or number, created_at)
                  for item, guid, number in zip(chunk, guids, count(first), strict=False)
                  for row in [item.row]]
        if with_schedules:
            plain_insert([row_values for item, row_values in zip(chunk, values, strict=True)
                          if item.row.schedule is None])
            scheduled_insert([
                (*row_values, int(s.state), s.step, s.stability, s.difficulty, s.due,
                 s.last_review, s.reps, s.lapses, bool(item.row.suspended))
                for item, row_values in zip(chunk, values, strict=True)
                if (s := item.row.schedule) is not None])
        else:
            plain_insert(values)
        advance(len(chunk))


def _update_cards(connection: Connection, updates: list[PlannedRow], now: datetime,
                  advance: Callable[[int], None]) -> None:
    """The new content of the cards the plan updates, CHUNK cards at a time."""
    for start in range(0, len(updates), CHUNK):
        batch = [{"card_id": item.card_id, "new_edited_at": now,
                  **{f"new_{k}": v for k, v in content(item.row).items()}}
                 for item in updates[start:start + CHUNK]]
        connection.execute(_UPDATE_CONTENT, batch)
        advance(len(batch))
