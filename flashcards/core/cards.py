"""Card kinds and tag handling shared by the loaders and the services."""

from __future__ import annotations

import base64
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
    if text.isascii():  # ASCII is always NFC; skipping the call halves a large import
        return text.strip()
    return unicodedata.normalize("NFC", text).strip()


# The most characters a card field (front, back, an answer, tags, source) may hold,
# wherever it comes from: an imported file, a bundled deck, the card form.
MAX_FIELD_LENGTH = 20_000
MAX_DECK_NAME = 200
# Casefolding turns one character into at most three ("ﬃ" into "ffi").
MAX_DECK_NAME_KEY = 3 * MAX_DECK_NAME


def deck_name_key(name: str) -> str:
    """What makes two deck names the same deck's (one per user), as in Anki: NFC,
    trimmed, without regard to case ("Terminology" and "terminology " are one)."""
    return unicodedata.normalize("NFC", normalise_text(name).casefold())


def field_too_long(name: str, length: int) -> str:
    """The one message for a card field over MAX_FIELD_LENGTH."""
    return f"{name} is {length:,} characters long; the limit is {MAX_FIELD_LENGTH:,}"


def parse_tags(text: str) -> tuple[str, ...]:
    """Space-separated tags as Anki writes them, deduplicated, order kept."""
    return tuple(dict.fromkeys(normalise_text(text).split()))


def format_tags(tags: tuple[str, ...] | list[str]) -> str:
    """Tags as one space-separated string."""
    return " ".join(tags)


LEECH_TAG = "leech"


class LeechAction(StrEnum):
    """What a grade that makes a card a leech does besides tagging it (Settings.leech_action)."""

    SUSPEND = "suspend"
    TAG = "tag"  # tag only


def becomes_leech(lapses: int, threshold: int) -> bool:
    """Anki's rule: a card is a leech when its lapses reach the threshold, and is
    flagged again every half threshold after that (8, 12, 16, ... by default)."""
    if lapses < threshold:
        return False
    return (lapses - threshold) % max(threshold // 2, 1) == 0


def has_tag(tags: str, tag: str) -> bool:
    """Tags compare without regard to case, as in Anki."""
    wanted = tag.casefold()
    return any(t.casefold() == wanted for t in tags.split())


def add_tag(tags: str, tag: str) -> str:
    return tags if has_tag(tags, tag) else format_tags([*tags.split(), tag])


def remove_tag(tags: str, tag: str) -> str:
    wanted = tag.casefold()
    return format_tags([t for t in tags.split() if t.casefold() != wanted])


def new_guids(count: int) -> list[str]:
    """`count` random 12-character ids for cards that came without one (72 random bits
    each, as many as Anki's own note guids carry), from one read of the OS's randomness."""
    block = base64.urlsafe_b64encode(secrets.token_bytes(9 * count)).decode("ascii")
    return [block[i:i + 12] for i in range(0, 12 * count, 12)]
