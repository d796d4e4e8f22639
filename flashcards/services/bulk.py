"""Changes to many cards at once, each one transaction and undoable once.

Every action records, per card, the value it replaced and the card's version after the
change. Undo puts back only the cards still at that version: a card reviewed or edited
since keeps what happened to it afterwards, and the result says how many.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from flashcards.core.cards import add_tag, has_tag, normalise_text, remove_tag
from flashcards.core.scheduling import Schedule, forget
from flashcards.db import begin_write
from flashcards.models import Card, CardAction, Deck, ReviewLog
from flashcards.scoping import OWNER
from flashcards.services.decks import get_deck
from flashcards.services.errors import NotFound, NothingToUndo, ServiceError
from flashcards.services.users import owned, owner

CHUNK = 500  # ids per statement: well under every driver's parameter limit
MAX_TAG = 100

# Declarative models map a Table; SQLAlchemy types __table__ as FromClause.
_CARDS = cast(Table, Card.__table__)
_LOGS = cast(Table, ReviewLog.__table__)
_DECKS = cast(Table, Deck.__table__)


class BulkAction(enum.StrEnum):
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    MOVE = "move"
    ADD_TAG = "add_tag"
    REMOVE_TAG = "remove_tag"
    FORGET = "forget"
    DELETE = "delete"


# The schedule columns Forget resets (reps and lapses it keeps, as scheduling.forget).
_SCHEDULE_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review")
# The columns each action changes (and undo restores).
_FIELDS: dict[BulkAction, tuple[str, ...]] = {
    BulkAction.SUSPEND: ("suspended",),
    BulkAction.UNSUSPEND: ("suspended",),
    BulkAction.MOVE: ("deck_id",),
    BulkAction.ADD_TAG: ("tags",),
    BulkAction.REMOVE_TAG: ("tags",),
    BulkAction.FORGET: (*_SCHEDULE_FIELDS, "buried_until"),
}
_DATETIMES = {"due", "last_review", "buried_until", "created_at", "edited_at", "reviewed_at",
              "due_before", "last_review_before", "due_after"}


_SUMMARIES = {
    BulkAction.SUSPEND: "Suspended {cards}.",
    BulkAction.UNSUSPEND: "Unsuspended {cards}.",
    BulkAction.MOVE: "Moved {cards} to “{deck}”.",
    BulkAction.ADD_TAG: "Tagged {cards} “{tag}”.",
    BulkAction.REMOVE_TAG: "Removed the tag “{tag}” from {cards}.",
    BulkAction.FORGET: "Reset {cards} to new.",
}


@dataclass(frozen=True, slots=True)
class BulkResult:
    action_id: int
    summary: str
    changed: int


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _encode(column: str, value: Any) -> Any:
    if column in _DATETIMES and value is not None:
        return value.isoformat()
    return value


def _decode(column: str, value: Any) -> Any:
    if column in _DATETIMES and value is not None:
        return datetime.fromisoformat(value)
    return value


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _verb(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def check_tag(tag: str) -> str:
    clean = normalise_text(tag)
    if not clean:
        raise ServiceError("Name the tag to add or remove.")
    if any(ch.isspace() for ch in clean):
        raise ServiceError("A tag is one word: tags are separated by spaces.")
    if len(clean) > MAX_TAG:
        raise ServiceError(f"A tag can be at most {MAX_TAG} characters.")
    return clean


def apply(session: Session, action: BulkAction, card_ids: Sequence[int], now: datetime, *,
          deck_id: int | None = None, tag: str | None = None, query: str = "") -> BulkResult:
    """Apply `action` to the cards in one transaction; records how to undo it."""
    begin_write(session)
    ids = sorted(set(card_ids))
    if not ids:
        raise ServiceError("Select at least one card.")
    connection = session.connection()
    if action == BulkAction.DELETE:
        return _delete(session, connection, ids, now, query)
    fields = _FIELDS[action]
    deck = None
    if action == BulkAction.MOVE:
        if deck_id is None:
            raise ServiceError("Choose the deck to move the cards to.")
        deck = get_deck(session, deck_id)
    if action in (BulkAction.ADD_TAG, BulkAction.REMOVE_TAG):
        tag = check_tag(tag or "")
    undo = _Undo(fields)
    new_values = partial(_new_values, action, deck_id=deck_id, tag=tag)
    found = 0
    for chunk in _chunks(ids):
        found += _change_chunk(connection, chunk, new_values, undo)
    session.expire_all()  # Card objects loaded in this session are now out of date
    if found != len(ids):
        raise _gone(len(ids) - found, "changed")
    count = len(undo.cards)
    summary = _summary(action, count, len(ids), tag, deck.name if deck is not None else "")
    if deck is not None and count:
        deck.edited_at = now
    return _record(session, action, summary, query, count, undo.payload(), now)


@dataclass
class _Undo:
    """How to undo a change of `fields`: per card changed, the values it replaced."""

    fields: tuple[str, ...]
    cards: list[list[Any]] = field(default_factory=list)  # [id, version after, *old values]
    # id -> guid: undo finds the same card, not just the same id
    guids: dict[str, str] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {"fields": list(self.fields), "cards": self.cards, "guids": self.guids}


def _change_chunk(connection: Connection, chunk: Sequence[int],
                  new_values: Callable[[dict[str, Any]], dict[str, Any]], undo: _Undo) -> int:
    """Give the user's cards among `chunk` their new values (one statement), recording in
    `undo` each card changed; returns how many of the cards exist."""
    fields = undo.fields
    rows = connection.execute(
        select(_CARDS.c.id, _CARDS.c.version, _CARDS.c.guid, *(_CARDS.c[f] for f in fields))
        .where(_CARDS.c.id.in_(chunk), _CARDS.c.user_id == OWNER).order_by(_CARDS.c.id)).all()
    changes = []
    for card_id, version, guid, *old in rows:
        new = new_values(dict(zip(fields, old, strict=True)))
        if all(new[f] == o for f, o in zip(fields, old, strict=True)):
            continue  # already so: nothing to change, nothing to undo
        changes.append({"b_id": card_id, **{f"b_{f}": new[f] for f in fields}})
        undo.guids[str(card_id)] = guid
        undo.cards.append([card_id, version + 1, *(_encode(f, o)
                                                   for f, o in zip(fields, old, strict=True))])
    if changes:
        connection.execute(
            update(_CARDS).where(_CARDS.c.id == bindparam("b_id"), _CARDS.c.user_id == OWNER)
            .values({f: bindparam(f"b_{f}") for f in fields}
                    | {"version": _CARDS.c.version + 1}), changes)
    return len(rows)


def _summary(action: BulkAction, count: int, selected: int, tag: str | None,
             deck: str) -> str:
    """What the action did to `count` of the `selected` cards (the rest already were so)."""
    summary = _SUMMARIES[action].format(cards=_plural(count, "card"), tag=tag, deck=deck)
    if count < selected:
        same = selected - count
        summary += f" {_plural(same, 'card')} already {_verb(same, 'was', 'were')}."
    return summary


def _gone(missing: int, done: str) -> NotFound:
    """The error when `missing` of the selected cards no longer exist: nothing was `done`."""
    return NotFound(f"{_plural(missing, 'selected card')} no longer "
                    f"{_verb(missing, 'exists', 'exist')}; "
                    f"nothing was {done}. Search again and retry.")


def _new_values(action: BulkAction, old: dict[str, Any], deck_id: int | None,
                tag: str | None) -> dict[str, Any]:
    if action == BulkAction.SUSPEND:
        return {"suspended": True}
    if action == BulkAction.UNSUSPEND:
        return {"suspended": False}
    if action == BulkAction.MOVE:
        return {"deck_id": deck_id}
    if action == BulkAction.ADD_TAG:
        assert tag is not None
        return {"tags": add_tag(old["tags"], tag)}
    if action == BulkAction.REMOVE_TAG:
        assert tag is not None
        return {"tags": remove_tag(old["tags"], tag) if has_tag(old["tags"], tag)
                else old["tags"]}
    return _forgotten()


def _forgotten() -> dict[str, Any]:
    """Forget's column values: back to new, as scheduling.forget (Anki keeps the review and
    lapse counts, which are not among the columns written, and the position); unburied."""
    reset = forget(Schedule())
    return {field: getattr(reset, field) for field in _SCHEDULE_FIELDS} | {
        "state": int(reset.state), "buried_until": None}


def _record(session: Session, action: BulkAction, summary: str, query: str, count: int,
            payload: dict[str, Any], now: datetime) -> BulkResult:
    record = CardAction(user_id=owner(session), action=action.value, summary=summary,
                        query=query, card_count=count,
                        payload=json.dumps(payload, separators=(",", ":")), created_at=now)
    session.add(record)
    session.flush()
    return BulkResult(record.id, summary, count)


def _delete(session: Session, connection: Connection, ids: list[int], now: datetime,
            query: str) -> BulkResult:
    """Delete cards with their review history, keeping both in the undo record."""
    cards: list[dict[str, Any]] = []
    logs: list[dict[str, Any]] = []
    for chunk in _chunks(ids):
        cards += [{k: _encode(k, v) for k, v in row._mapping.items()} for row in
                  connection.execute(select(_CARDS).where(
                      _CARDS.c.id.in_(chunk), _CARDS.c.user_id == OWNER)
                      .order_by(_CARDS.c.id))]  # without ORDER BY: PostgreSQL's storage order
        logs += [{k: _encode(k, v) for k, v in row._mapping.items()} for row in
                 connection.execute(select(_LOGS).where(_LOGS.c.card_id.in_(chunk),
                                                        _LOGS.c.user_id == OWNER)
                                    .order_by(_LOGS.c.id))]
    if len(cards) != len(ids):
        raise _gone(len(ids) - len(cards), "deleted")
    for chunk in _chunks(ids):
        connection.execute(delete(_LOGS).where(_LOGS.c.card_id.in_(chunk),
                                               _LOGS.c.user_id == OWNER))
        connection.execute(delete(_CARDS).where(_CARDS.c.id.in_(chunk),
                                                _CARDS.c.user_id == OWNER))
    session.expire_all()
    summary = f"Deleted {_plural(len(cards), 'card')}"
    summary += f" and {_plural(len(logs), 'review')}." if logs else "."
    return _record(session, BulkAction.DELETE, summary, query, len(cards),
                   {"cards": cards, "logs": logs}, now)


def get_action(session: Session, action_id: int) -> CardAction:
    return owned(session, CardAction, action_id, "bulk action")


def undo(session: Session, action_id: int, now: datetime) -> str:
    """Take a bulk action back, once; returns what was restored."""
    begin_write(session)
    record = get_action(session, action_id)
    if record.undone_at is not None:
        raise NothingToUndo("That change has already been undone.")
    payload = json.loads(record.payload)
    connection = session.connection()
    if record.action == BulkAction.DELETE:
        restored, skipped = _undelete(connection, payload, record.user_id)
    else:
        restored, skipped = _restore(connection, payload)
    record.undone_at = now
    session.flush()  # before expiring: expiry would drop the unflushed change
    session.expire_all()
    message = f"Undone: {_plural(restored, 'card')} restored."
    if skipped:
        keeps = "keeps its" if skipped == 1 else "keep their"
        message += (f" {_plural(skipped, 'card')} changed since (reviewed, edited or "
                    f"deleted) and {keeps} newer state.")
    return message


def _restore(connection: Connection, payload: dict[str, Any]) -> tuple[int, int]:
    """Put back the replaced values of the cards that are still the user's, still the
    same cards (by guid, for records that carry it) and still at the version the action
    left them at."""
    fields: list[str] = payload["fields"]
    records: list[list[Any]] = payload["cards"]
    guids: dict[str, str] = payload.get("guids", {})
    # A moved card whose old deck was deleted since stays where it is now.
    decks = (set(connection.execute(select(_DECKS.c.id).where(_DECKS.c.user_id == OWNER))
                 .scalars()) if "deck_id" in fields else None)
    restored = 0
    for start in range(0, len(records), CHUNK):
        chunk = records[start:start + CHUNK]
        current = {card_id: (version, guid) for card_id, version, guid in connection.execute(
            select(_CARDS.c.id, _CARDS.c.version, _CARDS.c.guid)
            .where(_CARDS.c.id.in_([r[0] for r in chunk]), _CARDS.c.user_id == OWNER))}
        params = [{"b_id": r[0], **{f"b_{f}": _decode(f, v) for f, v in zip(fields, r[2:],
                                                                           strict=True)}}
                  for r in chunk if r[0] in current and current[r[0]][0] == r[1]
                  and guids.get(str(r[0]), current[r[0]][1]) == current[r[0]][1]
                  and (decks is None or r[2 + fields.index("deck_id")] in decks)]
        if params:
            connection.execute(
                update(_CARDS).where(_CARDS.c.id == bindparam("b_id"), _CARDS.c.user_id == OWNER)
                .values({f: bindparam(f"b_{f}") for f in fields}
                        | {"version": _CARDS.c.version + 1}), params)
        restored += len(params)
    return restored, len(records) - restored


def _undelete(connection: Connection, payload: dict[str, Any],
              user_id: int) -> tuple[int, int]:
    cards: list[dict[str, Any]] = [c for c in payload["cards"] if c["user_id"] == user_id]
    taken_ids: set[int] = set()
    taken_guids: set[str] = set()
    # A card whose deck was deleted since stays deleted with it.
    decks = set(connection.execute(select(_DECKS.c.id).where(
        _DECKS.c.user_id == OWNER)).scalars())
    for start in range(0, len(cards), CHUNK):
        chunk = cards[start:start + CHUNK]
        # Ids are never reused (AUTOINCREMENT), and another user's row is not looked at:
        # a deleted card comes back under its own id, or not at all.
        taken_ids |= set(connection.execute(select(_CARDS.c.id).where(
            _CARDS.c.id.in_([c["id"] for c in chunk]), _CARDS.c.user_id == OWNER)).scalars())
        taken_guids |= set(connection.execute(select(_CARDS.c.guid).where(
            _CARDS.c.user_id == OWNER,
            _CARDS.c.guid.in_([c["guid"] for c in chunk]))).scalars())
    back = [c for c in cards if c["id"] not in taken_ids and c["guid"] not in taken_guids
            and c["deck_id"] in decks]
    ids = {c["id"] for c in back}
    logs = [log for log in payload["logs"] if log["card_id"] in ids]
    for start in range(0, len(back), CHUNK):
        connection.execute(insert(_CARDS), [{k: _decode(k, v) for k, v in c.items()}
                                            for c in back[start:start + CHUNK]])
    for start in range(0, len(logs), CHUNK):
        connection.execute(insert(_LOGS), [{k: _decode(k, v) for k, v in log.items()}
                                           for log in logs[start:start + CHUNK]])
    return len(back), len(cards) - len(back)
