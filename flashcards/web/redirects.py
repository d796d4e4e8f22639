"""The one check for redirect targets that come from a request (a `next` field or query
argument): a path on this site, or else the page the view falls back to."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

# Longer than any page of ours links back to; a longer one is not followed.
MAX_TARGET_LENGTH = 2000


def _has_bad_character(text: str) -> bool:
    # Browsers drop tab, CR and LF from a URL (WHATWG URL parsing), so "/\t/evil.example"
    # arrives as "//evil.example"; a backslash counts as a slash; CR/LF would also split
    # the Location header. None of these belongs in a link to one of our pages.
    return any(ch == "\\" or ch.isspace() or unicodedata.category(ch) == "Cc"
               for ch in text)


def is_local_path(target: str | None) -> bool:
    """Whether `target` is a path on this site (e.g. "/cards?q=x"): it starts with one
    slash, has no scheme or host, and no control character, white space or backslash,
    also once its path is percent-decoded (as a server or proxy on the way might)."""
    if not target or len(target) > MAX_TARGET_LENGTH:
        return False
    if not target.startswith("/") or target.startswith("//") or _has_bad_character(target):
        return False
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return False
    path = unquote(parts.path)
    return not (path.startswith("//") or _has_bad_character(path))


def safe_next(target: str | None, fallback: str) -> str:
    """`target` if it is a path on this site (is_local_path), else `fallback`. Every
    redirect to a target taken from a request goes through here."""
    return target if target is not None and is_local_path(target) else fallback
