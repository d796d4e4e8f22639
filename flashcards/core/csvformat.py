"""Reading and writing card files: our native CSV and Anki's "Notes in Plain Text".

Pure: bytes in, rows and problems out (and back). A problem with the file as a whole
(wrong encoding, broken quoting, no rows) raises ImportFileError naming the line; a
problem with one row rejects that row with its line and reason, and the rest of the
file can still be imported.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import NamedTuple

import nh3

from flashcards.core.cards import (
    MAX_DECK_NAME,
    MAX_FIELD_LENGTH,
    CardKind,
    field_too_long,
    normalise_text,
    parse_tags,
)
from flashcards.core.deckformat import Problem
from flashcards.core.scheduling import CardState, Schedule

MAX_ROWS = 200_000

# Anki's names for the separators, and the order in which it guesses them.
ANKI_SEPARATORS = {"comma": ",", "semicolon": ";", "tab": "\t", "space": " ", "pipe": "|",
                   "colon": ":"}
GUESS_ORDER = ("\t", "|", ";", ":", ",", " ")

# OWASP CSV injection: a spreadsheet runs a cell that starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HTML_TAGS = nh3.ALLOWED_TAGS - {"img", "map", "area"}

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
STATE_NAMES = {state.name.lower(): state for state in CardState}
# What a column can be mapped to when the file's header is not ours (or it has none).
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


# -- decoding -------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The file's text. UTF-8 with or without a BOM; anything else is refused by name."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(data):
        raise ImportFileError("the file is UTF-16 text; save it as UTF-8 (CSV UTF-8) and "
                              "import it again")
    if b"\x00" in data:
        line = data[:data.index(b"\x00")].count(b"\n") + 1
        raise ImportFileError(f"line {line}: the file contains NUL bytes; it looks like a "
                              "binary file, not CSV or text")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"line {line}: the file is not UTF-8 (byte 0x{data[exc.start]:02X}); it may be "
            "Latin-1 or Windows-1252. Save it as UTF-8 and import it again") from exc
    if not text.strip():
        raise ImportFileError("the file is empty")
    return text


def _looks_utf16(data: bytes) -> bool:
    sample = data[:200]
    return len(sample) >= 4 and (sample[1::2].count(0) > len(sample) // 4
                                 or sample[0::2].count(0) > len(sample) // 4)


# -- parsing --------------------------------------------------------------------------


@dataclass
class _AnkiHeader:
    delimiter: str | None = None
    html: bool | None = None
    tags: tuple[str, ...] = ()
    columns: list[str] | None = None
    deck: str | None = None
    notetype: str | None = None
    special: dict[str, int] = field(default_factory=dict)  # guid/deck/notetype/tags -> index


def parse_import(data: bytes, *, max_rows: int = MAX_ROWS,
                 layout: ImportLayout = AUTO_LAYOUT) -> ParsedFile:
    """Rows of an uploaded file, in our CSV format or Anki's text format (told apart by
    the content, or as `layout` says). Raises ImportFileError for a file that cannot be
    read at all."""
    text = decode(data)
    header, body, body_line = _split_anki_header(text)
    delimiter = header.delimiter or guess_delimiter(body)
    records = _records(body, delimiter, body_line, max_rows)
    if not records:
        raise ImportFileError("the file has no rows to import (only a header or comments)")
    first_line, first = records[0]
    width = max(map(len, map(itemgetter(1), records)))
    anki_header = header.columns is not None or bool(header.special)
    native = None if anki_header or layout.header is False else _native_header(first)
    has_header = native is not None or bool(layout.header)
    if has_header and len(records) == 1:
        raise ImportFileError("the file has a header row but no cards")
    if layout.columns is not None:
        keys = list(check_columns(layout.columns)[:width])
        keys += [IGNORED_COLUMN] * (width - len(keys))
        if "back" not in keys:
            raise ImportFileError(f"the file has {width} column(s): none of them is the back")
        names = first if has_header else [f"column {i + 1}" for i in range(width)]
        names = names + [f"column {i + 1}" for i in range(len(names), width)]
        parsed = _parse_native(keys, names, records[1:] if has_header else records,
                               delimiter, mapped=True)
    elif native is not None:
        parsed = _parse_native(native, first, records[1:], delimiter)
    else:
        parsed = _parse_anki(header, records[1:] if has_header else records, delimiter)
    parsed.header_row, parsed.first_cells, parsed.width = has_header, first, width
    if not parsed.rows and not parsed.rejected:
        raise ImportFileError("the file has no rows to import")
    _warn_missing_backs(parsed)
    return parsed


def suggested_columns(parsed: ParsedFile) -> list[str]:
    """What each column of `parsed` was read as, in MAPPABLE_COLUMNS terms (else
    'ignore'): the starting point of a column mapping."""
    names = [_column_key(name) for name in parsed.columns[:parsed.width]]
    names += [IGNORED_COLUMN] * (parsed.width - len(names))
    return [name if name in MAPPABLE_COLUMNS else IGNORED_COLUMN for name in names]


def _warn_missing_backs(parsed: ParsedFile) -> None:
    # No back anywhere means the wrong column layout far more often than cards meant to
    # be blank: say so in the preview, never import it silently. Exported collections
    # (with guids) may hold such cards on purpose.
    if parsed.rows and not any(row.back.strip() or row.kind == CardKind.ANSWER_PAIR
                               or row.guid for row in parsed.rows):
        parsed.warnings.append(f"these cards have no back (from line {parsed.rows[0].line}): "
                               "check which column holds the back")


def _split_anki_header(text: str) -> tuple[_AnkiHeader, str, int]:
    """Anki's '#key:value' lines at the top of the file (other '#' lines are comments)."""
    header = _AnkiHeader()
    if not text.startswith("#"):  # most files: no need to split 100k lines to find out
        return header, text, 1
    lines = text.splitlines(keepends=True)
    count = 0
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.startswith("#"):
            break
        count += 1
        key, sep, value = line[1:].partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "separator":
            lowered = value.lower()
            header.delimiter = ANKI_SEPARATORS.get(lowered) or (
                value if len(value) == 1 and value in ANKI_SEPARATORS.values() else None)
            if header.delimiter is None:
                raise ImportFileError(
                    f"line {count}: unknown separator {value!r}; use Comma, Semicolon, Tab, "
                    "Space, Pipe or Colon")
        elif key == "html":
            header.html = value.lower() == "true"
        elif key == "tags":
            header.tags = parse_tags(value)
        elif key == "columns":
            header.columns = [value]  # split once the separator is known
        elif key == "deck":
            if len(value) > MAX_DECK_NAME:  # as for a deck column
                raise ImportFileError(f"line {count}: the #deck: name is longer than "
                                      f"{MAX_DECK_NAME} characters")
            header.deck = value or None
        elif key == "notetype":
            header.notetype = value or None
        elif key in ("guid column", "deck column", "notetype column", "tags column"):
            try:
                index = int(value)
            except ValueError:
                raise ImportFileError(
                    f"line {count}: #{key} must be a column number, not {value!r}") from None
            if index < 1:
                raise ImportFileError(f"line {count}: #{key} must be 1 or more")
            header.special[key.split()[0]] = index - 1
    if header.columns is not None:
        delimiter = header.delimiter or guess_delimiter(header.columns[0])
        header.columns = next(csv.reader([header.columns[0]], delimiter=delimiter))
    return header, text[sum(map(len, lines[:count])):], count + 1


def guess_delimiter(text: str) -> str:
    """Anki's candidates in Anki's order, but a separator only counts where it splits
    the first lines into the same number (two or more) of fields, quotes respected."""
    # The first 20 lines lie before the 21st "\n" (splitlines also breaks at other line
    # ends, which only makes them shorter): no need to split the whole file.
    end = -1
    for _ in range(21):
        end = text.find("\n", end + 1)
        if end < 0:
            break
    head = text if end < 0 else text[:end + 1]
    sample = [line for line in head.splitlines()[:20] if line.strip()]
    if not sample:
        return ","
    for candidate in GUESS_ORDER:
        if candidate not in text[:10_000]:
            continue
        try:
            counts = {len(row) for row in csv.reader(sample, delimiter=candidate)}
        except csv.Error:
            continue
        if len(counts) == 1 and counts.pop() >= 2:
            return candidate
    first = sample[0]
    return next((c for c in GUESS_ORDER if c in first), ",")


def _records(body: str, delimiter: str, first_line: int,
             max_rows: int) -> list[tuple[int, list[str]]]:
    """The file's non-blank records, each with the line it starts on."""
    every = _lines_split(body, delimiter, max_rows)
    if every is None:
        return list(_records_one_by_one(body, delimiter, first_line, max_rows))
    records = [(line, cells) for line, cells in enumerate(every, first_line)
               if cells[0].strip() or "".join(cells).strip()]
    if len(records) > max_rows:
        raise ImportFileError(f"line {records[max_rows][0]}: the file has more than "
                              f"{max_rows:,} rows; split it into smaller files")
    return records


def _lines_split(body: str, delimiter: str, max_rows: int) -> list[list[str]] | None:
    """Each line's cells, as csv.reader reads them, when every record is one line (else
    None). Most files are: then a line without a quote is split by str.split, twice
    as fast as the csv module, and the csv module reads only the lines with quotes."""
    ends = body.count("\n") + body.count("\r")
    if ends > 2 * max_rows + 1000:  # mostly blank lines: read them one by one
        return None
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    every = list(map(str.split, lines, repeat(delimiter)))
    if '"' in body:
        quoted = [index for index, line in enumerate(lines) if '"' in line]
        reader = csv.reader([lines[i] for i in quoted], delimiter=delimiter, strict=True)
        try:
            cells = list(reader)
        except csv.Error:
            return None  # read again record by record, to name the line
        # A quoted line break would join two lines into one record.
        if len(cells) != len(quoted) or reader.line_num != len(quoted):
            return None
        for index, row in zip(quoted, cells, strict=True):
            every[index] = row
    return every


def _records_one_by_one(body: str, delimiter: str, first_line: int,
                        max_rows: int) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, strict=True)
    line = first_line  # where the next record starts
    count = 0
    try:
        for cells in reader:
            start, line = line, first_line + reader.line_num
            if not (cells and (cells[0].strip() or "".join(cells).strip())):
                continue  # a blank row
            count += 1
            if count > max_rows:
                raise ImportFileError(f"line {start}: the file has more than {max_rows:,} "
                                      "rows; split it into smaller files")
            yield start, cells
    except csv.Error as exc:
        message = str(exc)
        if "EOF" in message or "unexpected end of data" in message:
            message = "a quoted field is never closed (a \" without its closing \")"
        raise ImportFileError(f"line {line}: {message}") from exc


def _column_key(name: str) -> str:
    key = re.sub(r"[\s-]+", "_", name.strip().lower())
    return NATIVE_ALIASES.get(key, key)


def _native_header(cells: list[str]) -> list[str] | None:
    keys = [_column_key(cell) for cell in cells]
    if "front" in keys and sum(key in NATIVE_COLUMNS for key in keys) >= 2:
        return keys
    return None


def _parse_native(keys: list[str], header_cells: list[str],
                  records: list[tuple[int, list[str]]], delimiter: str, *,
                  mapped: bool = False) -> ParsedFile:
    known = [k for k in keys if k in NATIVE_COLUMNS]
    extra = [cell for cell, key in zip(header_cells, keys, strict=True)
             if key not in NATIVE_COLUMNS]
    repeated = sorted({k for k in known if known.count(k) > 1})
    if repeated:
        raise ImportFileError(f"line 1: column(s) named twice: {', '.join(repeated)}")
    has_schedule = any(k in SCHEDULE_COLUMNS for k in keys)
    if has_schedule and not {"state", "due"} <= set(keys):
        raise ImportFileError("line 1: scheduling columns need at least state and due")
    if not {"back", "weak_answer", "strong_answer"} & set(keys):
        raise ImportFileError(
            "line 1: the header has no back column (back, answer, definition, ...): cards "
            "without a back cannot be studied")
    # Our own export neutralises formula cells; undo that only for files we wrote.
    ours = [k for k in keys if k] in (list(CONTENT_COLUMNS),
                                      list(CONTENT_COLUMNS + SCHEDULE_COLUMNS))
    parsed = ParsedFile(FileFormat.CSV, delimiter, False, header_cells,
                        has_schedule=has_schedule)
    if extra and not mapped:
        parsed.warnings.append(
            f"column(s) {', '.join(repr(e) for e in extra)} are not card fields and were "
            "not imported")
    width = len(keys)
    at = {key: index for index, key in enumerate(keys) if key in NATIVE_COLUMNS}
    front_at, back_at = at.get("front"), at.get("back")
    tags_at, source_at, guid_at, deck_at = (at.get("tags"), at.get("source"), at.get("guid"),
                                            at.get("deck"))
    # Columns the common row leaves empty (or "basic", "false"): any other value in them
    # takes the full path through _native_row.
    plain_at = [at[k] for k in ("weak_answer", "strong_answer") if k in at]
    kind_at, html_at = at.get("kind"), at.get("html")
    fast = not has_schedule and front_at is not None
    tag_sets: dict[str, tuple[str, ...]] = {}  # a tags cell -> its tags: most files repeat few
    plain_file = fast and not ours and set(at) <= {"front", "back", "tags", "source"}
    if plain_file:
        records = _plain_rows(parsed, records, width, at, tag_sets)
    for line, cells in records:
        if mapped and len(cells) < width:  # ragged rows, as Anki's text allows
            cells = cells + [""] * (width - len(cells))
        if len(cells) != width:
            parsed.rejected.append(Rejected(
                line, f"expected {width} fields (as in the header), found {len(cells)}"))
            continue
        if ours:
            cells = [_unneutralise(c) for c in cells]
        if fast:
            # The common row, checked inline as in _parse_anki: the same result as
            # _native_row for a basic, non-HTML card within every limit.
            front = cells[front_at]  # type: ignore[index]
            tags = cells[tags_at] if tags_at is not None else ""
            guid = cells[guid_at].strip() if guid_at is not None else ""
            deck = cells[deck_at].strip() if deck_at is not None else ""
            if (max(map(len, cells)) <= MAX_FIELD_LENGTH and front.strip()
                    and len(guid) <= 64 and len(deck) <= MAX_DECK_NAME
                    and (kind_at is None or cells[kind_at].strip().lower() in ("", "basic"))
                    and (html_at is None
                         or cells[html_at].strip().lower() not in ("true", "1", "yes"))
                    and not (plain_at and any(cells[i] for i in plain_at))):
                back = cells[back_at] if back_at is not None else ""
                source = cells[source_at] if source_at is not None else ""
                row_tags = tag_sets.get(tags)
                if row_tags is None:
                    row_tags = tag_sets[tags] = parse_tags(tags) if tags else ()
                parsed.rows.append(ImportRow(
                    line, guid or None, deck or None, CardKind.BASIC, front, back, None, None,
                    row_tags, source, False, normalise_text(front)))
                continue
        values = {k: c for k, c in zip(keys, cells, strict=True) if k in NATIVE_COLUMNS}
        try:
            parsed.rows.append(_native_row(line, values))
        except _RowError as exc:
            parsed.rejected.append(Rejected(line, str(exc)))
    if plain_file and records:  # rows from both paths: back in the file's order
        parsed.rows.sort(key=attrgetter("line"))
    return parsed


def _plain_rows(parsed: ParsedFile, records: list[tuple[int, list[str]]], width: int,
                at: dict[str, int], tag_sets: dict[str, tuple[str, ...]]
                ) -> list[tuple[int, list[str]]]:
    """For a file of fronts, backs, tags and sources (most spreadsheets): the rows that
    need no check beyond a front and the lengths, added to `parsed` in two
    comprehensions (the same ImportRow as _native_row makes; 100k rows spend most of
    their time here). Returns the other records, for the full path."""
    front_at, back_at, tags_at, source_at = (at["front"], at.get("back"), at.get("tags"),
                                             at.get("source"))
    common = [(line, cells) for line, cells in records
              if len(cells) == width and cells[front_at].strip()
              and max(map(len, cells)) <= MAX_FIELD_LENGTH]
    if tags_at is not None:
        for text in {cells[tags_at] for _, cells in common} - tag_sets.keys():
            tag_sets[text] = parse_tags(text) if text else ()
    make, basic = tuple.__new__, CardKind.BASIC  # NamedTuple's own __new__ is Python code
    rows = [make(ImportRow, (
        line, None, None, basic, cells[front_at],
        cells[back_at] if back_at is not None else "", None, None,
        tag_sets[cells[tags_at]] if tags_at is not None else (),
        cells[source_at] if source_at is not None else "", False,
        normalise_text(cells[front_at]), None, None, None)) for line, cells in common]
    parsed.rows.extend(rows)
    if len(common) == len(records):
        return []
    done = {line for line, _ in common}
    return [record for record in records if record[0] not in done]


class _RowError(ValueError):
    pass


def _native_row(line: int, values: dict[str, str]) -> ImportRow:
    is_html = values.get("html", "").strip().lower() in ("true", "1", "yes")
    weak, strong = values.get("weak_answer") or None, values.get("strong_answer") or None
    kind_text = values.get("kind", "").strip().lower()
    if kind_text in ("", "basic"):
        kind = CardKind.ANSWER_PAIR if (weak and strong and not kind_text) else CardKind.BASIC
    elif kind_text in ("answer_pair", "answer pair", "pair"):
        kind = CardKind.ANSWER_PAIR
    else:
        raise _RowError(f"unknown kind {kind_text!r}; use basic or answer_pair")
    row = _make_row(line, guid=values.get("guid"), deck=values.get("deck"), kind=kind,
                    front=values.get("front", ""), back=values.get("back", ""),
                    weak=weak, strong=strong, tags=values.get("tags", ""),
                    source=values.get("source", ""), is_html=is_html)
    if "state" not in values:
        return row
    return _with_schedule(row, values)


def _make_row(line: int, *, guid: str | None, deck: str | None, kind: CardKind, front: str,
              back: str, weak: str | None, strong: str | None, tags: str, source: str,
              is_html: bool) -> ImportRow:
    if max(len(front), len(back), len(weak or ""), len(strong or ""), len(source),
           len(tags)) > MAX_FIELD_LENGTH:
        fields = {"front": front, "back": back, "weak_answer": weak or "",
                  "strong_answer": strong or "", "source": source, "tags": tags}
        name, value = next((n, v) for n, v in fields.items() if len(v) > MAX_FIELD_LENGTH)
        raise _RowError(field_too_long(name, len(value)))
    if is_html:
        front, back = sanitise_html(front), sanitise_html(back)
        weak = sanitise_html(weak) if weak else weak
        strong = sanitise_html(strong) if strong else strong
    if not front.strip():
        raise _RowError("the front is empty")
    if kind == CardKind.ANSWER_PAIR and not (weak and weak.strip() and strong and strong.strip()):
        raise _RowError("an answer pair needs both a weak and a strong answer")
    guid = guid.strip() if guid else None
    if guid and len(guid) > 64:
        raise _RowError("guid is longer than 64 characters")
    deck = deck.strip() if deck else None
    if deck and len(deck) > MAX_DECK_NAME:
        raise _RowError(f"deck name is longer than {MAX_DECK_NAME} characters")
    return ImportRow(line, guid or None, deck or None, kind, front, back,
                     weak if kind == CardKind.ANSWER_PAIR else None,
                     strong if kind == CardKind.ANSWER_PAIR else None,
                     parse_tags(tags) if tags else (), source, is_html, normalise_text(front))


def _with_schedule(row: ImportRow, values: dict[str, str]) -> ImportRow:
    state_text = values["state"].strip().lower()
    if state_text in STATE_NAMES:
        state = STATE_NAMES[state_text]
    elif state_text.isdigit() and int(state_text) in CardState._value2member_map_:
        state = CardState(int(state_text))
    else:
        raise _RowError(f"state {values['state']!r} is not new, learning, review or relearning")
    schedule = Schedule(
        state=state,
        step=_optional_int(values, "step"),
        stability=_optional_float(values, "stability"),
        difficulty=_optional_float(values, "difficulty"),
        due=_optional_datetime(values, "due"),
        last_review=_optional_datetime(values, "last_review"),
        reps=_optional_int(values, "reps") or 0,
        lapses=_optional_int(values, "lapses") or 0,
    )
    if state == CardState.NEW:
        if schedule.stability is not None or schedule.last_review is not None:
            raise _RowError("a new card cannot have a stability or a last review")
    elif None in (schedule.stability, schedule.difficulty, schedule.due, schedule.last_review):
        raise _RowError(f"a {state.name.lower()} card needs stability, difficulty, due and "
                        "last_review")
    elif state in (CardState.LEARNING, CardState.RELEARNING) and schedule.step is None:
        raise _RowError(f"a {state.name.lower()} card needs its step")
    suspended_text = values.get("suspended", "").strip().lower()
    if suspended_text not in ("", "true", "false", "1", "0"):
        raise _RowError(f"suspended must be true or false, not {values['suspended']!r}")
    return row._replace(schedule=schedule, suspended=suspended_text in ("true", "1"),
                   position=_optional_int(values, "position"))


def _optional_int(values: dict[str, str], name: str) -> int | None:
    text = values.get(name, "").strip()
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        raise _RowError(f"{name} must be a whole number, not {text!r}") from None
    if number < 0:
        raise _RowError(f"{name} cannot be negative")
    return number


def _optional_float(values: dict[str, str], name: str) -> float | None:
    text = values.get(name, "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise _RowError(f"{name} must be a number, not {text!r}") from None
    if not 0 < number < 1e9:
        raise _RowError(f"{name} {text} is out of range")
    return number


def _optional_datetime(values: dict[str, str], name: str) -> datetime | None:
    text = values.get(name, "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _RowError(f"{name} must be an ISO 8601 date and time, not {text!r}") from None
    if moment.tzinfo is None:
        raise _RowError(f"{name} {text!r} has no time zone (add +00:00 for UTC)")
    return moment


def _parse_anki(header: _AnkiHeader, records: list[tuple[int, list[str]]],
                delimiter: str) -> ParsedFile:
    is_html = bool(header.html)
    width = max(len(cells) for _, cells in records)
    special = dict(header.special)
    names = [_column_key(c) for c in header.columns] if header.columns else None
    if names is not None:
        for index, name in enumerate(names):
            if name in ("guid", "deck", "tags") and name not in special:
                special[name] = index
            elif name == "kind" and "notetype" not in special:
                special["notetype"] = index
    field_columns = [i for i in range(width) if i not in special.values()]
    if len(field_columns) < 2:
        raise ImportFileError("the file needs at least two columns besides guid, deck, "
                              "notetype and tags: the front and the back")
    if names is not None and "front" in names and "back" in names:
        # Named columns: front and back wherever they stand, other fields after them.
        named = [names.index("front"), names.index("back")]
        field_columns = named + [i for i in field_columns if i not in named]
    elif "tags" not in special and len(field_columns) == 3:
        # As Anki does: with two note fields, a third column holds the tags.
        special["tags"] = field_columns.pop()
    labels = [""] * width
    for name, index in special.items():
        if index < width:
            labels[index] = name.capitalize()
    for position, index in enumerate(field_columns[:2]):
        labels[index] = ("Front", "Back")[position]
    parsed = ParsedFile(FileFormat.ANKI, delimiter, is_html, labels, deck=header.deck)
    unused = [i + 1 for i in field_columns[2:]]
    if names is not None:
        unused += [i + 1 for i, name in enumerate(names)
                   if i not in special.values() and name not in ("front", "back")
                   and i + 1 not in unused]
    if unused:
        parsed.warnings.append(
            f"column(s) {', '.join(map(str, sorted(set(unused))))} hold fields beyond front "
            "and back and were not imported")
    guid_at, deck_at = special.get("guid"), special.get("deck")
    notetype_at, tags_at = special.get("notetype"), special.get("tags")
    front_at, back_at = field_columns[0], field_columns[1]
    needed = max(front_at, back_at) + 1
    tag_sets: dict[str, tuple[str, ...]] = {}  # a tags cell -> its tags: most files repeat few
    for line, cells in records:
        width_here = len(cells)
        notetype = ((cells[notetype_at] if notetype_at is not None and notetype_at < width_here
                     else "") or header.notetype or "Basic")
        if notetype[:5].lower() == "cloze":
            parsed.rejected.append(Rejected(line, "cloze notes are not supported"))
            continue
        if width_here < needed:
            parsed.rejected.append(Rejected(
                line, f"expected at least {needed} fields (front and back), found {width_here}"))
            continue
        front, back = cells[front_at], cells[back_at]
        if is_html:
            front, back, row_html = _from_anki_html(front, back)
        else:
            row_html = False
            # The common row, checked inline: 100k rows spend most of their time here.
            guid = cells[guid_at].strip() if guid_at is not None and guid_at < width_here else ""
            deck = cells[deck_at].strip() if deck_at is not None and deck_at < width_here else ""
            tags = cells[tags_at] if tags_at is not None and tags_at < width_here else ""
            if (len(front) <= MAX_FIELD_LENGTH and len(back) <= MAX_FIELD_LENGTH
                    and len(tags) <= MAX_FIELD_LENGTH and len(guid) <= 64
                    and len(deck) <= MAX_DECK_NAME
                    and front.strip()):
                row_tags = tag_sets.get(tags)
                if row_tags is None:
                    row_tags = parse_tags(tags) if tags else ()
                    if header.tags:
                        row_tags = tuple(dict.fromkeys(row_tags + header.tags))
                    tag_sets[tags] = row_tags
                parsed.rows.append(ImportRow(
                    line, guid or None, deck or None, CardKind.BASIC, front, back, None, None,
                    row_tags, "", False, normalise_text(front)))
                continue
        try:
            row = _make_row(
                line,
                guid=cells[guid_at] if guid_at is not None and guid_at < width_here else None,
                deck=cells[deck_at] if deck_at is not None and deck_at < width_here else None,
                kind=CardKind.BASIC, front=front, back=back, weak=None, strong=None,
                tags=cells[tags_at] if tags_at is not None and tags_at < width_here else "",
                source="", is_html=row_html)
        except _RowError as exc:
            parsed.rejected.append(Rejected(line, str(exc)))
            continue
        if header.tags:
            row = row._replace(tags=tuple(dict.fromkeys(row.tags + header.tags)))
        parsed.rows.append(row)
    return parsed


# -- HTML -----------------------------------------------------------------------------

_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_TAG = re.compile(r"<[a-zA-Z/!]")


def sanitise_html(text: str) -> str:
    """Card HTML with only harmless tags and attributes (nh3's allowlist, no images)."""
    return nh3.clean(text, tags=HTML_TAGS)


def _from_anki_html(front: str, back: str) -> tuple[str, str, bool]:
    """Fields of an HTML file as plain text when they only use line breaks and entities
    (so our own exports come back exactly), else as sanitised HTML."""
    plain = [html.unescape(_BREAK.sub("\n", value)) for value in (front, back)]
    if not any(_TAG.search(_BREAK.sub("", value)) for value in (front, back)):
        return plain[0], plain[1], False
    return front, back, True


def html_for_anki(text: str, is_html: bool) -> str:
    """A field as Anki stores it: HTML, with our plain text escaped and line breaks kept."""
    if is_html:
        return text
    return _LINE_BREAK.sub("<br>", html.escape(text, quote=False))


# -- writing --------------------------------------------------------------------------


def neutralise(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    # A cell that already starts with ' before a formula character gets one more, so
    # reading our file back (which drops one) gives the cell exactly as it was.
    return "'" + cell if cell.lstrip("'").startswith(FORMULA_STARTS) else cell


def _unneutralise(cell: str) -> str:
    if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


@dataclass(frozen=True, slots=True)
class ExportCard:
    guid: str
    deck: str
    kind: CardKind
    front: str
    back: str
    weak_answer: str | None
    strong_answer: str | None
    tags: tuple[str, ...]
    source: str
    is_html: bool
    schedule: Schedule
    suspended: bool
    position: int


def write_native_csv(cards: Iterable[ExportCard], *, with_schedule: bool) -> Iterator[str]:
    """Our CSV, one chunk of text at a time: a header row, formula cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CONTENT_COLUMNS + (SCHEDULE_COLUMNS if with_schedule else ()))
    for number, card in enumerate(cards, start=1):
        row = [card.guid, card.deck, card.kind.value, card.front, card.back,
               card.weak_answer or "", card.strong_answer or "", " ".join(card.tags),
               card.source, "true" if card.is_html else "false"]
        if with_schedule:
            s = card.schedule
            row += [s.state.name.lower(), _text(s.step), _text(s.stability),
                    _text(s.difficulty), s.due.isoformat() if s.due else "",
                    s.last_review.isoformat() if s.last_review else "", str(s.reps),
                    str(s.lapses), "true" if card.suspended else "false", str(card.position)]
        writer.writerow([neutralise(cell) for cell in row])
        if number % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_anki_text(cards: Iterable[ExportCard]) -> Iterator[str]:
    """Anki's Notes in Plain Text, tab-separated, with the header lines that let Anki
    import it without changing anything in its dialog."""
    # The note type comes first: a line that began with a guid such as "#a1" would be
    # read as a comment.
    yield ("#separator:tab\n#html:true\n#notetype column:1\n#guid column:2\n"
           "#deck column:3\n#tags column:6\n")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    for number, card in enumerate(cards, start=1):
        front, back = html_for_anki(card.front, card.is_html), html_for_anki(card.back,
                                                                             card.is_html)
        if card.kind == CardKind.ANSWER_PAIR:
            # Anki has no answer-pair note type: both answers on the front, the verdict back.
            weak = html_for_anki(card.weak_answer or "", card.is_html)
            strong = html_for_anki(card.strong_answer or "", card.is_html)
            front = f"{front}<br><br>Weak or strong?<br>• {weak}<br>• {strong}"
            back = f"Strong: {strong}<br>Weak: {weak}<br><br>{back}"
        writer.writerow(["Basic", card.guid, card.deck, front, back, " ".join(card.tags)])
        if number % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _text(value: float | int | None) -> str:
    # repr() of a float reads back to the same float, bit for bit.
    return "" if value is None else repr(value)
