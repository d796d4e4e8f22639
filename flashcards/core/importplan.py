"""Planning an import: which rows of a file make new cards, which match a card the user
already has (updated, left alone or added again, as the duplicate policy says), and
which repeat an earlier row of the file (rejected).

Pure: services/importer.py loads the user's decks and the cards the rows may match,
and passes them in; nothing here reads or writes the database.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import NamedTuple

from flashcards.core.cards import MAX_DECK_NAME, deck_name_key, normalise_text
from flashcards.core.csvformat import ImportFileError, ImportRow, ParsedFile, Rejected

# A card's content as an import sets it (its columns, in this order).
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


class PlannedRow(NamedTuple):  # not a frozen dataclass: one per row, built 3x faster
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
        return self._tally[action]

    @cached_property
    def _tally(self) -> Counter[Action]:  # a plan is not changed once made
        return Counter(item.action for item in self.items)

    @property
    def counts(self) -> dict[str, int]:
        return {"new": self.count(Action.NEW), "updated": self.count(Action.UPDATE),
                "unchanged": self.count(Action.UNCHANGED), "rejected": len(self.rejected)}


class ExistingCard(NamedTuple):
    """A card of the user's that a row matched: its id and its CONTENT_FIELDS."""

    id: int
    kind: str
    front: str
    back: str
    weak_answer: str | None
    strong_answer: str | None
    tags: str
    source: str
    is_html: bool


@dataclass(frozen=True, slots=True)
class Existing:
    """What the rows of a file may match in the user's collection, as loaded for them."""

    decks: dict[str, int]  # deck name -> id
    by_guid: dict[str, ExistingCard]  # the cards with the rows' guids
    # (deck id, NFC-trimmed front) -> the newest card with that front, in the rows' decks
    by_front: dict[tuple[int, str], int]
    # The cards matched by front, loaded in full (only for the update policy).
    matched: dict[int, ExistingCard]


def fallback_deck(deck: str | None, file_deck: str | None, default_deck: str) -> str:
    """The deck for rows without a deck column: the user's choice, else the file's #deck:
    line, else `default_deck`. ImportFileError if its name is too long."""
    fallback = (deck or "").strip() or file_deck or default_deck
    if len(fallback) > MAX_DECK_NAME:  # PostgreSQL enforces VARCHAR(MAX_DECK_NAME)
        raise ImportFileError(f"the deck name {fallback[:20]!r}... is longer than "
                              f"{MAX_DECK_NAME} characters")
    return fallback


def assign_decks(rows: list[ImportRow], fallback: str,
                 names_by_key: dict[str, str]) -> list[tuple[ImportRow, str]]:
    """Each row with the name of its deck: its own deck column, else `fallback`.

    Rows go to the deck whose name has the same key (any case): the existing deck's name
    (`names_by_key`: deck_name_key -> name), else the file's first spelling of it (added
    to `names_by_key`)."""
    resolved: dict[str, str] = {}

    def deck_for(spelling: str) -> str:
        name = resolved.get(spelling)
        if name is None:
            name = resolved[spelling] = names_by_key.setdefault(deck_name_key(spelling),
                                                                normalise_text(spelling))
        return name

    fixed = deck_for(fallback.strip())  # rows without a deck column (deck cells come trimmed)
    return [(row, deck_for(row.deck) if row.deck else fixed) for row in rows]


def front_matches(rows: list[tuple[ImportRow, str]], decks: dict[str, int],
                  by_front: dict[tuple[int, str], int]) -> list[int]:
    """The ids of the cards that rows without a guid match by front, in order."""
    matched_ids = set()
    for row, name in rows:
        if not row.guid and name in decks:
            found = by_front.get((decks[name], row.match_front))
            if found is not None:
                matched_ids.add(found)
    return sorted(matched_ids)


def classify(parsed: ParsedFile, rows: list[tuple[ImportRow, str]], existing: Existing,
             policy: DuplicatePolicy) -> ImportPlan:
    """The plan for `rows` (from assign_decks): new, updated, unchanged or rejected.
    Duplicates match by guid, else by the NFC-trimmed front within the row's deck; a row
    that repeats an earlier one of the file is rejected."""
    rejected = list(parsed.rejected)
    items: list[PlannedRow] = []
    seen_guid: dict[str, int] = {}
    seen_front: dict[tuple[str, str], int] = {}
    decks, by_guid = existing.decks, existing.by_guid
    new = Action.NEW
    make = tuple.__new__  # PlannedRow's own __new__ is Python code: one per row adds up
    for row, name in rows:
        guid, line = row.guid, row.line
        if guid:
            if guid in seen_guid:
                rejected.append(Rejected(line, f"the same guid as line {seen_guid[guid]}"))
                continue
            seen_guid[guid] = line
            seen_front.setdefault((name, row.match_front), line)
            items.append(_matched(row, name, by_guid.get(guid), policy))
            continue
        first = seen_front.setdefault((name, row.match_front), line)
        if first != line:
            rejected.append(Rejected(line, f"the same front as line {first} "
                                           f"in deck {name!r}"))
            continue
        deck_id = decks.get(name)
        if deck_id is None:  # a new deck: every row in it is new
            items.append(make(PlannedRow, (row, new, name, None)))
        else:
            items.append(_by_front(row, name, deck_id, existing, policy))
    rejected.sort(key=lambda r: r.line)
    new_decks = sorted({item.deck for item in items if item.action is new} - decks.keys())
    return ImportPlan(policy, items, rejected, list(parsed.warnings), new_decks,
                      parsed.has_schedule)


def _by_front(row: ImportRow, deck: str, deck_id: int, existing: Existing,
              policy: DuplicatePolicy) -> PlannedRow:
    """A row without a guid, for an existing deck: matched by its front."""
    found = existing.by_front.get((deck_id, row.match_front))
    if found is None:
        return PlannedRow(row, Action.NEW, deck)
    card = existing.matched.get(found)
    if card is None:  # matched, but only the front was loaded (keep/add policies)
        return _duplicate(row, deck, found, policy)
    return _matched(row, deck, card, policy)


def _matched(row: ImportRow, deck: str, card: ExistingCard | None,
             policy: DuplicatePolicy) -> PlannedRow:
    """A row for `card`, the card it matched (None: no match, a new card)."""
    if card is None:
        return PlannedRow(row, Action.NEW, deck)
    if policy == DuplicatePolicy.UPDATE:
        changed = content(row) != dict(zip(CONTENT_FIELDS, card[1:], strict=True))
        return PlannedRow(row, Action.UPDATE if changed else Action.UNCHANGED, deck, card.id)
    return _duplicate(row, deck, card.id, policy)


def _duplicate(row: ImportRow, deck: str, card_id: int, policy: DuplicatePolicy) -> PlannedRow:
    if policy == DuplicatePolicy.ADD:
        return PlannedRow(row, Action.NEW, deck)
    if policy == DuplicatePolicy.KEEP:
        return PlannedRow(row, Action.UNCHANGED, deck, card_id)
    raise AssertionError("update matches are planned with the card loaded")


def content(row: ImportRow) -> dict[str, object]:
    """A row's CONTENT_FIELDS as the cards table stores them."""
    return {"kind": row.kind.value, "front": row.front, "back": row.back,
            "weak_answer": row.weak_answer, "strong_answer": row.strong_answer,
            "tags": " ".join(row.tags), "source": row.source, "is_html": row.is_html}
