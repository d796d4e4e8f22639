"""Uploaded files waiting for confirmation, and the background jobs that import them.

Both live as files in the instance folder, so any worker process can show a job's
progress. A job's status is written atomically (write, then rename)."""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TOKEN = re.compile(r"[A-Za-z0-9_-]{20,40}")
MAX_AGE_SECONDS = 24 * 3600


class JobStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, token: str, suffix: str) -> Path:
        if not TOKEN.fullmatch(token):
            raise KeyError(token)
        return self.folder / f"{token}{suffix}"

    def save_upload(self, data: bytes, meta: dict[str, Any]) -> str:
        """Keep an uploaded file and its import options until it is confirmed."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._forget_old()
        token = secrets.token_urlsafe(18)
        self._path(token, ".upload").write_bytes(data)
        self._write_json(self._path(token, ".meta.json"), meta)
        return token

    def upload(self, token: str) -> tuple[bytes, dict[str, Any]]:
        try:
            data = self._path(token, ".upload").read_bytes()
            meta = json.loads(self._path(token, ".meta.json").read_text())
        except (OSError, ValueError) as exc:
            raise KeyError(token) from exc
        return data, meta

    def save_options(self, token: str, meta: dict[str, Any]) -> None:
        """Replace an upload's import options (the user chose another layout)."""
        if not self._path(token, ".upload").exists():
            raise KeyError(token)
        self._write_json(self._path(token, ".meta.json"), meta)

    def discard_upload(self, token: str) -> None:
        for suffix in (".upload", ".meta.json"):
            self._path(token, suffix).unlink(missing_ok=True)

    def status(self, token: str) -> dict[str, Any] | None:
        try:
            return dict(json.loads(self._path(token, ".status.json").read_text()))
        except (OSError, ValueError):
            return None

    def set_status(self, token: str, **status: Any) -> None:
        self._write_json(self._path(token, ".status.json"), {**status, "updated": time.time()})

    def run(self, token: str, work: Callable[[Callable[[int, int], None]], dict[str, Any]],
            *, background: bool = True) -> None:
        """Run `work(progress)` and record its outcome; `progress(done, total)` is
        reported at most a few times a second."""
        self.set_status(token, state="running", done=0, total=0)
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if time.monotonic() - last[0] > 0.2 or done == total:
                last[0] = time.monotonic()
                self.set_status(token, state="running", done=done, total=total)

        def target() -> None:
            try:
                result = work(progress)
            except Exception as exc:  # noqa: BLE001 - reported to the user, nothing written
                self.set_status(token, state="failed", error=str(exc) or type(exc).__name__)
            else:
                self.set_status(token, state="done", result=result)
            finally:
                self.discard_upload(token)

        if background:
            threading.Thread(target=target, name=f"import-{token[:8]}", daemon=True).start()
        else:
            target()

    def _forget_old(self) -> None:
        cutoff = time.time() - MAX_AGE_SECONDS
        for path in self.folder.glob("*"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass

    @staticmethod
    def _write_json(path: Path, data: dict[str, Any]) -> None:
        temporary = path.with_suffix(path.suffix + f".{os.getpid()}.{threading.get_ident()}")
        temporary.write_text(json.dumps(data))
        os.replace(temporary, path)
