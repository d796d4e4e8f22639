"""Every file in decks/ loads cleanly, and COVERAGE.md maps the guide onto real cards."""

import csv
import re
import tomllib
from pathlib import Path

from flashcards.core.taskformat import TaskKind
from flashcards.services.bundled import load_bundle

DECKS = Path(__file__).resolve().parent.parent / "decks"
SOURCE_PREFIX = "TPM Career Guide 2026 — "


def test_every_bundled_deck_loads() -> None:
    bundle = load_bundle(DECKS)
    assert {d.key for d in bundle.decks} == {"terminology", "ladder", "process", "answers"}
    for deck in bundle.decks:
        assert deck.rows, deck.key
        assert "not verified facts" in deck.description, f"{deck.key} must say whose claims"
        for row in deck.rows:
            assert row.source.startswith(SOURCE_PREFIX), (deck.key, row.line)


def test_every_csv_in_decks_is_listed_in_the_manifest() -> None:
    manifest = tomllib.loads((DECKS / "decks.toml").read_text(encoding="utf-8"))
    listed = {entry["file"] for entry in manifest["deck"]} | {manifest["tasks"]["file"]}
    assert listed == {path.name for path in DECKS.glob("*.csv")}


def test_guids_are_unique_across_all_decks() -> None:
    guids = [row.guid for deck in load_bundle(DECKS).decks for row in deck.rows]
    assert len(guids) == len(set(guids))


def test_answer_deck_holds_answer_pairs() -> None:
    answers = next(d for d in load_bundle(DECKS).decks if d.key == "answers")
    assert all(r.weak_answer and r.strong_answer and r.back for r in answers.rows)


def test_no_cell_starts_with_a_spreadsheet_formula_character() -> None:
    for path in DECKS.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                for cell in row:
                    assert cell[:1] not in ("=", "+", "-", "@"), f"{path.name} line {number}"


def test_plan_tasks_cover_the_checklist_and_every_round() -> None:
    tasks = load_bundle(DECKS).tasks
    assert tasks is not None
    by_kind: dict[TaskKind, list[str]] = {}
    for row in tasks.rows:
        by_kind.setdefault(row.kind, []).append(row.title)
        assert row.source.startswith(SOURCE_PREFIX)
    mocks = " ".join(by_kind[TaskKind.MOCK]).lower()
    for round_name in ("behavioral", "technical deep dive", "cross-functional simulation",
                       "ethics"):
        assert round_name in mocks, round_name
    assert len([t for t in by_kind[TaskKind.STORIES] if "trade-off story" in t.lower()]) == 3
    whiteboard = " ".join(by_kind[TaskKind.WHITEBOARD]).lower()
    for stage in ("training", "evaluation", "deployment", "monitoring"):
        assert stage in whiteboard, stage
    (rest,) = by_kind[TaskKind.REST]
    assert "before the interview" in rest


def coverage_rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in (DECKS / "COVERAGE.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if len(cells) == 3 and cells[0] != "Fact" and not set(cells[0]) <= {"-", ":"}:
            rows.append((cells[0], cells[1], cells[2].replace("\\|", "|")))
    return rows


def test_coverage_names_only_fronts_that_exist_and_every_card_is_mapped() -> None:
    fronts = {(deck.key, row.front) for deck in load_bundle(DECKS).decks for row in deck.rows}
    rows = coverage_rows()
    assert len(rows) > 100
    missing = [(deck, front) for _, deck, front in rows if (deck, front) not in fronts]
    assert missing == []
    unmapped = fronts - {(deck, front) for _, deck, front in rows}
    assert unmapped == set()
