"""What a card file is read into: the rows, the problems, the file's layout and the
user's reading of it (which column holds which field)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from flashcards.core.cards import (
    CardKind,
)
from flashcards.core.deckformat import Problem
from flashcards.core.scheduling import Schedule

MAX_ROWS = 200_000


CONTENT_COLUMNS = ("guid", "deck", "kind", "front", "back", "weak_answer", "strong_answer",
                   "tags", "source", "html")
SCHEDULE_COLUMNS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps",
                    "lapses", "suspended", "position")
NATIVE_ALIASES = {"question": "front", "why": "back", "weak": "weak_answer",
                  "strong": "strong_answer", "notetype": "kind", "note_type": "kind",
                  # Spreadsheet headers: "Question,Answer", "Term,Definition", "Q,A", ...
                  "answer": "back", "term": "front", "definition": "back", "q": "front",
                  "a": "back", "prompt": "front", "response": "back"}
NATIVE_COLUMNS = frozenset(CONTENT_COLUMNS + SCHEDULE_COLUMNS)


MAPPABLE_COLUMNS = ("front", "back", "tags", "deck", "guid")
IGNORED_COLUMN = "ignore"


class FileFormat(StrEnum):
    CSV = "csv"  # our own: a header row naming the columns
    ANKI = "anki"  # Anki's text format: '#' header lines, columns by position


class ImportFileError(ValueError):
    """The file cannot be read at all; the message names the problem and the line."""


# A rejected row: the same "line N: reason" as a bad line of a deck file.
Rejected = Problem


class ImportRow(NamedTuple):
    """One card as the file describes it, text exactly as written."""

    # A NamedTuple, not a frozen dataclass: as immutable, and built five times faster
    # (a frozen dataclass sets each field with object.__setattr__; 100k rows per file).

    line: int
    guid: str | None
    deck: str | None
    kind: CardKind
    front: str
    back: str
    weak_answer: str | None
    strong_answer: str | None
    tags: tuple[str, ...]
    source: str
    is_html: bool
    # The front as duplicates are matched: NFC, trimmed, case kept.
    match_front: str
    schedule: Schedule | None = None
    suspended: bool | None = None
    position: int | None = None


@dataclass
class ParsedFile:
    format: FileFormat
    delimiter: str
    is_html: bool
    columns: list[str]
    rows: list[ImportRow] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    deck: str | None = None  # the file's own deck (Anki's #deck:)
    has_schedule: bool = False
    header_row: bool = False  # the first row named the columns and is not a card
    first_cells: list[str] = field(default_factory=list)  # the first row, as read
    width: int = 0  # the widest row, in columns


@dataclass(frozen=True, slots=True)
class ImportLayout:
    """The user's reading of a file: is the first row a header (None: detect it), and
    which card field each column holds (None: from the header or by position)."""

    header: bool | None = None
    columns: tuple[str, ...] | None = None

    @classmethod
    def from_text(cls, header: bool | None, columns: str | None) -> ImportLayout:
        """A layout from the words a user types: columns such as 'front,back,tags'
        ('ignore' or an empty name skips a column). Raises ImportFileError."""
        if not columns or not columns.strip():
            return cls(header, None)
        names = tuple(_column_key(name) or IGNORED_COLUMN for name in columns.split(","))
        return cls(header, check_columns(names))


AUTO_LAYOUT = ImportLayout()  # header detected, columns from the header or by position


def check_columns(names: tuple[str, ...]) -> tuple[str, ...]:
    """A column mapping with a front and a back, each field once; else ImportFileError."""
    unknown = [n for n in names if n not in MAPPABLE_COLUMNS and n != IGNORED_COLUMN]
    if unknown:
        raise ImportFileError(f"unknown column name(s) {', '.join(map(repr, unknown))}; use "
                              f"{', '.join(MAPPABLE_COLUMNS)} or {IGNORED_COLUMN}")
    repeated = sorted({n for n in names if n != IGNORED_COLUMN and names.count(n) > 1})
    if repeated:
        raise ImportFileError(f"column(s) chosen twice: {', '.join(repeated)}")
    if "front" not in names:
        raise ImportFileError("no column is the front: choose which column holds the front")
    if "back" not in names:
        raise ImportFileError("no column is the back: choose which column holds the back "
                              "(cards without a back cannot be studied)")
    return names


def _column_key(name: str) -> str:
    key = re.sub(r"[\s-]+", "_", name.strip().lower())
    return NATIVE_ALIASES.get(key, key)
