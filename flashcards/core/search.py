"""The card search syntax, a small subset of Anki's: parse a query into a tree of terms.

Terms separated by white space must all match (AND); a bare `or` between terms means
either side may match, and binds looser than AND, so `a b or c` is `(a AND b) OR c`.
`-term` excludes, parentheses group, double quotes keep white space together, and a
backslash takes the next character literally. Field terms are `deck:NAME`, `tag:NAME`
and `is:STATE`; anything else is free text. `*` is a wildcard in free text, deck and tag
names. A bare `deck:word` that names no deck finds the decks with that word in their
name (our addition to Anki's syntax; see matching_decks).

Every mistake in a query raises `SearchError` with a message meant for the user.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeAlias

IS_VALUES: tuple[str, ...] = ("new", "learn", "review", "due", "suspended", "buried", "leech")
MAX_QUERY_LENGTH = 1000
MAX_DEPTH = 32
# Each term is a pass over the cards' text and each wildcard a place a match may resume:
# bounded, so that no search costs more than a few dozen scans (a run of stars counts once).
MAX_TERMS = 20
MAX_WILDCARDS = 20

_FIELD_NAME = re.compile(r"[A-Za-z_]+")
_WORD_BREAK = re.compile(r"\s+|::")
_PUNCTUATION = "".join(chr(c) for c in range(33, 127) if not chr(c).isalnum())
_FIELDS = ("deck", "tag", "is")


class SearchError(ValueError):
    """A query that cannot be parsed; the message says what is wrong, for the user."""


# Wildcard values. When a value came with an unescaped `*` (wildcard=True), its literal
# stars are stored as `\*` and its literal backslashes as `\\`, so that a bare `*` always
# means "any run of characters". Without a wildcard (wildcard=False) the value is the plain
# text with escapes resolved. like_pattern and name_matches read both forms.


@dataclass(frozen=True, slots=True)
class Text:
    """Free text to look for in a card. If wildcard, `*` in value is a wildcard and
    literal stars and backslashes are escaped with a backslash; otherwise value is plain."""

    value: str
    wildcard: bool


@dataclass(frozen=True, slots=True)
class Deck:
    """`deck:NAME`: the deck or any of its subdecks. name is encoded as Text.value is.
    If words (a bare word: no quotes, escapes, stars or `::`) and no deck has that name,
    the decks with it as a word of their name (see matching_decks)."""

    name: str
    wildcard: bool
    words: bool = False


@dataclass(frozen=True, slots=True)
class Tag:
    """`tag:NAME`: the tag or any tag under it. name is encoded as Text.value is."""

    name: str
    wildcard: bool


@dataclass(frozen=True, slots=True)
class Is:
    """`is:STATE`; what is one of IS_VALUES."""

    what: str


@dataclass(frozen=True, slots=True)
class Not:
    """Cards the node does not match."""

    node: Node


@dataclass(frozen=True, slots=True)
class And:
    """Cards every node matches (two or more nodes, none of them an And)."""

    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """Cards any node matches (two or more nodes, none of them an Or)."""

    nodes: tuple[Node, ...]


Term: TypeAlias = Text | Deck | Tag | Is
Node: TypeAlias = Text | Deck | Tag | Is | Not | And | Or

_OPEN, _CLOSE, _NOT, _OR, _TERM = "(", ")", "-", "or", "term"


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    position: int  # 1-based, of the token's first character
    word: str = ""  # the text as typed, for messages
    term: Term | None = None


# One character of a word: the character, whether it was escaped, whether it was in quotes.
_Char: TypeAlias = tuple[str, bool, bool]


def parse_query(text: str) -> Node | None:
    """The query as a tree, or None if it is blank (which matches every card).

    A single term or group is returned as is, not wrapped; `--x` is simply x.
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchError(
            f"The search is {len(text)} characters long; the limit is {MAX_QUERY_LENGTH}."
        )
    tokens = _tokenize(text)
    if not tokens:
        return None
    _check_size(tokens)
    return _Parser(tokens).parse()


def _check_size(tokens: list[_Token]) -> None:
    terms = [token.term for token in tokens if token.term is not None]
    if len(terms) > MAX_TERMS:
        raise SearchError(
            f"The search has {len(terms)} terms; the limit is {MAX_TERMS}. Leave out some "
            "words, or narrow it with a deck: or tag: term."
        )
    stars = sum(_wildcards(term) for term in terms)
    if stars > MAX_WILDCARDS:
        raise SearchError(
            f"The search has {stars} wildcards (*); the limit is {MAX_WILDCARDS}. A run of "
            "stars counts as one, and each star matches any run of characters already."
        )


def _wildcards(term: Term) -> int:
    if isinstance(term, Text | Deck | Tag) and term.wildcard:
        value = term.value if isinstance(term, Text) else term.name
        return len(_segments(value, True)) - 1
    return 0


def like_pattern(value: str, wildcard: bool) -> str:
    """The value as a SQL LIKE pattern using backslash as the ESCAPE character:
    `%`, `_` and `\\` escaped; each wildcard star becomes `%` (only when wildcard is True,
    since a literal escaped star must stay a star). Nothing is added around it, so free
    text needs `%` on both sides to match anywhere."""
    return "%".join(_escape_like(part) for part in _segments(value, wildcard))


@dataclass(frozen=True, slots=True)
class NamePattern:
    """A deck or tag name pattern, ready to match many names: its casefolded literal
    runs, split at the wildcard stars (one run when it has no wildcard)."""

    parts: tuple[str, ...]

    def matches_folded(self, folded: str) -> bool:
        """Whether an already casefolded name is the pattern or a child of it."""
        parts = self.parts
        return _glob(parts, folded) or _glob((*parts[:-1], parts[-1] + "::", ""), folded)


def name_pattern(pattern: str, wildcard: bool) -> NamePattern:
    """The pattern of a `deck:` or `tag:` term (encoded as Text.value is)."""
    return NamePattern(tuple(part.casefold() for part in _segments(pattern, wildcard)))


def name_matches(pattern: str, wildcard: bool, name: str) -> bool:
    """Case-insensitive (casefold) match of a deck or tag name: equal to the pattern, or a
    child of it (name starts with pattern + "::"), as Anki matches decks and tags; `*`
    matches any run of characters when wildcard is True."""
    return name_pattern(pattern, wildcard).matches_folded(name.casefold())


def name_words(name: str) -> set[str]:
    """The casefolded words of a deck name, split at white space and `::`, each also
    without the punctuation around it ("Python (basics)": python, (basics), basics)."""
    words = set()
    for word in _WORD_BREAK.split(name.casefold()):
        if word:
            words.add(word)
            if stripped := word.strip(_PUNCTUATION):
                words.add(stripped)
    return words


def matching_decks(term: Deck, decks: Iterable[tuple[int, str]]) -> list[int]:
    """The ids of the decks (id, name) that a `deck:` term finds: as Anki does, each deck
    whose name is the pattern (any case, `*` a wildcard) and its subdecks; failing that,
    for a bare word, each deck with that word in its name (`deck:terminology` finds
    "TPM terminology" and its subdecks)."""
    decks = list(decks)
    pattern = name_pattern(term.name, term.wildcard)
    ids = [id_ for id_, name in decks if pattern.matches_folded(name.casefold())]
    if ids or not term.words:
        return ids
    word = term.name.casefold()
    return [id_ for id_, name in decks if word in name_words(name)]


def quoted_deck_suggestion(text: str, deck_names: Iterable[str]) -> str | None:
    """The query with its first `deck:NAME more words` that spells a deck's name (or a
    parent deck's) put in quotes, `deck:"NAME more words"`, as most likely meant; None
    if there is no such run (or the query does not parse). deck_names is read only if
    the query has a `deck:word` followed by plain words."""
    try:
        parse_query(text)
        tokens = _tokenize(text)
    except SearchError:
        return None
    runs: list[list[_Token]] = []  # a bare deck: word, then the plain words after it
    for i, token in enumerate(tokens):
        if isinstance(token.term, Deck) and token.term.words:
            run = [token]
            for following in tokens[i + 1:]:
                if not (isinstance(following.term, Text)
                        and not any(ch in following.word for ch in '"\\*:')):
                    break
                run.append(following)
            if len(run) > 1:
                runs.append(run)
    if not runs:
        return None
    known: set[str] = set()
    for name in deck_names:
        parts = name.casefold().split("::")
        known.update(" ".join("::".join(parts[:k]).split()) for k in range(1, len(parts) + 1))
    longest = max(map(len, known), default=0)
    for first, *rest in runs:
        assert isinstance(first.term, Deck)
        spelled = first.term.name.casefold()
        best = None
        for following in rest:
            spelled += " " + following.word.casefold()
            if len(spelled) > longest:
                break
            if spelled in known:
                best = following
        if best is not None:
            start = first.position - 1
            end = best.position - 1 + len(best.word)
            name = " ".join(text[start + len("deck:"):end].split())
            return text[:start] + deck_term(name) + text[end:]
    return None


def wildcard_parts(value: str) -> list[str]:
    """The literal runs of a wildcard value (encoded as Text.value is), split at its
    stars: `a*b` is ["a", "b"], `*` is ["", ""]."""
    return _segments(value, True)


def tags_match(pattern: NamePattern, tags: str) -> bool:
    """Whether any of the white-space-separated tags matches the pattern (a star stands
    for part of one tag, never for the space between two). Linear in len(tags) per
    literal run: no backtracking, whatever the pattern."""
    return any(pattern.matches_folded(tag) for tag in tags.casefold().split())


def _segments(value: str, wildcard: bool) -> list[str]:
    """The literal runs of an encoded value, split at its wildcard stars."""
    if not wildcard:
        return [value]
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            current.append(value[i + 1])
            i += 2
            continue
        if ch == "*":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _glob(parts: tuple[str, ...], text: str) -> bool:
    """Whether text is the parts in order with anything between them (and nothing before
    the first or after the last). The greedy wildcard match: each middle run is taken at
    its first place after the previous one, which is never worse than a later place, so
    nothing is ever retried (no backtracking blow-up)."""
    if len(parts) == 1:
        return text == parts[0]
    first, *middle, last = parts
    if len(text) < len(first) + len(last):
        return False
    if not (text.startswith(first) and text.endswith(last)):
        return False
    position, end = len(first), len(text) - len(last)
    for part in middle:
        found = text.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token(_OPEN if ch == "(" else _CLOSE, i + 1))
            i += 1
        elif ch == "-":
            following = text[i + 1:i + 2]
            if not following or following.isspace() or following == ")":
                raise SearchError(
                    f"The minus sign at character {i + 1} must be followed directly by the "
                    "term to leave out, e.g. -tag:done. Use \\- to search for a minus sign."
                )
            tokens.append(_Token(_NOT, i + 1))
            i += 1
        else:
            i = _read_word(text, i, tokens)
    return tokens


def _read_word(text: str, start: int, tokens: list[_Token]) -> int:
    """Read the word at start onto tokens; return where it ends."""
    chars: list[_Char] = []
    plain = True  # no quotes and no escapes
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text):
                raise SearchError(
                    f"The backslash at character {i + 1} has nothing after it to escape. "
                    "Use \\\\ to search for a backslash."
                )
            chars.append((text[i + 1], True, False))
            plain = False
            i += 2
        elif ch == '"':
            i = _read_quoted(text, i, chars)
            plain = False
        elif ch.isspace() or ch in "()":
            break
        else:
            chars.append((ch, False, False))
            i += 1
    word = text[start:i]
    negated = bool(tokens) and tokens[-1].kind == _NOT
    if plain and not negated and word.lower() == "or":
        tokens.append(_Token(_OR, start + 1, word))
    else:
        tokens.append(_Token(_TERM, start + 1, word, _make_term(chars, start + 1)))
    return i


def _read_quoted(text: str, opening: int, chars: list[_Char]) -> int:
    """Read the quoted run whose quote is at opening onto chars; return the index after
    its closing quote."""
    i = opening + 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            return i + 1
        if ch == "\\" and i + 1 < len(text):
            chars.append((text[i + 1], True, True))
            i += 2
        else:
            chars.append((ch, False, True))
            i += 1
    raise SearchError(f"The quote opened at character {opening + 1} is never closed.")


def _make_term(chars: list[_Char], position: int) -> Term:
    colon = next((k for k, (ch, escaped, _) in enumerate(chars) if ch == ":" and not escaped),
                 None)
    if colon is not None:
        prefix = "".join(ch for ch, _, _ in chars[:colon])
        if _FIELD_NAME.fullmatch(prefix):
            field = prefix.lower()
            rest = chars[colon + 1:]
            if field in _FIELDS:
                return _field_term(field, rest)
            quoted = any(in_quotes for _, _, in_quotes in chars[:colon + 1])
            url = "".join(ch for ch, _, _ in rest[:2]) == "//"
            if not quoted and not url:
                raise SearchError(
                    f'Unknown search field "{prefix}:". Use deck:, tag: or is:, or put the '
                    "text in quotes to search for it."
                )
    value, wildcard = _encode(chars)
    if not value:
        raise SearchError(
            f"The empty quotes at character {position} search for nothing; put text between "
            "them or remove them."
        )
    return Text(value, wildcard)


def _field_term(field: str, chars: list[_Char]) -> Term:
    plain = "".join(ch for ch, _, _ in chars)
    states = ", ".join(IS_VALUES)
    if field == "is":
        if not plain.strip():
            raise SearchError(f"is: needs a card state after it, one of: {states}.")
        what = plain.casefold()
        if what not in IS_VALUES:
            raise SearchError(f'Unknown card state "is:{plain}". Use one of: {states}.')
        return Is(what)
    if not plain.strip():
        if field == "deck":
            raise SearchError('deck: needs a deck name after it, e.g. deck:Spanish or '
                              'deck:"My Deck".')
        raise SearchError("tag: needs a tag name after it, e.g. tag:verbs.")
    value, wildcard = _encode(chars)
    if field == "tag":
        return Tag(value, wildcard)
    bare = not wildcard and "::" not in value and not any(
        escaped or in_quotes for _, escaped, in_quotes in chars)
    return Deck(value, wildcard, words=bare)


def _encode(chars: list[_Char]) -> tuple[str, bool]:
    """The characters as a value and its wildcard flag (see the note above Text). A run
    of wildcard stars is one star: `a***b` and `a*b` find the same, and every later step
    (LIKE, regular expression, glob) costs no more than its stars."""
    if not any(ch == "*" and not escaped for ch, escaped, _ in chars):
        return "".join(ch for ch, _, _ in chars), False
    out: list[str] = []
    for ch, escaped, _ in chars:
        if ch == "\\" or (ch == "*" and escaped):
            out.append("\\" + ch)
        elif ch == "*" and out and out[-1] == "*":
            continue  # out[-1] is a wildcard: an escaped star would be "\\*"
        else:
            out.append(ch)
    return "".join(out), True


def _negate(node: Node) -> Node:
    return node.node if isinstance(node, Not) else Not(node)


def _combine(kind: type[And] | type[Or], nodes: list[Node]) -> Node:
    flat: list[Node] = []
    for node in nodes:
        if isinstance(node, kind):
            flat.extend(node.nodes)
        else:
            flat.append(node)
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


class _Parser:
    """Recursive descent: or-list of and-lists of (negated) terms and groups."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def parse(self) -> Node:
        node = self.parse_or(0)
        extra = self.peek()
        if extra is not None:  # only a ")" stops the top level early
            raise self.unmatched(extra)
        return node

    def parse_or(self, depth: int) -> Node:
        nodes = [self.parse_and(depth)]
        while (token := self.peek()) is not None and token.kind == _OR:
            self.index += 1
            following = self.peek()
            if following is None or following.kind in (_CLOSE, _OR):
                raise SearchError(
                    f'"{token.word}" at character {token.position} needs a search term after it.'
                )
            nodes.append(self.parse_and(depth))
        return _combine(Or, nodes)

    def parse_and(self, depth: int) -> Node:
        nodes: list[Node] = []
        while (token := self.peek()) is not None and token.kind not in (_CLOSE, _OR):
            nodes.append(self.parse_unary(depth))
        if not nodes:
            if token is not None and token.kind == _OR:
                raise SearchError(
                    f'"{token.word}" at character {token.position} needs a search term '
                    "before it."
                )
            if token is not None:
                raise self.unmatched(token)
            raise SearchError("The search ends where a search term was expected.")
        return _combine(And, nodes)

    def parse_unary(self, depth: int) -> Node:
        negations = 0
        token = self.tokens[self.index]
        while token.kind == _NOT:
            negations += 1
            self.index += 1
            following = self.peek()
            if following is None or following.kind in (_CLOSE, _OR):
                raise SearchError(
                    f"The minus sign at character {token.position} must be followed directly "
                    "by the term to leave out, e.g. -tag:done."
                )
            token = following
        self.index += 1
        if token.term is not None:
            node: Node = token.term
        else:  # an opening parenthesis: parse_and stops at the others
            node = self.parse_group(token, depth + 1)
        for _ in range(negations):
            node = _negate(node)
        return node

    def parse_group(self, opening: _Token, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise SearchError(
                f"The parenthesis at character {opening.position} nests groups more than "
                f"{MAX_DEPTH} deep."
            )
        following = self.peek()
        if following is None:
            raise self.unclosed(opening)
        if following.kind == _CLOSE:
            raise SearchError(
                f"The parentheses at character {opening.position} are empty; put search terms "
                "between them or remove them."
            )
        node = self.parse_or(depth)
        if self.peek() is None:
            raise self.unclosed(opening)
        self.index += 1  # the ")"
        return node

    @staticmethod
    def unclosed(opening: _Token) -> SearchError:
        return SearchError(
            f"The parenthesis opened at character {opening.position} is never closed."
        )

    @staticmethod
    def unmatched(closing: _Token) -> SearchError:
        return SearchError(
            f"The closing parenthesis at character {closing.position} has no matching "
            "opening one."
        )


def deck_term(name: str) -> str:
    """The search that finds one deck by its exact name: `deck:"NAME"`, with the
    characters the syntax would read (quote, backslash, star) escaped."""
    escaped = name.replace("\\", "\\\\").replace('"', '\\"').replace("*", "\\*")
    return f'deck:"{escaped}"'
