"""Every file in decks/ loads cleanly: no empty field, duplicate front or unknown column."""

import csv
import tomllib
from pathlib import Path

from flashcards.services.bundled import load_bundled_decks

DECKS = Path(__file__).resolve().parent.parent / "decks"


def test_every_bundled_deck_loads() -> None:
    bundles = load_bundled_decks(DECKS)
    assert {b.key for b in bundles} == {"terminology", "ladder", "process", "answers"}
    for bundle in bundles:
        assert bundle.rows, bundle.key
        assert bundle.description, f"{bundle.key} needs a description"
        for row in bundle.rows:
            assert row.source.startswith("TPM Career Guide 2026 — "), (bundle.key, row.line)


def test_every_csv_in_decks_is_listed_in_the_manifest() -> None:
    manifest = tomllib.loads((DECKS / "decks.toml").read_text(encoding="utf-8"))
    listed = {entry["file"] for entry in manifest["deck"]}
    assert listed == {path.name for path in DECKS.glob("*.csv")}


def test_guids_are_unique_across_all_decks() -> None:
    guids = [row.guid for bundle in load_bundled_decks(DECKS) for row in bundle.rows]
    assert len(guids) == len(set(guids))


def test_answer_deck_holds_answer_pairs() -> None:
    answers = next(b for b in load_bundled_decks(DECKS) if b.key == "answers")
    assert all(r.weak_answer and r.strong_answer and r.back for r in answers.rows)


def test_no_cell_starts_with_a_spreadsheet_formula_character() -> None:
    for path in DECKS.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                for cell in row:
                    assert cell[:1] not in ("=", "+", "-", "@"), f"{path.name} line {number}"
