"""Accounts over HTTP: the local mode stays on this computer; with users, every page
needs a login, logins are rate limited, and no one reaches another user's data."""

import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from flashcards.core.scheduling import Rating
from flashcards.core.taskformat import TaskKind
from flashcards.models import Card, CardAction, Deck, PlanTask, ReviewLog, Settings
from flashcards.services import bulk, plans, study, users
from tests.conftest import START, csrf_token, make_deck

PASSWORD = "correct horse battery"


def test_without_accounts_only_this_computer_is_served(client) -> None:
    assert client.get("/").status_code == 200
    remote = client.get("/", environ_base={"REMOTE_ADDR": "192.168.1.20"})
    assert remote.status_code == 403 and "no accounts yet" in remote.get_data(as_text=True)
    # A reverse proxy on this machine would make every visitor look local: refused too.
    proxied = client.get("/", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 403
    assert client.get("/login").status_code == 302  # nothing to log in to


def test_debug_mode_serves_this_computer_only(app, client) -> None:
    app.debug = True
    assert client.get("/", environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 403
    assert client.get("/").status_code == 200


@pytest.fixture
def two_users(app, session):
    """ada (who took over the local collection) and bob, each with a deck, a reviewed
    card, a task and a bulk action of their own."""
    ada = users.create_user(session, "ada", PASSWORD, START).user.id
    bob = users.create_user(session, "bob", PASSWORD, START).user.id
    session.commit()
    data = {}
    for name, user_id in (("ada", ada), ("bob", bob)):
        deck = make_deck(session, f"{name} deck", cards=2, user_id=user_id)
        users.for_user(session, user_id)
        card = session.execute(select(Card).where(Card.deck_id == deck.id)
                               .order_by(Card.id)).scalars().first()
        study.grade(session, card.id, card.version, Rating.GOOD, START)
        task = plans.add_task(session, title=f"{name} task", details="", minutes=10,
                              day=date(2026, 3, 3), kind=TaskKind.RESEARCH, now=START)
        action = bulk.apply(session, bulk.BulkAction.SUSPEND, [card.id], START)
        session.commit()
        data[name] = {"user": user_id, "deck": deck.id, "card": card.id, "task": task.id,
                      "action": action.action_id}
    users.for_user(session, ada)
    return data


def login(client, name="ada", password=PASSWORD, **kwargs):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"csrf_token": token, "name": name,
                                       "password": password, **kwargs})


def test_every_page_needs_a_login(client, two_users) -> None:
    response = client.get("/cards?q=x")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/cards?q%3Dx"
    token = csrf_token(client, "/login")
    assert client.post("/review/undo", data={"csrf_token": token}).status_code == 401
    static = client.get("/static/style.css")
    assert static.status_code == 200
    static.close()
    wrong = login(client, password="not the password")
    assert wrong.status_code == 401
    assert "That name and password do not match." in wrong.get_data(as_text=True)
    ok = login(client, next="/cards?q=x")
    assert ok.status_code == 302 and ok.headers["Location"] == "/cards?q=x"
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/cards").get_data(as_text=True)
    assert "ada deck" in page and "bob deck" not in page
    token = csrf_token(client, "/cards")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/cards").status_code == 302


def test_secure_cookie_when_configured(app, client, two_users) -> None:
    app.config["SESSION_COOKIE_SECURE"] = True
    response = login(client)
    assert response.status_code == 302 and "Secure" in response.headers["Set-Cookie"]


def test_logins_are_rate_limited(client, two_users) -> None:
    for _ in range(users.FAILURES_ALLOWED):
        assert login(client, password="wrong password").status_code == 401
    blocked = login(client)  # even the right password, for now
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "Too many failed logins" in blocked.get_data(as_text=True)


def test_a_user_cannot_read_or_change_another_users_data(client, session, two_users) -> None:
    login(client)
    bob = two_users["bob"]
    token = csrf_token(client, "/cards")
    for path in (f"/cards/{bob['card']}", f"/cards/{bob['card']}/edit",
                 f"/cards/{bob['card']}/delete", f"/decks/{bob['deck']}/edit",
                 f"/decks/{bob['deck']}/delete", f"/export?deck={bob['deck']}",
                 f"/cards/actions/{bob['action']}"):
        assert client.get(path).status_code == 404, path
    posts = {
        f"/cards/{bob['card']}/edit": {"front": "x", "back": "y", "deck": str(bob["deck"])},
        f"/cards/{bob['card']}/delete": {},
        f"/decks/{bob['deck']}/edit": {"name": "mine now"},
        f"/decks/{bob['deck']}/delete": {},
        f"/plan/tasks/{bob['task']}/done": {"done": "y"},
        f"/plan/tasks/{bob['task']}/move": {"day": "2026-03-04"},
        f"/plan/tasks/{bob['task']}/edit": {"title": "x", "minutes": "5"},
        f"/plan/tasks/{bob['task']}/delete": {},
        f"/plan/tasks/{bob['task']}/anyway": {"on": "on"},
        # ada's own task (or a new one) needing bob's first: as if bob's did not exist.
        f"/plan/tasks/{two_users['ada']['task']}/edit": {
            "title": "x", "minutes": "5", "with_order": "y", "after": str(bob["task"])},
        "/plan/tasks": {"title": "Needs bob's", "minutes": "5", "day": "2026-03-04",
                        "kind": "research", "after": str(bob["task"])},
        f"/cards/actions/{bob['action']}/undo": {},
        "/review/grade": {"card_id": bob["card"], "version": 3, "rating": 3},
    }
    for path, data in posts.items():
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 404, path
    # Bulk actions and a deck picked by id: refused, nothing changed.
    response = client.post("/cards/bulk", data={"csrf_token": token, "action": "delete",
                                                "confirm": "yes", "scope": "selected",
                                                "ids": [str(bob["card"])], "q": ""})
    assert "no longer exist" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    ada_card = two_users["ada"]["card"]
    client.post("/cards/bulk", data={"csrf_token": token, "action": "move", "scope": "selected",
                                     "ids": [str(ada_card)], "deck": str(bob["deck"]), "q": ""})
    session.expire_all()
    session.rollback()
    assert session.get(Card, ada_card).deck_id == two_users["ada"]["deck"]
    users.for_user(session, bob["user"])  # what bob has now
    bob_card = session.get(Card, bob["card"])
    assert (bob_card.front, bob_card.deck_id, bob_card.suspended) == (
        "bob deck front 0", bob["deck"], True)
    assert session.get(Deck, bob["deck"]).name == "bob deck"
    task = session.get(PlanTask, bob["task"])
    assert (task.title, task.done_at) == ("bob task", None)
    assert session.get(CardAction, bob["action"]).undone_at is None
    assert session.execute(select(func.count()).select_from(ReviewLog)).scalar_one() == 1


def test_lists_show_only_your_own(client, session, two_users) -> None:
    login(client)
    for path in ("/decks", "/cards", "/plan", "/review", "/"):
        page = client.get(path).get_data(as_text=True)
        assert "bob deck" not in page and "bob task" not in page, path
    assert "ada deck" in client.get("/decks").get_data(as_text=True)
    search = client.get("/cards?q=deck:*").get_data(as_text=True)
    assert re.search(r"<strong>2 cards</strong> match", search)
    exported = client.get("/export?format=csv").get_data(as_text=True)
    assert "ada deck" in exported and "bob deck" not in exported
    calendar = client.get("/plan.ics").get_data(as_text=True)
    assert "ada task" in calendar and "bob task" not in calendar


def test_settings_are_per_user(client, session, two_users) -> None:
    login(client)
    token = csrf_token(client, "/settings")
    page = client.get("/settings").get_data(as_text=True)
    fields = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', page))
    fields.update({"csrf_token": token, "new_per_day": "7", "minutes_sunday": "0",
                   "timezone": "UTC", "leech_action": "suspend"})
    assert client.post("/settings", data=fields).status_code == 302
    session.expire_all()
    session.rollback()
    ada = session.get(Settings, two_users["ada"]["user"])
    assert (ada.new_per_day, ada.weekday_minutes) == (7, ",,,,,,0")
    users.for_user(session, two_users["bob"]["user"])
    bob = session.get(Settings, two_users["bob"]["user"])
    # A new user's own defaults: 3 h 30 on Saturdays (the full mock loop fits).
    assert (bob.new_per_day, bob.weekday_minutes) == (20, ",,,,,210,")


def test_an_import_belongs_to_its_user(app, client, session, two_users) -> None:
    app.config["JOBS_IN_BACKGROUND"] = False
    login(client)
    token = csrf_token(client, "/import")
    preview = client.post("/import", data={
        "csrf_token": token, "file": (io.BytesIO(b"front,back\nQ,A\n"),
                                      "ada.csv"), "on_duplicate": "update", "deck": ""},
        content_type="multipart/form-data").get_data(as_text=True)
    upload = re.search(r'/import/([\w-]+)/confirm', preview).group(1)
    other = app.test_client()
    login(other, "bob")
    bob_token = csrf_token(other, "/import")
    assert other.post(f"/import/{upload}/confirm",
                      data={"csrf_token": bob_token}).status_code == 404
    assert client.post(f"/import/{upload}/confirm", data={"csrf_token": token}).status_code == 302
    assert other.get(f"/import/{upload}").status_code == 404
    session.expire_all()
    session.rollback()
    imported = session.execute(select(Card).where(Card.front == "Q")).scalar_one()
    assert imported.user_id == two_users["ada"]["user"]


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def opens_pages(app, cookie: str) -> bool:
    """Whether a browser holding only this session cookie gets past the login."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    response = other.get("/cards")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_a_cookie_saved_before_logout_no_longer_works(app, client, two_users) -> None:
    assert login(client).status_code == 302
    saved = session_cookie(client)
    assert opens_pages(app, saved)
    token = csrf_token(client, "/cards")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/cards").status_code == 302
    assert not opens_pages(app, saved)


def test_a_cookie_saved_before_a_new_password_no_longer_works(app, client, session,
                                                              two_users) -> None:
    laptop, phone = client, app.test_client()
    login(laptop)
    login(phone)
    bob = app.test_client()
    login(bob, "bob")
    saved = [session_cookie(laptop), session_cookie(phone)]
    assert all(opens_pages(app, cookie) for cookie in saved)
    result = app.test_cli_runner().invoke(
        args=["set-password", "ada", "--password", "a brand new password"])
    assert result.exit_code == 0, result.output
    assert not any(opens_pages(app, cookie) for cookie in saved)
    assert laptop.get("/cards").status_code == 302 and phone.get("/cards").status_code == 302
    assert bob.get("/cards").status_code == 200  # another user's sessions stay
    assert login(laptop).status_code == 401  # the old password is gone
    assert login(laptop, password="a brand new password").status_code == 302
    assert laptop.get("/cards").status_code == 200


def test_set_password_through_the_service_ends_sessions_too(app, client, session,
                                                            two_users) -> None:
    login(client)
    saved = session_cookie(client)
    session.rollback()  # a fresh transaction, after the login's write
    users.set_password(session, "ada", "a brand new password")
    session.commit()
    assert not opens_pages(app, saved)


def test_login_starts_a_new_session(app, client, two_users) -> None:
    client.get("/login")
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
    planted = session_cookie(client)
    response = login(client)
    assert response.status_code == 302
    fresh = session_cookie(client)
    assert fresh != planted
    with client.session_transaction() as after:
        assert "planted" not in after
    assert opens_pages(app, fresh) and not opens_pages(app, planted)
    # Each login is its own session: logging in again elsewhere leaves this one working.
    other = app.test_client()
    login(other)
    assert session_cookie(other) != fresh and opens_pages(app, fresh)


def test_forged_login_session_ids_are_refused(app, client, two_users) -> None:
    login(client)
    with client.session_transaction() as current:
        user_id, token = current["_user_id"].split(":")
    for forged in (user_id, f"{user_id}:", f"{user_id}:{token[:-1]}x", f":{token}",
                   f"{two_users['bob']['user']}:{token}", f"{2**63}:{token}", f"١:{token}"):
        with client.session_transaction() as current:
            current["_user_id"] = forged
        assert client.get("/cards").status_code == 302, forged
