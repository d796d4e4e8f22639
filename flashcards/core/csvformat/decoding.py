"""From bytes to records: the text (UTF-8 only, other encodings refused by name), the
separator, and each non-blank record's cells with the line it starts on."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from itertools import repeat

from flashcards.core.csvformat.model import ImportFileError

# The order in which Anki guesses a separator.
GUESS_ORDER = ("\t", "|", ";", ":", ",", " ")


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
