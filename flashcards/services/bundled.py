"""Seeding the bundled decks from decks/ on first run, and merging later updates."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flashcards.core.deckformat import CardRow, parse_deck_csv
from flashcards.db import begin_write
from flashcards.models import Card, Deck, SeededBundle
from flashcards.services.settings import get_settings, is_valid_time_zone


@dataclass(frozen=True, slots=True)
class BundledDeck:
    key: str
    name: str
    description: str
    rows: list[CardRow]
    checksum: str


@dataclass
class SeedReport:
    decks_created: list[str] = field(default_factory=list)
    cards_added: int = 0
    cards_updated: int = 0


class BundleError(ValueError):
    """decks/decks.toml or one of its files is broken."""


def load_bundled_decks(decks_dir: Path) -> list[BundledDeck]:
    """Every deck listed in decks/decks.toml, parsed and checked."""
    manifest_path = decks_dir / "decks.toml"
    try:
        manifest = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BundleError(f"{manifest_path}: {exc}") from exc
    decks = []
    for entry in manifest.get("deck", []):
        unknown = set(entry) - {"key", "file", "name", "description"}
        if unknown or not all(entry.get(k) for k in ("key", "file", "name")):
            raise BundleError(f"{manifest_path}: deck entry {entry!r} needs key, file and name "
                              f"and nothing else besides description")
        raw = (decks_dir / entry["file"]).read_bytes()
        rows = parse_deck_csv(raw.decode("utf-8"), name=entry["file"])
        digest = hashlib.sha256(raw)
        digest.update(f"{entry['name']}\0{entry.get('description', '')}".encode())
        decks.append(BundledDeck(entry["key"], entry["name"], entry.get("description", ""),
                                 rows, digest.hexdigest()))
    return decks


def seed_bundled_decks(session: Session, bundles: list[BundledDeck], now: datetime) -> SeedReport:
    """Create the bundled decks once; later, add their new cards and refresh cards the
    user has not edited. A second run with the same files changes nothing."""
    begin_write(session)
    report = SeedReport()
    seeded = {row.key: row for row in session.execute(select(SeededBundle)).scalars()}
    # New cards are introduced round-robin across the bundled decks, so studying
    # "all decks" mixes terminology, ladder, process and answer pairs from day one.
    base = session.execute(select(func.coalesce(func.max(Card.position), 0))).scalar_one()
    stride = len(bundles)
    for index, bundle in enumerate(bundles):
        record = seeded.get(bundle.key)
        if record is not None and record.checksum == bundle.checksum:
            continue
        deck = session.execute(
            select(Deck).where(Deck.bundle_key == bundle.key)).scalar_one_or_none()
        if record is None and deck is None:
            deck = Deck(name=_free_deck_name(session, bundle.name), description=bundle.description,
                        bundle_key=bundle.key, created_at=now)
            session.add(deck)
            session.flush()
            report.decks_created.append(deck.name)
        previously = set(record.guids.split()) if record is not None else set()
        if deck is not None:
            _merge_cards(session, deck, bundle, previously, now, report,
                         first_position=base + index + 1, stride=stride)
        guids = " ".join(sorted(previously | {row.guid for row in bundle.rows}))
        if record is None:
            session.add(SeededBundle(key=bundle.key, checksum=bundle.checksum, guids=guids,
                                     seeded_at=now))
        else:
            record.checksum, record.guids, record.seeded_at = bundle.checksum, guids, now
    session.flush()
    return report


def _merge_cards(session: Session, deck: Deck, bundle: BundledDeck, previously: set[str],
                 now: datetime, report: SeedReport, *, first_position: int, stride: int) -> None:
    if deck.edited_at is None:
        deck.description = bundle.description
    existing = {card.guid: card for card in session.execute(
        select(Card).where(Card.guid.in_([row.guid for row in bundle.rows]))).scalars()}
    for number, row in enumerate(bundle.rows):
        card = existing.get(row.guid)
        if card is None:
            if row.guid in previously:
                continue  # seeded before and deleted by the user: stays deleted
            position = first_position + number * stride
            session.add(Card(deck_id=deck.id, guid=row.guid, kind=row.kind.value,
                             front=row.front, back=row.back, weak_answer=row.weak_answer,
                             strong_answer=row.strong_answer, tags=" ".join(row.tags),
                             source=row.source, position=position, created_at=now))
            report.cards_added += 1
        elif card.edited_at is None and deck.edited_at is None and _differs(card, row):
            card.kind, card.front, card.back = row.kind.value, row.front, row.back
            card.weak_answer, card.strong_answer = row.weak_answer, row.strong_answer
            card.tags, card.source = " ".join(row.tags), row.source
            report.cards_updated += 1


def _differs(card: Card, row: CardRow) -> bool:
    return (card.kind, card.front, card.back, card.weak_answer, card.strong_answer, card.tags,
            card.source) != (row.kind.value, row.front, row.back, row.weak_answer,
                             row.strong_answer, " ".join(row.tags), row.source)


def _free_deck_name(session: Session, name: str) -> str:
    candidate, n = name, 1
    while session.execute(select(Deck.id).where(Deck.name == candidate)).first() is not None:
        n += 1
        candidate = f"{name} ({n})"
    return candidate


def adopt_local_time_zone(session: Session, zone_name: str | None) -> bool:
    """On the very first start, study days follow the machine's time zone."""
    begin_write(session)
    first_start = session.execute(select(SeededBundle.key).limit(1)).first() is None
    settings = get_settings(session)
    if first_start and settings.timezone == "UTC" and zone_name and is_valid_time_zone(zone_name):
        settings.timezone = zone_name
        return True
    return False
