"""The bundled-deck CSV format (see decks/README.md): parse text into card rows.

Every problem is reported with its line number; a file with any problem yields
no rows at all, so a broken file can never half-seed a deck.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from flashcards.core.cards import (
    MAX_FIELD_LENGTH,
    CardKind,
    field_too_long,
    normalise_text,
    parse_tags,
)

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
    return columns, rows, problems


def check_lengths(values: dict[str, str], line: int) -> list[Problem]:
    return [Problem(line, field_too_long(column, len(value)))
            for column, value in values.items() if len(value) > MAX_FIELD_LENGTH]


def parse_deck_csv(text: str, name: str = "deck") -> list[CardRow]:
    """Card rows of a bundled deck file; raises DeckFormatError naming every bad line."""
    columns, table, problems = read_csv_table(text, name, (BASIC_COLUMNS, ANSWER_PAIR_COLUMNS))
    kind = CardKind.BASIC if columns == BASIC_COLUMNS else CardKind.ANSWER_PAIR
    rows: list[CardRow] = []
    seen_guids: dict[str, int] = {}
    seen_fronts: dict[str, int] = {}
    for start, values in table:
        row_problems = _check_row(values, kind, start)
        guid = values["guid"]
        front = values["front"] if kind == CardKind.BASIC else values["question"]
        if guid in seen_guids:
            row_problems.append(Problem(start, f"guid {guid!r} repeats line {seen_guids[guid]}"))
        if front.casefold() in seen_fronts:
            row_problems.append(Problem(
                start, f"front repeats line {seen_fronts[front.casefold()]}: {front[:60]!r}"))
        seen_guids.setdefault(guid, start)
        seen_fronts.setdefault(front.casefold(), start)
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
