"""Anki's "Notes in Plain Text": its '#key:value' header lines, columns by position."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from flashcards.core.cards import (
    MAX_DECK_NAME,
    MAX_FIELD_LENGTH,
    CardKind,
    normalise_text,
    parse_tags,
)
from flashcards.core.csvformat.decoding import guess_delimiter
from flashcards.core.csvformat.model import (
    FileFormat,
    ImportFileError,
    ImportRow,
    ParsedFile,
    Rejected,
    _column_key,
)
from flashcards.core.csvformat.rows import _make_row, _RowError, _TagSets
from flashcards.core.csvformat.sanitise import _from_anki_html

# Anki's names for the separators (#separator:).
ANKI_SEPARATORS = {"comma": ",", "semicolon": ";", "tab": "\t", "space": " ", "pipe": "|",
                   "colon": ":"}




@dataclass
class _AnkiHeader:
    delimiter: str | None = None
    html: bool | None = None
    tags: tuple[str, ...] = ()
    columns: list[str] | None = None
    deck: str | None = None
    notetype: str | None = None
    special: dict[str, int] = field(default_factory=dict)  # guid/deck/notetype/tags -> index


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
        if sep:
            _read_header_line(header, key.strip().lower(), value.strip(), count)
    if header.columns is not None:
        delimiter = header.delimiter or guess_delimiter(header.columns[0])
        header.columns = next(csv.reader([header.columns[0]], delimiter=delimiter))
    return header, text[sum(map(len, lines[:count])):], count + 1


def _read_header_line(header: _AnkiHeader, key: str, value: str, line: int) -> None:
    """One '#key:value' line into `header` (an unknown key is a comment)."""
    if key == "separator":
        header.delimiter = _separator(value, line)
    elif key == "html":
        header.html = value.lower() == "true"
    elif key == "tags":
        header.tags = parse_tags(value)
    elif key == "columns":
        header.columns = [value]  # split once the separator is known
    elif key == "deck":
        if len(value) > MAX_DECK_NAME:  # as for a deck column
            raise ImportFileError(f"line {line}: the #deck: name is longer than "
                                  f"{MAX_DECK_NAME} characters")
        header.deck = value or None
    elif key == "notetype":
        header.notetype = value or None
    elif key in ("guid column", "deck column", "notetype column", "tags column"):
        header.special[key.split()[0]] = _column_number(key, value, line) - 1


def _separator(value: str, line: int) -> str:
    """The character of a #separator: line: Anki's name for it, or the character."""
    delimiter = ANKI_SEPARATORS.get(value.lower()) or (
        value if len(value) == 1 and value in ANKI_SEPARATORS.values() else None)
    if delimiter is None:
        raise ImportFileError(
            f"line {line}: unknown separator {value!r}; use Comma, Semicolon, Tab, "
            "Space, Pipe or Colon")
    return delimiter


def _column_number(key: str, value: str, line: int) -> int:
    """The column (from 1) of a '#... column:' line."""
    try:
        index = int(value)
    except ValueError:
        raise ImportFileError(
            f"line {line}: #{key} must be a column number, not {value!r}") from None
    if index < 1:
        raise ImportFileError(f"line {line}: #{key} must be 1 or more")
    return index


def _parse_anki(header: _AnkiHeader, records: list[tuple[int, list[str]]],
                delimiter: str) -> ParsedFile:
    columns = _anki_columns(header, max(len(cells) for _, cells in records))
    parsed = ParsedFile(FileFormat.ANKI, delimiter, bool(header.html), columns.labels,
                        deck=header.deck)
    if columns.unused:
        parsed.warnings.append(
            f"column(s) {', '.join(map(str, columns.unused))} hold fields beyond front "
            "and back and were not imported")
    _read_anki_rows(parsed, header, columns, records)
    return parsed


# -- layout: which column holds which field --------------------------------------------


@dataclass(frozen=True, slots=True)
class _AnkiColumns:
    """Where each field stands in a row (None: not in the file), and what the preview
    calls each column."""

    front: int
    back: int
    guid: int | None
    deck: int | None
    notetype: int | None
    tags: int | None
    labels: list[str]
    unused: list[int]  # columns (from 1) holding fields beyond front and back


def _anki_columns(header: _AnkiHeader, width: int) -> _AnkiColumns:
    names = [_column_key(c) for c in header.columns] if header.columns else None
    special = _special_columns(header, names)
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
    return _AnkiColumns(field_columns[0], field_columns[1], special.get("guid"),
                        special.get("deck"), special.get("notetype"), special.get("tags"),
                        _labels(special, field_columns, width),
                        _unused_columns(names, special, field_columns))


def _special_columns(header: _AnkiHeader, names: list[str] | None) -> dict[str, int]:
    """guid/deck/notetype/tags -> column: from the '#... column:' lines, else from the
    #columns: names."""
    special = dict(header.special)
    for index, name in enumerate(names or ()):
        if name in ("guid", "deck", "tags") and name not in special:
            special[name] = index
        elif name == "kind" and "notetype" not in special:
            special["notetype"] = index
    return special


def _labels(special: dict[str, int], field_columns: list[int], width: int) -> list[str]:
    labels = [""] * width
    for name, index in special.items():
        if index < width:
            labels[index] = name.capitalize()
    for position, index in enumerate(field_columns[:2]):
        labels[index] = ("Front", "Back")[position]
    return labels


def _unused_columns(names: list[str] | None, special: dict[str, int],
                    field_columns: list[int]) -> list[int]:
    """The columns (from 1) that hold fields beyond front and back, in order."""
    unused = [i + 1 for i in field_columns[2:]]
    if names is not None:
        unused += [i + 1 for i, name in enumerate(names)
                   if i not in special.values() and name not in ("front", "back")
                   and i + 1 not in unused]
    return sorted(set(unused))


# -- rows -------------------------------------------------------------------------------


def _read_anki_rows(parsed: ParsedFile, header: _AnkiHeader, at: _AnkiColumns,
                    records: list[tuple[int, list[str]]]) -> None:
    """Each record as a card of `parsed`, or as a rejection."""
    is_html, extra_tags = parsed.is_html, header.tags
    default_notetype = header.notetype or "Basic"
    notetype_at = at.notetype
    needed = max(at.front, at.back) + 1
    tag_sets = _TagSets(extra_tags)
    for line, cells in records:
        width_here = len(cells)
        notetype = ((cells[notetype_at] if notetype_at is not None and notetype_at < width_here
                     else "") or default_notetype)
        if notetype[:5].lower() == "cloze":
            parsed.rejected.append(Rejected(line, "cloze notes are not supported"))
            continue
        if width_here < needed:
            parsed.rejected.append(Rejected(
                line, f"expected at least {needed} fields (front and back), found {width_here}"))
            continue
        row = None if is_html else _common_anki_row(line, cells, at, tag_sets)
        if row is None:
            try:
                row = _checked_anki_row(line, cells, at, is_html)
            except _RowError as exc:
                parsed.rejected.append(Rejected(line, str(exc)))
                continue
            if extra_tags:
                row = row._replace(tags=_with_file_tags(row.tags, extra_tags))
        parsed.rows.append(row)


def _common_anki_row(line: int, cells: list[str], at: _AnkiColumns,
                     tag_sets: _TagSets) -> ImportRow | None:
    """The common row, a plain-text card within every limit, checked inline (100k rows
    spend most of their time here): the same card as _checked_anki_row makes. None for
    any other row."""
    width, guid_at, deck_at, tags_at = len(cells), at.guid, at.deck, at.tags
    front, back = cells[at.front], cells[at.back]
    guid = cells[guid_at].strip() if guid_at is not None and guid_at < width else ""
    deck = cells[deck_at].strip() if deck_at is not None and deck_at < width else ""
    tags = cells[tags_at] if tags_at is not None and tags_at < width else ""
    if not (len(front) <= MAX_FIELD_LENGTH and len(back) <= MAX_FIELD_LENGTH
            and len(tags) <= MAX_FIELD_LENGTH and len(guid) <= 64
            and len(deck) <= MAX_DECK_NAME
            and front.strip()):
        return None
    return ImportRow(line, guid or None, deck or None, CardKind.BASIC, front, back, None, None,
                     tag_sets[tags], "", False, normalise_text(front))


def _checked_anki_row(line: int, cells: list[str], at: _AnkiColumns,
                      is_html: bool) -> ImportRow:
    """A row the common path does not take (HTML, or over a limit): every check of
    _make_row. Raises _RowError."""
    front, back, row_html = cells[at.front], cells[at.back], False
    if is_html:
        front, back, row_html = _from_anki_html(front, back)
    return _make_row(line, guid=_cell(cells, at.guid) or None,
                     deck=_cell(cells, at.deck) or None, kind=CardKind.BASIC, front=front,
                     back=back, weak=None, strong=None, tags=_cell(cells, at.tags), source="",
                     is_html=row_html)


def _cell(cells: list[str], index: int | None) -> str:
    """The cell at `index`; empty when the file has no such column or the row is short."""
    return cells[index] if index is not None and index < len(cells) else ""


def _with_file_tags(tags: tuple[str, ...], file_tags: tuple[str, ...]) -> tuple[str, ...]:
    """A row's tags followed by the file's #tags:, each once."""
    return tuple(dict.fromkeys(tags + file_tags)) if file_tags else tags
