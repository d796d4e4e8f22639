"""The card browser over HTTP: search, errors, bulk actions and their undo."""

import re
import time

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from flashcards.models import Card, CardAction, Deck
from flashcards.services import browse as browse_service
from flashcards.web import browse as browse_page
from flashcards.web.gate import GATE, SearchGate, search_gate
from tests.conftest import count_rows, csrf_token, make_deck


def test_search_lists_matching_cards_with_count(client, session) -> None:
    make_deck(session, "Alpha", cards=3)
    make_deck(session, "Beta", cards=2)
    page = client.get("/cards?q=deck:beta").get_data(as_text=True)
    assert "<strong>2 cards</strong> match" in page
    assert "Beta front 0" in page and "Alpha front 0" not in page
    everything = client.get("/cards").get_data(as_text=True)
    assert "<strong>5 cards</strong> match" in everything


def test_bad_search_says_what_is_wrong_not_500(client, session) -> None:
    make_deck(session, "Alpha", cards=1)
    for query, message in [("is:wrong", "is:wrong"), ('"open', "never closed"),
                           ("foo:bar", "Unknown search field"), ("(a", "")]:
        response = client.get("/cards", query_string={"q": query})
        assert response.status_code == 200, query
        text = response.get_data(as_text=True)
        assert 'id="search-error"' in text and message in text, query


def test_sorting_and_paging_links(client, session) -> None:
    make_deck(session, "Big", cards=120)
    page = client.get("/cards?sort=created&order=desc").get_data(as_text=True)
    assert page.index("Big front 119") < page.index("Big front 118")
    assert "Page 1 of 3" in page and 'rel="next"' in page
    last = client.get("/cards?page=99").get_data(as_text=True)  # clamped to the last page
    assert "Page 3 of 3" in last and "Big front 119" in last


def _match_count(page: str) -> int:
    found = re.search(r"<strong>(\d+|No) cards?</strong> match", page)
    assert found, page[:2000]
    return 0 if found.group(1) == "No" else int(found.group(1))


def test_wildcard_searches_answer_fast(client, session) -> None:
    """Stars in every kind of term take linear time: a tag search with many stars over a
    long tag used to stall SQLite for seconds (a backtracking regular expression)."""
    deck = make_deck(session, "a" * 199 + "c")
    long_tag = "a" * 100 + "c"
    session.add_all([
        Card(user_id=1, deck_id=deck.id, guid="long-deck", front="in a long deck", back="",
             tags="", source="", position=1, created_at=deck.created_at),
        Card(user_id=1, deck_id=deck.id, guid="long-tag", front="long tag", back="",
             tags=f"x {long_tag} y", source="", position=2, created_at=deck.created_at),
        Card(user_id=1, deck_id=deck.id, guid="long-text", front="a" * 20_000 + "c",
             back="a" * 20_000, tags="a" * 99 + "b", source="", position=3,
             created_at=deck.created_at)])
    session.commit()
    searches = [
        ("tag:*a*a*a*a*a*b", 1),  # about 10 s through Python's re before
        ("tag:" + "*a" * 19 + "*b", 1),  # as many stars as a search may have
        ("tag:" + "*a" * 19 + "*c", 1),
        ("tag:x*a*c", 0),  # a star never spans the space between two tags
        ("*a" * 19 + "*q", 0),  # free text: LIKE over 20,000-character fields
        ("*a" * 19 + "*c", 1),
        ("deck:" + "*a" * 19 + "*b", 0),
        ("deck:" + "*a" * 19 + "*c", 3),
        ("tag:" + "**a" * 19 + "***b", 1),  # runs of stars count once
    ]
    for query, expected in searches:
        started = time.perf_counter()
        response = client.get("/cards", query_string={"q": query})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, query
        assert _match_count(response.get_data(as_text=True)) == expected, query
        assert elapsed < 1.0, (query, elapsed)
    assert session.get(Deck, deck.id) is not None
    # More stars than that: the page says the limit, and searches nothing.
    page = client.get("/cards", query_string={"q": "tag:" + "*a" * 200 + "*b"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "The search has 201 wildcards (*); the limit is 20." in text
    assert 'id="match-count"' not in text


@pytest.mark.parametrize(("page", "shown"), [
    ("9223372036854775808", 3), ("9223372036854775807", 3), ("99999999999999999999999", 3),
    ("1" + "0" * 4000, 3), ("1" + "0" * 5000, 3), ("-9223372036854775809", 1), ("0", 1),
    ("-1", 1), ("2", 2), ("", 1)])
def test_any_page_number_gives_a_page(client, session, page: str, shown: int) -> None:
    """A huge page number is the last page, not a 500 (it overflowed the OFFSET); one
    that is no number is a 400 (tests/web/test_numbers.py)."""
    make_deck(session, "Big", cards=120)
    response = client.get("/cards", query_string={"page": page, "q": "deck:big"})
    assert response.status_code == 200
    assert f"Page {shown} of 3" in response.get_data(as_text=True)


def _bulk(client, token, **data):
    return client.post("/cards/bulk", data={"csrf_token": token, **data})


def test_bulk_suspend_selected_then_undo(client, session) -> None:
    make_deck(session, "Alpha", cards=4)
    ids = [str(i) for i in session.execute(select(Card.id).order_by(Card.id)).scalars()][:2]
    token = csrf_token(client, "/cards")
    response = _bulk(client, token, action="suspend", scope="selected", ids=ids, q="")
    assert response.status_code == 302
    action_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Suspended 2 cards." in action_page and 'id="undo-bulk"' in action_page
    assert count_suspended(session) == 2
    action_id = session.execute(select(CardAction.id)).scalar_one()
    undone = client.post(f"/cards/actions/{action_id}/undo", data={"csrf_token": token},
                         follow_redirects=True)
    assert "Undone: 2 cards restored." in undone.get_data(as_text=True)
    assert count_suspended(session) == 0
    again = client.post(f"/cards/actions/{action_id}/undo", data={"csrf_token": token},
                        follow_redirects=True)
    assert "already been undone" in again.get_data(as_text=True)


def count_suspended(session) -> int:
    session.rollback()
    session.expire_all()
    return session.execute(select(func.count()).select_from(Card)
                           .where(Card.suspended == True)).scalar_one()  # noqa: E712


def test_bulk_on_all_matching_cards_and_tag_errors(client, session) -> None:
    make_deck(session, "Alpha", cards=3)
    make_deck(session, "Beta", cards=2)
    token = csrf_token(client, "/cards")
    response = _bulk(client, token, action="add_tag", scope="all", q="deck:alpha", tag="week1")
    assert response.status_code == 302
    session.expire_all()
    tags = dict(session.execute(select(Card.front, Card.tags)).all())
    assert [f for f, t in tags.items() if t == "week1"] == [f"Alpha front {i}" for i in range(3)]
    bad = _bulk(client, token, action="add_tag", scope="all", q="deck:alpha", tag="two words")
    assert bad.status_code == 302
    followed = client.get(bad.headers["Location"]).get_data(as_text=True)
    assert "A tag is one word" in followed
    nothing = _bulk(client, token, action="suspend", scope="selected", q="")
    assert "Select at least one card." in client.get(nothing.headers["Location"]).get_data(
        as_text=True)
    assert count_rows(session, CardAction) == 1


def test_bulk_move_to_another_deck(client, session) -> None:
    make_deck(session, "Alpha", cards=2)
    beta = make_deck(session, "Beta")
    token = csrf_token(client, "/cards")
    response = _bulk(client, token, action="move", scope="all", q="", deck=str(beta.id))
    assert "Moved 2 cards to “Beta”." in client.get(response.headers["Location"]).get_data(
        as_text=True)
    session.expire_all()
    assert set(session.execute(select(Card.deck_id)).scalars()) == {beta.id}


def test_bulk_delete_asks_first(client, session) -> None:
    make_deck(session, "Alpha", cards=3)
    token = csrf_token(client, "/cards")
    ask = _bulk(client, token, action="delete", scope="all", q="")
    text = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "Delete 3 cards?" in text
    assert count_rows(session, Card) == 3
    confirm = _bulk(client, token, action="delete", scope="all", q="", confirm="yes")
    assert "Deleted 3 cards." in client.get(confirm.headers["Location"]).get_data(as_text=True)
    session.rollback()
    assert count_rows(session, Card) == 0
    action_id = session.execute(select(CardAction.id)).scalar_one()
    client.post(f"/cards/actions/{action_id}/undo", data={"csrf_token": token})
    session.rollback()
    assert count_rows(session, Card) == 3


def test_bulk_needs_csrf_and_valid_ids(client, session) -> None:
    make_deck(session, "Alpha", cards=1)
    response = client.post("/cards/bulk", data={"action": "suspend", "ids": "1"})
    assert response.status_code == 400 and count_suspended(session) == 0
    token = csrf_token(client, "/cards")
    bad_ids = _bulk(client, token, action="suspend", scope="selected", ids=["x"])
    assert bad_ids.status_code == 400
    assert "A selected card&#39;s id must be a whole number, not “x”." in bad_ids.get_data(
        as_text=True)


def test_the_example_search_finds_bundled_cards_and_deck_words_get_a_quote_hint(
        seeded_app, session) -> None:
    client = seeded_app.test_client()
    page = client.get("/cards").get_data(as_text=True)
    example = re.search(r'placeholder="e\.g\. ([^"]+)"', page).group(1)
    found = client.get("/cards", query_string={"q": example}).get_data(as_text=True)
    assert "deck:terminology" in example
    count = int(re.search(r"<strong>(\d+) cards?</strong> match", found).group(1))
    assert count > 0 and 'id="search-suggestion"' not in found
    # deck:terminology is the "TPM terminology" deck, as its exact name finds it.
    exact = client.get("/cards", query_string={
        "q": example.replace("deck:terminology", 'deck:"TPM terminology"')})
    assert f"<strong>{count} cards</strong> match" in exact.get_data(as_text=True)
    # Two words after deck: that spell a deck: the page offers the quoted search.
    split = client.get("/cards", query_string={"q": "deck:Interview process"})
    text = split.get_data(as_text=True)
    assert 'id="search-suggestion"' in text
    assert ('Did you mean <a href="/cards?q=deck:%22Interview+process%22&amp;sort=created'
            '&amp;order=asc"><code>deck:&#34;Interview process&#34;</code></a>?') in text
    quoted = client.get("/cards", query_string={"q": 'deck:"Interview process"'})
    text = quoted.get_data(as_text=True)
    assert 'id="search-suggestion"' not in text
    assert int(re.search(r"<strong>(\d+) cards</strong> match", text).group(1)) > 10


# -- bounded searches (issue 24) ---------------------------------------------------------

SLOW_SQL = {
    "sqlite": ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
               "WHERE i < 30000000) SELECT count(*) FROM n"),
    "postgresql": "SELECT pg_sleep(3)",
}


def test_bulk_on_all_cards_a_starry_search_matches(client, session) -> None:
    """`tag:leech` and 985 stars answered 500 on PostgreSQL (a regular expression too
    complex); it is `tag:leech*`, and a search over the caps changes nothing."""
    deck = make_deck(session, "Alpha", cards=3)
    session.execute(Card.__table__.update().where(Card.front == "Alpha front 1")
                    .values(tags="leech"))
    session.commit()
    token = csrf_token(client, "/cards")
    response = _bulk(client, token, action="suspend", scope="all",
                     q="tag:leech" + "*" * 985)
    assert response.status_code == 302 and "/cards/actions/" in response.headers["Location"]
    assert count_suspended(session) == 1
    refused = _bulk(client, token, action="suspend", scope="all", q="a " * 499)
    assert "The search has 499 terms; the limit is 20." in client.get(
        refused.headers["Location"]).get_data(as_text=True)
    assert count_suspended(session) == 1 and count_rows(session, CardAction) == 1
    assert session.get(Deck, deck.id) is not None


def _slow(databases):
    def run(session, *_args, **_kwargs):
        session.execute(text(SLOW_SQL[databases.kind])).scalar_one()
        raise AssertionError("the slow statement was not cut off")
    return run


def test_a_search_over_the_statement_limit_is_stopped_and_says_so(
        app, client, session, databases, monkeypatch) -> None:
    make_deck(session, "Alpha", cards=2)
    app.config["STATEMENT_TIMEOUT"] = 0.2
    monkeypatch.setattr(browse_service, "search", _slow(databases))
    started = time.perf_counter()
    response = client.get("/cards", query_string={"q": "alpha"})
    assert time.perf_counter() - started < 2.0
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "This search took longer than 0.2 s and was stopped" in page
    assert 'id="search-error"' in page and 'value="alpha"' in page
    monkeypatch.undo()
    assert "<strong>2 cards</strong> match" in client.get("/cards").get_data(as_text=True)


def test_a_bulk_action_over_the_statement_limit_changes_nothing(
        app, client, session, databases, monkeypatch) -> None:
    make_deck(session, "Alpha", cards=2)
    token = csrf_token(client, "/cards")
    app.config["STATEMENT_TIMEOUT"] = 0.2
    monkeypatch.setattr(browse_service, "matching_ids", _slow(databases))
    response = _bulk(client, token, action="suspend", scope="all", q="")
    assert response.status_code == 302
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "took longer than 0.2 s and was stopped" in followed
    assert "Nothing was changed." in followed
    assert count_suspended(session) == 0 and count_rows(session, CardAction) == 0


def test_any_page_over_the_statement_limit_gets_a_page_that_says_so(
        app, client, session, databases, monkeypatch) -> None:
    make_deck(session, "Alpha", cards=2)
    app.config["STATEMENT_TIMEOUT"] = 0.2
    monkeypatch.setattr(browse_page, "deck_names", _slow(databases))
    response = client.get("/cards")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Took too long" in page and "longer than 0.2 s and was stopped" in page
    monkeypatch.undo()
    assert client.get("/cards").status_code == 200


def test_one_search_at_a_time_per_user(app, client, session) -> None:
    """A user's second search while the first runs is refused at once (429), so that
    eight of them cannot take every thread; another user's is not."""
    make_deck(session, "Alpha", cards=2)
    gate = search_gate_of(app)
    with gate.admit(1) as refusal:
        assert refusal is None
        response = client.get("/cards", query_string={"q": "alpha"})
        assert response.status_code == 429
        assert "Your previous search is still running" in response.get_data(as_text=True)
        with gate.admit(2) as other:
            assert other is None  # another user's search runs
    assert client.get("/cards", query_string={"q": "alpha"}).status_code == 200


def search_gate_of(app: Flask) -> SearchGate:
    with app.test_request_context():
        gate = search_gate()
    assert app.extensions[GATE] is gate
    return gate
