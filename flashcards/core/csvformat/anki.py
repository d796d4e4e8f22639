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
from flashcards.core.csvformat.rows import _make_row, _RowError
from flashcards.core.csvformat.sanitise import _from_anki_html

# Anki's names for the separators (#separator:).
ANKI_SEPARATORS = {"comma": ",", "semicolon": ";", "tab": "\t", "space": " ", "pipe": "|",
                   "colon": ":"}


SEPARATOR_NAMES = {char: name.capitalize() for name, char in ANKI_SEPARATORS.items()}


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
