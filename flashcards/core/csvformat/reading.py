"""Reading an uploaded file: decoded, split into records, and read as our CSV or as
Anki's text format (told apart by the content, or as the user's layout says)."""

from __future__ import annotations

from operator import itemgetter

from flashcards.core.cards import (
    CardKind,
)
from flashcards.core.csvformat.anki import _parse_anki, _split_anki_header
from flashcards.core.csvformat.decoding import _records, decode, guess_delimiter
from flashcards.core.csvformat.model import (
    AUTO_LAYOUT,
    IGNORED_COLUMN,
    MAPPABLE_COLUMNS,
    MAX_ROWS,
    ImportFileError,
    ImportLayout,
    ParsedFile,
    _column_key,
    check_columns,
)
from flashcards.core.csvformat.native import _native_header, _parse_native


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
