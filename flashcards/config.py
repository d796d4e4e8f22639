"""Configuration defaults: DATABASE_URL, the secret key kept in the instance folder."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

INSTANCE_DIR = Path(os.environ.get("FLASHCARDS_INSTANCE", Path(__file__).resolve().parent.parent
                                   / "instance"))
MAX_UPLOAD_BYTES = 16 * 1024 * 1024


def with_driver(url: str) -> str:
    """`url` with PostgreSQL's driver named: psycopg 3, the one installed. Hosting
    services hand out postgres:// or postgresql:// URLs, which would pick another."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    return url


def default_database_url(instance_dir: Path = INSTANCE_DIR) -> str:
    """DATABASE_URL if set, else an SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return with_driver(url)
    instance_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_dir / 'flashcards.sqlite3'}"


def load_secret_key(instance_dir: Path = INSTANCE_DIR) -> str:
    """SECRET_KEY if set, else a random key created once and kept in the instance folder."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    instance_dir.mkdir(parents=True, exist_ok=True)
    path = instance_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    # Created readable by the owner only: the key signs session cookies and CSRF tokens.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
