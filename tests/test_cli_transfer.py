"""flask import-deck / export-deck: one line and a non-zero exit on error."""

from sqlalchemy import func, select

from flashcards.models import Card, Deck
from flashcards.services.decks import update_deck
from tests.conftest import START, make_deck


def count(session) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(Card)).scalar_one()


def test_import_dry_run_then_import_then_export(app, session, tmp_path) -> None:
    runner = app.test_cli_runner()
    source = tmp_path / "words.csv"
    source.write_text("front,back,tags\nA,B,x\n,empty,\nC,D,\n", encoding="utf-8")
    dry = runner.invoke(args=["import-deck", str(source), "--dry-run"])
    assert dry.exit_code == 0
    assert "Dry run, nothing changed: 2 new, 0 updated, 0 unchanged, 1 rejected." in dry.output
    assert "line 3: the front is empty" in dry.output
    assert count(session) == 0
    done = runner.invoke(args=["import-deck", str(source), "--deck", "Words"])
    assert done.exit_code == 0 and "2 new" in done.output
    again = runner.invoke(args=["import-deck", str(source), "--deck", "Words"])
    assert "0 new, 0 updated, 2 unchanged" in again.output
    out = tmp_path / "out.csv"
    exported = runner.invoke(args=["export-deck", str(out), "--deck", "Words",
                                   "--with-scheduling"])
    assert exported.exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0].endswith("suspended,position") and "A,B" in text
    anki = runner.invoke(args=["export-deck", "-", "--format", "anki"])
    assert anki.output.startswith("#separator:tab")


def test_errors_exit_non_zero_with_one_line(app, session, tmp_path) -> None:
    make_deck(session, "Keep", cards=1)
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_bytes("front,back\ncafé,x\n".encode("latin-1"))
    result = runner.invoke(args=["import-deck", str(bad)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {bad}: line 2: the file is not UTF-8 (byte 0xE9); it may be Latin-1 or "
        "Windows-1252. Save it as UTF-8 and import it again"]
    missing = runner.invoke(args=["export-deck", str(tmp_path / "x.csv"), "--deck", "Nope"])
    assert missing.exit_code == 1 and "there is no deck named 'Nope'" in missing.output
    schedules = runner.invoke(args=["export-deck", "-", "--format", "anki",
                                    "--with-scheduling"])
    assert schedules.exit_code == 1 and "no place for schedules" in schedules.output
    assert count(session) == 1


def test_import_deck_into_a_deck_named_in_another_case_uses_that_deck(app, session,
                                                                      tmp_path) -> None:
    existing = make_deck(session, "Terminology", cards=1)
    runner = app.test_cli_runner()
    source = tmp_path / "words.csv"
    source.write_text("front,back\nRACI,roles\n", encoding="utf-8")
    done = runner.invoke(args=["import-deck", str(source), "--deck", "terminology"])
    assert done.exit_code == 0, done.output
    session.rollback()
    assert session.execute(select(Deck.id, Deck.name)).all() == [(existing.id, "Terminology")]
    assert session.execute(select(func.count()).select_from(Card)
                           .where(Card.deck_id == existing.id)).scalar_one() == 2
    # ... and the deck can still be renamed (a second deck of that name would block it).
    update_deck(session, existing.id, "terminology", "", START)
    session.commit()
    out = tmp_path / "out.csv"
    exported = runner.invoke(args=["export-deck", str(out), "--deck", "TERMINOLOGY"])
    assert exported.exit_code == 0, exported.output
    assert "RACI,roles" in out.read_text(encoding="utf-8")


def test_import_deck_reads_spreadsheet_headers_and_takes_a_layout(app, session,
                                                                  tmp_path) -> None:
    runner = app.test_cli_runner()
    source = tmp_path / "sheet.csv"
    source.write_text("Term;Definition\nscope;what is in\n", encoding="utf-8")
    done = runner.invoke(args=["import-deck", str(source), "--dry-run"])
    assert done.exit_code == 0 and "1 new, 0 updated" in done.output
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("Notes,Spanish,English\nzoo,perro,dog\n", encoding="utf-8")
    as_cards = runner.invoke(args=["import-deck", str(unknown), "--dry-run"])
    assert "2 new" in as_cards.output  # an unknown header is a card, as in Anki
    mapped = runner.invoke(args=["import-deck", str(unknown), "--header",
                                 "--columns", "tags,back,front", "--deck", "Words"])
    assert mapped.exit_code == 0, mapped.output
    assert "1 new, 0 updated" in mapped.output
    session.rollback()
    assert session.execute(select(Card.front, Card.back, Card.tags)).all() == [
        ("dog", "perro", "zoo")]
    no_header = runner.invoke(args=["import-deck", str(source), "--no-header", "--dry-run"])
    assert "2 new" in no_header.output


def test_import_deck_refuses_cards_without_a_back(app, session, tmp_path) -> None:
    runner = app.test_cli_runner()
    source = tmp_path / "fronts.csv"
    source.write_text("front,tags\ndog,animal\n", encoding="utf-8")
    refused = runner.invoke(args=["import-deck", str(source)])
    assert refused.exit_code == 1
    assert "the header has no back column" in refused.output
    bad = runner.invoke(args=["import-deck", str(source), "--columns", "front,tags"])
    assert bad.exit_code == 2
    assert "no column is the back" in bad.output
    blank = tmp_path / "blank.csv"
    blank.write_text("Question,Answer\ndog,\n", encoding="utf-8")
    flagged = runner.invoke(args=["import-deck", str(blank), "--dry-run"])
    assert "note: these cards have no back (from line 2)" in flagged.output
    assert count(session) == 0


def test_export_deck_for_excel_round_trips(app, session, tmp_path) -> None:
    make_deck(session, "Dash — deck", cards=2)
    runner = app.test_cli_runner()
    out = tmp_path / "excel.csv"
    assert runner.invoke(args=["export-deck", str(out), "--format", "excel"]).exit_code == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfguid,deck,") and "Dash — deck".encode() in data
    again = runner.invoke(args=["import-deck", str(out), "--dry-run"])
    assert "0 new, 0 updated, 2 unchanged, 0 rejected" in again.output


def test_import_deck_without_a_deck_uses_the_file_name_as_the_web_page_does(app, session,
                                                                            tmp_path) -> None:
    source = tmp_path / "Python_terms.csv"
    source.write_text("front,back\nA,B\n", encoding="utf-8")
    done = app.test_cli_runner().invoke(args=["import-deck", str(source)])
    assert done.exit_code == 0, done.output
    session.rollback()
    assert session.execute(select(Deck.name)).scalars().all() == ["Python terms"]
