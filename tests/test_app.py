"""`python app.py` and the flask CLI on a fresh instance folder, with the default SQLite
file or an empty PostgreSQL database given as DATABASE_URL."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"app exited: {process.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def app_env(instance: Path, database_url: str | None) -> dict[str, str]:
    """The environment of the app: DATABASE_URL set only for PostgreSQL, and then as the
    plain postgresql:// a hosting service hands out (the app picks the driver)."""
    env = {**os.environ, "FLASHCARDS_INSTANCE": str(instance)}
    env.pop("DATABASE_URL", None)
    if database_url is not None:
        env["DATABASE_URL"] = database_url.replace("postgresql+psycopg://", "postgresql://")
    return env


def database_of(databases, instance: Path) -> tuple[str | None, str]:
    """DATABASE_URL for the app (None: the default SQLite file), and the URL to check."""
    if databases.kind == "sqlite":
        return None, f"sqlite:///{instance / 'flashcards.sqlite3'}"
    url = databases.create(migrated=False)
    return url, url


def run_app(instance: Path, port: int, database_url: str | None) -> tuple[str, str]:
    env = app_env(instance, database_url)
    process = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        page = wait_for(f"http://127.0.0.1:{port}/", process)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    return page, output


def row_count(database: Path | str, table: str) -> int:
    """Rows in `table` of a database URL, or of the SQLite file in an instance folder."""
    url = database if isinstance(database, str) else (
        f"sqlite:///{database / 'flashcards.sqlite3'}")
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return count


def test_python_app_migrates_seeds_once_and_serves_on_loopback(tmp_path, databases) -> None:
    instance = tmp_path / "instance"
    database_url, check_url = database_of(databases, instance)
    page, output = run_app(instance, free_port(), database_url)
    assert "Seeded 4 bundled decks" in output and "preparation tasks" in output
    assert "http://127.0.0.1:" in output
    # A new collection's first page is the set-up (interview date, minutes, time zone).
    assert "Set up your plan" in page and 'name="interview_date"' in page
    first = row_count(check_url, "cards")
    tasks = row_count(check_url, "plan_tasks")
    assert first > 100 and tasks > 10
    assert (instance / "secret_key").stat().st_mode & 0o077 == 0

    page, output = run_app(instance, free_port(), database_url)
    assert "Seeded" not in output
    assert row_count(check_url, "cards") == first
    assert row_count(check_url, "plan_tasks") == tasks


def test_flask_cli_setup_and_check_decks(tmp_path, databases) -> None:
    database_url, check_url = database_of(databases, tmp_path)
    env = app_env(tmp_path, database_url)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    done = subprocess.run([*flask, "setup"], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True)
    assert "Decks created: " in done.stdout and "cards added" in done.stdout
    assert row_count(check_url, "cards") > 100
    checked = subprocess.run([*flask, "check-decks"], cwd=ROOT, env=env, capture_output=True,
                             text=True, check=True)
    assert "terminology:" in checked.stdout
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "decks.toml").write_text('[[deck]]\nkey="x"\nfile="x.csv"\nname="X"\n')
    (broken / "x.csv").write_text("guid,front,back,tags,source\nx-1,,b,,s\n")
    failed = subprocess.run([*flask, "check-decks", str(broken)], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert failed.returncode != 0
    assert "x.csv: line 2: front is empty" in failed.stderr


def test_python_app_on_a_port_in_use_says_so_and_suggests_a_free_one(tmp_path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "app.py", "--port", str(port)], cwd=ROOT,
                              env=app_env(tmp_path / "instance", None), capture_output=True,
                              text=True, timeout=60)
    assert done.returncode == 1
    assert "running at" not in done.stdout
    assert "Traceback" not in done.stderr
    first_line, = [line for line in done.stderr.splitlines() if "in use" in line]
    assert first_line.startswith(f"Port {port} is in use")
    suggested = int(first_line.rsplit("--port ", 1)[1])
    assert suggested > port
    with socket.socket() as check:  # the suggestion is a port one can listen on
        check.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does
        check.bind(("127.0.0.1", suggested))
        check.listen()
