"""The bundled plan-task file (decks/tasks.csv, see decks/README.md): preparation tasks
with a kind, a duration and the weeks of a 30-day plan they belong in."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from flashcards.core.deckformat import (
    GUID_PATTERN,
    DeckFormatError,
    Problem,
    Repeats,
    check_lengths,
    read_csv_table,
)

TASK_COLUMNS = ("key", "title", "details", "kind", "minutes", "earliest_week", "latest_week",
                "priority", "after", "sitting", "source")
# The header before the after and sitting columns (issue 23).
PRIORITY_TASK_COLUMNS = tuple(c for c in TASK_COLUMNS if c not in ("after", "sitting"))
# The header before the priority column; its tasks' priority goes by their kind.
LEGACY_TASK_COLUMNS = tuple(c for c in PRIORITY_TASK_COLUMNS if c != "priority")
TASK_HEADERS = (TASK_COLUMNS, PRIORITY_TASK_COLUMNS, LEGACY_TASK_COLUMNS)
# Columns a row may leave empty.
OPTIONAL_TASK_COLUMNS = frozenset({"after", "sitting"})
# The `sitting` column's one value ("yes"); empty means no.
SITTING_YES = "yes"
PLAN_WEEKS = 4
MAX_TASK_MINUTES = 240
MAX_TITLE_LENGTH = 200
# What the task forms accept as details (the stored column is unbounded text).
MAX_DETAILS_LENGTH = 2000

T = TypeVar("T")


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
# A mock interview is done in one sitting, with a partner.
SITTING_KINDS = frozenset({TaskKind.MOCK})


def default_priority(kind: TaskKind) -> TaskPriority:
    """The priority of a task whose source does not say: required for mocks and rest."""
    return TaskPriority.REQUIRED if kind in REQUIRED_KINDS else TaskPriority.OPTIONAL


def default_sitting(kind: TaskKind) -> bool:
    """Whether a task whose source does not say is done in one sitting: mocks are."""
    return kind in SITTING_KINDS


def parse_task_ids(text: str) -> tuple[int, ...]:
    """The task ids stored space-separated (PlanTask.after_ids), in order, each once;
    anything that is not a whole number is skipped."""
    ids: list[int] = []
    for word in text.split():
        if word.isdigit() and int(word) not in ids:
            ids.append(int(word))
    return tuple(ids)


def format_task_ids(ids: Iterable[int]) -> str:
    """Task ids as stored: space-separated, ascending, each once."""
    return " ".join(str(i) for i in sorted(set(ids)))


def find_cycle(needs: Mapping[T, Iterable[T]]) -> list[T] | None:
    """A cycle in `needs` (each node: the nodes it needs first), as the nodes along it
    with the first repeated at the end (a -> b -> a), or None. Nodes are visited in the
    mapping's order, so the same graph names the same cycle every time."""
    state: dict[T, int] = {}  # 1: on the current path, 2: done
    for start in needs:
        if state.get(start):
            continue
        path: list[T] = [start]
        stack: list[Iterator[T]] = [iter(needs.get(start, ()))]
        state[start] = 1
        while stack:
            node = next(stack[-1], None)
            if node is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            if state.get(node) == 1:
                return [*path[path.index(node):], node]
            if not state.get(node) and node in needs:
                state[node] = 1
                path.append(node)
                stack.append(iter(needs[node]))
    return None


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
    # Keys of tasks of the same file that must be done on an earlier day.
    after: tuple[str, ...] = ()
    # Done in one sitting: the plan never splits or shortens it.
    sitting: bool = False


def parse_tasks_csv(text: str, name: str = "tasks.csv") -> list[TaskRow]:
    """Task rows of a plan-task file; raises DeckFormatError naming every bad line."""
    columns, table, problems = read_csv_table(text, name, TASK_HEADERS)
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
    if not problems:
        problems.extend(_order_problems(rows))
    if problems:
        raise DeckFormatError(name, sorted(problems, key=lambda p: p.line))
    if not rows:
        raise DeckFormatError(name, [Problem(1, "the file has a header but no tasks")])
    return rows


def _order_problems(rows: list[TaskRow]) -> list[Problem]:
    """What is wrong with the `after` column of rows that are fine on their own: a key
    no row has, a task after itself, a prerequisite that cannot start by the task's
    latest week, a cycle (named by its keys, on the line of its first task)."""
    by_key = {row.key: row for row in rows}
    problems = []
    for row in rows:
        for key in row.after:
            needed = by_key.get(key)
            if key == row.key:
                problems.append(Problem(row.line, f"after names the task itself ({key!r})"))
            elif needed is None:
                problems.append(Problem(row.line, f"after names {key!r}, which no task in "
                                                  f"the file has as its key"))
            elif needed.earliest_week > row.latest_week:
                problems.append(Problem(
                    row.line, f"after names {key!r}, which starts in week "
                              f"{needed.earliest_week}, after this task's latest week "
                              f"({row.latest_week})"))
    if problems:
        return problems
    cycle = find_cycle({row.key: row.after for row in rows})
    if cycle is not None:
        first = min((by_key[key] for key in cycle), key=lambda r: r.line)
        return [Problem(first.line, "after makes a cycle: " + " -> ".join(cycle))]
    return []


def _text_problems(values: dict[str, str], columns: tuple[str, ...],
                   line: int) -> list[Problem]:
    """What is wrong with a row's text: empty columns, lengths, the key's characters."""
    problems = [Problem(line, f"{c} is empty") for c in columns
                if not values[c] and c not in OPTIONAL_TASK_COLUMNS]
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
    after = tuple(values.get("after", "").split())
    for key in after:
        if not GUID_PATTERN.fullmatch(key):
            problems.append(Problem(line, f"after: {key!r} is not a task key"))
    if len(set(after)) != len(after):
        problems.append(Problem(line, "after names a task twice"))
    sitting = values.get("sitting")
    if sitting not in (None, "", SITTING_YES):
        problems.append(Problem(line, f"sitting must be {SITTING_YES!r} or empty, "
                                      f"not {sitting!r}"))
    if problems:
        return None
    assert minutes is not None and earliest is not None and latest is not None
    return TaskRow(line, values["key"], values["title"], values["details"], TaskKind(kind),
                   minutes, earliest, latest, values["source"],
                   TaskPriority(priority) if priority is not None
                   else default_priority(TaskKind(kind)),
                   after, sitting == SITTING_YES if sitting is not None
                   else default_sitting(TaskKind(kind)))


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
