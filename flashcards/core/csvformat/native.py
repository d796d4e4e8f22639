"""Our own CSV: a header row naming the columns (or the user's column mapping), with
schedules when the file is a backup."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Generic, TypeVar

from flashcards.core.cards import (
    MAX_DECK_NAME,
    MAX_FIELD_LENGTH,
    CardKind,
    normalise_text,
    parse_tags,
)
from flashcards.core.csvformat.model import (
    CONTENT_COLUMNS,
    NATIVE_COLUMNS,
    SCHEDULE_COLUMNS,
    FileFormat,
    ImportFileError,
    ImportRow,
    ParsedFile,
    Rejected,
    _column_key,
)
from flashcards.core.csvformat.rows import _make_row, _RowError, _TagSets
from flashcards.core.csvformat.sanitise import _unneutralise
from flashcards.core.scheduling import CardState, Schedule

_T = TypeVar("_T")

STATE_NAMES = {state.name.lower(): state for state in CardState}


def _native_header(cells: list[str]) -> list[str] | None:
    keys = [_column_key(cell) for cell in cells]
    if "front" in keys and sum(key in NATIVE_COLUMNS for key in keys) >= 2:
        return keys
    return None


def _parse_native(keys: list[str], header_cells: list[str],
                  records: list[tuple[int, list[str]]], delimiter: str, *,
                  mapped: bool = False) -> ParsedFile:
    has_schedule = _check_native_header(keys)
    parsed = ParsedFile(FileFormat.CSV, delimiter, False, header_cells,
                        has_schedule=has_schedule)
    extra = [cell for cell, key in zip(header_cells, keys, strict=True)
             if key not in NATIVE_COLUMNS]
    if extra and not mapped:
        parsed.warnings.append(
            f"column(s) {', '.join(repr(e) for e in extra)} are not card fields and were "
            "not imported")
    _read_native_rows(parsed, keys, records, mapped=mapped)
    return parsed


# -- layout: the header's columns -------------------------------------------------------


def _check_native_header(keys: list[str]) -> bool:
    """Whether the columns carry schedules; ImportFileError for columns that cannot make
    cards (a field named twice, schedules without state and due, no back)."""
    known = [k for k in keys if k in NATIVE_COLUMNS]
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
    return has_schedule


@dataclass(frozen=True, slots=True)
class _CommonColumns:
    """Where the fields of the common row stand (None: not in the file)."""

    front: int
    back: int | None
    tags: int | None
    source: int | None
    guid: int | None
    deck: int | None
    kind: int | None
    html: int | None
    # Columns the common row leaves empty (or "basic", "false"): any other value in them
    # takes the full path through _native_row.
    plain: list[int]

    @classmethod
    def of(cls, at: dict[str, int], has_schedule: bool) -> _CommonColumns | None:
        """The common row's columns; None when the file has none (no front, or schedules
        to check)."""
        if has_schedule or "front" not in at:
            return None
        return cls(at["front"], at.get("back"), at.get("tags"), at.get("source"),
                   at.get("guid"), at.get("deck"), at.get("kind"), at.get("html"),
                   [at[k] for k in ("weak_answer", "strong_answer") if k in at])


def _our_export(keys: list[str]) -> bool:
    # Our own export neutralises formula cells; undo that only for files we wrote.
    return [k for k in keys if k] in (list(CONTENT_COLUMNS),
                                      list(CONTENT_COLUMNS + SCHEDULE_COLUMNS))


def _plain_file(at: dict[str, int], ours: bool) -> bool:
    """A file of fronts, backs, tags and sources (most spreadsheets): see _plain_rows."""
    return not ours and set(at) <= {"front", "back", "tags", "source"}


# -- rows -------------------------------------------------------------------------------


def _read_native_rows(parsed: ParsedFile, keys: list[str],
                      records: list[tuple[int, list[str]]], *, mapped: bool) -> None:
    """Each record as a card of `parsed`, or as a rejection."""
    # Our own export neutralises formula cells; undo that only for files we wrote.
    ours = _our_export(keys)
    width = len(keys)
    at = {key: index for index, key in enumerate(keys) if key in NATIVE_COLUMNS}
    common = _CommonColumns.of(at, parsed.has_schedule)
    tag_sets = _TagSets()
    plain_file = common is not None and _plain_file(at, ours)
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
        row = (_common_native_row(line, cells, common, tag_sets) if common is not None
               else None)
        if row is None:
            values = {k: c for k, c in zip(keys, cells, strict=True) if k in NATIVE_COLUMNS}
            try:
                row = _native_row(line, values)
            except _RowError as exc:
                parsed.rejected.append(Rejected(line, str(exc)))
                continue
        parsed.rows.append(row)
    if plain_file and records:  # rows from both paths: back in the file's order
        parsed.rows.sort(key=attrgetter("line"))


def _common_native_row(line: int, cells: list[str], at: _CommonColumns,
                       tag_sets: _TagSets) -> ImportRow | None:
    """The common row, checked inline as in anki._common_anki_row: the same result as
    _native_row for a basic, non-HTML card within every limit. None for any other row."""
    front = cells[at.front]
    tags = cells[at.tags] if at.tags is not None else ""
    guid = cells[at.guid].strip() if at.guid is not None else ""
    deck = cells[at.deck].strip() if at.deck is not None else ""
    kind_at, html_at, plain_at = at.kind, at.html, at.plain
    if not (max(map(len, cells)) <= MAX_FIELD_LENGTH and front.strip()
            and len(guid) <= 64 and len(deck) <= MAX_DECK_NAME
            and (kind_at is None or cells[kind_at].strip().lower() in ("", "basic"))
            and (html_at is None
                 or cells[html_at].strip().lower() not in ("true", "1", "yes"))
            and not (plain_at and any(cells[i] for i in plain_at))):
        return None
    back = cells[at.back] if at.back is not None else ""
    source = cells[at.source] if at.source is not None else ""
    return ImportRow(line, guid or None, deck or None, CardKind.BASIC, front, back, None, None,
                     tag_sets[tags], source, False, normalise_text(front))


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
        step=_WHOLE.read(values, "step"),
        stability=_POSITIVE.read(values, "stability"),
        difficulty=_POSITIVE.read(values, "difficulty"),
        due=_MOMENT.read(values, "due"),
        last_review=_MOMENT.read(values, "last_review"),
        reps=_WHOLE.read(values, "reps") or 0,
        lapses=_WHOLE.read(values, "lapses") or 0,
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
                   position=_WHOLE.read(values, "position"))


@dataclass(frozen=True)
class _Optional(Generic[_T]):
    """How one optional schedule column reads: its parser, what it must be, and the check
    on the parsed value (a complaint that follows the column's name, or None)."""

    parse: Callable[[str], _T]
    must_be: str
    problem: Callable[[_T, str], str | None]

    def read(self, values: dict[str, str], name: str) -> _T | None:
        text = values.get(name, "").strip()
        if not text:
            return None
        try:
            value = self.parse(text)
        except ValueError:
            raise _RowError(f"{name} must be {self.must_be}, not {text!r}") from None
        if (complaint := self.problem(value, text)) is not None:
            raise _RowError(f"{name} {complaint}")
        return value


_WHOLE: _Optional[int] = _Optional(
    int, "a whole number", lambda number, _text: "cannot be negative" if number < 0 else None)
_POSITIVE: _Optional[float] = _Optional(
    float, "a number",
    lambda number, text: None if 0 < number < 1e9 else f"{text} is out of range")
_MOMENT: _Optional[datetime] = _Optional(
    datetime.fromisoformat, "an ISO 8601 date and time",
    lambda moment, text: None if moment.tzinfo is not None
    else f"{text!r} has no time zone (add +00:00 for UTC)")
