"""One card from one row: the checks every format shares (lengths, an empty front,
answer pairs, guid and deck), or the row's rejection (_RowError)."""

from __future__ import annotations

from flashcards.core.cards import (
    MAX_DECK_NAME,
    MAX_FIELD_LENGTH,
    CardKind,
    field_too_long,
    normalise_text,
    parse_tags,
)
from flashcards.core.csvformat.model import ImportRow
from flashcards.core.csvformat.sanitise import sanitise_html


class _RowError(ValueError):
    pass


class _TagSets(dict[str, tuple[str, ...]]):
    """A tags cell -> its tags, then the file's own tags (Anki's #tags:), each once; parsed
    once per distinct cell: most files repeat few."""

    def __init__(self, file_tags: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.file_tags = file_tags

    def __missing__(self, text: str) -> tuple[str, ...]:
        tags = parse_tags(text) if text else ()
        if self.file_tags:
            tags = tuple(dict.fromkeys(tags + self.file_tags))
        self[text] = tags
        return tags


def _make_row(line: int, *, guid: str | None, deck: str | None, kind: CardKind, front: str,
              back: str, weak: str | None, strong: str | None, tags: str, source: str,
              is_html: bool) -> ImportRow:
    _check_lengths(front=front, back=back, weak_answer=weak or "", strong_answer=strong or "",
                   source=source, tags=tags)
    if is_html:
        front, back = sanitise_html(front), sanitise_html(back)
        weak = sanitise_html(weak) if weak else weak
        strong = sanitise_html(strong) if strong else strong
    if not front.strip():
        raise _RowError("the front is empty")
    pair = kind == CardKind.ANSWER_PAIR
    if pair and not (weak and weak.strip() and strong and strong.strip()):
        raise _RowError("an answer pair needs both a weak and a strong answer")
    return ImportRow(line, _checked_guid(guid), _checked_deck(deck), kind, front, back,
                     weak if pair else None, strong if pair else None,
                     parse_tags(tags) if tags else (), source, is_html, normalise_text(front))


def _check_lengths(**fields: str) -> None:
    """_RowError naming the first field longer than MAX_FIELD_LENGTH, if any."""
    if max(map(len, fields.values())) > MAX_FIELD_LENGTH:
        name, value = next((n, v) for n, v in fields.items() if len(v) > MAX_FIELD_LENGTH)
        raise _RowError(field_too_long(name, len(value)))


def _checked_guid(guid: str | None) -> str | None:
    guid = guid.strip() if guid else None
    if guid and len(guid) > 64:
        raise _RowError("guid is longer than 64 characters")
    return guid or None


def _checked_deck(deck: str | None) -> str | None:
    deck = deck.strip() if deck else None
    if deck and len(deck) > MAX_DECK_NAME:
        raise _RowError(f"deck name is longer than {MAX_DECK_NAME} characters")
    return deck or None
