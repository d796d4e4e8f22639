"""Interoperability with Anki's "Notes in Plain Text" files, checked against Anki itself.

The `anki` package (Anki's own Python library, AGPL) is the reference implementation
here: these tests write files with Anki's exporter and read ours with Anki's importer.
It is used only in tests and benchmarks, never imported from flashcards/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# A test dependency ([test] extra): missing, the tests fail rather than skip.
from anki.collection import Collection, ImportCsvRequest  # noqa: E402
from sqlalchemy import select
from sqlalchemy.orm import Session

from flashcards.core.csvformat import html_for_anki, parse_import
from flashcards.db import make_engine, make_sessionmaker
from flashcards.models import Card, Deck
from flashcards.services.exporter import ExportFormat, export_cards
from flashcards.services.importer import apply_import, plan_import
from tests.conftest import START, Databases

# (guid, deck, front, back, tags, is_html): what we compare between the two apps.
Note = tuple[str, str, str, str, tuple[str, ...], bool]


# -- helpers --------------------------------------------------------------------------


@pytest.fixture
def new_collection(tmp_path: Path) -> Iterator[Callable[[str], object]]:
    """Opens fresh, empty Anki collections in tmp_path; closes them all afterwards."""
    opened = []

    def open_collection(name: str) -> object:
        folder = tmp_path / f"anki-{name}"
        folder.mkdir()
        col = Collection(str(folder / "collection.anki2"))
        opened.append(col)
        return col

    yield open_collection
    for col in opened:
        col.close()


@pytest.fixture
def empty_session(databases: Databases) -> Iterator[Session]:
    """A second, empty database at the newest schema (besides the `session` one)."""
    engine = make_engine(databases.create())
    with make_sessionmaker(engine)(info={"user_id": 1}) as session:
        yield session
    engine.dispose()


def import_into_ours(session: Session, data: bytes):
    parsed = parse_import(data)
    assert parsed.rejected == [] and parsed.warnings == []
    plan = plan_import(session, parsed)
    apply_import(session, plan, START)
    session.commit()
    return plan


def our_notes(session: Session, *, sort_tags: bool = False) -> dict[str, Note]:
    notes = {}
    for card, deck in session.execute(select(Card, Deck.name).join(Deck)):
        tags = tuple(card.tags.split())
        notes[card.guid] = (card.guid, deck, card.front, card.back,
                            tuple(sorted(tags)) if sort_tags else tags, card.is_html)
    return notes


def anki_notes(col) -> dict[str, tuple[str, str, str, tuple[str, ...], str]]:
    """guid -> (deck, Front, Back, tags, note type name) as Anki stores them."""
    notes = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        deck = col.decks.name(col.get_card(note.card_ids()[0]).did)
        notes[note.guid] = (deck, note["Front"], note["Back"], tuple(note.tags),
                            note.note_type()["name"])
    return notes


def export_from_anki(col, path: Path) -> bytes:
    col.export_note_csv(out_path=str(path), limit=None, with_html=True, with_tags=True,
                        with_deck=True, with_notetype=True, with_guid=True)
    return path.read_bytes()


def import_into_anki(col, path: Path):
    """Anki's import with the options it reads from the file, unchanged (the dialog's
    defaults: the user clicks Import without touching anything)."""
    metadata = col.get_csv_metadata(str(path), None)
    return col.import_csv(ImportCsvRequest(path=str(path), metadata=metadata)).log


def export_ours(session: Session, path: Path) -> Path:
    text = "".join(export_cards(session, deck_id=None, export_format=ExportFormat.ANKI))
    path.write_bytes(text.encode("utf-8"))
    return path


OUR_CARDS = [
    # (guid, deck, front, back, tags, is_html)
    ("ours-script", "Web", "What does <script> do?", "Runs JavaScript; see also </script>.",
     ("html", "security"), False),
    ("ours-less", "Web", "Is a < b when a = 1 and b = 2?", "Yes:\n1 < 2\nalways",
     ("math",), False),
    ("ours-quotes", "Web", 'Tom & Jerry, "the" cartoon', "=1+1 is not a formula here",
     (), False),
    ("ours-html", "Languages::Hebrew", "<b>Bold</b> term", "<i>italic</i> answer",
     ("formatted",), True),
    ("ours-hebrew", "Languages::Hebrew", "שלום 🎉", "hello\tworld", ("עברית", "emoji"), False),
]


def seed_our_cards(session: Session) -> None:
    decks: dict[str, Deck] = {}
    for position, (guid, deck_name, front, back, tags, is_html) in enumerate(OUR_CARDS, 1):
        if deck_name not in decks:
            decks[deck_name] = Deck(user_id=1, name=deck_name, description="", created_at=START)
            session.add(decks[deck_name])
            session.flush()
        session.add(Card(user_id=1, deck_id=decks[deck_name].id, guid=guid, kind="basic",
                         front=front,
                         back=back, tags=" ".join(tags), source="", is_html=is_html,
                         position=position, created_at=START))
    session.commit()


# -- (a) Anki -> us -------------------------------------------------------------------

# (label, deck, Front, Back, tags, our front, our back, our is_html). Anki's fields are
# HTML: its editor writes a line break as <br> and < & > as entities; plain text on our
# side. A raw newline inside a field is kept as is by both.
ANKI_NOTES = [
    ("comma", "A::B", "Comma, and more", 'She said "hi"', ["punctuation", "quotes"],
     "Comma, and more", 'She said "hi"', False),
    ("breaks", "A::B", "Line one<br>line two", "raw\nnewline", ["multiline"],
     "Line one\nline two", "raw\nnewline", False),
    ("bold", "A", "<b>Bold</b> question", "plain answer", ["html"],
     "<b>Bold</b> question", "plain answer", True),
    ("formula", "Sheet", "=1+1", "2", [], "=1+1", "2", False),
    ("unicode", "A::B", "Party 🎉", "שלום עולם", ["emoji", "עברית"],
     "Party 🎉", "שלום עולם", False),
    ("tab", "Sheet", "tab\there", "after a tab", ["tab", "lang::he", "x"],
     "tab\there", "after a tab", False),
    ("entities", "Sheet", "1 &lt; 2 &amp;&amp; 3 &gt; 2", "entities", ["entities"],
     "1 < 2 && 3 > 2", "entities", False),
]


def test_a_file_exported_by_anki_imports_with_decks_tags_and_guids(
        session, new_collection, tmp_path) -> None:
    col = new_collection("source")
    basic = col.models.by_name("Basic")
    guids = {}
    for label, deck, front, back, tags, *_ in ANKI_NOTES:
        note = col.new_note(basic)
        note["Front"], note["Back"], note.tags = front, back, tags
        if label == "comma":
            note.guid = "#q,;<x>`|"  # Anki's guid alphabet includes these; '#' is quoted
        col.add_note(note, col.decks.id(deck))
        guids[label] = note.guid
    stored = anki_notes(col)
    data = export_from_anki(col, tmp_path / "from-anki.txt")
    # What Anki wrote: quoted fields for the tab and the raw newline, <br> left as is.
    assert b'"tab\there"' in data and b'"raw\nnewline"' in data
    assert b"Line one<br>line two" in data and "\tשלום עולם\t".encode() in data

    plan = import_into_ours(session, data)
    assert plan.counts == {"new": len(ANKI_NOTES), "updated": 0, "unchanged": 0, "rejected": 0}

    ours = our_notes(session)
    assert set(ours) == set(stored) == set(guids.values())
    for label, _, _, _, _, front, back, is_html in ANKI_NOTES:
        guid = guids[label]
        deck, anki_front, anki_back, anki_tags, _ = stored[guid]
        assert ours[guid] == (guid, deck, front, back, anki_tags, is_html), label
        if not is_html and not any(s in anki_front + anki_back for s in ("<br>", "&")):
            # Plain text that Anki stored as is: exactly what Anki stored.
            assert (ours[guid][2], ours[guid][3]) == (anki_front, anki_back), label
    assert {deck for _, deck, *_ in ours.values()} == {"A::B", "A", "Sheet"}

    again = plan_import(session, parse_import(data))
    assert again.counts == {"new": 0, "updated": 0,
                            "unchanged": len(ANKI_NOTES), "rejected": 0}


# -- (b) us -> Anki -------------------------------------------------------------------


def test_our_anki_export_imports_into_anki_without_changing_any_option(
        session, new_collection, tmp_path) -> None:
    seed_our_cards(session)
    path = export_ours(session, tmp_path / "ours.txt")
    col = new_collection("target")

    metadata = col.get_csv_metadata(str(path), None)
    # Anki read every special column from the file's own header lines.
    special = (metadata.guid_column, metadata.notetype_column, metadata.deck_column,
               metadata.tags_column)
    assert metadata.is_html and 0 not in special and len(set(special)) == 4
    log = import_into_anki(col, path)
    assert len(log.new) == len(OUR_CARDS)
    assert not (log.updated or log.duplicate or log.conflicting or log.first_field_match
                or log.missing_notetype or log.missing_deck or log.empty_first_field)

    notes = anki_notes(col)
    assert col.note_count() == len(OUR_CARDS)
    assert set(notes) == {guid for guid, *_ in OUR_CARDS}
    for guid, deck, front, back, tags, is_html in OUR_CARDS:
        assert notes[guid] == (deck, html_for_anki(front, is_html), html_for_anki(back, is_html),
                               tuple(sorted(tags)), "Basic"), guid
    assert notes["ours-script"][1] == "What does &lt;script&gt; do?"
    assert notes["ours-less"][2] == "Yes:<br>1 &lt; 2<br>always"
    assert {"Web", "Languages::Hebrew"} <= {d.name for d in col.decks.all_names_and_ids()}


# -- (c) us -> Anki -> us -------------------------------------------------------------


def test_round_trip_through_anki_into_an_empty_database(
        session, empty_session, new_collection, tmp_path) -> None:
    seed_our_cards(session)
    col = new_collection("middle")
    log = import_into_anki(col, export_ours(session, tmp_path / "ours.txt"))
    assert len(log.new) == len(OUR_CARDS)
    data = export_from_anki(col, tmp_path / "back-from-anki.txt")

    plan = import_into_ours(empty_session, data)
    assert plan.counts == {"new": len(OUR_CARDS), "updated": 0, "unchanged": 0, "rejected": 0}
    # Anki keeps a note's tags sorted, so only their order may differ.
    assert our_notes(empty_session, sort_tags=True) == our_notes(session, sort_tags=True)


# -- guids that Anki itself makes -----------------------------------------------------


def test_a_guid_starting_with_hash_survives_our_anki_export(
        session, new_collection, tmp_path) -> None:
    """Anki's guids use 91 characters including '#', so about one note in 91 that came
    from Anki has a guid starting with '#'. In a tab-separated file a line starting with
    '#' is a comment (Anki) or a header line (our parser), so such a guid must never
    start a line unquoted (Anki's own exporter quotes it)."""
    seed_our_cards(session)
    # One on the file's first row (its deck sorts first), one further down.
    for old, new in (("ours-html", "#q,;<x>`|"), ("ours-script", "#Lm9:J!2v")):
        card = session.execute(select(Card).where(Card.guid == old)).scalar_one()
        card.guid = new
    session.commit()
    path = export_ours(session, tmp_path / "ours.txt")
    expected = sorted(our_notes(session))

    read_by_us = sorted(row.guid for row in parse_import(path.read_bytes()).rows)
    col = new_collection("target")
    import_into_anki(col, path)
    read_by_anki = sorted(anki_notes(col))
    assert {"ours": read_by_us, "anki": read_by_anki} == {"ours": expected, "anki": expected}
