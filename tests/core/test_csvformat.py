"""Reading card files: both formats and the whole bad-input catalogue."""

import codecs
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashcards.core.cards import CardKind
from flashcards.core.csvformat import (
    ExportCard,
    FileFormat,
    ImportFileError,
    ImportLayout,
    guess_delimiter,
    neutralise,
    parse_import,
    write_native_csv,
)
from flashcards.core.scheduling import NEW_SCHEDULE, CardState


def fails(data: bytes) -> str:
    with pytest.raises(ImportFileError) as info:
        parse_import(data)
    return str(info.value)


def test_native_csv_with_header_and_quoted_fields() -> None:
    parsed = parse_import(b'front,back,tags,deck\n"a, b","line1\r\nline2",x y,D\n'
                          b'"say ""hi""",b,,\n')
    assert parsed.format == FileFormat.CSV
    first, second = parsed.rows
    assert (first.front, first.back, first.tags, first.deck) == ("a, b", "line1\r\nline2",
                                                                ("x", "y"), "D")
    assert second.front == 'say "hi"' and second.deck is None


def test_header_names_are_forgiving_and_aliases_work() -> None:
    parsed = parse_import(b"Question;Weak answer;Strong Answer;Why\nq;w;s;y\n")
    (row,) = parsed.rows
    assert row.kind == CardKind.ANSWER_PAIR
    assert (row.front, row.weak_answer, row.strong_answer, row.back) == ("q", "w", "s", "y")


def test_utf8_bom_works_and_crlf_equals_lf() -> None:
    lf = parse_import(b"front,back\nA,B\n").rows
    crlf = parse_import(codecs.BOM_UTF8 + b"front,back\r\nA,B\r\n").rows
    assert [(r.front, r.back) for r in lf] == [(r.front, r.back) for r in crlf] == [("A", "B")]


def test_encodings_that_are_not_utf8_are_refused_by_name() -> None:
    assert "UTF-16" in fails("front,back\nA,B\n".encode("utf-16"))
    assert "UTF-16" in fails("front,back\nA,B\n".encode("utf-16-le"))
    message = fails("front,back\ncafé,x\n".encode("latin-1"))
    assert message.startswith("line 2:") and "not UTF-8" in message and "0xE9" in message
    assert "binary" in fails(b"front,back\nA,B\x00\x01\n")
    assert fails(b"\x89PNG\r\n\x1a\n\x00\x00").startswith("line 3:")


def test_empty_header_only_and_comment_only_files() -> None:
    assert fails(b"") == "the file is empty"
    assert fails(b"  \n\n") == "the file is empty"
    assert fails(b"front,back\n") == "the file has a header row but no cards"
    assert "no rows" in fails(b"#separator:tab\n# a comment\n")


def test_unterminated_quote_names_its_line() -> None:
    message = fails(b'front,back\nA,B\n"C,D\nE,F\n')
    assert message.startswith("line 3:") and "never closed" in message


def test_too_few_and_too_many_columns_are_rejected_with_lines() -> None:
    parsed = parse_import(b"front,back,tags\nA,B,t\nC,D\nE,F,t,extra\n")
    assert [r.front for r in parsed.rows] == ["A"]
    assert [str(r) for r in parsed.rejected] == [
        "line 3: expected 3 fields (as in the header), found 2",
        "line 4: expected 3 fields (as in the header), found 4",
    ]


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_lines_are_counted_past_blank_lines_and_line_breaks_inside_quotes(
        line_end: str) -> None:
    # Blank lines only: each record is one line. A quoted line break: a record spans two.
    plain = ["front,back", "A,B", "", "C", "", "", "E,F", "G"]
    quoted = ["front,back", '"A","B', 'more"', "", "C", "E,F", "G"]
    for lines, bad in ((plain, [4, 8]), (quoted, [5, 7])):
        parsed = parse_import(line_end.join(lines).encode())
        assert [r.line for r in parsed.rejected] == bad, lines
        assert [r.front for r in parsed.rows] == ["A", "E"]
    assert parse_import(line_end.join(quoted).encode()).rows[0].back == f"B{line_end}more"


def test_extra_columns_are_reported_not_dropped_silently() -> None:
    parsed = parse_import(b"front,back,notes\nA,B,ignored\n")
    assert parsed.warnings == ["column(s) 'notes' are not card fields and were not imported"]
    anki = parse_import(b"#separator:tab\n#tags column:3\nA\tB\tt\tmore\tfields\n")
    assert anki.warnings == ["column(s) 4, 5 hold fields beyond front and back and were "
                             "not imported"]


def test_blank_front_and_huge_field_are_rejected() -> None:
    big = b"x" * 20_001
    parsed = parse_import(b"front,back\n  ,B\nOK," + big + b"\n")
    assert [str(r) for r in parsed.rejected] == [
        "line 2: the front is empty",
        "line 3: back is 20,001 characters long; the limit is 20,000",
    ]


def test_formula_cells_are_stored_as_written() -> None:
    parsed = parse_import(b"front,back\n=1+1,@SUM(A1)\n+x,-y\n")
    assert [(r.front, r.back) for r in parsed.rows] == [("=1+1", "@SUM(A1)"), ("+x", "-y")]


def test_neutralising_is_undone_only_for_our_own_files() -> None:
    ours = ("guid,deck,kind,front,back,weak_answer,strong_answer,tags,source,html\n"
            "g1,D,basic,'=1+1,'@x,,,,,false\n")
    (row,) = parse_import(ours.encode()).rows
    assert (row.front, row.back) == ("=1+1", "@x")
    (theirs,) = parse_import(b"front,back\n'=1+1,b\n").rows
    assert theirs.front == "'=1+1"
    assert neutralise("=1+1") == "'=1+1" and neutralise("\tx") == "'\tx"
    assert neutralise("plain") == "plain"


# Cells a spreadsheet may run although their first character is none of = + - @: a
# formula character after a byte order mark, a zero-width or a blank character
# (LibreOffice's "Trim spaces" runs " =1+1"), the full-width forms OWASP's testing
# guide lists, and a line feed (on OWASP's list since 2025).
FORMULA_LIKE = [
    "\ufeff=1+1", "\ufeff+1+1", "\uff1d1+1", "\uff0b1+1", "\uff0d1+1", "\uff20SUM(1,1)",
    "\u200b=1+1", "\u200c=1+1", "\u200d@x", "\u2060=1+1", "\u00a0=1+1", " =1+1",
    "  @SUM(1,1)", "\u3000\uff1d1", " \ufeff\u200b -1", "\n=1+1", "\nline", "\t\u200bx",
]


@pytest.mark.parametrize("cell", FORMULA_LIKE)
def test_formula_like_cells_are_neutralised(cell: str) -> None:
    assert neutralise(cell) == "'" + cell
    assert neutralise("'" + cell) == "''" + cell  # one more, as for "'=1+1"


@pytest.mark.parametrize("cell", ["a = b", "1+1", "x\u200b=1", "\u200bplain", " plain",
                                  "\u2212 1", "'plain", "\ufeff"])
def test_cells_no_spreadsheet_runs_are_left_alone(cell: str) -> None:
    assert neutralise(cell) == cell


def export_card(front: str, back: str) -> ExportCard:
    return ExportCard(guid="g1", deck="D", kind=CardKind.BASIC, front=front, back=back,
                      weak_answer=None, strong_answer=None, tags=(), source="",
                      is_html=False, schedule=NEW_SCHEDULE, suspended=False, position=1)


def exported_and_read_back(front: str, back: str) -> tuple[str, str, str]:
    """Our CSV of one card, and the card's front and back as our import reads them."""
    text = "".join(write_native_csv([export_card(front, back)], with_schedule=False))
    (row,) = parse_import(text.encode()).rows
    return text, row.front, row.back


@pytest.mark.parametrize("cell", [*FORMULA_LIKE, *("'" + c for c in FORMULA_LIKE),
                                  *("''" + c for c in FORMULA_LIKE)])
def test_formula_like_cells_come_back_from_our_export_exactly(cell: str) -> None:
    text, front, back = exported_and_read_back(cell, cell)
    assert (front, back) == (cell, cell)
    assert text.count("'" + cell) == 2  # both cells were written neutralised


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("'=+-@x \t\r\n\ufeff\u200b\u00a0\uff1d\uff20")),
               min_size=1, max_size=12).filter(str.strip))
def test_any_cell_comes_back_from_our_export_exactly(cell: str) -> None:
    _, front, back = exported_and_read_back(cell, cell)
    assert (front, back) == (cell, cell)


def test_unicode_is_preserved_exactly() -> None:
    text = "שלום 👋🏽 zero\u200bwidth e\u0301 \u202eRTL"
    (row,) = parse_import(f"front,back\n{text},{text}\n".encode()).rows
    assert row.front == row.back == text


def test_script_and_javascript_urls_in_html_files_are_sanitised() -> None:
    data = (b"#separator:tab\n#html:true\n"
            b"<b>Q</b><script>alert(1)</script>\t<a href=\"javascript:alert(1)\">x</a>"
            b"<img src=x onerror=alert(1)>\n")
    (row,) = parse_import(data).rows
    assert row.is_html
    assert row.front == "<b>Q</b>"
    assert "javascript" not in row.back and "onerror" not in row.back and "<img" not in row.back


def test_text_files_keep_markup_as_text() -> None:
    (row,) = parse_import(b"front,back\n<script>alert(1)</script>,javascript:alert(1)\n").rows
    assert not row.is_html and row.front == "<script>alert(1)</script>"


def test_anki_html_with_only_breaks_and_entities_becomes_plain_text() -> None:
    (row,) = parse_import(b"#separator:tab\n#html:true\na &lt; b<br>c &amp; d\tx\n").rows
    assert not row.is_html and row.front == "a < b\nc & d"


@pytest.mark.parametrize(("name", "char"), [
    ("Comma", ","), ("Semicolon", ";"), ("Tab", "\t"), ("Space", " "), ("Pipe", "|"),
    ("Colon", ":"), ("tab", "\t"), (";", ";"), ("|", "|"),
])
def test_anki_separator_header(name, char) -> None:
    parsed = parse_import(f"#separator:{name}\nA{char}B\n".encode())
    assert parsed.delimiter == char and (parsed.rows[0].front, parsed.rows[0].back) == ("A", "B")


def test_unknown_separator_is_an_error() -> None:
    assert fails(b"#separator:Hash\nA#B\n") == ("line 1: unknown separator 'Hash'; use Comma, "
                                               "Semicolon, Tab, Space, Pipe or Colon")


def test_anki_header_lines() -> None:
    data = (b"#separator:tab\n#html:false\n#tags:all imported\n#deck:Default deck\n"
            b"#notetype:Basic\n#guid column:1\n#deck column:2\n#tags column:5\n"
            b"# a comment\n"
            b"g1\tOwn deck\tFront 1\tBack 1\tt1\n"
            b"g2\t\tFront 2\tBack 2\t\n")
    parsed = parse_import(data)
    assert parsed.format == FileFormat.ANKI and parsed.deck == "Default deck"
    first, second = parsed.rows
    assert (first.guid, first.deck, first.front, first.tags) == ("g1", "Own deck", "Front 1",
                                                                 ("t1", "all", "imported"))
    assert (second.guid, second.deck, second.tags) == ("g2", None, ("all", "imported"))


def test_anki_columns_header_and_notetype_column() -> None:
    data = (b"#separator:Comma\n#columns:Back,Front,Tags,Notetype\n"
            b"b1,f1,t,Basic\nb2,f2,,Cloze\n")
    parsed = parse_import(data)
    (row,) = parsed.rows
    assert (row.front, row.back, row.tags) == ("f1", "b1", ("t",))
    assert [str(r) for r in parsed.rejected] == ["line 4: cloze notes are not supported"]


def test_separator_detection_respects_quotes_and_prefers_anki_order() -> None:
    assert guess_delimiter("a\tb,c\nd\te,f\n") == "\t"
    assert guess_delimiter('"a;b",c\n"d;e",f\n') == ","  # Anki would pick ';' here
    assert guess_delimiter("a;b\nc;d\n") == ";"
    assert guess_delimiter("one field only\n") == " "
    assert guess_delimiter("plain\n") == ","


def test_plain_anki_file_without_headers_maps_third_column_to_tags() -> None:
    parsed = parse_import(b"Front 1;Back 1;t1 t2\nFront 2;Back 2;\n")
    assert parsed.format == FileFormat.ANKI and parsed.delimiter == ";"
    assert [r.tags for r in parsed.rows] == [("t1", "t2"), ()]


def test_schedule_columns_round_trip_values_and_errors() -> None:
    header = b"front,back,state,step,stability,difficulty,due,last_review,reps,lapses\n"
    parsed = parse_import(
        header
        + b"A,B,review,,12.5,4.25,2026-03-10T14:00:00+00:00,2026-03-01T14:00:00+00:00,3,1\n"
        + b"C,D,new,,,,,,0,0\n"
        + b"E,F,review,,1.0,2.0,2026-03-10T14:00:00,2026-03-01T14:00:00+00:00,1,0\n"
        + b"G,H,sleeping,,,,,,0,0\n"
        + b"I,J,learning,,1.0,2.0,2026-03-10T14:00:00+00:00,2026-03-01T14:00:00+00:00,1,0\n")
    first, second = parsed.rows
    assert first.schedule.state == CardState.REVIEW and first.schedule.stability == 12.5
    assert first.schedule.due.isoformat() == "2026-03-10T14:00:00+00:00"
    assert second.schedule.state == CardState.NEW
    assert [str(r) for r in parsed.rejected] == [
        "line 4: due '2026-03-10T14:00:00' has no time zone (add +00:00 for UTC)",
        "line 5: state 'sleeping' is not new, learning, review or relearning",
        "line 6: a learning card needs its step",
    ]


def test_row_limit() -> None:
    data = b"front,back\n" + b"".join(b"f%d,b\n" % i for i in range(30))
    with pytest.raises(ImportFileError, match="line 21: the file has more than 20 rows"):
        parse_import(data, max_rows=20)
    # Blank lines are not rows: 19 cards and a header among 40 lines are within 20.
    data = b"front,back\n" + b"".join(b"f%d,b\n\n" % i for i in range(19))
    assert len(parse_import(data, max_rows=20).rows) == 19


# -- spreadsheet headers and column layouts -------------------------------------------


@pytest.mark.parametrize("header", ["Question,Answer", "Term,Definition", "Q,A",
                                    "Prompt,Response", "Front,Back", "QUESTION,answer",
                                    "term,DEFINITION"])
@pytest.mark.parametrize("separator", ["\t", "|", ";", ":", ",", " "])
def test_spreadsheet_headers_are_headers_with_any_separator(header: str,
                                                            separator: str) -> None:
    text = header.replace(",", separator) + "\n" + f"dog{separator}chien\n"
    parsed = parse_import(text.encode())
    assert parsed.header_row is True
    assert parsed.delimiter == separator
    assert [(row.line, row.front, row.back) for row in parsed.rows] == [(2, "dog", "chien")]
    assert parsed.warnings == []


def test_an_unknown_header_is_a_card_unless_the_layout_says_header() -> None:
    data = b"Word,Meaning\ndog,chien\n"
    detected = parse_import(data)
    assert detected.header_row is False
    assert [(r.front, r.back) for r in detected.rows] == [("Word", "Meaning"), ("dog", "chien")]
    told = parse_import(data, layout=ImportLayout(header=True))
    assert told.header_row is True and told.first_cells == ["Word", "Meaning"]
    assert [(r.line, r.front, r.back) for r in told.rows] == [(2, "dog", "chien")]


def test_no_header_keeps_a_first_row_that_looks_like_one() -> None:
    parsed = parse_import(b"Q,A\ndog,chien\n", layout=ImportLayout(header=False))
    assert parsed.header_row is False
    assert [(r.line, r.front, r.back) for r in parsed.rows] == [(1, "Q", "A"),
                                                                (2, "dog", "chien")]


def test_columns_map_an_unknown_header() -> None:
    data = b"Tags,Spanish,English,Notes\nanimal,perro,dog,x\nfood,pan,bread\n"
    layout = ImportLayout(header=True, columns=("tags", "back", "front", "ignore"))
    parsed = parse_import(data, layout=layout)
    assert parsed.header_row is True and parsed.width == 4
    assert [(r.line, r.front, r.back, r.tags) for r in parsed.rows] == [
        (2, "dog", "perro", ("animal",)), (3, "bread", "pan", ("food",))]
    assert parsed.warnings == [] and parsed.rejected == []


def test_columns_without_a_header_and_shorter_than_the_file() -> None:
    parsed = parse_import(b"dog;perro;x\ncat;gato;y\n",
                          layout=ImportLayout(header=False, columns=("back", "front")))
    assert [(r.line, r.front, r.back) for r in parsed.rows] == [(1, "perro", "dog"),
                                                                (2, "gato", "cat")]


def test_layout_from_text() -> None:
    assert ImportLayout.from_text(None, "Front, back ,,tags") == ImportLayout(
        None, ("front", "back", "ignore", "tags"))
    assert ImportLayout.from_text(True, "") == ImportLayout(True, None)
    for columns, message in [
            ("front,tags", "no column is the back: choose which column holds the back "
                           "(cards without a back cannot be studied)"),
            ("back,tags", "no column is the front: choose which column holds the front"),
            ("front,back,front", "column(s) chosen twice: front"),
            ("front,back,notes", "unknown column name(s) 'notes'; use front, back, tags, "
                                 "deck, guid or ignore")]:
        with pytest.raises(ImportFileError) as info:
            ImportLayout.from_text(None, columns)
        assert str(info.value) == message


def test_a_file_without_a_back_is_refused_or_flagged() -> None:
    assert fails(b"front,tags\ndog,animal\n") == (
        "line 1: the header has no back column (back, answer, definition, ...): cards without "
        "a back cannot be studied")
    assert fails(b"Question\ndog\ncat\n") == (
        "the file needs at least two columns besides guid, deck, notetype and tags: the "
        "front and the back")
    with pytest.raises(ImportFileError) as info:
        parse_import(b"dog,x\n", layout=ImportLayout(columns=("ignore", "front", "back")))
    assert str(info.value) == "the file has 2 column(s): none of them is the back"
    empty = parse_import(b"Question,Answer\ndog,\ncat,\n")
    assert [r.back for r in empty.rows] == ["", ""]
    assert empty.warnings == ["these cards have no back (from line 2): check which column "
                              "holds the back"]
    mapped = parse_import(b"dog,chien,\n", layout=ImportLayout(columns=("front", "tags",
                                                                          "back")))
    assert mapped.warnings == ["these cards have no back (from line 1): check which column "
                               "holds the back"]
    assert mapped.rows[0].tags == ("chien",)
    # Some blank backs are data; so are blank backs in an export (it has guids).
    assert parse_import(b"front,back\ndog,chien\ncat,\n").warnings == []
    assert parse_import(b"guid,front,back\ng1,dog,\n").warnings == []


def test_a_header_alone_is_refused() -> None:
    assert fails(b"Term,Definition\n") == "the file has a header row but no cards"
    with pytest.raises(ImportFileError) as info:
        parse_import(b"Word,Meaning\n", layout=ImportLayout(header=True))
    assert str(info.value) == "the file has a header row but no cards"


@pytest.mark.parametrize("cells", [
    ["a", "b", "x y x", "src", " g1 ", " D ", "", "", "basic", "false"],
    ["a", "", "", "", "", "", "", "", "", ""],
    ["<b>a</b>", "b", "", "", "", "", "", "", "", "true"],
    ["q", "why", "", "", "", "", "weak", "strong", "", ""],
    ["q", "why", "", "", "", "", "weak", "strong", "basic", ""],
    ["q", "why", "", "", "", "", " ", " ", "", ""],
    [" ", "b", "", "", "", "", "", "", "", ""],
    ["a", "b" * 20_001, "", "", "", "", "", "", "", ""],
    ["a", "b", "", "s" * 20_001, "", "", "", "", "", ""],
    ["a", "b", "", "", "g" * 65, "", "", "", "", ""],
    ["a", "b", "", "", "", "d" * 201, "", "", "", ""],
    ["a", "b", "", "", "", "", "", "", "cloze", ""],
    ["Café\u0301 ", "b", "", "", "", "", "", "", "", "yes"],
])
def test_the_common_row_path_gives_what_the_full_path_gives(cells: list[str]) -> None:
    import csv
    import io

    from flashcards.core.csvformat.native import _native_row
    from flashcards.core.csvformat.rows import _RowError

    keys = ["front", "back", "tags", "source", "guid", "deck", "weak_answer",
            "strong_answer", "kind", "html"]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([keys, cells, ["other", "row"] + [""] * 8])
    parsed = parse_import(buffer.getvalue().encode())
    try:
        expected: object = _native_row(2, dict(zip(keys, cells, strict=True)))
    except _RowError as exc:
        expected = str(exc)
    got = parsed.rows[0] if parsed.rows[0].line == 2 else parsed.rejected[0].message
    assert got == expected


def test_a_plain_spreadsheet_gives_what_the_full_path_gives_in_file_order() -> None:
    import csv
    import io

    from flashcards.core.csvformat.native import _native_row
    from flashcards.core.csvformat.rows import _RowError

    keys = ["front", "back", "tags", "source"]
    cells = [["a", "b", "x y x", "src"], [" ", "b", "", ""], ["c", "d" * 20_001, "", ""],
             ["Café\u0301 ", "b", "t", ""], ["e", "f"], ["g", "h", "x y x", ""],
             ["i", "j", "", "s" * 20_001], ["k", "", "", ""]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["Question", "Answer", "Tags", "Source"], *cells])
    parsed = parse_import(buffer.getvalue().encode())
    expected_rows, expected_rejected = [], []
    for line, row in enumerate(cells, 2):
        if len(row) != len(keys):
            expected_rejected.append(f"line {line}: expected 4 fields (as in the header), "
                                     f"found {len(row)}")
            continue
        try:
            expected_rows.append(_native_row(line, dict(zip(keys, row, strict=True))))
        except _RowError as exc:
            expected_rejected.append(f"line {line}: {exc}")
    assert parsed.rows == expected_rows
    assert sorted(map(str, parsed.rejected)) == sorted(expected_rejected)
    assert [row.line for row in parsed.rows] == [2, 5, 7, 9]


def test_ragged_rows_of_a_mapped_file_keep_their_place() -> None:
    from flashcards.core.csvformat import ImportLayout

    data = b"a,b,t1\nc,d\ne,f,t2,\n" + b"g,h,t3," + b"x" * 20_001 + b"\n"
    parsed = parse_import(data, layout=ImportLayout.from_text(False, "front,back,tags"))
    assert [(r.line, r.front, r.tags) for r in parsed.rows] == [
        (1, "a", ("t1",)), (2, "c", ()), (3, "e", ("t2",)), (4, "g", ("t3",))]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab ,;\t"\r\n')), max_size=60),
       st.sampled_from([",", ";", "\t", " "]))
def test_splitting_by_lines_reads_what_the_csv_module_reads(body: str, delimiter: str) -> None:
    # The quick path (str.split for the lines without quotes) and the record-by-record
    # path agree on every file: the same records, on the same lines, the same errors.
    from flashcards.core.csvformat.decoding import _records, _records_one_by_one

    def outcome(read: Callable[[], object]) -> object:
        try:
            return read()
        except ImportFileError as exc:
            return str(exc)

    quick = outcome(lambda: _records(body, delimiter, 3, 5))
    slow = outcome(lambda: list(_records_one_by_one(body, delimiter, 3, 5)))
    assert quick == slow
