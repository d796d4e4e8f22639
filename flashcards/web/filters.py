"""Template filters: counts, local times, and card text (escaped, or sanitised HTML)."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

import nh3
from flask import Flask, g
from markupsafe import Markup

from flashcards.core.csvformat import sanitise_html
from flashcards.core.days import relative_study_day
from flashcards.core.scheduling import format_interval
from flashcards.core.search import deck_term
from flashcards.core.taskformat import MAX_DETAILS_LENGTH, MAX_TITLE_LENGTH
from flashcards.services import study
from flashcards.services.settings import load_options, zone_named
from flashcards.web.context import db, now


def register(app: Flask) -> None:
    app.add_template_filter(count_label, "count")
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(card_text, "card_text")
    app.add_template_filter(count_noun, "count_noun")
    app.add_template_filter(snippet, "snippet")
    app.add_template_filter(relative_day, "relative_day")
    app.add_template_filter(deck_term, "deck_term")
    app.add_template_filter(format_interval, "interval")
    # The limits the hand-written task form in plan/_task.html shares with TaskEditForm.
    app.jinja_env.globals.update(max_title_length=MAX_TITLE_LENGTH,
                                 max_details_length=MAX_DETAILS_LENGTH)


def count_noun(n: int, noun: str) -> str:
    """"1 card", "2,400 cards"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def snippet(value: str | None, is_html: bool, limit: int = 90) -> str:
    """A card field as one short line of plain text (the browser's columns)."""
    if not value:
        return ""
    text = html.unescape(nh3.clean(value, tags=set())) if is_html else value
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def relative_day(moment: datetime | None) -> str:
    """When a card is due, in the user's study days from now: "today", "tomorrow",
    "in 3 days", "yesterday", "2 days ago" (core.days.relative_study_day)."""
    if moment is None:
        return ""
    zone, rollover_hour = _day_settings()
    return relative_study_day(moment, now(), zone, rollover_hour)


def _day_settings() -> tuple[ZoneInfo, int]:
    """The user's time zone and rollover hour, read once per request: a page may label
    hundreds of cards (the card browser's 50 rows read the settings 68 times before)."""
    day_settings: tuple[ZoneInfo, int] | None = g.get("day_settings")
    if day_settings is None:
        options = load_options(db())
        day_settings = g.day_settings = (zone_named(options.timezone), options.rollover_hour)
    return day_settings


def count_label(n: int) -> str:
    """A queue count; counting stops at study.COUNT_CAP."""
    return f"{study.COUNT_CAP}+" if n >= study.COUNT_CAP else str(n)


def localtime(moment: datetime) -> str:
    """A UTC instant as the user's local clock time (with the weekday if not today)."""
    zone = _day_settings()[0]
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
