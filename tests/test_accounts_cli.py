"""Accounts from the command line, and `python app.py` refusing to serve other machines
without them."""

import os
import subprocess
import sys
from pathlib import Path

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
