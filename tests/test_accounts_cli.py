"""Accounts from the command line, `python app.py` refusing to serve other machines
without them, and the login cookie it sends (`Secure` or not)."""

import http.client
import importlib.util
import os
import re
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
import waitress
from flask import Flask

from tests.conftest import csrf_token
from tests.test_app import ROOT, free_port, row_count

PASSWORD = "correct horse battery"


def run(instance: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    # SQLite on purpose: these start the real app and CLI in a fresh instance folder.
    env = {**os.environ, "FLASHCARDS_INSTANCE": str(instance)}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def flask(instance: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run(instance, "-m", "flask", "--app", "app", *args, stdin=stdin)


def test_app_refuses_another_address_until_a_user_has_a_password(tmp_path) -> None:
    refused = run(tmp_path, "app.py", "--host", "0.0.0.0", "--port", str(free_port()))
    assert refused.returncode == 2
    assert "Refusing to listen on 0.0.0.0" in refused.stderr
    assert "create-user NAME" in refused.stderr


def test_create_users_and_work_on_each_collection(tmp_path) -> None:
    assert flask(tmp_path, "setup").returncode == 0
    short = flask(tmp_path, "create-user", "ada", stdin="short\nshort\n")
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    first = flask(tmp_path, "create-user", "ada", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert first.returncode == 0, first.stderr
    assert "keeps the collection used so far" in first.stdout
    second = flask(tmp_path, "create-user", "bob", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert second.returncode == 0 and "with the bundled decks" in second.stdout
    assert row_count(tmp_path, "decks") == 8  # the bundled four, for each
    # With two users, a command says whose collection it works on.
    unclear = flask(tmp_path, "plan")
    assert unclear.returncode == 1 and "say whose collection with --user NAME" in unclear.stderr
    (tmp_path / "bob.csv").write_text("front,back\nOnly bob,has this\n")
    imported = flask(tmp_path, "import-deck", str(tmp_path / "bob.csv"), "--user", "bob")
    assert imported.returncode == 0, imported.stderr
    ada = flask(tmp_path, "export-deck", "-", "--user", "ada")
    bob = flask(tmp_path, "export-deck", "-", "--user", "bob")
    assert "Only bob" in bob.stdout and "Only bob" not in ada.stdout
    nobody = flask(tmp_path, "plan", "--user", "carol")
    assert nobody.returncode == 1 and "no user named 'carol'" in nobody.stderr
    changed = flask(tmp_path, "set-password", "bob", stdin="another password!\n" * 2)
    assert changed.returncode == 0 and "Password of 'bob' changed." in changed.stdout


# -- the login cookie of `python app.py` ----------------------------------------------------


@pytest.fixture(scope="module")
def instance_with_a_user(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An instance folder, set up, with the user ada (who can log in)."""
    instance = tmp_path_factory.mktemp("instance")
    assert flask(instance, "setup").returncode == 0
    created = flask(instance, "create-user", "ada", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert created.returncode == 0, created.stderr
    return instance


def session_cookie(set_cookies: list[str]) -> str:
    (cookie,) = [c for c in set_cookies if c.startswith("session=")]
    return cookie


def secure(cookie: str) -> bool:
    return "secure" in [part.strip().lower() for part in cookie.split(";")]


@pytest.fixture
def app_module(monkeypatch: pytest.MonkeyPatch,
               instance_with_a_user: Path) -> Iterator[Callable[[], ModuleType]]:
    """app.py loaded afresh (its app made from the environment the test set first)."""
    loaded: list[ModuleType] = []

    def load() -> ModuleType:
        monkeypatch.setenv("FLASHCARDS_INSTANCE", str(instance_with_a_user))
        monkeypatch.delenv("DATABASE_URL", raising=False)
        spec = importlib.util.spec_from_file_location(f"app_{len(loaded)}", ROOT / "app.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        loaded.append(module)
        return module

    yield load
    for module in loaded:
        runner = module.app.extensions.get("flashcards.jobs")
        if runner is not None:
            runner.stop()
        module.app.extensions["flashcards.engine"].dispose()


@pytest.mark.parametrize(("host", "flags", "environment", "expect_secure"), [
    ("127.0.0.1", [], None, False),  # on this machine over plain HTTP: the cookie must work
    ("127.0.0.1", [], "1", True),  # behind an HTTPS proxy on loopback (README)
    ("localhost", [], "1", True),
    ("0.0.0.0", [], None, True),  # other machines: HTTPS only...
    ("0.0.0.0", [], "0", True),
    ("0.0.0.0", ["--allow-http"], "1", False),  # ...unless the flag says otherwise
    ("127.0.0.1", ["--allow-http"], "1", False),
])
def test_python_app_sends_the_login_cookie_secure_as_configured(
        monkeypatch, app_module, capsys, host: str, flags: list[str],
        environment: str | None, expect_secure: bool) -> None:
    if environment is None:
        monkeypatch.delenv("FLASHCARDS_SECURE_COOKIES", raising=False)
    else:
        monkeypatch.setenv("FLASHCARDS_SECURE_COOKIES", environment)
    module = app_module()
    cookies: list[str] = []

    class LogInInsteadOfServing:  # main() without a listening socket
        def __init__(self, app: Flask, **kwargs: object) -> None:
            self.app = app

        def run(self) -> None:
            client = self.app.test_client()
            token = csrf_token(client, "/login")
            response = client.post("/login", data={"csrf_token": token, "name": "ada",
                                                   "password": PASSWORD})
            assert response.status_code == 302
            cookies.append(session_cookie(response.headers.getlist("Set-Cookie")))

    monkeypatch.setattr(waitress, "create_server", LogInInsteadOfServing)
    assert module.main(["--host", host, "--port", "5000", *flags]) == 0
    (cookie,) = cookies
    assert secure(cookie) == expect_secure, cookie
    warned = "also travels over plain HTTP" in capsys.readouterr().err
    assert warned == ("--allow-http" in flags)


def test_behind_an_https_proxy_on_loopback_the_login_cookie_is_secure(
        instance_with_a_user: Path) -> None:
    # The real process, as a proxy on this machine reaches it: the Set-Cookie of a login.
    env = {**os.environ, "FLASHCARDS_INSTANCE": str(instance_with_a_user),
           "FLASHCARDS_SECURE_COOKIES": "1"}
    env.pop("DATABASE_URL", None)
    port = free_port()
    process = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        assert process.stdout is not None
        for line in process.stdout:  # it says so once it listens
            if "running at" in line:
                break
        else:
            raise AssertionError("app exited before serving")
        cookie = log_in_over_http(port)
    finally:
        process.terminate()
        process.communicate(timeout=20)
    assert secure(cookie) and "HttpOnly" in cookie


def log_in_over_http(port: int) -> str:
    """The session cookie a login sets, as a browser behind the proxy would do it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", "/login")
        response = connection.getresponse()
        page = response.read().decode()
        first = session_cookie(response.headers.get_all("Set-Cookie") or [])
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert match, "no CSRF token on /login"
        body = urllib.parse.urlencode({"csrf_token": match.group(1), "name": "ada",
                                       "password": PASSWORD})
        connection.request("POST", "/login", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": first.split(";", 1)[0]})
        response = connection.getresponse()
        response.read()
        assert response.status == 302, response.status
        return session_cookie(response.headers.get_all("Set-Cookie") or [])
    finally:
        connection.close()
