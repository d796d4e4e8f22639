"""Writing card files: our CSV (formula cells neutralised) and Anki's text format."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flashcards.core.cards import (
    CardKind,
)
from flashcards.core.csvformat.model import CONTENT_COLUMNS, SCHEDULE_COLUMNS
from flashcards.core.csvformat.sanitise import html_for_anki, neutralise
from flashcards.core.scheduling import Schedule


@dataclass(frozen=True, slots=True)
class ExportCard:
    guid: str
    deck: str
    kind: CardKind
    front: str
    back: str
    weak_answer: str | None
    strong_answer: str | None
    tags: tuple[str, ...]
    source: str
    is_html: bool
    schedule: Schedule
    suspended: bool
    position: int


def write_native_csv(cards: Iterable[ExportCard], *, with_schedule: bool) -> Iterator[str]:
    """Our CSV, one chunk of text at a time: a header row, formula cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CONTENT_COLUMNS + (SCHEDULE_COLUMNS if with_schedule else ()))
    for number, card in enumerate(cards, start=1):
        row = [card.guid, card.deck, card.kind.value, card.front, card.back,
               card.weak_answer or "", card.strong_answer or "", " ".join(card.tags),
               card.source, "true" if card.is_html else "false"]
        if with_schedule:
            s = card.schedule
            row += [s.state.name.lower(), _text(s.step), _text(s.stability),
                    _text(s.difficulty), s.due.isoformat() if s.due else "",
                    s.last_review.isoformat() if s.last_review else "", str(s.reps),
                    str(s.lapses), "true" if card.suspended else "false", str(card.position)]
        writer.writerow([neutralise(cell) for cell in row])
        if number % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_anki_text(cards: Iterable[ExportCard]) -> Iterator[str]:
    """Anki's Notes in Plain Text, tab-separated, with the header lines that let Anki
    import it without changing anything in its dialog."""
    # The note type comes first: a line that began with a guid such as "#a1" would be
    # read as a comment.
    yield ("#separator:tab\n#html:true\n#notetype column:1\n#guid column:2\n"
           "#deck column:3\n#tags column:6\n")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    for number, card in enumerate(cards, start=1):
        front, back = html_for_anki(card.front, card.is_html), html_for_anki(card.back,
                                                                             card.is_html)
        if card.kind == CardKind.ANSWER_PAIR:
            # Anki has no answer-pair note type: both answers on the front, the verdict back.
            weak = html_for_anki(card.weak_answer or "", card.is_html)
            strong = html_for_anki(card.strong_answer or "", card.is_html)
            front = f"{front}<br><br>Weak or strong?<br>• {weak}<br>• {strong}"
            back = f"Strong: {strong}<br>Weak: {weak}<br><br>{back}"
        writer.writerow(["Basic", card.guid, card.deck, front, back, " ".join(card.tags)])
        if number % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _text(value: float | int | None) -> str:
    # repr() of a float reads back to the same float, bit for bit.
    return "" if value is None else repr(value)
