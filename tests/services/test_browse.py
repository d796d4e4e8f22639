"""The card browser against real databases (SQLite and PostgreSQL): what each search
finds, the sorts, the paging, and that no query text reaches the database as invalid SQL."""

import itertools
import random
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from flashcards.core.scheduling import CardState, Rating
from flashcards.core.search import Not, SearchError, name_pattern, parse_query, tags_match
from flashcards.models import Card, Deck
from flashcards.services import browse, bulk, study, users
from tests.conftest import START, make_deck

GUIDS = itertools.count()


def add(session: Session, deck: Deck, front: str, back: str = "", **fields: object) -> int:
    """One card in `deck`, committed; its id."""
    fields = {"source": "", "position": 0, "created_at": START, **fields}
    card = Card(user_id=deck.user_id, deck_id=deck.id, guid=f"browse-{next(GUIDS)}",
                front=front, back=back,
                **fields)
    session.add(card)
    session.commit()
    return card.id


def day_end(session: Session) -> datetime:
    return study.current_day(session, START).end


def find(session: Session, query: str, now: datetime = START, **kwargs: object) -> list[str]:
    """The fronts of every card the search finds, in the browser's order."""
    result = browse.search(session, query, now, day_end(session), per_page=1000, **kwargs)
    assert result.total == len(result.rows)
    return [row.front for row in result.rows]


def found(session: Session, query: str) -> set[str]:
    return set(find(session, query))


def test_blank_query_lists_every_card_oldest_first(session) -> None:
    """An empty search box shows the whole collection, in the order cards were made."""
    make_deck(session, "A", cards=2)
    make_deck(session, "B", cards=1)
    assert find(session, "") == ["A front 0", "A front 1", "B front 0"]
    assert find(session, "   ") == ["A front 0", "A front 1", "B front 0"]


def test_free_text_searches_front_back_and_both_answers(session) -> None:
    deck = make_deck(session, "D")
    add(session, deck, "Capital of France", "Paris", tags="geography", source="atlas")
    add(session, deck, "Tell me about a failure", "Own it",
        kind="answer_pair", weak_answer="Blame the team", strong_answer="Measure the cost")
    add(session, deck, "Unrelated", "Nothing here")
    assert found(session, "france") == {"Capital of France"}
    assert found(session, "paris") == {"Capital of France"}
    assert found(session, "blame") == {"Tell me about a failure"}
    assert found(session, "measure") == {"Tell me about a failure"}
    # Tags and sources are not card text.
    assert found(session, "geography") == set()
    assert found(session, "atlas") == set()


def test_free_text_ignores_ascii_case(session) -> None:
    deck = make_deck(session, "D")
    add(session, deck, "Capital of France", "PARIS")
    assert found(session, "CAPITAL") == {"Capital of France"}
    assert found(session, "pArIs") == {"Capital of France"}
    assert found(session, "FRANCE paris") == {"Capital of France"}


def test_case_beyond_ascii_is_ignored_on_postgresql_only(session) -> None:
    """As the README says: SQLite's LIKE folds ASCII letters only, PostgreSQL's ILIKE all."""
    deck = make_deck(session, "D")
    add(session, deck, "École normale")
    sqlite = session.get_bind().dialect.name == "sqlite"
    assert found(session, "école") == (set() if sqlite else {"École normale"})
    assert found(session, "ÉCOLE") == {"École normale"}


def test_a_nul_in_the_search_matches_nothing(session) -> None:
    """PostgreSQL text cannot hold NUL, and its driver refuses to send one: no error."""
    deck = make_deck(session, "D")
    add(session, deck, "a b", tags="t")
    assert found(session, "a\x00") == set()
    assert found(session, "tag:t\x00") == set() and found(session, "tag:t*\x00") == set()
    assert found(session, "-a\x00") == {"a b"}


def test_words_must_all_match_and_quotes_keep_a_phrase(session) -> None:
    deck = make_deck(session, "D")
    add(session, deck, "red apple")
    add(session, deck, "green apple")
    add(session, deck, "apple red")
    assert found(session, "apple red") == {"red apple", "apple red"}
    assert found(session, '"red apple"') == {"red apple"}
    assert found(session, '"apple green"') == set()


def test_star_is_a_wildcard_in_text(session) -> None:
    deck = make_deck(session, "D")
    add(session, deck, "Capital of France")
    add(session, deck, "Capital city")
    assert found(session, "cap*france") == {"Capital of France"}
    assert found(session, "c*z") == set()
    assert found(session, "*") == {"Capital of France", "Capital city"}


def test_percent_underscore_and_backslash_are_literal_in_text(session) -> None:
    """SQL LIKE's own wildcards in what the user types match only themselves."""
    deck = make_deck(session, "D")
    add(session, deck, "100% sure")
    add(session, deck, "1000 ways")
    add(session, deck, "snake_case")
    add(session, deck, "snakeXcase")
    add(session, deck, r"c:\path")
    add(session, deck, "c:path")
    add(session, deck, "a*b")
    add(session, deck, "axb")
    assert found(session, "100%") == {"100% sure"}
    assert found(session, "snake_case") == {"snake_case"}
    assert found(session, r'"c:\\path"') == {r"c:\path"}
    assert found(session, r"a\*b") == {"a*b"}
    # With a wildcard in the same term, the other characters stay literal.
    assert found(session, "1*%") == {"100% sure"}
    assert found(session, "s*_c*") == {"snake_case"}
    assert found(session, "100*") == {"100% sure", "1000 ways"}


def test_deck_matches_name_without_case_and_its_subdecks(session) -> None:
    for name in ("Spanish", "Spanish::Verbs", "Spanish Extra", "French", "French::Spanish"):
        add(session, make_deck(session, name), name)
    assert found(session, "deck:spanish") == {"Spanish", "Spanish::Verbs"}
    assert found(session, "deck:SPANISH::verbs") == {"Spanish::Verbs"}
    assert found(session, 'deck:"spanish extra"') == {"Spanish Extra"}
    assert found(session, "deck:span*") == {"Spanish", "Spanish::Verbs", "Spanish Extra"}
    assert found(session, "deck:*spanish") == {"Spanish", "Spanish::Verbs", "French::Spanish"}
    assert found(session, "deck:*verbs") == {"Spanish::Verbs"}
    assert found(session, "deck:spani") == set()
    assert found(session, "deck:nope") == set()
    assert len(found(session, "-deck:nope")) == 5
    assert found(session, "-deck:spanish") == {"Spanish Extra", "French", "French::Spanish"}


def test_deck_word_finds_the_decks_with_that_word_when_no_deck_has_the_name(session) -> None:
    """deck:terminology finds "TPM terminology"; a deck named by the word still wins, a
    quoted name is exact, and another user's decks are never looked at."""
    ada = users.create_user(session, "ada", "correct horse battery", START).user.id
    bob = users.create_user(session, "bob", "correct horse battery", START).user.id
    session.commit()
    for name in ("Other terminology", "Terminology stuff"):
        make_deck(session, name, cards=1, user_id=bob)
    for name in ("TPM terminology", "TPM terminology::Acronyms", "Process",
                 "Interview process"):
        add(session, make_deck(session, name, user_id=ada), name)
    users.for_user(session, ada)
    assert found(session, "deck:terminology") == {"TPM terminology",
                                                  "TPM terminology::Acronyms"}
    assert found(session, "deck:acronyms") == {"TPM terminology::Acronyms"}
    assert found(session, "-deck:terminology") == {"Process", "Interview process"}
    assert found(session, "deck:process") == {"Process"}
    assert found(session, 'deck:"terminology"') == set()
    assert found(session, 'deck:"tpm TERMINOLOGY"') == {"TPM terminology",
                                                       "TPM terminology::Acronyms"}
    assert found(session, "deck:stuff") == set()  # bob's deck
    assert browse.deck_suggestion(session, "deck:interview Process") == (
        'deck:"interview Process"')
    assert browse.deck_suggestion(session, "deck:Other terminology") is None  # bob's


def test_tag_matches_whole_tags_and_children(session) -> None:
    deck = make_deck(session, "D")
    for tags in ("a", "ab", "a::b", "B::a", "x A", "a_b", "aXb", ""):
        add(session, deck, f"tags={tags}", tags=tags)
    assert found(session, "tag:a") == {"tags=a", "tags=a::b", "tags=x A"}
    assert found(session, "tag:A") == {"tags=a", "tags=a::b", "tags=x A"}
    assert found(session, "tag:a::b") == {"tags=a::b"}
    assert found(session, "tag:b") == {"tags=B::a"}
    assert found(session, "tag:x") == {"tags=x A"}
    assert found(session, "tag:a_b") == {"tags=a_b"}
    assert found(session, "tag:a*") == {"tags=a", "tags=ab", "tags=a::b", "tags=x A",
                                        "tags=a_b", "tags=aXb"}
    assert found(session, "tag:*a") == {"tags=a", "tags=a::b", "tags=B::a", "tags=x A"}
    assert found(session, "tag:*b") == {"tags=ab", "tags=a::b", "tags=B::a", "tags=a_b",
                                        "tags=aXb"}
    assert found(session, "-tag:a*") == {"tags=B::a", "tags="}
    # A star is part of one tag: an untagged card has none to match.
    assert found(session, "tag:*") == found(session, "") - {"tags="}
    assert found(session, "-tag:*") == {"tags="}


def test_tag_wildcard_stays_within_one_tag(session) -> None:
    """tag:a*b is a tag starting with a and ending with b, not tag "a..." next to "...b";
    a tag name never holds a space, so a quoted one with a space matches nothing."""
    deck = make_deck(session, "D")
    add(session, deck, "two tags", tags="apple verb")
    add(session, deck, "one tag", tags="adverb")
    add(session, deck, "child", tags="x Apple::Verb")
    add(session, deck, "literal star", tags="a*b")
    # As for decks, a star may span "::" inside one tag.
    assert found(session, "tag:a*b") == {"one tag", "child", "literal star"}
    assert found(session, "-tag:a*b") == {"two tags"}
    assert found(session, "tag:app*") == {"two tags", "child"}
    assert found(session, "tag:*le::v*") == {"child"}
    assert found(session, r"tag:a\*b") == {"literal star"}
    assert found(session, r"tag:a\*b*") == {"literal star"}
    assert found(session, '"tag:apple verb"') == set()
    assert found(session, 'tag:"apple verb"') == set()
    assert found(session, 'tag:"apple *"') == set()
    assert found(session, "-tag:*e*b") == {"literal star"}


ORACLE_TAGS = ("a", "ab", "a::b", "B::a", "x A", "a_b", "aXb", "", "apple verb", "adverb",
               "x Apple::Verb", "a*b", "abcab", "bab a::x::b", "100% a%b", "über Über::a")
ORACLE_PATTERNS = ("*", "a*", "*a", "a*b", "*b*", "a*b*", "*a*b", "b*a*b", "A*B", "a*::*",
                   "*::b", "ap*v*b", "x*", "*x", "*%*", "1*%", "a%*", "a_*", "*_b", "ab*ab",
                   "c*", "*z*", "a*a*a*a", "über*", "*ber", "ü*r")


def test_wildcard_tags_match_as_the_pure_matcher_does(session) -> None:
    """Whatever SQL a wildcard tag search becomes (LIKE alone, LIKE then the matcher, a
    regular expression), it finds what core.search.tags_match says, case aside beyond
    ASCII."""
    deck = make_deck(session, "D")
    for tags in ORACLE_TAGS:
        add(session, deck, f"tags={tags}", tags=tags)
    for pattern in ORACLE_PATTERNS:
        expected = {f"tags={tags}" for tags in ORACLE_TAGS
                    if tags_match(name_pattern(pattern, True), tags)}
        assert found(session, f"tag:{pattern}") == expected, pattern
        assert found(session, f"-tag:{pattern}") == {
            f"tags={tags}" for tags in ORACLE_TAGS} - expected, pattern
    # A long run of stars is one star: the search an attacker sent answers, and fast.
    assert found(session, "tag:" + "*" * 996) == found(session, "tag:*")
    assert found(session, "tag:a" + "*" * 985) == found(session, "tag:a*")


def make_states(session: Session) -> None:
    """One card in each situation the is: searches tell apart (START: Monday 14:00 UTC;
    the study day ends Tuesday 04:00 UTC)."""
    deck = make_deck(session, "D")
    review = {"state": int(CardState.REVIEW), "stability": 10.0, "difficulty": 5.0,
              "last_review": START - timedelta(days=10), "reps": 3}
    add(session, deck, "new")
    learning = add(session, deck, "learning")
    study.grade(session, learning, 1, Rating.AGAIN, START, rng=random.Random(1))
    session.commit()
    add(session, deck, "review later", **review, due=START + timedelta(days=5))
    add(session, deck, "review overdue", **review, due=START - timedelta(days=1))
    add(session, deck, "review tonight", **review, due=START + timedelta(hours=13))
    add(session, deck, "review tomorrow", **review, due=START + timedelta(hours=14))
    add(session, deck, "relearning", **{**review, "state": int(CardState.RELEARNING)},
        due=START + timedelta(minutes=10), step=0, lapses=1)
    suspended = add(session, deck, "suspended", **review, due=START - timedelta(days=1))
    new_suspended = add(session, deck, "new suspended")
    bulk.apply(session, bulk.BulkAction.SUSPEND, [suspended, new_suspended], START)
    session.commit()
    add(session, deck, "buried", **review, due=START - timedelta(days=1),
        buried_until=day_end(session))
    add(session, deck, "was buried", **review, due=START - timedelta(days=1),
        buried_until=START - timedelta(hours=1))
    add(session, deck, "leech", **review, due=START + timedelta(days=5), tags="leech",
        lapses=8)
    add(session, deck, "old leech", tags="x leech::2025")
    add(session, deck, "not a leech", tags="leeches")


def test_is_searches_find_each_card_state(session) -> None:
    make_states(session)
    assert found(session, "is:new") == {"new", "new suspended", "old leech", "not a leech"}
    assert found(session, "is:learn") == {"learning", "relearning"}
    assert found(session, "is:review") == {
        "review later", "review overdue", "review tonight", "review tomorrow",
        "relearning", "suspended", "buried", "was buried", "leech"}
    assert found(session, "is:suspended") == {"suspended", "new suspended"}
    assert found(session, "is:buried") == {"buried"}
    assert found(session, "is:leech") == {"leech", "old leech"}
    assert found(session, "IS:NEW") == found(session, "is:new")


def test_is_due_means_due_before_the_study_day_ends_and_not_hidden(session) -> None:
    """is:due is what the review queue holds today: learning and review cards due before
    the study day ends, without the suspended and the (still) buried ones."""
    make_states(session)
    assert found(session, "is:due") == {
        "learning", "review overdue", "review tonight", "relearning", "was buried"}


def test_buried_is_relative_to_now(session) -> None:
    """A card buried until the study day ends is no longer buried after it."""
    make_states(session)
    later = day_end(session) + timedelta(minutes=1)
    result = browse.search(session, "is:buried", later, day_end(session))
    assert result.total == 0
    row, = browse.search(session, "buried -was", later, day_end(session)).rows
    assert row.front == "buried" and row.buried is False
    row, = browse.search(session, "buried -was", START, day_end(session)).rows
    assert row.front == "buried" and row.buried is True


def test_negated_tag_includes_cards_without_tags(session) -> None:
    deck = make_deck(session, "D")
    add(session, deck, "tagged x", tags="x")
    add(session, deck, "tagged x child", tags="x::y")
    add(session, deck, "tagged y", tags="y")
    add(session, deck, "no tags")
    assert found(session, "-tag:x") == {"tagged y", "no tags"}
    assert found(session, "-is:leech") == {"tagged x", "tagged x child", "tagged y", "no tags"}


def test_negated_text_includes_cards_without_answers(session) -> None:
    """A basic card has no weak or strong answer (NULL): -foo must still list it."""
    deck = make_deck(session, "D")
    add(session, deck, "basic one", "back")
    add(session, deck, "pair with foo", "why", kind="answer_pair", weak_answer="foo",
        strong_answer="bar")
    add(session, deck, "pair without", "why", kind="answer_pair", weak_answer="baz",
        strong_answer="qux")
    assert found(session, "-foo") == {"basic one", "pair without"}
    assert found(session, "-bar") == {"basic one", "pair without"}
    assert found(session, "-back") == {"pair with foo", "pair without"}


def test_or_and_parentheses(session) -> None:
    a, b = make_deck(session, "A"), make_deck(session, "B")
    add(session, a, "a1", tags="x")
    add(session, a, "a2", tags="y")
    add(session, a, "a3", tags="z")
    add(session, b, "b1", tags="x")
    add(session, b, "b2", tags="z")
    assert found(session, "tag:x or tag:y") == {"a1", "a2", "b1"}
    assert found(session, "tag:x OR tag:y") == {"a1", "a2", "b1"}
    assert found(session, "deck:a (tag:x or tag:y)") == {"a1", "a2"}
    # AND binds tighter than or.
    assert found(session, "deck:a tag:x or tag:z") == {"a1", "a3", "b2"}
    assert found(session, "-(tag:x or tag:y)") == {"a3", "b2"}
    assert found(session, "deck:b -(tag:x or deck:a)") == {"b2"}
    assert found(session, "(deck:a or deck:b) (b* or a3)") == {"b1", "b2", "a3"}


def make_sortable(session: Session) -> list[int]:
    deck = make_deck(session, "D")
    return [
        add(session, deck, "c1", state=2, due=START + timedelta(days=2), lapses=1,
            difficulty=5.0, stability=3.0),
        add(session, deck, "c2"),
        add(session, deck, "c3", state=2, due=START - timedelta(days=1), lapses=3,
            difficulty=2.5, stability=3.0),
        add(session, deck, "c4", state=2, due=START + timedelta(days=1), lapses=0,
            difficulty=7.0, stability=3.0),
        add(session, deck, "c5"),
    ]


@pytest.mark.parametrize(("sort", "descending", "order"), [
    ("created", False, ["c1", "c2", "c3", "c4", "c5"]),
    ("created", True, ["c5", "c4", "c3", "c2", "c1"]),
    ("due", False, ["c3", "c4", "c1", "c2", "c5"]),
    ("due", True, ["c1", "c4", "c3", "c2", "c5"]),
    ("lapses", False, ["c2", "c4", "c5", "c1", "c3"]),
    ("lapses", True, ["c3", "c1", "c2", "c4", "c5"]),
    ("difficulty", False, ["c3", "c1", "c4", "c2", "c5"]),
    ("difficulty", True, ["c4", "c1", "c3", "c2", "c5"]),
])
def test_sorts_put_cards_without_a_value_last_both_ways(
        session, sort: str, descending: bool, order: list[str]) -> None:
    """Ties (and cards without a due date or difficulty) keep creation order."""
    make_sortable(session)
    result = browse.search(session, "", START, day_end(session), sort=sort,
                           descending=descending)
    assert [row.front for row in result.rows] == order
    assert (result.sort, result.descending) == (sort, descending)


def test_unknown_sort_falls_back_to_created(session) -> None:
    make_sortable(session)
    result = browse.search(session, "", START, day_end(session), sort="front; drop",
                           descending=True)
    assert result.sort == "created" and result.descending is True
    assert [row.front for row in result.rows] == ["c5", "c4", "c3", "c2", "c1"]


@pytest.mark.parametrize(("page", "shown", "fronts"), [
    (1, 1, ["c3", "c4"]),
    (2, 2, ["c1", "c2"]),
    (3, 3, ["c5"]),
    (0, 1, ["c3", "c4"]),
    (-5, 1, ["c3", "c4"]),
    (4, 3, ["c5"]),
    (10**9, 3, ["c5"]),
])
def test_paging_clamps_the_page_into_range(session, page: int, shown: int,
                                           fronts: list[str]) -> None:
    make_sortable(session)
    result = browse.search(session, "", START, day_end(session), sort="due", page=page,
                           per_page=2)
    assert (result.total, result.pages, result.page) == (5, 3, shown)
    assert [row.front for row in result.rows] == fronts


def test_paging_totals_for_a_search(session) -> None:
    make_deck(session, "A", cards=7)
    make_deck(session, "B", cards=3)
    result = browse.search(session, "deck:a", START, day_end(session), per_page=3)
    assert (result.total, result.pages, result.page, len(result.rows)) == (7, 3, 1, 3)
    exact = browse.search(session, "deck:a", START, day_end(session), per_page=7)
    assert (exact.total, exact.pages) == (7, 1)
    last = browse.search(session, "deck:a", START, day_end(session), page=3, per_page=3)
    assert [row.front for row in last.rows] == ["A front 6"]
    assert browse.search(session, "", START, day_end(session)).pages == 1
    assert browse.PER_PAGE == 50


def test_no_match_is_one_empty_page(session) -> None:
    make_deck(session, "A", cards=3)
    result = browse.search(session, "nothing-like-this", START, day_end(session), page=4)
    assert (result.rows, result.total, result.page, result.pages) == ([], 0, 1, 1)


def test_rows_carry_what_the_browser_shows(session) -> None:
    deck = make_deck(session, "Spanish::Verbs")
    card_id = add(session, deck, "<b>hablar</b>", "to speak", is_html=True, tags="verbs ar",
                  state=int(CardState.REVIEW), due=START + timedelta(days=3), lapses=2,
                  difficulty=6.5, stability=4.0, buried_until=START + timedelta(hours=1))
    row, = browse.search(session, "hablar", START, day_end(session)).rows
    assert row == browse.BrowseRow(
        id=card_id, kind="basic", front="<b>hablar</b>", back="to speak", is_html=True,
        deck="Spanish::Verbs", tags="verbs ar", state=CardState.REVIEW,
        due=START + timedelta(days=3), lapses=2, difficulty=6.5, suspended=False,
        buried=True, created_at=START)


def test_matching_ids_lists_every_match_in_id_order(session) -> None:
    """A bulk action on "all matching" gets every card, not one page."""
    make_deck(session, "A", cards=60)
    make_deck(session, "B", cards=2)
    ids_a = list(session.execute(select(Card.id).join(Deck).where(Deck.name == "A")
                                 .order_by(Card.id)).scalars())
    assert browse.matching_ids(session, "deck:a", START, day_end(session)) == ids_a
    assert len(browse.matching_ids(session, "", START, day_end(session))) == 62
    assert browse.matching_ids(session, "deck:c", START, day_end(session)) == []
    with pytest.raises(SearchError):
        browse.matching_ids(session, "deck:", START, day_end(session))


@pytest.mark.parametrize("query", ["deck:", "(a", "a)", "foo:bar", "is:bogus", '"open',
                                   "a or", "- a", "x" * 1001])
def test_bad_query_raises_search_error(session, query: str) -> None:
    make_deck(session, "A", cards=1)
    with pytest.raises(SearchError):
        browse.search(session, query, START, day_end(session))
    with pytest.raises(SearchError):
        browse.condition(session, query, START, day_end(session))


def make_variety(session: Session) -> None:
    """A small collection with every kind of value the searches look at."""
    a, ab, b = (make_deck(session, name) for name in ("A", "A::b", "B_%"))
    review = {"state": int(CardState.REVIEW), "stability": 10.0, "difficulty": 5.0,
              "last_review": START - timedelta(days=10)}
    add(session, a, "plain", "text")
    add(session, a, "100% sure", r"back\slash", tags="a a::b leech")
    add(session, ab, "pair", "why", kind="answer_pair", weak_answer="weak_1",
        strong_answer='strong "quoted"', tags="x_y", **review, due=START)
    add(session, b, "(paren) or - star*", "", tags="B", suspended=True, **review,
        due=START - timedelta(days=1))
    add(session, b, "ÉCOLE école", "naïve", buried_until=START + timedelta(hours=1),
        **review, due=START + timedelta(days=3))


PIECES = st.sampled_from([
    "deck:", "tag:", "is:", "is:new", "is:due", "is:leech", "is:buried", "is:bogus", '"', '"',
    "(", ")", "-", " or ", "OR", "*", "%", "_", "\\", " ", "::", "deck:A", "tag:a", "foo:",
    "a", "b", "é",
])
QUERIES = st.lists(st.one_of(st.text(max_size=6), PIECES), max_size=14).map("".join)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES)
def test_any_text_gives_a_result_or_a_search_error(session, query: str) -> None:
    """Whatever is typed, the browser answers or says what is wrong; the compiled SQL
    is valid for every query that parses."""
    if session.execute(select(Card.id)).first() is None:
        make_variety(session)
    end = day_end(session)
    try:
        result = browse.search(session, query, START, end, per_page=2)
    except SearchError:
        with pytest.raises(SearchError):
            browse.matching_ids(session, query, START, end)
        return
    ids = browse.matching_ids(session, query, START, end)
    assert result.total == len(ids)
    assert len(result.rows) == min(result.total, 2)
    assert {row.id for row in result.rows} <= set(ids)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES)
def test_a_search_and_its_negation_split_the_collection(session, query: str) -> None:
    """-(q) finds exactly the cards q does not: no card is lost to a NULL."""
    if session.execute(select(Card.id)).first() is None:
        make_variety(session)
    end = day_end(session)
    try:
        node = parse_query(query)
        negated_node = parse_query(f"-({query})")
    except SearchError:
        return
    assert negated_node == (node.node if isinstance(node, Not) else Not(node))
    matched = browse.matching_ids(session, query, START, end)
    negated = browse.matching_ids(session, f"-({query})", START, end)
    every = browse.matching_ids(session, "", START, end)
    assert sorted(matched + negated) == every
