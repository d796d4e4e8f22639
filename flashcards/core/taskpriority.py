"""Whether a plan task must be done or may be skipped when time runs short."""

from __future__ import annotations

from enum import StrEnum

from flashcards.core.taskformat import TaskKind


class TaskPriority(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"


# Mock interviews and the rest day hold the plan together; the rest may give way.
REQUIRED_KINDS = frozenset({TaskKind.MOCK, TaskKind.REST})


def default_priority(kind: TaskKind) -> TaskPriority:
    """The priority of a task whose source does not say: required for mocks and rest."""
    return TaskPriority.REQUIRED if kind in REQUIRED_KINDS else TaskPriority.OPTIONAL
