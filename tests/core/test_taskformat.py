import pytest

from flashcards.core.deckformat import DeckFormatError
from flashcards.core.taskformat import TaskKind, parse_tasks_csv

HEADER = "key,title,details,kind,minutes,earliest_week,latest_week,source\n"


def test_tasks_parse() -> None:
    (row,) = parse_tasks_csv(HEADER + "t-1,Draft story,Write it,stories,45,1,2,src\n")
    assert (row.key, row.kind, row.minutes, row.earliest_week, row.latest_week) == (
        "t-1", TaskKind.STORIES, 45, 1, 2)


def test_every_bad_task_line_is_named() -> None:
    text = HEADER + (
        "t-1,A,d,stories,45,1,2,s\n"
        "t-2,B,d,nap,45,1,2,s\n"
        "t-3,C,d,mock,forty,1,2,s\n"
        "t-4,D,d,mock,45,3,2,s\n"
        "t-5,E,d,mock,45,1,9,s\n"
        "t-1,a,d,mock,45,1,2,s\n"
        "t-7,G,,mock,0,1,2,s\n"
    )
    with pytest.raises(DeckFormatError) as info:
        parse_tasks_csv(text)
    assert [str(p) for p in info.value.problems] == [
        "line 3: kind 'nap' is not one of stories, whiteboard, research, mock, rest",
        "line 4: minutes must be a whole number, not 'forty'",
        "line 5: earliest_week is after latest_week",
        "line 6: latest_week must be between 1 and 4, not 9",
        "line 7: key 't-1' repeats line 2",
        "line 7: title repeats line 2: 'a'",
        "line 8: details is empty",
        "line 8: minutes must be between 1 and 240, not 0",
    ]


def test_wrong_header_is_refused() -> None:
    with pytest.raises(DeckFormatError, match="unknown column"):
        parse_tasks_csv("key,title,when\n")


ORDER_HEADER = ("key,title,details,kind,minutes,earliest_week,latest_week,priority,after,"
                "sitting,source\n")


def test_after_and_sitting_are_read_and_older_headers_still_work() -> None:
    rows = parse_tasks_csv(ORDER_HEADER + (
        "s-1,Story one,d,stories,45,1,2,required,,,src\n"
        "s-2,Story two,d,stories,45,1,2,required,s-1,,src\n"
        "m-1,Mock,d,mock,45,3,3,required,s-1 s-2,yes,src\n"
        "m-2,Loop,d,mock,180,4,4,required,m-1,,src\n"))
    assert [(r.key, r.after, r.sitting) for r in rows] == [
        ("s-1", (), False), ("s-2", ("s-1",), False), ("m-1", ("s-1", "s-2"), True),
        ("m-2", ("m-1",), False)]
    # Without the columns: no prerequisites, and mock interviews in one sitting.
    for header in (HEADER, HEADER.replace("source", "priority,source")):
        extra = ",required" if "priority" in header else ""
        old = parse_tasks_csv(header + f"a,A,d,mock,45,1,2{extra},s\n"
                                       f"b,B,d,stories,45,1,2{extra},s\n")
        assert [(r.after, r.sitting) for r in old] == [((), True), ((), False)]


def test_after_refuses_an_unknown_key_itself_and_a_bad_sitting_naming_the_line() -> None:
    with pytest.raises(DeckFormatError) as info:
        parse_tasks_csv(ORDER_HEADER + (
            "a,A,d,stories,45,1,2,required,,,s\n"
            "b,B,d,stories,45,1,2,required,a nope,,s\n"
            "c,C,d,stories,45,1,2,required,c,,s\n"
            "d,D,d,mock,45,1,2,required,,sure,s\n"
            "e,E,d,stories,45,1,1,required,f,,s\n"
            "f,F,d,stories,45,2,2,required,,,s\n"))
    assert [str(p) for p in info.value.problems] == [
        "line 5: sitting must be 'yes' or empty, not 'sure'",
    ]
    with pytest.raises(DeckFormatError) as info:
        parse_tasks_csv(ORDER_HEADER + (
            "a,A,d,stories,45,1,2,required,,,s\n"
            "b,B,d,stories,45,1,2,required,a nope,,s\n"
            "c,C,d,stories,45,1,2,required,c,,s\n"
            "e,E,d,stories,45,1,1,required,f,,s\n"
            "f,F,d,stories,45,2,2,required,,,s\n"))
    assert [str(p) for p in info.value.problems] == [
        "line 3: after names 'nope', which no task in the file has as its key",
        "line 4: after names the task itself ('c')",
        "line 5: after names 'f', which starts in week 2, after this task's latest week (1)",
    ]


def test_after_refuses_a_cycle_naming_its_keys_on_its_first_line() -> None:
    with pytest.raises(DeckFormatError) as info:
        parse_tasks_csv(ORDER_HEADER + (
            "a,A,d,stories,45,1,2,required,,,s\n"
            "b,B,d,stories,45,1,2,required,d,,s\n"
            "c,C,d,stories,45,1,2,required,b,,s\n"
            "d,D,d,stories,45,1,2,required,c a,,s\n"))
    assert [str(p) for p in info.value.problems] == [
        "line 3: after makes a cycle: b -> d -> c -> b"]

