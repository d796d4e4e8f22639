"""No acknowledged write is ever lost (issue 11, item 1), on SQLite and PostgreSQL.

The real `python app.py` serves; between web writes, every read-write command of the
CLI runs next to it (and, on SQLite, a plain sqlite3 process reads the file, as the
`sqlite3` shell would). After a restart every write that answered 302 is there.

On SQLite the server must also keep holding its own POSIX lock on the database file
(seen in /proc/locks) after its daily backup, after a web import (which backs up
first) and after the CLI ran: a process that drops it lets the next process believe it
is alone, checkpoint and delete the WAL that the server still writes into.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from load_test import server_env, serving  # noqa: E402
from review_latency import TOKEN, Client, free_port  # noqa: E402

from tests.test_app import database_of  # noqa: E402

PASSWORD = "correct horse battery"


def csrf(client: Client, path: str) -> str:
    status, _, page, _ = client.request("GET", path)
    assert status == 200, (path, status, page[:500])
    match = TOKEN.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post(client: Client, path: str, form: dict[str, str], token_from: str) -> int:
    form = {"csrf_token": csrf(client, token_from), **form}
    return client.request("POST", path, urlencode(form))[0]


def create_deck(client: Client, name: str) -> None:
    status = post(client, "/decks/new", {"name": name, "description": ""}, "/decks/new")
    assert status == 302, f"creating {name!r} answered {status}"


def web_import(client: Client, deck: str) -> None:
    """Upload, preview, confirm and wait for an import (the server backs up first)."""
    token = csrf(client, "/import")
    boundary = "----flashcards-test-boundary"
    parts = [("csrf_token", None, token), ("deck", None, deck),
             ("on_duplicate", None, "update"),
             ("file", "web.csv", "front,back\nWeb question,Web answer\n")]
    body = ""
    for name, file_name, value in parts:
        disposition = f'form-data; name="{name}"'
        if file_name:
            disposition += f'; filename="{file_name}"\r\nContent-Type: text/csv'
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n{value}\r\n"
    body += f"--{boundary}--\r\n"
    headers = {"Cookie": client.cookie,
               "Content-Type": f"multipart/form-data; boundary={boundary}"}
    client.conn.request("POST", "/import", body=body.encode(), headers=headers)
    response = client.conn.getresponse()
    preview = response.read().decode()
    assert response.status == 200, preview[:2000]
    upload = re.search(r"/import/([\w-]+)/confirm", preview)
    assert upload, preview[:2000]
    status = client.request("POST", f"/import/{upload.group(1)}/confirm",
                            urlencode({"csrf_token": token}))[0]
    assert status == 302
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        _, _, text, _ = client.request("GET", f"/import/{upload.group(1)}.json")
        state = json.loads(text)
        if state["state"] == "done":
            return
        assert state["state"] != "failed", state
        time.sleep(0.1)
    raise AssertionError("the web import did not finish")


def login(client: Client, name: str, password: str) -> None:
    status = post(client, "/login", {"name": name, "password": password, "next": ""},
                  "/login")
    assert status == 302, f"login answered {status}"


def server_locks(pid: int, database: Path) -> list[str]:
    """The POSIX locks process `pid` holds on the database file, from /proc/locks."""
    inode = os.stat(database).st_ino
    held = []
    with open("/proc/locks") as locks:  # not a database file
        for line in locks:
            fields = line.split()
            if "POSIX" not in fields or "->" in fields:
                continue
            kind_at = fields.index("POSIX") + 2
            owner, device = int(fields[kind_at + 1]), fields[kind_at + 2]
            if owner == pid and int(device.rsplit(":", 1)[1]) == inode:
                held.append(" ".join(fields[kind_at:]))
    return held


def flask(instance: Path, server_url: str | None, *args: str,
          stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                          env=server_env(instance, server_url), input=stdin,
                          capture_output=True, text=True, timeout=180)


def test_acknowledged_writes_survive_every_cli_command_next_to_the_server(
        tmp_path: Path, databases) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    server_url, url = database_of(databases, instance)
    sqlite = databases.kind == "sqlite"
    database = instance / "flashcards.sqlite3"
    port = free_port()
    command = [sys.executable, "app.py", "--port", str(port), "--threads", "4"]
    env = server_env(instance, server_url)
    (tmp_path / "cli.csv").write_text("front,back\nCLI question,CLI answer\n")
    bad_backup = tmp_path / "not-a-backup.sqlite3"
    bad_backup.write_bytes(b"this is no database" * 50)
    written: list[str] = []

    def write(client: Client, name: str) -> None:
        create_deck(client, name)
        written.append(name)

    def assert_lock_held(server: subprocess.Popen[bytes], after: str) -> None:
        if sqlite:
            assert server_locks(server.pid, database), (
                f"after {after} the server no longer holds its lock on {database}")

    commands: list[tuple[str, ...]] = [
        ("setup",), ("import-deck", str(tmp_path / "cli.csv"), "--deck", "From the CLI"),
        ("export-deck", str(tmp_path / "out.csv")),
        ("export-deck", str(tmp_path / "full.csv"), "--with-scheduling"),
        ("export-deck", str(tmp_path / "anki.txt"), "--format", "anki"), ("plan",),
    ]
    if sqlite:  # PostgreSQL's backups are pg_dump's: these refuse there
        commands += [("backup",), ("check-db",), ("restore", str(bad_backup), "--yes")]

    with serving(command, env, port, tmp_path / "server.log", timeout=120) as server:
        client = Client(port)
        write(client, "Before the CLI")
        assert_lock_held(server, "the daily backup at start")
        web_import(client, "Imported on the web")
        written.append("Imported on the web")
        assert_lock_held(server, "a web import")
        for args in commands:
            result = flask(instance, server_url, *args)
            refused = args[0] == "restore"
            assert (result.returncode == 1) if refused else (result.returncode == 0), (
                args, result.stdout, result.stderr)
            assert_lock_held(server, f"flask {' '.join(args)}")
            write(client, f"After {args[0]} {len(written)}")
        written.append("From the CLI")
        if sqlite:
            # A process that opens the file, reads and closes it, as a sqlite3 shell does.
            with closing(sqlite3.connect(database)) as shell:
                shell.execute("SELECT count(*) FROM decks").fetchone()
            write(client, "After a sqlite3 shell")
            assert_lock_held(server, "a sqlite3 shell")
        created = flask(instance, server_url, "create-user", "ada",
                        stdin=f"{PASSWORD}\n{PASSWORD}\n")
        assert created.returncode == 0, created.stderr
        login(client, "ada", PASSWORD)
        write(client, "After create-user")
        changed = flask(instance, server_url, "set-password", "ada",
                        stdin="another password!\n" * 2)
        assert changed.returncode == 0, changed.stderr
        login(client, "ada", "another password!")
        write(client, "After set-password")
        assert_lock_held(server, "the accounts commands")
        client.conn.close()

    with serving(command, env, port, tmp_path / "restart.log", timeout=120, ready=(302,)):
        client = Client(port)
        login(client, "ada", "another password!")
        status, _, page, _ = client.request("GET", "/decks")
        client.conn.close()
        assert status == 200
    missing = [name for name in written if name not in page]
    assert missing == [], f"acknowledged, then lost: {missing}"
    if sqlite:
        # The WAL still belongs to the file: nothing deleted it under the server.
        with closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro",
                                     uri=True)) as check:
            assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    else:
        assert url.startswith("postgresql")
