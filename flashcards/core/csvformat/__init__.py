"""Reading and writing card files: our native CSV and Anki's "Notes in Plain Text".

Pure: bytes in, rows and problems out (and back). A problem with the file as a whole
(wrong encoding, broken quoting, no rows) raises ImportFileError naming the line; a
problem with one row rejects that row with its line and reason, and the rest of the
file can still be imported.

One module a job; this package re-exports the names its callers use:

- model: what a file is read into (ImportRow, ParsedFile, ImportLayout, the errors);
- decoding: bytes to text, the separator, and records with their line numbers;
- reading: parse_import, which reads a file as one of the two formats below;
- anki: Anki's text format (header lines, columns by position);
- native: our CSV (a header row naming the columns, schedules in backups);
- rows: the checks one card's fields get whatever the format;
- sanitise: card HTML cleaned, formula cells neutralised;
- writers: our CSV and Anki's text format, written.
"""

from flashcards.core.csvformat.decoding import decode, guess_delimiter
from flashcards.core.csvformat.model import (
    AUTO_LAYOUT,
    IGNORED_COLUMN,
    MAPPABLE_COLUMNS,
    MAX_ROWS,
    FileFormat,
    ImportFileError,
    ImportLayout,
    ImportRow,
    ParsedFile,
    Rejected,
    check_columns,
)
from flashcards.core.csvformat.reading import parse_import, suggested_columns
from flashcards.core.csvformat.sanitise import html_for_anki, neutralise, sanitise_html
from flashcards.core.csvformat.writers import ExportCard, write_anki_text, write_native_csv

__all__ = [
    "AUTO_LAYOUT",
    "IGNORED_COLUMN",
    "MAPPABLE_COLUMNS",
    "MAX_ROWS",
    "ExportCard",
    "FileFormat",
    "ImportFileError",
    "ImportLayout",
    "ImportRow",
    "ParsedFile",
    "Rejected",
    "check_columns",
    "decode",
    "guess_delimiter",
    "html_for_anki",
    "neutralise",
    "parse_import",
    "sanitise_html",
    "suggested_columns",
    "write_anki_text",
    "write_native_csv",
]
