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
