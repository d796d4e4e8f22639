"""Card kinds and tag handling shared by the loaders and the services."""

from __future__ import annotations

import secrets
import unicodedata
from enum import StrEnum


class CardKind(StrEnum):
    """What the review screen shows for a card."""

    BASIC = "basic"
    # A question with a weak and a strong answer; the learner picks the one that passes.
    ANSWER_PAIR = "answer_pair"


def normalise_text(text: str) -> str:
    """NFC-normalised text without surrounding white space."""
    return unicodedata.normalize("NFC", text).strip()


def parse_tags(text: str) -> tuple[str, ...]:
    """Space-separated tags as Anki writes them, deduplicated, order kept."""
    seen: dict[str, None] = {}
    for tag in normalise_text(text).split():
        seen.setdefault(tag, None)
    return tuple(seen)


def format_tags(tags: tuple[str, ...] | list[str]) -> str:
    """Tags as one space-separated string."""
    return " ".join(tags)


def new_guid() -> str:
    """A random id for a card that came without one (Anki's notes use such ids too)."""
    return secrets.token_urlsafe(9)
