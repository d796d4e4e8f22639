"""Seeding the bundled decks: once, without overwriting the user's edits."""

from pathlib import Path

import pytest
from sqlalchemy import select

from flashcards.models import Card, Deck, PlanTask
from flashcards.services.bundled import (
    Bundle,
    BundleError,
    adopt_local_time_zone,
    load_bundle,
    load_bundled_decks,
    seed_bundle,
    seed_bundled_decks,
)
from flashcards.services.cards import CardContent, update_card
from flashcards.services.decks import delete_deck
from flashcards.services.settings import get_settings
from tests.conftest import START, count_rows

DECKS = Path(__file__).resolve().parents[2] / "decks"


def write_bundle(folder: Path, rows: list[str], name: str = "Mini") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "decks.toml").write_text(
        f'[[deck]]\nkey = "mini"\nfile = "mini.csv"\nname = "{name}"\ndescription = "d"\n')
    (folder / "mini.csv").write_text("guid,front,back,tags,source\n" + "\n".join(rows) + "\n")
    return folder


def test_real_bundle_seeds_once(session) -> None:
    bundles = load_bundled_decks(DECKS)
    report = seed_bundled_decks(session, bundles, START)
    session.commit()
    total = sum(len(b.rows) for b in bundles)
    assert len(report.decks_created) == 4 and report.cards_added == total
    again = seed_bundled_decks(session, load_bundled_decks(DECKS), START)
    session.commit()
    assert again.decks_created == [] and again.cards_added == 0
    assert count_rows(session, Card) == total and count_rows(session, Deck) == 4


def test_update_adds_new_cards_and_refreshes_unedited_ones(session, tmp_path) -> None:
    folder = write_bundle(tmp_path / "b", ["m-1,One,1,,s", "m-2,Two,2,,s"])
    seed_bundled_decks(session, load_bundled_decks(folder), START)
    session.commit()
    write_bundle(folder, ["m-1,One,uno,,s", "m-2,Two,2,,s", "m-3,Three,3,,s"])
    report = seed_bundled_decks(session, load_bundled_decks(folder), START)
    session.commit()
    assert (report.cards_added, report.cards_updated) == (1, 1)
    backs = dict(session.execute(select(Card.guid, Card.back)).all())
    assert backs == {"m-1": "uno", "m-2": "2", "m-3": "3"}


def test_edited_card_is_not_overwritten_and_its_deck_still_updates(session, tmp_path) -> None:
    folder = write_bundle(tmp_path / "b", ["m-1,One,1,,s", "m-2,Two,2,,s"])
    seed_bundled_decks(session, load_bundled_decks(folder), START)
    session.commit()
    card = session.execute(select(Card).where(Card.guid == "m-1")).scalar_one()
    update_card(session, card.id, CardContent("One!", "mine", None, None, "", "s"), START)
    session.commit()
    write_bundle(folder, ["m-1,One,changed,,s", "m-2,Two,changed,,s"])
    seed_bundled_decks(session, load_bundled_decks(folder), START)
    session.commit()
    backs = dict(session.execute(select(Card.guid, Card.back)).all())
    assert backs == {"m-1": "mine", "m-2": "changed"}


def test_card_deleted_by_user_is_not_brought_back(session, tmp_path) -> None:
    folder = write_bundle(tmp_path / "b", ["m-1,One,1,,s", "m-2,Two,2,,s"])
    seed_bundled_decks(session, load_bundled_decks(folder), START)
    session.commit()
    session.delete(session.execute(select(Card).where(Card.guid == "m-2")).scalar_one())
    session.commit()
    write_bundle(folder, ["m-1,One,1,,s", "m-2,Two,2,,s", "m-3,Three,3,,s"])
    seed_bundled_decks(session, load_bundled_decks(folder), START)
    session.commit()
    assert set(session.execute(select(Card.guid)).scalars()) == {"m-1", "m-3"}


@pytest.mark.parametrize("users_deck", ["Mini", "mini", "MINI "])
def test_name_clash_with_a_user_deck_gets_a_new_name(session, tmp_path, users_deck) -> None:
    session.add(Deck(user_id=1, name=users_deck, description="", created_at=START))
    session.commit()
    seed_bundled_decks(session, load_bundled_decks(write_bundle(tmp_path / "b", ["m-1,O,1,,s"])),
                       START)
    session.commit()
    assert set(session.execute(select(Deck.name)).scalars()) == {users_deck, "Mini (2)"}


def test_first_start_adopts_local_time_zone_only_once(session, tmp_path) -> None:
    assert adopt_local_time_zone(session, "Europe/Berlin")
    session.commit()
    assert get_settings(session).timezone == "Europe/Berlin"
    get_settings(session).timezone = "UTC"
    seed_bundled_decks(session, load_bundled_decks(write_bundle(tmp_path / "b", ["m-1,O,1,,s"])),
                       START)
    session.commit()
    assert not adopt_local_time_zone(session, "Europe/Berlin")
    assert not adopt_local_time_zone(session, "Not/AZone")


def test_new_cards_of_bundled_decks_are_interleaved(session) -> None:
    seed_bundled_decks(session, load_bundled_decks(DECKS), START)
    session.commit()
    first = session.execute(
        select(Deck.bundle_key).join(Card).order_by(Card.position).limit(4)).scalars().all()
    assert first == ["terminology", "ladder", "process", "answers"]
    positions = session.execute(select(Card.position)).scalars().all()
    assert len(positions) == len(set(positions))


def write_tasks(folder: Path, rows: list[str]) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "decks.toml").write_text('[tasks]\nfile = "tasks.csv"\n')
    (folder / "tasks.csv").write_text(
        "key,title,details,kind,minutes,earliest_week,latest_week,source\n"
        + "\n".join(rows) + "\n")
    return folder


def test_plan_tasks_seed_once_update_and_stay_deleted(session, tmp_path) -> None:
    folder = write_tasks(tmp_path / "t", ["t-1,One,d,stories,30,1,1,s",
                                          "t-2,Two,d,mock,45,3,4,s"])
    report = seed_bundle(session, load_bundle(folder), START)
    session.commit()
    assert report.tasks_added == 2
    assert seed_bundle(session, load_bundle(folder), START).tasks_added == 0
    session.delete(session.execute(select(PlanTask).where(PlanTask.key == "t-2")).scalar_one())
    session.commit()
    write_tasks(folder, ["t-1,One,d,stories,40,1,1,s", "t-2,Two,d,mock,45,3,4,s",
                         "t-3,Three,d,rest,20,4,4,s"])
    report = seed_bundle(session, load_bundle(folder), START)
    session.commit()
    assert (report.tasks_added, report.tasks_updated) == (1, 1)
    minutes = dict(session.execute(select(PlanTask.key, PlanTask.minutes)).all())
    assert minutes == {"t-1": 40, "t-3": 20}


def test_real_bundle_seeds_plan_tasks(session) -> None:
    bundle = load_bundle(DECKS)
    report = seed_bundle(session, bundle, START)
    session.commit()
    assert bundle.tasks is not None
    assert report.tasks_added == len(bundle.tasks.rows) == count_rows(session, PlanTask)


def test_broken_manifest_is_reported(tmp_path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "decks.toml").write_text('[[deck]]\nkey = "x"\nfile = "missing.csv"\nname = "X"\n')
    with pytest.raises(BundleError, match="missing.csv"):
        load_bundle(folder)
    (folder / "decks.toml").write_text('[[deck]]\nkey = "x"\nfile = "x.csv"\nname = "X"\n')
    (folder / "x.csv").write_bytes("guid,front,back,tags,source\nx-1,caf\xe9,b,,s\n".encode(
        "latin-1"))
    with pytest.raises(BundleError, match="not UTF-8"):
        load_bundle(folder)


def test_deck_deleted_by_user_is_not_brought_back(session, tmp_path) -> None:
    """Deleting a bundled deck is final: an updated bundle does not recreate it."""
    folder = write_bundle(tmp_path / "b", ["m-1,One,1,,s"])
    seed_bundled_decks(session, load_bundled_decks(folder), START)
    session.commit()
    delete_deck(session, session.execute(select(Deck.id)).scalar_one())
    session.commit()
    write_bundle(folder, ["m-1,One,uno,,s", "m-2,Two,2,,s"])
    report = seed_bundled_decks(session, load_bundled_decks(folder), START)
    session.commit()
    assert report.decks_created == []
    assert (count_rows(session, Deck), count_rows(session, Card)) == (0, 0)


def test_plan_tasks_without_a_priority_column_follow_their_kind(session, tmp_path) -> None:
    folder = write_tasks(tmp_path / "t", ["t-1,One,d,stories,30,1,1,s",
                                          "t-2,Two,d,mock,45,3,4,s", "t-3,Three,d,rest,20,4,4,s"])
    seed_bundle(session, load_bundle(folder), START)
    session.commit()
    priorities = dict(session.execute(select(PlanTask.key, PlanTask.priority)).all())
    assert priorities == {"t-1": "optional", "t-2": "required", "t-3": "required"}


def test_plan_tasks_take_the_priority_column_when_the_file_has_one(session, tmp_path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "decks.toml").write_text('[tasks]\nfile = "tasks.csv"\n')

    def edition(first: str) -> Bundle:
        (folder / "tasks.csv").write_text(
            "key,title,details,kind,minutes,earliest_week,latest_week,priority,source\n"
            f"t-1,One,d,stories,30,1,1,{first},s\nt-2,Two,d,mock,45,3,4,optional,s\n")
        return load_bundle(folder)

    seed_bundle(session, edition("required"), START)
    session.commit()
    priorities = dict(session.execute(select(PlanTask.key, PlanTask.priority)).all())
    assert priorities == {"t-1": "required", "t-2": "optional"}
    # A later edition changing only the priority updates the task.
    report = seed_bundle(session, edition("optional"), START)
    session.commit()
    assert report.tasks_updated == 1
    assert session.execute(select(PlanTask.priority).where(PlanTask.key == "t-1")
                           ).scalar_one() == "optional"


ORDER_HEADER = ("key,title,details,kind,minutes,earliest_week,latest_week,priority,after,"
                "sitting,source\n")


def write_ordered_tasks(folder: Path, rows: list[str]) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "decks.toml").write_text('[tasks]\nfile = "tasks.csv"\n')
    (folder / "tasks.csv").write_text(ORDER_HEADER + "\n".join(rows) + "\n")
    return folder


def order_of(session) -> dict[str, tuple[tuple[str, ...], bool]]:
    """Each task's prerequisites (as keys) and its sitting flag."""
    tasks = session.execute(select(PlanTask)).scalars().all()
    keys = {task.id: task.key for task in tasks}
    return {task.key: (tuple(sorted(keys[i] for i in task.after)), task.sitting)
            for task in tasks}


def test_seeding_stores_after_as_the_users_task_ids_and_sitting(session, tmp_path) -> None:
    folder = write_ordered_tasks(tmp_path / "t", [
        "s-1,Story one,d,stories,45,1,2,required,,,s",
        "s-2,Story two,d,stories,45,1,2,required,s-1,,s",
        "m-1,Mock,d,mock,45,3,3,required,s-1 s-2,yes,s"])
    seed_bundle(session, load_bundle(folder), START)
    session.commit()
    assert order_of(session) == {"s-1": ((), False), "s-2": (("s-1",), False),
                                 "m-1": (("s-1", "s-2"), True)}
    ids = dict(session.execute(select(PlanTask.key, PlanTask.id)).all())
    mock = session.execute(select(PlanTask).where(PlanTask.key == "m-1")).scalar_one()
    assert mock.after_ids == f"{ids['s-1']} {ids['s-2']}"


def test_a_new_edition_updates_after_and_sitting_unless_the_user_edited_the_task(
        session, tmp_path) -> None:
    folder = write_ordered_tasks(tmp_path / "t", [
        "s-1,Story one,d,stories,45,1,2,required,,,s",
        "s-2,Story two,d,stories,45,1,2,required,,,s",
        "s-3,Story three,d,stories,45,1,2,required,,,s",
        "m-1,Mock,d,mock,45,3,3,required,,,s"])
    seed_bundle(session, load_bundle(folder), START)
    session.commit()
    edited = session.execute(select(PlanTask).where(PlanTask.key == "s-3")).scalar_one()
    edited.edited_at = START
    session.delete(session.execute(select(PlanTask).where(PlanTask.key == "s-1")).scalar_one())
    session.commit()
    write_ordered_tasks(folder, [
        "s-1,Story one,d,stories,45,1,2,required,,,s",
        "s-2,Story two,d,stories,45,1,2,required,s-1,,s",
        "s-3,Story three,d,stories,45,1,2,required,s-2,,s",
        "n-1,New,d,research,30,1,2,required,,,s",
        "m-1,Mock,d,mock,45,3,3,required,s-2 s-3 n-1,yes,s"])
    report = seed_bundle(session, load_bundle(folder), START)
    session.commit()
    # s-2 needs s-1, which the user deleted: nothing. s-3 was edited: kept as it was.
    assert order_of(session) == {"s-2": ((), False), "s-3": ((), False),
                                 "n-1": ((), False), "m-1": (("n-1", "s-2", "s-3"), True)}
    assert (report.tasks_added, report.tasks_updated) == (1, 1)
