"""Import plans, duplicate policies, all-or-nothing writes, and export -> import identity."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from flashcards.core.csvformat import ImportFileError, parse_import
from flashcards.core.scheduling import Rating
from flashcards.models import Card, Deck, ReviewLog
from flashcards.services import study
from flashcards.services.exporter import ExportFormat, export_cards
from flashcards.services.importer import DuplicatePolicy, apply_import, plan_import
from tests.conftest import START, make_deck


def run_import(session, data: bytes, **options):
    plan = plan_import(session, parse_import(data), **options)
    result = apply_import(session, plan, START)
    session.commit()
    return plan, result


def export_text(session, **options) -> str:
    return "".join(export_cards(session, deck_id=options.pop("deck_id", None), **options))


def cards(session) -> list[Card]:
    return session.execute(select(Card).order_by(Card.id)).scalars().all()


def test_preview_writes_nothing(session) -> None:
    plan = plan_import(session, parse_import(b"front,back\nA,B\nC,D\n"), deck="New deck")
    assert plan.counts == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert plan.new_decks == ["New deck"]
    session.rollback()
    assert session.execute(select(func.count()).select_from(Card)).scalar_one() == 0
    assert session.execute(select(func.count()).select_from(Deck)).scalar_one() == 0


def test_deck_comes_from_row_then_choice_then_file_then_default(session) -> None:
    run_import(session, b"#deck:From header\nA;B\n")
    run_import(session, b"front,back,deck\nC,D,Own\nE,F,\n", deck="Chosen")
    run_import(session, b"front,back\nG,H\n")
    decks = dict(session.execute(select(Card.front, Deck.name).join(Deck)).all())
    assert decks == {"A": "From header", "C": "Own", "E": "Chosen", "G": "Imported"}


def test_deck_names_longer_than_the_column_are_refused_on_every_database(session) -> None:
    """decks.name holds 200 characters: SQLite would store more, PostgreSQL refuses."""
    long = "x" * 201
    with pytest.raises(ImportFileError, match="line 1: the #deck: name is longer than 200"):
        parse_import(f"#deck:{long}\nA;B\n".encode())
    with pytest.raises(ImportFileError, match="is longer than 200 characters"):
        plan_import(session, parse_import(b"front,back\nA,B\n"), deck=long)
    plan, _ = run_import(session, f"front,back,deck\nA,B,{long}\nC,D,{long[1:]}\n".encode())
    assert plan.counts["new"] == 1 and plan.rejected[0].line == 2
    assert session.execute(select(Deck.name)).scalars().all() == [long[1:]]


def test_reimporting_the_same_file_under_update_changes_nothing(session) -> None:
    data = b"front,back,tags\nA,B,t\nC,D,\n"
    run_import(session, data, deck="D")
    before = [(c.id, c.version, c.front, c.back, c.tags) for c in cards(session)]
    plan, _ = run_import(session, data, deck="D")
    assert plan.counts == {"new": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert [(c.id, c.version, c.front, c.back, c.tags) for c in cards(session)] == before


def test_update_keeps_the_schedule_and_matches_by_trimmed_nfc_front(session) -> None:
    run_import(session, "front,back\ncafe\u0301,old\n".encode(), deck="D")
    card = cards(session)[0]
    study.grade(session, card.id, card.version, Rating.EASY, START)
    session.commit()
    session.expire_all()
    schedule = cards(session)[0].schedule
    plan, _ = run_import(session, "front,back\n  café ,new\n".encode(), deck="D")
    assert plan.counts["updated"] == 1
    session.expire_all()
    (card,) = cards(session)
    assert card.back == "new" and card.schedule == schedule
    assert session.execute(select(func.count()).select_from(ReviewLog)).scalar_one() == 1


def test_keep_and_add_policies(session) -> None:
    run_import(session, b"guid,front,back\ng1,A,B\n", deck="D")
    plan, _ = run_import(session, b"guid,front,back\ng1,A,changed\n",
                         policy=DuplicatePolicy.KEEP)
    assert plan.counts["unchanged"] == 1 and cards(session)[0].back == "B"
    plan, _ = run_import(session, b"guid,front,back\ng1,A,changed\n", deck="D",
                         policy=DuplicatePolicy.ADD)
    assert plan.counts["new"] == 1
    first, second = cards(session)
    assert second.back == "changed" and second.guid != first.guid == "g1"


def test_guid_match_wins_over_front(session) -> None:
    run_import(session, b"guid,front,back\ng1,Old front,B\n", deck="D")
    plan, _ = run_import(session, b"guid,front,back\ng1,New front,B\n", deck="D")
    assert plan.counts == {"new": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    assert [c.front for c in cards(session)] == ["New front"]


def test_duplicates_inside_the_file_are_rejected_with_lines(session) -> None:
    plan, _ = run_import(session, b"guid,front,back\ng1,A,B\ng1,X,Y\n,C,D\n, C ,E\n", deck="D")
    assert [str(r) for r in plan.rejected] == ["line 3: the same guid as line 2",
                                               "line 5: the same front as line 4 in deck 'D'"]
    assert plan.counts["new"] == 2


def test_a_failure_while_writing_writes_nothing(session, monkeypatch) -> None:
    make_deck(session, "Existing", cards=2)
    plan = plan_import(session, parse_import(
        b"front,back\n" + b"".join(b"f%d,b\n" % i for i in range(5000))), deck="Big")

    def fail(done: int, total: int) -> None:
        if done > 2000:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        apply_import(session, plan, START, progress=fail)
    session.rollback()
    assert session.execute(select(func.count()).select_from(Card)).scalar_one() == 2
    assert session.execute(select(Deck.name)).scalars().all() == ["Existing"]


def test_a_large_file_is_stored_row_for_row_in_file_order(session) -> None:
    # 1,234 rows: several multi-row INSERTs and a shorter last one; quoted and plain
    # lines; one row of another deck between them; a tag shared by many rows.
    lines = [b"front,back,tags,deck"]
    for i in range(1234):
        back = b'"b%d, quoted"' % i if i % 3 else b"b%d" % i
        lines.append(b"f%d,%s,shared t%d,%s" % (i, back, i % 2, b"Other" if i == 600 else b""))
    plan, result = run_import(session, b"\n".join(lines) + b"\n", deck="Big")
    assert result.counts["new"] == 1234 and not plan.rejected
    stored = session.execute(select(Card.front, Card.back, Card.tags, Deck.name, Card.guid)
                             .join(Deck).order_by(Card.id)).all()
    assert [(front, back, tags, deck) for front, back, tags, deck, _ in stored] == [
        (f"f{i}", f"b{i}, quoted" if i % 3 else f"b{i}", f"shared t{i % 2}",
         "Other" if i == 600 else "Big") for i in range(1234)]
    assert len({guid for *_, guid in stored}) == 1234
    positions = session.execute(select(Card.position).order_by(Card.id)).scalars().all()
    assert positions == sorted(positions) and len(set(positions)) == 1234


def test_many_row_inserts_are_written_as_sqlalchemy_would_compile_them(session) -> None:
    from flashcards.services.importer import _TEXT_COLUMNS, _BulkInsert

    insert = _BulkInsert(session.connection(), _TEXT_COLUMNS)
    for rows in (1, 2, 7, 400):
        assert insert._statement(rows) == insert._compiled(rows)


def test_a_big_import_leaves_the_collector_on_and_its_garbage_is_freed(session) -> None:
    import gc
    import weakref

    from flashcards.services.importer import import_file

    class Node:
        pass

    big = b"front,back\n" + b"".join(b"f%d,b\n" % i for i in range(15_000))
    was_enabled = gc.isenabled()
    gc.enable()
    gc.collect()  # counts at zero: no collection before the import starts
    node = Node()
    node.itself = node  # a reference cycle: only the cyclic collector frees it
    freed = weakref.ref(node)
    del node
    try:
        import_file(session, big, deck="Big", now=START)
        assert freed() is not None  # kept by the freeze until the next import
        session.commit()
        assert gc.isenabled()
        import_file(session, b"front,back\nx,y\n", deck="Small", now=START)
        session.commit()
        assert freed() is None and gc.isenabled() and not gc.get_freeze_count()
        with pytest.raises(ImportFileError):
            import_file(session, b"front,back\n", now=START)
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        if not was_enabled:
            gc.disable()


def test_schedule_backup_restores_every_card_exactly_into_an_empty_database(session) -> None:
    make_deck(session, "D", cards=6)
    now = START
    for rating in (Rating.AGAIN, Rating.GOOD, Rating.EASY, Rating.HARD):
        today = study.day_allowance(session, now)
        card = study.next_card(session, today)
        study.grade(session, card.id, card.version, rating, now)
        session.commit()
        now += timedelta(minutes=3)
    session.execute(select(Card)).scalars().first().suspended = True
    session.commit()
    fields = ("guid", "kind", "front", "back", "weak_answer", "strong_answer", "tags",
              "source", "is_html", "state", "step", "stability", "difficulty", "due",
              "last_review", "reps", "lapses", "suspended", "position")

    def snapshot() -> list[tuple]:
        session.expire_all()
        return [tuple(getattr(c, f) for f in fields) + (c.deck.name,) for c in cards(session)]

    before = snapshot()
    text = export_text(session, export_format=ExportFormat.CSV, with_schedule=True)
    session.execute(delete(ReviewLog))
    session.execute(delete(Card))
    session.execute(delete(Deck))
    session.commit()
    run_import(session, text.encode())
    assert snapshot() == before


LINE_BREAK = re.compile(r"\r\n|\r|\n")

cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1, max_size=40,
).filter(lambda s: s.strip())


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(cell_text, st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40), st.lists(st.from_regex(r"[a-z0-9_:]{1,8}", fullmatch=True), max_size=3)),
    min_size=1, max_size=8, unique_by=lambda r: r[0].strip()),
       export_format=st.sampled_from([ExportFormat.CSV, ExportFormat.ANKI]))
def test_export_then_import_is_identity(session, rows, export_format) -> None:
    session.execute(delete(Card))
    session.execute(delete(Deck))
    deck = Deck(user_id=1, name="Prop deck", description="", created_at=START)
    session.add(deck)
    session.flush()
    for number, (front, back, tags) in enumerate(rows):
        session.add(Card(user_id=1, deck_id=deck.id, guid=f"g{number}", kind="basic", front=front,
                         back=back, tags=" ".join(dict.fromkeys(tags)), source="",
                         position=number + 1, created_at=START))
    session.commit()
    before = [(c.guid, c.front, c.back, c.tags) for c in cards(session)]
    if export_format == ExportFormat.ANKI:
        # Anki's fields are HTML: every kind of line break comes back as a plain newline.
        before = [(g, LINE_BREAK.sub("\n", f), LINE_BREAK.sub("\n", b), t)
                  for g, f, b, t in before]
    text = export_text(session, export_format=export_format)
    session.execute(delete(Card))
    session.commit()
    plan, _ = run_import(session, text.encode())
    assert plan.rejected == [] and plan.warnings == []
    assert [(c.guid, c.front, c.back, c.tags) for c in cards(session)] == before


def test_export_neutralises_formula_cells_and_anki_format_has_no_schedules(session) -> None:
    deck = make_deck(session, "D", cards=0)
    session.add(Card(user_id=1, deck_id=deck.id, guid="g", kind="basic", front="=HYPERLINK(\"x\")",
                     back="@cmd", tags="", source="", position=1, created_at=START))
    session.commit()
    text = export_text(session, export_format=ExportFormat.CSV)
    assert "'=HYPERLINK" in text and "'@cmd" in text
    anki = export_text(session, export_format=ExportFormat.ANKI)
    assert anki.startswith("#separator:tab\n#html:true\n#notetype column:1\n#guid column:2\n")
    assert '=HYPERLINK(""x"")' in anki or "=HYPERLINK(\"x\")" in anki
    with pytest.raises(Exception, match="no place for schedules"):
        export_text(session, export_format=ExportFormat.ANKI, with_schedule=True)


def test_utc_datetimes_survive_the_round_trip(session) -> None:
    data = (b"front,back,state,step,stability,difficulty,due,last_review,reps,lapses\n"
            b"A,B,review,,3.5,5.5,2026-03-05T09:30:00+02:00,2026-03-01T14:00:00+00:00,1,0\n")
    run_import(session, data, deck="D")
    (card,) = cards(session)
    assert card.due == datetime(2026, 3, 5, 7, 30, tzinfo=UTC)
    raw = session.connection().exec_driver_sql("SELECT due, created_at FROM cards").one()
    if session.get_bind().dialect.name == "sqlite":
        # Stored in exactly the text form every other write uses, so comparisons in
        # queries see whole seconds right.
        assert raw[0] == "2026-03-05 07:30:00.000000"
        assert raw[1] == START.strftime("%Y-%m-%d %H:%M:%S.%f")
    else:
        # timestamp with time zone: the driver hands back the same instants.
        assert raw[0] == datetime(2026, 3, 5, 7, 30, tzinfo=UTC) and raw[0].tzinfo is not None
        assert raw[1] == START


def test_deck_names_resolve_to_the_deck_of_the_same_name_in_any_case(session) -> None:
    existing = make_deck(session, "Terminology")
    plan, result = run_import(
        session, b"front,back,deck\nA,B,TERMINOLOGY\nC,D,terminology \nE,F,New\nG,H,NEW\n")
    assert plan.new_decks == ["New"] and result.new_decks == ["New"]
    assert [item.deck for item in plan.items] == ["Terminology", "Terminology", "New", "New"]
    decks = dict(session.execute(select(Card.front, Deck.name).join(Deck)).all())
    assert decks == {"A": "Terminology", "C": "Terminology", "E": "New", "G": "New"}
    # Duplicates are found in that deck too, by whatever spelling the file uses.
    again, _ = run_import(session, b"front,back\nA,B\n", deck="terminology")
    assert again.counts["unchanged"] == 1 and again.new_decks == []
    assert session.execute(select(func.count()).select_from(Deck)).scalar_one() == 2
    assert session.get(Deck, existing.id).name == "Terminology"


def test_csv_for_excel_has_a_bom_and_reads_back_identically(session) -> None:
    deck = make_deck(session, "Dashes", cards=0)
    session.add(Card(user_id=1, deck_id=deck.id, guid="g1", kind="basic",
                     front="Scope — what is in", back="=not a formula — ça, 日本, 🙂",
                     tags="pm", source="PMBOK — 7th", position=1, created_at=START))
    session.commit()
    excel = export_text(session, export_format=ExportFormat.EXCEL, with_schedule=True)
    plain = export_text(session, export_format=ExportFormat.CSV, with_schedule=True)
    assert excel == "\ufeff" + plain
    data = excel.encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf") and "—".encode() in data
    fields = ("guid", "front", "back", "tags", "source", "state", "due", "position")

    def snapshot() -> list[tuple]:
        session.expire_all()
        return [tuple(getattr(c, f) for f in fields) + (c.deck.name,) for c in cards(session)]

    before = snapshot()
    session.execute(delete(Card))
    session.execute(delete(Deck))
    session.commit()
    plan, _ = run_import(session, data)
    assert plan.rejected == [] and plan.warnings == []
    assert snapshot() == before
