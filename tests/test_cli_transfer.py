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
