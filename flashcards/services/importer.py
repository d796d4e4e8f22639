"""Importing card files: plan what would happen (nothing written), then apply the plan
in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from flashcards.core.cards import CardKind, new_guid, normalise_text
from flashcards.core.csvformat import ImportRow, ParsedFile, Rejected
from flashcards.core.scheduling import CardState
from flashcards.db import begin_write
from flashcards.models import Card, Deck

CHUNK = 2000
DEFAULT_DECK = "Imported"
CONTENT_FIELDS = ("kind", "front", "back", "weak_answer", "strong_answer", "tags", "source",
                  "is_html")


class DuplicatePolicy(StrEnum):
    UPDATE = "update"  # change the existing card's text, keep its schedule
    KEEP = "keep"  # leave the existing card alone
    ADD = "add"  # add the row as another card


class Action(StrEnum):
    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class PlannedRow:
    row: ImportRow
    action: Action
    deck: str
    card_id: int | None = None  # the existing card it matched


@dataclass
class ImportPlan:
    policy: DuplicatePolicy
    items: list[PlannedRow]
    rejected: list[Rejected]
    warnings: list[str]
    new_decks: list[str]
    has_schedule: bool

    def count(self, action: Action) -> int:
        return sum(1 for item in self.items if item.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {"new": self.count(Action.NEW), "updated": self.count(Action.UPDATE),
                "unchanged": self.count(Action.UNCHANGED), "rejected": len(self.rejected)}


@dataclass
class ImportResult:
    counts: dict[str, int]
    new_decks: list[str] = field(default_factory=list)


def plan_import(session: Session, parsed: ParsedFile, *, deck: str | None = None,
                policy: DuplicatePolicy = DuplicatePolicy.UPDATE,
                default_deck: str = DEFAULT_DECK) -> ImportPlan:
    """What importing `parsed` would do; reads the database, writes nothing.

    A row goes to its own deck column, else `deck` (the user's choice), else the file's
    #deck: line, else `default_deck`. Duplicates match by guid, else by the NFC-trimmed
    front within that deck."""
    fallback = (deck or "").strip() or parsed.deck or default_deck
    rows = [(row, (row.deck or fallback).strip()) for row in parsed.rows]
    decks = dict(session.execute(select(Deck.name, Deck.id)).all())
    rejected = list(parsed.rejected)

    guids = [row.guid for row, _ in rows if row.guid]
    by_guid: dict[str, Card] = {}
    for start in range(0, len(guids), 900):
        for card in session.execute(select(Card).where(
                Card.guid.in_(guids[start:start + 900]))).scalars():
            by_guid[card.guid] = card
    wanted_decks = {decks[name] for _, name in rows if name in decks}
    by_front: dict[tuple[int, str], int] = {}
    if wanted_decks:
        for card_id, deck_id, front in session.execute(
                select(Card.id, Card.deck_id, Card.front)
                .where(Card.deck_id.in_(wanted_decks)).order_by(Card.id.desc())):
            by_front[(deck_id, normalise_text(front))] = card_id
    fronts_of: dict[int, Card] = {}
    if policy == DuplicatePolicy.UPDATE and by_front:
        matched_ids = set()
        for row, name in rows:
            if not row.guid and name in decks:
                found = by_front.get((decks[name], row.match_front))
                if found is not None:
                    matched_ids.add(found)
        ids = sorted(matched_ids)
        for start in range(0, len(ids), 900):
            for card in session.execute(select(Card).where(
                    Card.id.in_(ids[start:start + 900]))).scalars():
                fronts_of[card.id] = card

    items: list[PlannedRow] = []
    seen_guid: dict[str, int] = {}
    seen_front: dict[tuple[str, str], int] = {}
    for row, name in rows:
        key = (name, row.match_front)
        if row.guid and row.guid in seen_guid:
            rejected.append(Rejected(row.line, f"the same guid as line {seen_guid[row.guid]}"))
            continue
        if not row.guid and key in seen_front:
            rejected.append(Rejected(row.line, f"the same front as line {seen_front[key]} "
                                               f"in deck {name!r}"))
            continue
        if row.guid:
            seen_guid[row.guid] = row.line
        seen_front.setdefault(key, row.line)
        existing: Card | None = None
        if row.guid:
            existing = by_guid.get(row.guid)
        elif name in decks:
            found = by_front.get((decks[name], row.match_front))
            existing = fronts_of.get(found) if found is not None else None
            if found is not None and existing is None:
                # Matched, but only the front was loaded (keep/add policies).
                items.append(_duplicate(row, name, found, policy))
                continue
        if existing is None:
            items.append(PlannedRow(row, Action.NEW, name))
        elif policy == DuplicatePolicy.UPDATE:
            changed = _content(row) != {f: getattr(existing, f) for f in CONTENT_FIELDS}
            items.append(PlannedRow(row, Action.UPDATE if changed else Action.UNCHANGED, name,
                                    existing.id))
        else:
            items.append(_duplicate(row, name, existing.id, policy))
    rejected.sort(key=lambda r: r.line)
    new_decks = sorted({item.deck for item in items
                        if item.action == Action.NEW and item.deck not in decks})
    return ImportPlan(policy, items, rejected, list(parsed.warnings), new_decks,
                      parsed.has_schedule)


def _duplicate(row: ImportRow, deck: str, card_id: int, policy: DuplicatePolicy) -> PlannedRow:
    if policy == DuplicatePolicy.ADD:
        return PlannedRow(row, Action.NEW, deck)
    if policy == DuplicatePolicy.KEEP:
        return PlannedRow(row, Action.UNCHANGED, deck, card_id)
    raise AssertionError("update matches are planned with the card loaded")


def _content(row: ImportRow) -> dict[str, object]:
    return {"kind": row.kind.value, "front": row.front, "back": row.back,
            "weak_answer": row.weak_answer, "strong_answer": row.strong_answer,
            "tags": " ".join(row.tags), "source": row.source, "is_html": row.is_html}


_CARDS = Card.__table__
_UPDATE_CONTENT = (
    update(_CARDS).where(_CARDS.c.id == bindparam("card_id"))
    .values({name: bindparam(f"new_{name}") for name in CONTENT_FIELDS}
            | {"edited_at": bindparam("new_edited_at"), "version": _CARDS.c.version + 1})
)


def apply_import(session: Session, plan: ImportPlan, now: datetime,
                 progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Write the plan in the session's transaction (the caller commits once): new decks,
    new cards (with their schedule when the file carries one), updated cards."""
    begin_write(session)
    deck_ids = dict(session.execute(select(Deck.name, Deck.id)).all())
    created = []
    for name in plan.new_decks:
        if name not in deck_ids:
            deck = Deck(name=name, description="", created_at=now)
            session.add(deck)
            session.flush()
            deck_ids[name] = deck.id
            created.append(name)
    new_items = [item for item in plan.items if item.action == Action.NEW]
    updates = [item for item in plan.items if item.action == Action.UPDATE]
    total = len(new_items) + len(updates)
    done = 0
    used_guids: set[str] = set()
    if any(item.row.guid for item in new_items):
        used_guids = set(session.execute(select(Card.guid)).scalars())
    position = session.execute(select(func.coalesce(func.max(Card.position), 0))).scalar_one()
    connection = session.connection()
    for start in range(0, len(new_items), CHUNK):
        batch = []
        for item in new_items[start:start + CHUNK]:
            position += 1
            guid = item.row.guid if item.row.guid and item.row.guid not in used_guids else None
            guid = guid or new_guid()
            used_guids.add(guid)
            batch.append(_new_card(item, deck_ids[item.deck], guid, position, now))
        connection.execute(insert(_CARDS), batch)
        done += len(batch)
        if progress:
            progress(done, total)
    for start in range(0, len(updates), CHUNK):
        batch = [{"card_id": item.card_id, "new_edited_at": now,
                  **{f"new_{k}": v for k, v in _content(item.row).items()}}
                 for item in updates[start:start + CHUNK]]
        connection.execute(_UPDATE_CONTENT, batch)
        done += len(batch)
        if progress:
            progress(done, total)
    # Cards already loaded in this session are now out of date.
    session.expire_all()
    return ImportResult(plan.counts, created)


def _new_card(item: PlannedRow, deck_id: int, guid: str, position: int,
              now: datetime) -> dict[str, object]:
    row = item.row
    values: dict[str, object] = {
        "deck_id": deck_id, "guid": guid, **_content(row), "position": row.position or position,
        "state": int(CardState.NEW), "step": None, "stability": None, "difficulty": None,
        "due": None, "last_review": None, "reps": 0, "lapses": 0, "suspended": False,
        "buried_until": None, "version": 1, "created_at": now, "edited_at": None,
    }
    if row.schedule is not None:
        s = row.schedule
        values.update(state=int(s.state), step=s.step, stability=s.stability,
                      difficulty=s.difficulty, due=s.due, last_review=s.last_review,
                      reps=s.reps, lapses=s.lapses, suspended=bool(row.suspended))
    if row.kind != CardKind.ANSWER_PAIR:
        values.update(weak_answer=None, strong_answer=None)
    return values
