"""The card browser: a search (see core.search for the syntax) turned into SQL, with
sorting and paging."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    UnaryExpression,
    and_,
    false,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.functions import Function

from flashcards.core.cards import LEECH_TAG
from flashcards.core.scheduling import CardState
from flashcards.core.search import (
    And,
    Deck,
    Is,
    Node,
    Not,
    Or,
    Tag,
    Text,
    like_pattern,
    matching_decks,
    parse_query,
    quoted_deck_suggestion,
    wildcard_parts,
)
from flashcards.db import TAGS_MATCH
from flashcards.models import Card
from flashcards.models import Deck as DeckRow
from flashcards.services import availability
from flashcards.services.users import owner

PER_PAGE = 50
# Pages past the end show the last page; a bound keeps OFFSET a number every database
# takes (a page of 2**63 overflowed SQLite's 64-bit integers: a 500).
MAX_PAGE = 1_000_000
# How the browser can sort: column, and whether cards without a value go last.
SORTS = ("created", "due", "lapses", "difficulty")


@dataclass(frozen=True, slots=True)
class BrowseRow:
    id: int
    kind: str
    front: str
    back: str
    is_html: bool
    deck: str
    tags: str
    state: CardState
    due: datetime | None
    lapses: int
    difficulty: float | None
    suspended: bool
    buried: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class BrowseResult:
    rows: list[BrowseRow]
    total: int
    page: int
    pages: int
    sort: str
    descending: bool


class _Compiler:
    """Turns a parsed search into a WHERE clause for the cards table."""

    def __init__(self, session: Session, now: datetime, day_end: datetime) -> None:
        self.session = session
        self.now = now
        self.day_end = day_end
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self._decks: list[tuple[int, str]] | None = None

    def _like(self, column: ColumnElement[str] | QueryableAttribute[str]
              | QueryableAttribute[str | None], pattern: str) -> ColumnElement[bool]:
        # SQLite's LIKE already ignores ASCII case; lower() on both sides only slows it.
        # An ESCAPE clause halves SQLite's LIKE speed: only when the pattern escapes.
        escape = "\\" if "\\" in pattern else None
        if "\x00" in pattern and not self.sqlite:
            return false()  # PostgreSQL text cannot hold NUL (and psycopg refuses to send it)
        if self.sqlite:
            return column.like(pattern, escape=escape)
        return column.ilike(pattern, escape=escape)

    def _tag(self, name: str, wildcard: bool) -> ColumnElement[bool]:
        # Tags are one space-separated string: match a whole tag, or its children (a::b).
        if any(ch.isspace() for ch in name):
            return false()  # no tag has white space in it
        padded = literal(" ") + Card.tags + literal(" ")
        if "\x00" in name and not self.sqlite:
            return false()  # as in _like: no PostgreSQL text holds NUL
        if wildcard:
            return self._wildcard_tag(name, padded)
        core = like_pattern(name, wildcard)
        return or_(self._like(padded, f"% {core} %"), self._like(padded, f"% {core}::%"))

    def _wildcard_tag(self, name: str, padded: ColumnElement[str]) -> ColumnElement[bool]:
        # A star stands for part of one tag; LIKE's % would run on across spaces, except
        # where the star is at an end of the pattern: there LIKE says it exactly.
        parts = wildcard_parts(name)
        pattern = like_pattern(name, True)
        if not any(parts):  # only stars: any tag at all
            return func.trim(Card.tags) != ""
        # Not REGEXP on SQLite: it runs Python's backtracking `re`. The matcher there is
        # a Python function, a call per row; LIKE, which ignores ASCII case only, says
        # first which rows may match, or matches exactly, unless the name is beyond ASCII.
        match = Function(TAGS_MATCH, Card.tags, literal(name), type_=Integer()) == 1
        if self.sqlite and not name.isascii():
            return match
        if len(parts) == 2 and not parts[1]:  # abc*: a tag that starts with abc
            return self._like(padded, f"% {pattern}")
        if len(parts) == 2 and not parts[0]:  # *abc: a tag that ends with abc, or a parent
            return or_(self._like(padded, f"{pattern} %"), self._like(padded, f"{pattern}::%"))
        if not self.sqlite:
            # PostgreSQL's regular expressions run as automata, not by backtracking.
            return padded.regexp_match(_tag_regex(name))
        return and_(self._like(padded, f"% {pattern}%"), match)

    def compile(self, node: Node) -> ColumnElement[bool]:
        if isinstance(node, And):
            return and_(*(self.compile(n) for n in node.nodes))
        if isinstance(node, Or):
            return or_(*(self.compile(n) for n in node.nodes))
        if isinstance(node, Not):
            return not_(self.compile(node.node))
        if isinstance(node, Text):
            pattern = f"%{like_pattern(node.value, node.wildcard)}%"
            # The answers may be NULL: "IS NOT NULL AND" keeps the term true or false
            # (never NULL, which NOT would keep NULL), cheaper than coalesce() per row.
            return or_(self._like(Card.front, pattern), self._like(Card.back, pattern),
                       *(and_(column.is_not(None), self._like(column, pattern))
                         for column in (Card.weak_answer, Card.strong_answer)))
        if isinstance(node, Tag):
            return self._tag(node.name, node.wildcard)
        if isinstance(node, Deck):
            if self._decks is None:
                self._decks = _deck_names(self.session)
            ids = matching_decks(node, self._decks)
            return Card.deck_id.in_(ids) if ids else false()
        if isinstance(node, Is):
            return self._is(node.what)
        raise TypeError(f"unknown search node {node!r}")  # pragma: no cover

    def _is(self, what: str) -> ColumnElement[bool]:
        if what == "new":
            return Card.state == int(CardState.NEW)
        if what == "learn":
            return Card.state.in_([int(CardState.LEARNING), int(CardState.RELEARNING)])
        if what == "review":
            return Card.state.in_([int(CardState.REVIEW), int(CardState.RELEARNING)])
        if what == "due":
            return availability.due_today_sql(self.now, self.day_end)
        if what == "suspended":
            return Card.suspended == True  # noqa: E712
        if what == "buried":
            return and_(Card.buried_until.is_not(None), Card.buried_until > self.now)
        if what == "leech":
            return self._tag(LEECH_TAG, False)
        raise TypeError(f"unknown is: value {what!r}")  # pragma: no cover


def _tag_regex(name: str) -> str:
    """A wildcard tag name (encoded as core.search says) as a regular expression for a
    whole tag, or a child of it, in the space-padded tags: a star never spans a space."""
    out: list[str] = []
    i = 0
    while i < len(name):
        if name[i] == "\\" and i + 1 < len(name):
            out.append(re.escape(name[i + 1]))
            i += 2
            continue
        out.append(r"\S*" if name[i] == "*" else re.escape(name[i]))
        i += 1
    # (?=\S): a tag is never empty, though two spaces in a row would make one.
    return r"(?i) (?=\S)" + "".join(out) + r"(?:::\S*)? "


def _deck_names(session: Session) -> list[tuple[int, str]]:
    """The user's decks, (id, name)."""
    return [(id_, name) for id_, name in session.execute(
        select(DeckRow.id, DeckRow.name).where(DeckRow.user_id == owner(session)))]


def deck_suggestion(session: Session, query: str) -> str | None:
    """The search with `deck:Two words` quoted where that spells one of the user's decks
    (`deck:"Two words"`), or None: unquoted, only the first word is the deck's."""
    def names() -> Iterator[str]:  # read only if the search has a deck: word and more
        for _, name in _deck_names(session):
            yield name

    return quoted_deck_suggestion(query, names())


def condition(session: Session, query: str, now: datetime,
              day_end: datetime) -> ColumnElement[bool]:
    """The WHERE clause for a search; raises core.search.SearchError for bad syntax."""
    node = parse_query(query)
    user_id = owner(session)
    # A search reads most of the user's cards: on SQLite, a plain scan beats walking
    # them through an index on user_id, which SQLite picks whenever its statistics are
    # missing or stale (after a big import); "+ 0" keeps it off that index.
    mine = ((Card.user_id + 0 == user_id) if session.get_bind().dialect.name == "sqlite"
            else Card.user_id == user_id)
    if node is None:
        return mine
    return and_(mine, _Compiler(session, now, day_end).compile(node))


def _order(sort: str, descending: bool) -> list[UnaryExpression[Any]]:
    if sort == "created":
        # Ids grow with creation (an import creates its cards in file order).
        return [Card.id.desc() if descending else Card.id.asc()]
    column = {"due": Card.due, "lapses": Card.lapses, "difficulty": Card.difficulty}[sort]
    ordered = column.desc() if descending else column.asc()
    return [ordered.nulls_last(), Card.id.asc()]


def search(session: Session, query: str, now: datetime, day_end: datetime, *,
           sort: str = "created", descending: bool = False, page: int = 1,
           per_page: int = PER_PAGE) -> BrowseResult:
    """One page of the cards matching `query`, and how many match in all."""
    if sort not in SORTS:
        sort = "created"
    where = condition(session, query, now, day_end)
    page_query = (
        select(Card.id, Card.kind, Card.front, Card.back, Card.is_html, DeckRow.name,
               Card.tags, Card.state, Card.due, Card.lapses, Card.difficulty, Card.suspended,
               Card.buried_until, Card.created_at)
        .join(DeckRow, DeckRow.id == Card.deck_id)
        .where(where).order_by(*_order(sort, descending)).limit(per_page))
    page = min(max(page, 1), MAX_PAGE)
    rows = session.execute(page_query.offset((page - 1) * per_page)).all()
    if len(rows) < per_page and (rows or page == 1):
        # The last page: it gives the total, and a rare match costs one scan, not two.
        total = (page - 1) * per_page + len(rows)
    else:
        total = session.execute(select(func.count()).select_from(Card).where(where)
                                ).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    if page > pages:  # past the end: show the last page
        page = pages
        rows = session.execute(page_query.offset((page - 1) * per_page)).all()
    return BrowseResult(
        [BrowseRow(r.id, r.kind, r.front, r.back, r.is_html, r.name, r.tags,
                   CardState(r.state), r.due, r.lapses, r.difficulty, r.suspended,
                   r.buried_until is not None and r.buried_until > now, r.created_at)
         for r in rows],
        total, page, pages, sort, descending)


def matching_ids(session: Session, query: str, now: datetime, day_end: datetime) -> list[int]:
    """Every card the search matches, for a bulk action on "all matching"."""
    where = condition(session, query, now, day_end)
    return list(session.execute(select(Card.id).where(where).order_by(Card.id)).scalars())
