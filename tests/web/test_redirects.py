"""Redirect targets taken from a request: only paths on this site, through login, card
edit and the plan's task forms; anything else falls back to the view's own page."""

import pytest
from sqlalchemy import select
from werkzeug.urls import iri_to_uri

from flashcards.models import PlanTask
from flashcards.services import users
from flashcards.web.redirects import MAX_TARGET_LENGTH, is_local_path, safe_next
from tests.conftest import START, csrf_token, make_deck

PASSWORD = "correct horse battery"

# Each of these must never be followed. Browsers drop tab, CR and LF inside a URL and
# read a backslash as a slash, so several of them are "//evil.example" in disguise.
EVIL = [
    "//evil.example/x", "///evil.example/x", "/\t/evil.example/x", "/\n/evil.example/x",
    "/\r/evil.example/x", "/\r\n/evil.example/x", "\t//evil.example/x", "/\x0b/evil.example",
    "/\x0c/evil.example", "/\x1f/evil.example", "/\x7f/evil.example", "/\x85/evil.example",
    "/\u3000/evil.example", "/\u2028/evil.example", "/ /evil.example", " /cards",
    "/cards\r\nSet-Cookie: session=stolen", "/cards\nLocation: //evil.example",
    "\\\\evil.example/x", "/\\evil.example/x", "\\/evil.example/x", "/\\/evil.example/x",
    "https://evil.example/", "http:/evil.example/", "http:evil.example", "//@evil.example",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>x</script>",
    "evil.example", "cards", "./cards", "../cards", "?next=x", "#x",
    "/%2F/evil.example", "/%2f%2fevil.example", "/%5Cevil.example", "/%5c/evil.example",
    "/%09/evil.example", "/%0d%0a/evil.example", "/x%00y",
    "/" + "a" * MAX_TARGET_LENGTH, "",
]
GOOD = ["/", "/cards", "/cards?q=x", "/cards?q=deck%3A%22A%22", "/review/study?deck=1",
        "/plan", "/cards?q=a%2Fb", "/cards?q=%5C", "/cards?q=caf%C3%A9", "/cards?q=café"]


@pytest.mark.parametrize("target", EVIL)
def test_evil_targets_fall_back(target: str) -> None:
    assert not is_local_path(target)
    assert safe_next(target, "/fallback") == "/fallback"


@pytest.mark.parametrize("target", GOOD)
def test_paths_on_this_site_are_followed(target: str) -> None:
    assert is_local_path(target)
    assert safe_next(target, "/fallback") == target


def location(target: str, fallback: str) -> str:
    """The Location header a redirect to `target` (or else `fallback`) carries."""
    return iri_to_uri(target) if target in GOOD else fallback


def test_nothing_is_followed() -> None:
    assert safe_next(None, "/fallback") == "/fallback"


def test_login_goes_only_to_a_path_on_this_site(client, session) -> None:
    users.create_user(session, "ada", PASSWORD, START)
    session.commit()
    for target in [*EVIL, *GOOD]:
        # As the login page carries it over from ?next= ...
        page = client.get("/login", query_string={"next": target})
        assert page.status_code == 200, repr(target)
        token = csrf_token(client, "/login")
        response = client.post("/login", data={"csrf_token": token, "name": "ada",
                                               "password": PASSWORD, "next": target})
        assert response.status_code == 302, repr(target)
        assert response.headers["Location"] == location(target, "/"), repr(target)


def test_login_link_from_a_page_comes_back_to_it(client, session) -> None:
    users.create_user(session, "ada", PASSWORD, START)
    session.commit()
    sent = client.get("/login?next=%2F%09%2Fevil.example%2Fx")
    assert sent.status_code == 200
    token = csrf_token(client, "/login")
    # The hidden field holds what ?next= said; the check is on the way out.
    response = client.post("/login", data={"csrf_token": token, "name": "ada",
                                           "password": PASSWORD, "next": "/\t/evil.example/x"})
    assert response.headers["Location"] == "/"


def test_card_edit_goes_only_to_a_path_on_this_site(client, session) -> None:
    make_deck(session, "D", cards=1)
    token = csrf_token(client)
    own_page = "/cards/1"
    for target in [*EVIL, *GOOD]:
        if "\x00" in target:
            continue  # refused with 400 before any view (see test_nul_in_next_is_a_400)
        page = client.get("/cards/1/edit", query_string={"next": target})
        assert page.status_code == 200, repr(target)
        cancel = own_page if target in EVIL else target
        assert f'class="button" href="{cancel}"' in page.get_data(as_text=True).replace(
            "&amp;", "&").replace("&#34;", '"').replace("&#39;", "'"), repr(target)
        response = client.post("/cards/1/edit", data={
            "csrf_token": token, "front": "F", "back": "B", "deck": "1", "next": target})
        assert response.status_code == 302, repr(target)
        assert response.headers["Location"] == location(target, own_page), repr(target)


def test_plan_task_forms_go_only_to_a_path_on_this_site(seeded_app, session) -> None:
    client = seeded_app.test_client()
    client.get("/plan")
    token = csrf_token(client, "/plan")
    session.rollback()
    task_id = session.execute(select(PlanTask.id).order_by(PlanTask.id)).scalars().first()
    day = START.date().isoformat()
    forms = {
        f"/plan/tasks/{task_id}/done": {"done": "y"},
        f"/plan/tasks/{task_id}/move": {"day": day},
        f"/plan/tasks/{task_id}/edit": {"title": "Renamed", "minutes": "20"},
        "/plan/tasks": {"title": "New", "minutes": "20", "day": day, "kind": "research"},
    }
    for target in [*EVIL, *GOOD]:
        if "\x00" in target:
            continue
        for path, data in forms.items():
            response = client.post(path, data={"csrf_token": token, **data, "next": target})
            assert response.status_code == 302, (path, repr(target))
            assert response.headers["Location"] == location(target, "/plan"), (path,
                                                                               repr(target))
    response = client.post(f"/plan/tasks/{task_id}/delete", data={
        "csrf_token": token, "next": "/\\evil.example"})
    assert response.headers["Location"] == "/plan"


def test_nul_in_next_is_a_400(client, session) -> None:
    make_deck(session, "D", cards=1)
    assert client.get("/cards/1/edit", query_string={"next": "/x\x00y"}).status_code == 400
