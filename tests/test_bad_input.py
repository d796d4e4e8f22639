"""The bad-input catalogue of ARCHITECTURE.md, through both entry points that take a
file: the web upload and `flask import-deck`. A broken file gets a clear message naming
the problem (and the line), and nothing already stored changes; awkward but valid text
is stored exactly as written. (Grades posted twice, stale or out of range, and missing
CSRF tokens are covered in tests/web/test_review.py; kill -9 in test_import_crash.py.)"""

import io
import re

import pytest
from sqlalchemy import select

from flashcards.models import Card
from flashcards.services import exporter
from tests.conftest import csrf_token, make_deck

# Whole-file problems: refused, nothing written.
BROKEN = {
    "empty": (b"", "the file is empty"),
    "header only": (b"front,back\n", "the file has a header row but no cards"),
    "UTF-16": ("front,back\nA,B\n".encode("utf-16"), "the file is UTF-16 text"),
    "Latin-1": ("front,back\ncafé,x\n".encode("latin-1"),
                "line 2: the file is not UTF-8 (byte 0xE9)"),
    "binary": (b"\x00\x01\x02\xff\xfe", "line 1: the file contains NUL bytes"),
    "NUL byte": (b"front,back\nA\x00x,B\n", "line 2: the file contains NUL bytes"),
    "unterminated quote": (b'front,back\nok,row\n"A,B\n',
                           "line 3: a quoted field is never closed"),
}
# Row problems: that row is refused with its line; the others go in.
REJECTED_ROWS = {
    "huge field": (b"front,back\nok,row\n" + b"x" * 30_000 + b",y\n",
                   "line 3: front is 30,000 characters long; the limit is 20,000"),
    "too few columns": (b"front,back,tags\nok,row,t\nonly\n",
                        "line 3: expected 3 fields (as in the header), found 1"),
    "too many columns": (b"front,back\nok,row\nA,B,C,D\n",
                         "line 3: expected 2 fields (as in the header), found 4"),
    "blank front": (b"front,back\nok,row\n ,B\n", "line 3: the front is empty"),
    "duplicate inside the file": (b"front,back\nok,row\nok,again\n", "line 3"),
}
# Valid but awkward: stored exactly as written.
STORED_EXACTLY = {
    "UTF-8 BOM": ("\ufefffront,back\nA,B\n".encode(), [("A", "B")]),
    "CRLF": (b"front,back\r\nA,B\r\nC,D\r\n", [("A", "B"), ("C", "D")]),
    "quoted comma, newline, doubled quote": (
        b'front,back\n"a, b","line1\nline2 ""q"""\n', [("a, b", 'line1\nline2 "q"')]),
    "formula cells": (b'front,back\n=1+1,+x\n-y,@z\n"\tt","\rr"\n',
                      [("=1+1", "+x"), ("-y", "@z"), ("\tt", "\rr")]),
    "script and javascript:": (b"front,back\n<script>alert(1)</script>,javascript:alert(1)\n",
                               [("<script>alert(1)</script>", "javascript:alert(1)")]),
    "emoji, right-to-left, zero-width": (
        "front,back\n😀 שלום,a\u200bb\u200f\n".encode(), [("😀 שלום", "a\u200bb\u200f")]),
}


def stored(session) -> list[tuple]:
    session.rollback()
    session.expire_all()
    return [tuple(row) for row in session.execute(
        select(Card.id, Card.deck_id, Card.front, Card.back, Card.tags, Card.version)
        .order_by(Card.id))]


def web_import(client, data: bytes) -> tuple[int, str]:
    """Upload, and confirm when the preview allows it: (status, page text)."""
    token = csrf_token(client, "/import")
    preview = client.post("/import", data={"csrf_token": token, "deck": "Imported",
                                           "file": (io.BytesIO(data), "cards.csv"),
                                           "on_duplicate": "update"},
                          content_type="multipart/form-data")
    text = preview.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")
    confirm = re.search(r'action="(/import/[\w-]+/confirm)"', text)
    if preview.status_code != 200 or confirm is None:
        return preview.status_code, text
    done = client.post(confirm.group(1), data={"csrf_token": token}, follow_redirects=True)
    return done.status_code, text + done.get_data(as_text=True)


def cli_import(app, tmp_path, data: bytes) -> tuple[int, str]:
    path = tmp_path / "cards.csv"
    path.write_bytes(data)
    result = app.test_cli_runner().invoke(args=["import-deck", str(path), "--deck", "Imported"])
    return result.exit_code, result.output


@pytest.fixture
def web(app):
    app.config["JOBS_IN_BACKGROUND"] = False
    return app


@pytest.mark.parametrize("case", BROKEN)
def test_broken_files_are_refused_and_change_nothing(web, client, session, tmp_path,
                                                     case) -> None:
    data, message = BROKEN[case]
    make_deck(session, "Imported", cards=2)
    before = stored(session)
    status, text = web_import(client, data)
    assert status == 400 and message in text
    assert stored(session) == before
    code, output = cli_import(web, tmp_path, data)
    assert code == 1 and message in output
    assert stored(session) == before


@pytest.mark.parametrize("case", REJECTED_ROWS)
def test_bad_rows_are_named_by_line_and_the_rest_go_in(web, client, session, tmp_path,
                                                      case) -> None:
    data, message = REJECTED_ROWS[case]
    make_deck(session, "Imported", cards=1)
    before = stored(session)
    status, text = web_import(client, data)
    # The preview lists rejected rows as "Line N: ...".
    assert status == 200 and message.lower() in text.lower()
    after = stored(session)
    assert after[:len(before)] == before  # existing cards untouched
    assert [row[2] for row in after[len(before):]] == ["ok"]
    code, output = cli_import(web, tmp_path, data)
    assert code == 0 and message in output
    assert stored(session)[:len(after)] == after  # "ok" again: unchanged, not duplicated


@pytest.mark.parametrize("case", STORED_EXACTLY)
def test_awkward_text_is_stored_exactly_and_exported_safely(web, client, session, tmp_path,
                                                           case) -> None:
    data, expected = STORED_EXACTLY[case]
    status, _ = web_import(client, data)
    assert status == 200
    assert [row[2:4] for row in stored(session)] == expected
    # The CLI imports the same file as the same cards: nothing new, nothing changed.
    before = stored(session)
    code, output = cli_import(web, tmp_path, data)
    assert code == 0 and f"0 new, 0 updated, {len(expected)} unchanged" in output
    assert stored(session) == before
    # On export, a cell a spreadsheet would run as a formula is neutralised.
    text = "".join(exporter.export_cards(session, deck_id=None,
                                         export_format=exporter.ExportFormat.CSV))
    for front, back in expected:
        for cell in (front, back):
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert f",'{cell[:1]}" in text or f"\"'{cell[:1]}" in text
