"""Making cells safe: card HTML cleaned to an allowlist, Anki's HTML fields read as plain
text where they can be, and spreadsheet formula cells neutralised (OWASP CSV injection)."""

from __future__ import annotations

import html
import re
import unicodedata

import nh3

# OWASP CSV injection (its attack page, and its testing guide WSTG-INPV-21 for the line
# feed and the full-width forms): a spreadsheet may run a cell that starts with one of these.
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")

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


def may_run_as_formula(cell: str) -> bool:
    """Whether a spreadsheet may run the cell as a formula: it starts with a formula
    character, or has one after characters a spreadsheet may skip or not show (blanks,
    a byte order mark, zero-width characters)."""
    for char in cell:
        if char in FORMULA_STARTS:
            return True
        if char.isalnum() or not (char.isspace() or unicodedata.category(char) == "Cf"):
            return False
    return False


def neutralise(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection): a leading '."""
    # A cell that already starts with ' before a formula gets one more, so reading our
    # file back (which drops one) gives the cell exactly as it was.
    return "'" + cell if may_run_as_formula(cell.lstrip("'")) else cell


def _unneutralise(cell: str) -> str:
    # The inverse of neutralise: the same test, on the cell after its leading 's.
    if cell.startswith("'") and may_run_as_formula(cell.lstrip("'")):
        return cell[1:]
    return cell
