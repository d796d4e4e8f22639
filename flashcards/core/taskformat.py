"""The bundled plan-task file (decks/tasks.csv, see decks/README.md): preparation tasks
with a kind, a duration and the weeks of a 30-day plan they belong in."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flashcards.core.deckformat import (
    GUID_PATTERN,
    DeckFormatError,
    Problem,
    Repeats,
    check_lengths,
    read_csv_table,
)

TASK_COLUMNS = ("key", "title", "details", "kind", "minutes", "earliest_week", "latest_week",
                "priority", "source")
# The header before the priority column; its tasks are all required.
LEGACY_TASK_COLUMNS = tuple(c for c in TASK_COLUMNS if c != "priority")
PLAN_WEEKS = 4
MAX_TASK_MINUTES = 240
MAX_TITLE_LENGTH = 200
# What the task forms accept as details (the stored column is unbounded text).
MAX_DETAILS_LENGTH = 2000


class TaskKind(StrEnum):
    STORIES = "stories"
    WHITEBOARD = "whiteboard"
    RESEARCH = "research"
    MOCK = "mock"
    # The light day before the interview.
    REST = "rest"


class TaskPriority(StrEnum):
    """Whether the plan needs the task (mocks, the light day) or it can be dropped when
    time is short."""

    REQUIRED = "required"
    OPTIONAL = "optional"


# Mock interviews and the light day hold the plan together; the rest may give way.
REQUIRED_KINDS = frozenset({TaskKind.MOCK, TaskKind.REST})


def default_priority(kind: TaskKind) -> TaskPriority:
    """The priority of a task whose source does not say: required for mocks and rest."""
    return TaskPriority.REQUIRED if kind in REQUIRED_KINDS else TaskPriority.OPTIONAL


@dataclass(frozen=True, slots=True)
class TaskRow:
    line: int
    key: str
    title: str
    details: str
    kind: TaskKind
    minutes: int
    earliest_week: int
    latest_week: int
    source: str
    priority: TaskPriority = TaskPriority.REQUIRED


def parse_tasks_csv(text: str, name: str = "tasks.csv") -> list[TaskRow]:
    """Task rows of a plan-task file; raises DeckFormatError naming every bad line."""
    columns, table, problems = read_csv_table(text, name, (TASK_COLUMNS, LEGACY_TASK_COLUMNS))
    rows: list[TaskRow] = []
    repeats = Repeats("key", "title")
    for line, values in table:
        row_problems = _text_problems(values, columns, line)
        row_problems += repeats.check(line, values["key"], values["title"])
        row = _task_row(values, line, row_problems)
        if row is None:
            problems.extend(row_problems)
            continue
        rows.append(row)
    if problems:
        raise DeckFormatError(name, sorted(problems, key=lambda p: p.line))
    if not rows:
        raise DeckFormatError(name, [Problem(1, "the file has a header but no tasks")])
    return rows


def _text_problems(values: dict[str, str], columns: tuple[str, ...],
                   line: int) -> list[Problem]:
    """What is wrong with a row's text: empty columns, lengths, the key's characters."""
    problems = [Problem(line, f"{c} is empty") for c in columns if not values[c]]
    problems.extend(check_lengths(values, line))
    key, title = values["key"], values["title"]
    if key and not GUID_PATTERN.fullmatch(key):
        problems.append(Problem(
            line, f"key {key!r} must be 1-64 characters of a-z, 0-9 and '-'"))
    if len(title) > MAX_TITLE_LENGTH:
        problems.append(Problem(line, f"title is longer than {MAX_TITLE_LENGTH} characters"))
    return problems


def _task_row(values: dict[str, str], line: int, problems: list[Problem]) -> TaskRow | None:
    """The row's task, once its kind, priority, minutes and weeks are checked (their
    problems added to the row's `problems`); None when the row has any problem."""
    kind = values["kind"]
    problems.extend(_choice_problems("kind", kind, TaskKind, line))
    priority = values.get("priority") or None  # without the column: by kind
    problems.extend(_choice_problems("priority", priority, TaskPriority, line))
    minutes = _whole_number(values["minutes"], "minutes", 1, MAX_TASK_MINUTES, line, problems)
    earliest = _whole_number(values["earliest_week"], "earliest_week", 1, PLAN_WEEKS, line,
                             problems)
    latest = _whole_number(values["latest_week"], "latest_week", 1, PLAN_WEEKS, line, problems)
    if earliest is not None and latest is not None and earliest > latest:
        problems.append(Problem(line, "earliest_week is after latest_week"))
    if problems:
        return None
    assert minutes is not None and earliest is not None and latest is not None
    return TaskRow(line, values["key"], values["title"], values["details"], TaskKind(kind),
                   minutes, earliest, latest, values["source"],
                   TaskPriority(priority) if priority is not None
                   else default_priority(TaskKind(kind)))


def _choice_problems(column: str, value: str | None, choices: type[StrEnum],
                     line: int) -> list[Problem]:
    """A problem when `value` is given and is not one of `choices`."""
    if value and value not in choices.__members__.values():
        return [Problem(line, f"{column} {value!r} is not one of "
                              f"{', '.join(c.value for c in choices)}")]
    return []


def _whole_number(text: str, column: str, low: int, high: int, line: int,
                  problems: list[Problem]) -> int | None:
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        problems.append(Problem(line, f"{column} must be a whole number, not {text!r}"))
        return None
    if not low <= value <= high:
        problems.append(Problem(line, f"{column} must be between {low} and {high}, not {value}"))
        return None
    return value
