import pytest

from flashcards.core.cards import CardKind
from flashcards.core.deckformat import DeckFormatError, parse_deck_csv

BASIC = "guid,front,back,tags,source\n"
PAIR = "guid,question,weak_answer,strong_answer,why,tags,source\n"


def problems(text: str) -> list[str]:
    with pytest.raises(DeckFormatError) as info:
        parse_deck_csv(text, "t.csv")
    return [str(p) for p in info.value.problems]


def test_basic_rows_parse_with_line_numbers() -> None:
    rows = parse_deck_csv(BASIC + 'a-1,Front,Back,x y x,Src\n\na-2,"Two, ""quoted""\nlines",B,,S\n'
                          "a-3,F3,B3,,S\n")
    assert [r.line for r in rows] == [2, 4, 6]
    assert rows[0].tags == ("x", "y")
    assert rows[1].front == 'Two, "quoted"\nlines'
    assert rows[0].kind == CardKind.BASIC


def test_answer_pairs_parse() -> None:
    (row,) = parse_deck_csv(PAIR + "p-1,Q?,weak,strong,why,,src\n")
    assert row.kind == CardKind.ANSWER_PAIR
    assert (row.front, row.weak_answer, row.strong_answer, row.back) == ("Q?", "weak", "strong",
                                                                          "why")


def test_bom_and_crlf_are_accepted_and_unicode_kept() -> None:
    rows = parse_deck_csv("\ufeff" + BASIC.replace("\n", "\r\n")
                          + "a-1,שלום 👋,zero\u200bwidth,,S\r\n")
    assert rows[0].front == "שלום 👋"
    assert rows[0].back == "zero\u200bwidth"


def test_empty_file_and_header_only() -> None:
    assert problems("") == ["line 1: the file is empty; expected a header row"]
    assert problems(BASIC) == ["line 1: the file has a header but no cards"]


def test_unknown_column_is_named() -> None:
    (message,) = problems("guid,front,back,tags,source,extra\na,b,c,,s,x\n")
    assert "unknown column(s) extra" in message


def test_every_bad_line_is_named() -> None:
    text = BASIC + "a-1,F,B,,S\na-2,,B,,S\na-1,G,B,,S\na-4,f,B,,S\na-5,F5,B\nBad Guid,F6,B,,S\n"
    assert problems(text) == [
        "line 3: front is empty",
        "line 4: guid 'a-1' repeats line 2",
        "line 5: front repeats line 2: 'f'",
        "line 6: expected 5 fields, found 3",
        "line 7: guid 'Bad Guid' must be 1-64 characters of a-z, 0-9 and '-'",
    ]


def test_unterminated_quote_and_nul() -> None:
    assert "malformed CSV" in problems(BASIC + 'a-1,"open,B,,S\n')[0]
    assert problems(BASIC + "a-1,F\x00,B,,S\n") == [
        "line 1: the file contains NUL bytes; is it binary?"]


def test_huge_field_is_refused() -> None:
    (message,) = problems(BASIC + f"a-1,{'x' * 20_001},B,,S\n")
    assert message == "line 2: front is 20,001 characters long; the limit is 20,000"
    assert len(parse_deck_csv(BASIC + f"a-1,{'x' * 20_000},B,,S\n")[0].front) == 20_000
