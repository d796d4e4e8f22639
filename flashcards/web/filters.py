"""Template filters: counts, local times, and card text (escaped, or sanitised HTML)."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from markupsafe import Markup

from flashcards.core.csvformat import sanitise_html
from flashcards.services import study
from flashcards.services.settings import get_settings, time_zone
from flashcards.web.context import db, now


def register(app: Flask) -> None:
    app.add_template_filter(count_label, "count")
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(card_text, "card_text")


def count_label(n: int) -> str:
    """A queue count; counting stops at study.COUNT_CAP."""
    return f"{study.COUNT_CAP}+" if n >= study.COUNT_CAP else str(n)


def localtime(moment: datetime) -> str:
    """A UTC instant as the user's local clock time (with the weekday if not today)."""
    zone = time_zone(get_settings(db()))
    local = moment.astimezone(zone)
    if local.date() == now().astimezone(zone).date():
        return local.strftime("%H:%M")
    return local.strftime("%a %-d %b, %H:%M")


def card_text(value: str | None, is_html: bool) -> str | Markup:
    """A card field for the page. Plain text is left to autoescaping; HTML from an HTML
    import is sanitised again here, on the way out, before it is marked safe."""
    if not value:
        return ""
    if is_html:
        return Markup(sanitise_html(value))  # noqa: S704 - sanitised by nh3 on this line
    return value
