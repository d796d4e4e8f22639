"""The bundled-deck CSV format (see decks/README.md): parse text into card rows.

Every problem is reported with its line number; a file with any problem yields
no rows at all, so a broken file can never half-seed a deck.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flashcards.core.cards import (
    MAX_FIELD_LENGTH,
    CardKind,
    field_too_long,
    normalise_text,
    parse_tags,
)

if TYPE_CHECKING:  # csv.reader()'s type, which the csv module does not name
    from _csv import Reader

BASIC_COLUMNS = ("guid", "front", "back", "tags", "source")
ANSWER_PAIR_COLUMNS = ("guid", "question", "weak_answer", "strong_answer", "why", "tags", "source")
GUID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


@dataclass(frozen=True, slots=True)
class CardRow:
    """One card as a deck file describes it. For answer pairs, front is the
    question and back is why the strong answer passes."""

    line: int
    guid: str
    kind: CardKind
    front: str
    back: str
    weak_answer: str | None
    strong_answer: str | None
    tags: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class DeckFormatError(ValueError):
    """A deck file that cannot be loaded; `problems` names each line at fault."""

    def __init__(self, name: str, problems: list[Problem]) -> None:
        self.name = name
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        super().__init__(f"{name}: {shown}{more}")


def read_csv_table(
    text: str, name: str, headers: tuple[tuple[str, ...], ...]
) -> tuple[tuple[str, ...], list[tuple[int, dict[str, str]]], list[Problem]]:
    """The header (one of `headers`) and the non-blank rows of a CSV file, each with the
    line it starts on and its trimmed, NFC-normalised values. Structural problems of the
    file raise DeckFormatError; rows with the wrong number of fields come back as problems."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise DeckFormatError(name, [Problem(1, "the file contains NUL bytes; is it binary?")])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    columns = _read_header(reader, name, headers)
    rows, problems = _read_rows(reader, columns)
    return columns, rows, problems


def _read_header(reader: Reader, name: str,
                 headers: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    """The trimmed header row, which must be one of `headers`; else DeckFormatError."""
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise DeckFormatError(name, [Problem(1, f"malformed CSV: {exc}")]) from exc
    if header is None or not any(cell.strip() for cell in header):
        raise DeckFormatError(name, [Problem(1, "the file is empty; expected a header row")])
    columns = tuple(cell.strip() for cell in header)
    if columns not in headers:
        known = {c for h in headers for c in h}
        unknown = [c for c in columns if c not in known]
        detail = f"unknown column(s) {', '.join(unknown)}; " if unknown else ""
        allowed = " or ".join(",".join(h) for h in headers)
        raise DeckFormatError(name, [Problem(1, f"{detail}the header must be exactly {allowed}")])
    return columns


def _read_rows(reader: Reader, columns: tuple[str, ...]
               ) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """The non-blank rows after the header, by column, with the line each starts on; a row
    with the wrong number of fields, or broken quoting (which ends the reading), is a
    problem instead."""
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[Problem] = []
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(line, f"malformed CSV: {exc}"))
            break
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            problems.append(Problem(start, f"expected {len(columns)} fields, found {len(cells)}"))
            continue
        rows.append((start, {col: normalise_text(cell)
                             for col, cell in zip(columns, cells, strict=True)}))
    return rows, problems


@dataclass
class Repeats:
    """The line each key and each text (without regard to case) of a file was first seen
    on, so that a key or a text that repeats names the line it repeats."""

    key_column: str  # an id: guid, key
    text_column: str  # what the user tells rows apart by: front, title
    keys: dict[str, int] = field(default_factory=dict)
    texts: dict[str, int] = field(default_factory=dict)

    def check(self, line: int, key: str, text: str) -> list[Problem]:
        """The problems of a row whose key and text are these; remembers them."""
        problems = []
        if key in self.keys:
            problems.append(Problem(line, f"{self.key_column} {key!r} repeats line "
                                          f"{self.keys[key]}"))
        folded = text.casefold()
        if folded in self.texts:
            problems.append(Problem(line, f"{self.text_column} repeats line "
                                          f"{self.texts[folded]}: {text[:60]!r}"))
        self.keys.setdefault(key, line)
        self.texts.setdefault(folded, line)
        return problems


def check_lengths(values: dict[str, str], line: int) -> list[Problem]:
    return [Problem(line, field_too_long(column, len(value)))
            for column, value in values.items() if len(value) > MAX_FIELD_LENGTH]


def parse_deck_csv(text: str, name: str = "deck") -> list[CardRow]:
    """Card rows of a bundled deck file; raises DeckFormatError naming every bad line."""
    columns, table, problems = read_csv_table(text, name, (BASIC_COLUMNS, ANSWER_PAIR_COLUMNS))
    kind = CardKind.BASIC if columns == BASIC_COLUMNS else CardKind.ANSWER_PAIR
    rows: list[CardRow] = []
    repeats = Repeats("guid", "front")
    for start, values in table:
        row_problems = _check_row(values, kind, start)
        guid = values["guid"]
        front = values["front"] if kind == CardKind.BASIC else values["question"]
        row_problems += repeats.check(start, guid, front)
        if row_problems:
            problems.extend(row_problems)
            continue
        if kind == CardKind.BASIC:
            rows.append(CardRow(start, guid, kind, front, values["back"], None, None,
                                parse_tags(values["tags"]), values["source"]))
        else:
            rows.append(CardRow(start, guid, kind, front, values["why"], values["weak_answer"],
                                values["strong_answer"], parse_tags(values["tags"]),
                                values["source"]))
    problems.sort(key=lambda p: p.line)
    if problems:
        raise DeckFormatError(name, problems)
    if not rows:
        raise DeckFormatError(name, [Problem(1, "the file has a header but no cards")])
    return rows


def _check_row(values: dict[str, str], kind: CardKind, line: int) -> list[Problem]:
    problems = []
    required = [c for c in (BASIC_COLUMNS if kind == CardKind.BASIC else ANSWER_PAIR_COLUMNS)
                if c != "tags"]
    for column in required:
        if not values[column]:
            problems.append(Problem(line, f"{column} is empty"))
    problems.extend(check_lengths(values, line))
    if values["guid"] and not GUID_PATTERN.fullmatch(values["guid"]):
        problems.append(Problem(
            line, f"guid {values['guid']!r} must be 1-64 characters of a-z, 0-9 and '-'"))
    return problems


# Content checks of the bundled decks (run by `flask --app app check-decks` and the tests),
# on top of the format checks above: each message names the file and line at fault.

SOURCE_PREFIX = "TPM Career Guide 2026 — "
# In an answer pair the strong answer may be the longer one in at most this share of pairs,
# so that length gives no hint which one to pick.
MAX_STRONG_LONGER_SHARE = 0.6
_QUOTED = re.compile(r"[\"“].*[\"”][.!?]?", re.DOTALL)
_SENTENCE_END = (".", ",", ";", ":", "!", "→", "”", '"', ")")


def guide_headings(text: str) -> set[str]:
    """The section headings of the guide: its short lines that are not list items or
    sentences. A question under the "FAQ" heading is also accepted as "FAQ: <question>"."""
    headings: set[str] = set()
    in_faq = False
    for raw in text.splitlines():
        line = normalise_text(raw)
        if not line or line.startswith(("-", "Example")):
            continue
        is_question = line.endswith("?") and len(line.split()) <= 16
        is_title = not line.endswith(_SENTENCE_END) and len(line.split()) <= 10
        if not (is_question or is_title):
            continue
        headings.add(line)
        if line == "FAQ":
            in_faq = True
        elif in_faq and is_question:
            headings.add(f"FAQ: {line}")
    return headings


def check_sources(name: str, sources: list[tuple[int, str]], headings: set[str]) -> list[str]:
    """Each (line, source) must read `TPM Career Guide 2026 — <a heading of the guide>`."""
    messages = []
    for line, source in sources:
        if not source.startswith(SOURCE_PREFIX):
            messages.append(f"{name}: line {line}: source must start with {SOURCE_PREFIX!r}")
        elif source.removeprefix(SOURCE_PREFIX) not in headings:
            messages.append(f"{name}: line {line}: source heading "
                            f"{source.removeprefix(SOURCE_PREFIX)!r} is not a heading of the guide")
    return messages


def check_answer_pairs(name: str, rows: list[CardRow]) -> list[str]:
    """Both answers of a pair are quoted as things the candidate says, and the strong one
    is the longer one in at most MAX_STRONG_LONGER_SHARE of the pairs."""
    pairs = [r for r in rows if r.kind == CardKind.ANSWER_PAIR]
    messages = []
    for row in pairs:
        for column, answer in (("weak_answer", row.weak_answer), ("strong_answer",
                                                                  row.strong_answer)):
            if answer is not None and not _QUOTED.fullmatch(answer):
                messages.append(f"{name}: line {row.line}: {column} must be quoted as what the "
                                f"candidate says, like the other answer of the pair")
    longer = [r for r in pairs if len(r.strong_answer or "") > len(r.weak_answer or "")]
    if pairs and len(longer) > MAX_STRONG_LONGER_SHARE * len(pairs):
        lines = ", ".join(str(r.line) for r in longer)
        messages.append(f"{name}: the strong answer is the longer one in {len(longer)} of "
                        f"{len(pairs)} pairs (at most {MAX_STRONG_LONGER_SHARE:.0%} allowed): "
                        f"lines {lines}")
    return messages


def check_unique_fronts(decks: list[tuple[str, list[CardRow]]]) -> list[str]:
    """No two cards in any of the files share a front (case-insensitive)."""
    seen: dict[str, tuple[str, int]] = {}
    messages = []
    for name, rows in decks:
        for row in rows:
            key = row.front.casefold()
            if key in seen:
                first_name, first_line = seen[key]
                messages.append(f"{name}: line {row.line}: front repeats {first_name} line "
                                f"{first_line}: {row.front[:60]!r}")
            else:
                seen[key] = (name, row.line)
    return messages


def check_deck_content(decks: list[tuple[str, list[CardRow]]],
                       guide_text: str | None) -> list[str]:
    """Every content check on a set of parsed deck files; the guide's text, when given,
    is where the source headings are looked up."""
    messages = check_unique_fronts(decks)
    headings = guide_headings(guide_text) if guide_text is not None else None
    for name, rows in decks:
        messages.extend(check_answer_pairs(name, rows))
        if headings is not None:
            messages.extend(check_sources(name, [(r.line, r.source) for r in rows], headings))
    return messages
