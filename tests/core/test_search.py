"""The card search syntax: exact trees, every error message, the matching helpers, and
property tests that no input escapes as anything but SearchError."""

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashcards.core.search import (
    IS_VALUES,
    MAX_DEPTH,
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    MAX_WILDCARDS,
    And,
    Deck,
    Is,
    Node,
    Not,
    Or,
    SearchError,
    Tag,
    Text,
    like_pattern,
    matching_decks,
    name_matches,
    name_pattern,
    parse_query,
    quoted_deck_suggestion,
    tags_match,
)


def t(value: str, wildcard: bool = False) -> Text:
    return Text(value, wildcard)


def fails(query: str) -> str:
    with pytest.raises(SearchError) as info:
        parse_query(query)
    return str(info.value)


@pytest.mark.parametrize("query", ["", " ", "  \t\n ", "\u3000"])
def test_blank_query_matches_everything(query: str) -> None:
    assert parse_query(query) is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # single terms are not wrapped
        ("a", t("a")),
        ("  a  ", t("a")),
        ("hello", t("hello")),
        ("(a)", t("a")),
        ("((a))", t("a")),
        # AND
        ("a b", And((t("a"), t("b")))),
        ("a\tb\nc", And((t("a"), t("b"), t("c")))),
        # NOT
        ("-a", Not(t("a"))),
        ("--a", t("a")),
        ("---a", Not(t("a"))),
        ("-(-a)", t("a")),
        ("-(a b)", Not(And((t("a"), t("b"))))),
        ("-deck:x", Not(Deck("x", False, words=True))),
        ("a-b", t("a-b")),
        ("a -b", And((t("a"), Not(t("b"))))),
        ("-or", Not(t("or"))),
        # OR, case-insensitive, looser than AND
        ("a or b", Or((t("a"), t("b")))),
        ("a OR b", Or((t("a"), t("b")))),
        ("a Or b oR c", Or((t("a"), t("b"), t("c")))),
        ("a b or c", Or((And((t("a"), t("b"))), t("c")))),
        ("a or b c", Or((t("a"), And((t("b"), t("c")))))),
        ("a b or c d", Or((And((t("a"), t("b"))), And((t("c"), t("d")))))),
        ("-deck:x or tag:y", Or((Not(Deck("x", False, words=True)), Tag("y", False)))),
        ("order", t("order")),
        ("ora", t("ora")),
        # groups, attached to words, flattened
        ("(tag:a or tag:b) deck:x",
         And((Or((Tag("a", False), Tag("b", False))), Deck("x", False, words=True)))),
        ("a (b or c)", And((t("a"), Or((t("b"), t("c")))))),
        ("(a b) c", And((t("a"), t("b"), t("c")))),
        ("a or (b or c)", Or((t("a"), t("b"), t("c")))),
        ("(a or b) or c", Or((t("a"), t("b"), t("c")))),
        ("-(a or b) c", And((Not(Or((t("a"), t("b")))), t("c")))),
        ("a(b)", And((t("a"), t("b")))),
        ("(a)(b)", And((t("a"), t("b")))),
        ("((a or b) (c or d))", And((Or((t("a"), t("b"))), Or((t("c"), t("d")))))),
        # quotes
        ('"two words"', t("two words")),
        ('"a b" c', And((t("a b"), t("c")))),
        ('-"a b"', Not(t("a b"))),
        ('"a (b) -c or"', t("a (b) -c or")),
        ('"or"', t("or")),
        ('"-a"', t("-a")),
        ('ab"c d"ef', t("abc def")),
        ('"   "', t("   ")),
        ('deck:"My Deck"', Deck("My Deck", False)),
        ('"deck:My Deck"', Deck("My Deck", False)),
        ('"TAG:x y"', Tag("x y", False)),
        ('"is:due"', Is("due")),
        ('-"deck:x"', Not(Deck("x", False))),
        ('"foo:bar"', t("foo:bar")),
        ('"note: hi"', t("note: hi")),
        # escapes
        (r"\"", t('"')),
        (r'"say \"hi\""', t('say "hi"')),
        (r"\(a\)", t("(a)")),
        (r"\-a", t("-a")),
        (r"\or", t("or")),
        (r"a\ b", t("a b")),
        (r"foo\:bar", t("foo:bar")),
        (r"\\", t("\\")),
        (r"\*", t("*")),
        (r"a\*b", t("a*b")),
        (r"\q", t("q")),
        (r'deck:My\ Deck', Deck("My Deck", False)),
        # fields, case-insensitive names
        ("deck:Spanish", Deck("Spanish", False, words=True)),
        ("DECK:Spanish", Deck("Spanish", False, words=True)),
        ("Deck:a::b", Deck("a::b", False)),
        ("deck:a:b", Deck("a:b", False, words=True)),
        ("tag:verbs", Tag("verbs", False)),
        ("TaG:Verbs", Tag("Verbs", False)),
        ("tag:x::y", Tag("x::y", False)),
        ("is:new", Is("new")),
        ("IS:NEW", Is("new")),
        ("is:Suspended", Is("suspended")),
        ('is:"due"', Is("due")),
        # colon words that are not fields
        ("10:30", t("10:30")),
        ("http://x", t("http://x")),
        ("https://example.com/a", t("https://example.com/a")),
        (":a", t(":a")),
        ("a1:b", t("a1:b")),
        ("é:b", t("é:b")),
        # wildcards: unescaped stars set the flag, literal ones are then escaped
        ("*", t("*", True)),
        ("a*", t("a*", True)),
        ("a*b*", t("a*b*", True)),
        (r"a\*b*", t(r"a\*b*", True)),
        (r"a\\b*", t("a\\\\b*", True)),
        ('"a*b"', t("a*b", True)),
        ("deck:Span*", Deck("Span*", True)),
        (r"deck:a\*", Deck("a*", False)),
        (r"deck:a\*b*", Deck(r"a\*b*", True)),
        ("tag:*verb*", Tag("*verb*", True)),
        # only * is a wildcard
        ("%_", t("%_")),
        ("deck:a_b%", Deck("a_b%", False, words=True)),
        # all together
        ('-is:suspended (deck:"My Deck" or tag:x*) "to be" or is:due',
         Or((And((Not(Is("suspended")), Or((Deck("My Deck", False), Tag("x*", True))),
                  t("to be"))), Is("due")))),
    ],
)
def test_parse(query: str, expected: Node) -> None:
    assert parse_query(query) == expected


@pytest.mark.parametrize("value", IS_VALUES)
def test_every_is_value(value: str) -> None:
    assert parse_query(f"is:{value.upper()}") == Is(value)


def test_nesting_limit() -> None:
    assert parse_query("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH) == t("a")
    assert parse_query("-(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH) == t("a")
    message = fails("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    assert "nests groups more than 32 deep" in message and "character 33" in message


def test_long_negation_chains_do_not_recurse() -> None:
    assert parse_query("-" * 998 + "a") == t("a")
    assert parse_query("-" * 999 + "a") == Not(t("a"))


def test_length_limit() -> None:
    assert parse_query("a" * MAX_QUERY_LENGTH) == t("a" * MAX_QUERY_LENGTH)
    assert parse_query(" " * MAX_QUERY_LENGTH) is None
    message = fails("a" * (MAX_QUERY_LENGTH + 1))
    assert message == "The search is 1001 characters long; the limit is 1000."
    assert "1000" in fails(" " * (MAX_QUERY_LENGTH + 1))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"abc', "The quote opened at character 1 is never closed."),
        ('abc "de f', "The quote opened at character 5 is never closed."),
        ('deck:"My Deck', "The quote opened at character 6 is never closed."),
        ('"a\\"', "The quote opened at character 1 is never closed."),
        ('"a\\', "The quote opened at character 1 is never closed."),
        ("-", "The minus sign at character 1 must be followed directly by the term"),
        ("a -", "The minus sign at character 3 must be followed"),
        ("a - b", "The minus sign at character 3 must be followed"),
        ("--", "The minus sign at character 2 must be followed"),
        ("-)", "The minus sign at character 1 must be followed"),
        ("(a -)", "The minus sign at character 4 must be followed"),
        ("a\\", "The backslash at character 2 has nothing after it to escape."),
        ("(a", "The parenthesis opened at character 1 is never closed."),
        ("(", "The parenthesis opened at character 1 is never closed."),
        ("a ((b) c", "The parenthesis opened at character 3 is never closed."),
        ("-(", "The parenthesis opened at character 2 is never closed."),
        ("a)", "The closing parenthesis at character 2 has no matching opening one."),
        (")", "The closing parenthesis at character 1 has no matching opening one."),
        (") a", "The closing parenthesis at character 1 has no matching opening one."),
        ("(a))", "The closing parenthesis at character 4 has no matching opening one."),
        ("()", "The parentheses at character 1 are empty"),
        ("a (  ) b", "The parentheses at character 3 are empty"),
        ("-()", "The parentheses at character 2 are empty"),
        ("or", '"or" at character 1 needs a search term before it.'),
        ("OR a", '"OR" at character 1 needs a search term before it.'),
        ("(or a)", '"or" at character 2 needs a search term before it.'),
        ("a or", '"or" at character 3 needs a search term after it.'),
        ("a Or )", '"Or" at character 3 needs a search term after it.'),
        ("(a or)", '"or" at character 4 needs a search term after it.'),
        ("a or or b", '"or" at character 3 needs a search term after it.'),
        ('""', "The empty quotes at character 1 search for nothing"),
        ('a -""', "The empty quotes at character 4 search for nothing"),
        ("deck:", "deck: needs a deck name"),
        ('deck:""', "deck: needs a deck name"),
        ('DECK:"  "', "deck: needs a deck name"),
        ("tag:", "tag: needs a tag name"),
        ("-tag:", "tag: needs a tag name"),
        ("is:", "is: needs a card state after it, one of: new, learn, review, due, suspended, "
                "buried, leech."),
        ('"is:"', "is: needs a card state"),
        ("is:foo", 'Unknown card state "is:foo". Use one of: new, learn, review, due, '
                   "suspended, buried, leech."),
        ("is:new*", 'Unknown card state "is:new*"'),
        ("is:newx", 'Unknown card state "is:newx"'),
        ("foo:bar", 'Unknown search field "foo:". Use deck:, tag: or is:, or put the text in '
                    "quotes to search for it."),
        ("Front:x", 'Unknown search field "Front:".'),
        ("a_b:c", 'Unknown search field "a_b:".'),
        ("foo:", 'Unknown search field "foo:".'),
        ('foo:"a b"', 'Unknown search field "foo:".'),
        ("-note:x", 'Unknown search field "note:".'),
    ],
)
def test_errors_name_the_problem(query: str, expected: str) -> None:
    assert expected in fails(query)


def test_search_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_query("(")


@pytest.mark.parametrize(
    ("value", "wildcard", "expected"),
    [
        ("abc", False, "abc"),
        ("", False, ""),
        ("50%", False, "50\\%"),
        ("a_b", False, "a\\_b"),
        ("a\\b", False, "a\\\\b"),
        ("a*b", False, "a*b"),  # no wildcard: a star is a star
        ("a*b", True, "a%b"),
        ("*", True, "%"),
        ("**", True, "%%"),
        ("a\\*b*", True, "a*b%"),  # escaped star stays literal
        ("a\\\\b*", True, "a\\\\b%"),  # escaped backslash is one literal backslash
        ("%_*", True, "\\%\\_%"),
        ("a\\", True, "a\\\\"),  # a dangling backslash is taken literally
    ],
)
def test_like_pattern(value: str, wildcard: bool, expected: str) -> None:
    assert like_pattern(value, wildcard) == expected


def test_like_pattern_of_parsed_text() -> None:
    node = parse_query(r"50% a\*b_* c\\d")
    assert node == And((t("50%"), t(r"a\*b_*", True), t("c\\d")))
    assert [like_pattern(n.value, n.wildcard) for n in node.nodes if isinstance(n, Text)] == [
        "50\\%", "a*b\\_%", "c\\\\d"]


@pytest.mark.parametrize(
    ("pattern", "wildcard", "name", "expected"),
    [
        ("Spanish", False, "Spanish", True),
        ("spanish", False, "SPANISH", True),
        ("Spanish", False, "Spanish::Verbs", True),
        ("Spanish", False, "Spanish::Verbs::Irregular", True),
        ("Spanish", False, "Spanish2", False),
        ("Spanish", False, "Spanish:Verbs", False),
        ("Spanish", False, "Old::Spanish", False),
        ("Spanish::Verbs", False, "Spanish", False),
        ("Spanish::Verbs", False, "spanish::verbs::x", True),
        ("straße", False, "STRASSE", True),
        ("a*", False, "a*", True),  # no wildcard: literal star
        ("a*", False, "ab", False),
        ("a_%", False, "a_%", True),
        ("a_%", False, "ab%", False),
        ("Span*", True, "Spanish", True),
        ("Span*", True, "Spanish::Verbs", True),
        ("Span*", True, "Spa", False),
        ("*verb*", True, "Spanish::Verbs", True),
        ("*", True, "anything", True),
        ("*", True, "", True),
        ("a*b", True, "ab", True),
        ("a*b", True, "axxb", True),
        ("a*b", True, "axxbc", False),
        ("a*b", True, "axxb::c", True),
        ("a*b*c", True, "abbc", True),
        ("a*b*c", True, "acb", False),
        ("*a*a*a*a*a*a*a*a*a*a*b", True, "a" * 500, False),  # no backtracking blow-up
        ("a\\*b*", True, "a*bcd", True),
        ("a\\*b*", True, "axbcd", False),
        ("a\\\\*", True, "a\\x", True),
        ("a\\\\*", True, "ax", False),
    ],
)
def test_name_matches(pattern: str, wildcard: bool, name: str, expected: bool) -> None:
    assert name_matches(pattern, wildcard, name) is expected


BUNDLED = [(1, "TPM terminology"), (2, "Career ladder and compensation"),
           (3, "Interview process"), (4, "Good and bad answers"),
           (5, "Interview process::Rounds"), (6, "Python (basics)")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # A deck's name, in any case, finds it and its subdecks, as in Anki.
        ('deck:"TPM terminology"', [1]),
        ('deck:"interview PROCESS"', [3, 5]),
        ("deck:interview*", [3, 5]),
        # A bare word that names no deck finds the decks with that word in their name.
        ("deck:terminology", [1]),
        ("deck:Terminology", [1]),
        ("deck:process", [3, 5]),
        ("deck:rounds", [5]),
        ("deck:basics", [6]),
        ("deck:and", [2, 4]),
        # Not parts of words, and never for quoted names, escapes or wildcards.
        ("deck:termin", []),
        ('deck:"terminology"', []),
        (r"deck:terminolog\y", []),
        ("deck:terminolog*", []),
        ("deck:process::rounds", []),
    ],
)
def test_matching_decks(query: str, expected: list[int]) -> None:
    term = parse_query(query)
    assert isinstance(term, Deck)
    assert matching_decks(term, BUNDLED) == expected


def test_a_deck_named_by_the_word_wins_over_decks_with_the_word() -> None:
    decks = [(1, "Process"), (2, "Interview process"), (3, "Process::Notes")]
    assert matching_decks(Deck("process", False, words=True), decks) == [1, 3]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("deck:Interview process", 'deck:"Interview process"'),
        ("deck:interview  process is:new", 'deck:"interview process" is:new'),
        ("-deck:Interview process", '-deck:"Interview process"'),
        ("tag:x deck:Career ladder and compensation -is:new",
         'tag:x deck:"Career ladder and compensation" -is:new'),
        ("deck:Interview process rounds", 'deck:"Interview process rounds"'),
        ("deck:TPM terminology role", 'deck:"TPM terminology" role'),
        # Nothing to suggest: already quoted, not a deck's name, or not a query.
        ('deck:"Interview process"', None),
        ("deck:Interview questions", None),
        ("deck:terminology", None),
        ("deck:Interview (process)", None),
        ("deck:Interview process)", None),
        ("interview process", None),
    ],
)
def test_quoted_deck_suggestion(query: str, expected: str | None) -> None:
    names = [name for _, name in BUNDLED] + ["Interview process rounds"]
    assert quoted_deck_suggestion(query, names) == expected


def test_quoted_deck_suggestion_is_fast_on_long_queries() -> None:
    started = time.perf_counter()
    longest = "deck:a" + " b" * (MAX_TERMS - 1)
    assert quoted_deck_suggestion(longest, ["a " + "b " * 10, "x" * 200]) == (
        'deck:"a' + " b" * 10 + '"' + " b" * (MAX_TERMS - 11))
    assert quoted_deck_suggestion(longest, ["a b", "a" + " b" * (MAX_TERMS - 1)]) == (
        'deck:"a' + " b" * (MAX_TERMS - 1) + '"')
    # A search over the limit is refused whole (and suggests nothing), however long.
    assert quoted_deck_suggestion("deck:a" + " b" * 490, ["a " + "b " * 40]) is None
    assert time.perf_counter() - started < 0.5


def _reference_match(pattern: str, wildcard: bool, name: str) -> bool:
    """name_matches through a regular expression, for small inputs."""
    if wildcard:
        parts = re.split(r"(\\.|\*)", pattern)
        body = "".join(
            ".*" if part == "*" else re.escape(part[1:] if part.startswith("\\") else part)
            for part in parts if part
        )
    else:
        body = re.escape(pattern)
    folded = re.compile(f"(?:{body})(?:::.*)?", re.DOTALL | re.IGNORECASE)
    return folded.fullmatch(name) is not None


@settings(max_examples=500, deadline=None)
@given(st.text("ab:*\\", max_size=8), st.booleans(), st.text("abAB:", max_size=10))
def test_name_matches_agrees_with_a_regular_expression(
    pattern: str, wildcard: bool, name: str
) -> None:
    if wildcard and re.search(r"(?<!\\)(\\\\)*\\$", pattern):
        pattern += "\\"  # a well-formed encoded value never ends in a lone backslash
    assert name_matches(pattern, wildcard, name) == _reference_match(pattern, wildcard, name)


def _tag_value(query: str) -> tuple[str, bool]:
    """The encoded name of a tag: search, as the matcher receives it."""
    node = parse_query(query)
    assert isinstance(node, Tag)
    return node.name, node.wildcard


@pytest.mark.parametrize(
    ("query", "tags", "expected"),
    [
        ("tag:verb", "verb", True),
        ("tag:verb", "noun VERB", True),
        ("tag:verb", "verb::irregular", True),  # a child tag
        ("tag:verb", "verbs", False),
        ("tag:verb", "x::verb", False),
        ("tag:verb*", "verbs", True),
        ("tag:verb*", "Verb::x", True),
        ("tag:*::x", "verb::x", True),
        ("tag:*::x", "verb::x::y", True),  # a child of a match
        ("tag:*erb", "verb::x", True),
        ("tag:a*b", "ab", True),
        ("tag:a*b", "axxb", True),
        ("tag:a*b", "axxbc", False),
        ("tag:a*b", "a b", False),  # a star never spans the space between tags
        ("tag:a*b", "apple\tverb", False),
        ("tag:a*b", "apple  verb", False),
        ("tag:a*b", "x axb y", True),
        ("tag:*", "", False),  # a star is part of a tag: untagged cards have none
        ("tag:*", "   ", False),
        ("tag:*", "x", True),
        ("tag:**", "x", True),
        ("tag:*a*", "b c", False),
        (r"tag:a\*b*", "a*bc", True),  # an escaped star is a literal star
        (r"tag:a\*b*", "axbc", False),
        (r"tag:a\\*", "a\\x", True),  # an escaped backslash is one literal backslash
        (r"tag:a\\*", "ax", False),
        ("tag:STRA*E", "straße", True),  # casefolded, as name_matches does
        ("tag:é*", "ÉCOLE", True),
        ("tag:*a*a*a*a*a*b", "a" * 100 + "c", False),
    ],
)
def test_tags_match(query: str, tags: str, expected: bool) -> None:
    name, wildcard = _tag_value(query)
    assert tags_match(name_pattern(name, wildcard), tags) is expected


def test_tags_match_is_fast_on_pathological_patterns() -> None:
    """Patterns that make a backtracking matcher take exponential time: each of these
    took Python's `re` (as `\\S*` runs) seconds to hours."""
    long_tag = "a" * 5000 + "c"
    pattern = name_pattern("*a" * 400 + "*b", True)
    started = time.perf_counter()
    for tags in (long_tag, f"{long_tag} {long_tag}", "a " * 5000):
        assert not tags_match(pattern, tags)
    assert tags_match(name_pattern("*a" * 400 + "*", True), "a" * 400)
    assert time.perf_counter() - started < 0.5


def _check_tree(node: Node, depth: int = 0) -> None:
    """A parsed tree is well formed: no single-child or same-kind-nested And/Or, no
    double Not, no empty values, and a bounded depth."""
    assert depth <= 3 * MAX_DEPTH + 2
    if isinstance(node, (And, Or)):
        assert len(node.nodes) >= 2
        for child in node.nodes:
            assert type(child) is not type(node)
            _check_tree(child, depth + 1)
    elif isinstance(node, Not):
        assert not isinstance(node.node, Not)
        _check_tree(node.node, depth + 1)
    elif isinstance(node, Is):
        assert node.what in IS_VALUES
    elif isinstance(node, Text):
        assert node.value
    else:
        assert node.name.strip()


def _parses_or_raises_search_error(query: str) -> None:
    try:
        node = parse_query(query)
    except SearchError as error:
        assert str(error)
        return
    if node is not None:
        _check_tree(node)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_any_text_parses_or_raises_search_error(query: str) -> None:
    _parses_or_raises_search_error(query)


PIECES = st.sampled_from([
    "a", "word", "Straße", "10:30", "http://x", "%", "_", "*", "a*b",
    "deck:", "DECK:", "tag:", "Tag:", "is:", "is:new", "IS:due", "is:nope", "foo:", ":",
    '"', '\\"', "\\", "\\\\", "\\*", "\\-", "\\(", "\\:",
    "(", ")", "-", "--", "or", "OR", "Or",
    " ", " ", "  ", "\t",
])


@settings(max_examples=500, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join))
def test_any_syntax_soup_parses_or_raises_search_error(query: str) -> None:
    _parses_or_raises_search_error(query)


@settings(max_examples=500, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join), st.integers(0, 40))
def test_deep_and_long_soup_parses_or_raises_search_error(query: str, repeat: int) -> None:
    _parses_or_raises_search_error("(" * repeat + "-" * repeat + query + ")" * repeat)
    _parses_or_raises_search_error(query * (1 + MAX_QUERY_LENGTH // max(len(query), 1)))


def test_quoted_deck_suggestion_reads_no_deck_names_without_a_deck_word_and_more() -> None:
    def names():
        raise AssertionError("deck names read")
        yield ""

    for query in ("deck:terminology", 'deck:"a b" c', "a b c", "deck:a -b", "deck:a or b"):
        assert quoted_deck_suggestion(query, names()) is None


# -- bounded cost: star runs merge, terms and wildcards are capped (issue 24) -----------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tag:" + "*" * 996, Tag("*", True)),
        ("tag:leech" + "*" * 985, Tag("leech*", True)),
        ("a***b", t("a*b", True)),
        ("deck:x**y", Deck("x*y", True)),
        # An escaped star is a literal one: it never merges with a wildcard beside it.
        ("a\\***b", t("a\\**b", True)),
        ("a*\\**b", t("a*\\**b", True)),
        ('"a * * b"', t("a * * b", True)),
    ],
)
def test_a_run_of_stars_is_one_wildcard(query: str, expected: Node) -> None:
    assert parse_query(query) == expected


def test_merged_stars_match_what_the_run_matched() -> None:
    pattern = name_pattern(parse_query("tag:a" + "*" * 50 + "b").name, True)  # type: ignore[union-attr]
    assert pattern == name_pattern("a*b", True)
    assert tags_match(pattern, "x ab") and tags_match(pattern, "a-long-b::child")
    assert not tags_match(pattern, "a b")


def test_a_search_has_at_most_max_terms_terms() -> None:
    assert parse_query(" ".join(f"w{i}" for i in range(MAX_TERMS))) is not None
    message = fails("a " * 499)
    assert "499 terms" in message and f"limit is {MAX_TERMS}" in message
    # Field terms and negations count; `or` and parentheses do not.
    over = " or ".join(f"-tag:t{i}" for i in range(MAX_TERMS + 1))
    assert f"{MAX_TERMS + 1} terms" in fails(f"({over})")


def test_a_search_has_at_most_max_wildcards_wildcards() -> None:
    assert parse_query("*a" * MAX_WILDCARDS) is not None  # one term, twenty stars
    message = fails("a*" * (MAX_WILDCARDS + 1))
    assert f"{MAX_WILDCARDS + 1} wildcards" in message and f"limit is {MAX_WILDCARDS}" in message
    # Counted across terms, runs once, escaped stars never.
    assert parse_query(" ".join(["x**y"] * MAX_WILDCARDS)) is not None
    assert parse_query("\\*" * 100) == t("*" * 100)
    fails(" ".join(["deck:d*"] * 11 + ["tag:t*"] * 10))
