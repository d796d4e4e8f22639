"""A throwaway PostgreSQL server for the tests, and databases made from a template on it.

Without TEST_DATABASE_URL the tests start their own server: Debian's `initdb` and
`pg_ctl` (installed by .ci/setup) in a new temporary folder, listening on a unix socket
in that folder only (no TCP port, so runs side by side never collide), with fsync off.
PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user
that Debian's package creates. With TEST_DATABASE_URL (a role that may CREATE DATABASE)
the tests use that server instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url, text

from flashcards.db import make_engine
from flashcards.db.migrate import upgrade

PORT = 5432  # only names the socket file: the server listens on no TCP port
SERVER_OPTIONS = "-c listen_addresses='' -c max_connections=200"
# Tests trade durability for speed; a benchmark keeps PostgreSQL's defaults.
FAST_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def server_bindir() -> Path:
    """The newest Debian server binaries (/usr/lib/postgresql/<version>/bin), else the
    folder of the pg_ctl on PATH."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                      else 0)
    if versions:
        return versions[-1].parent
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise RuntimeError("PostgreSQL's server (pg_ctl) is not installed: run `bash .ci/setup`")


@contextmanager
def local_server(durable: bool = False) -> Iterator[str]:
    """Start a PostgreSQL server in a temporary folder; yields its superuser URL. Unless
    `durable`, commits are not flushed to disk (fine for tests, not for figures)."""
    options = SERVER_OPTIONS if durable else f"{SERVER_OPTIONS} {FAST_OPTIONS}"
    bindir = server_bindir()
    folder = Path(tempfile.mkdtemp(prefix="flashcards-pg-"))
    as_server: list[str] = []
    if os.geteuid() == 0:
        # initdb and postgres refuse to run as root.
        shutil.chown(folder, "postgres", "postgres")
        as_server = ["runuser", "-u", "postgres", "--"]
    data, log = folder / "data", folder / "server.log"

    def run(*args: str) -> None:
        subprocess.run([*as_server, *args], check=True, capture_output=True, text=True)

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions")
        run(str(bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(data), "-l", str(log),
            "-o", f"-p {PORT} -k {folder} {options}")
    except subprocess.CalledProcessError as exc:
        server_log = log.read_text() if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL: {exc.stderr}{server_log}") from exc
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={folder}&port={PORT}"
    finally:
        subprocess.run([*as_server, str(bindir / "pg_ctl"), "stop", "-D", str(data),
                        "-m", "immediate"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


class PostgresDatabases:
    """Databases on one server for one test session: a template migrated once through
    Alembic, and per test a copy made with CREATE DATABASE ... TEMPLATE."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        # CREATE/DROP DATABASE cannot run inside a transaction.
        self.admin: Engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        prefix = f"flashcards_{os.getpid()}"  # sessions sharing a server stay apart
        self.template = f"{prefix}_template"
        self._names = (f"{prefix}_t{n}" for n in count(1))
        self._create(self.template)
        engine = make_engine(self.url(self.template))
        upgrade(engine)
        engine.dispose()
        self._execute(f"ALTER DATABASE {self.template} WITH ALLOW_CONNECTIONS false")

    def url(self, name: str) -> str:
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def create(self, *, migrated: bool = True) -> str:
        """A new database, at the newest schema (a copy of the template) or empty."""
        name = next(self._names)
        self._create(name, template=self.template if migrated else None)
        return self.url(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        assert name and re.fullmatch(r"flashcards_\d+_t\d+", name), name
        self._execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def close(self) -> None:
        self._execute(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")
        self.admin.dispose()

    def _create(self, name: str, template: str | None = None) -> None:
        # From template0 unless copying ours: template1 may carry the server's own objects.
        self._execute(f"CREATE DATABASE {name} TEMPLATE {template or 'template0'} "
                      "ENCODING 'UTF8'")

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))
