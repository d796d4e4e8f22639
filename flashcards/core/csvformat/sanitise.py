"""Making cells safe: card HTML cleaned to an allowlist, Anki's HTML fields read as plain
text where they can be, and spreadsheet formula cells neutralised (OWASP CSV injection)."""

from __future__ import annotations

import html
import re

import nh3

# OWASP CSV injection: a spreadsheet runs a cell that starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HTML_TAGS = nh3.ALLOWED_TAGS - {"img", "map", "area"}


_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_TAG = re.compile(r"<[a-zA-Z/!]")


def sanitise_html(text: str) -> str:
    """Card HTML with only harmless tags and attributes (nh3's allowlist, no images)."""
    return nh3.clean(text, tags=HTML_TAGS)


def _from_anki_html(front: str, back: str) -> tuple[str, str, bool]:
    """Fields of an HTML file as plain text when they only use line breaks and entities
    (so our own exports come back exactly), else as sanitised HTML."""
    plain = [html.unescape(_BREAK.sub("\n", value)) for value in (front, back)]
    if not any(_TAG.search(_BREAK.sub("", value)) for value in (front, back)):
        return plain[0], plain[1], False
    return front, back, True


def html_for_anki(text: str, is_html: bool) -> str:
    """A field as Anki stores it: HTML, with our plain text escaped and line breaks kept."""
    if is_html:
        return text
    return _LINE_BREAK.sub("<br>", html.escape(text, quote=False))


# -- spreadsheet formulas ----------------------------------------------------------


def neutralise(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    # A cell that already starts with ' before a formula character gets one more, so
    # reading our file back (which drops one) gives the cell exactly as it was.
    return "'" + cell if cell.lstrip("'").startswith(FORMULA_STARTS) else cell


def _unneutralise(cell: str) -> str:
    if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS):
        return cell[1:]
    return cell
