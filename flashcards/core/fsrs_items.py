"""The review log as FSRS training items, built the way Anki builds them.

Pure: answers come in as plain values (card, study day, rating, whether the card was
new), items go out as (rating, days since the previous answer) sequences.

As Anki does (rslib, `fsrs_items_for_training`): each card's answers in order, from its
latest start as a new card (a card reset with Forget starts over; answers before its
first answer as a new card, e.g. a schedule imported without its history, are left out);
elapsed time counted in whole study days, so answers on the same study day are the
short-term part (0 days); one item for every answer after the first, holding the
answers up to it. Only items whose last answer came at least a day after the one before
are kept: they are what FSRS learns long-term memory from, and fsrs-rs refuses the
others (`compute_parameters` panics on a set without any, `evaluate` rejects an item
whose last elapsed time is 0).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby

Review = tuple[int, int]  # (rating 1-4, whole study days since the previous answer)


@dataclass(frozen=True, slots=True)
class Answer:
    card_id: int
    day: int  # the study day's ordinal (date.toordinal()), rollover hour applied
    rating: int
    new: bool  # the card was new when answered (its first answer, or after a reset)


@dataclass(frozen=True, slots=True)
class CardItems:
    """One card's training items: `reviews[:end]` for each end in `ends` (items share
    the card's history, so it is built once)."""

    card_id: int
    reviews: tuple[Review, ...]
    ends: tuple[int, ...]
    # The study day (ordinal) of the first answer in `reviews`: with the elapsed days,
    # it dates each item, for a split of the history in time.
    first_day: int = field(default=0, compare=False)

    def day(self, end: int) -> int:
        """The study day of the item `reviews[:end]`'s last answer."""
        return self.first_day + sum(delta for _, delta in self.reviews[:end])


def card_history(answers: list[Answer]) -> list[Review]:
    """One card's answers (in order) as FSRS reviews, from its latest start as new."""
    start = max((k for k, answer in enumerate(answers) if answer.new), default=None)
    if start is None:
        return []
    history = answers[start:]
    reviews = [(history[0].rating, 0)]
    reviews += [(answer.rating, answer.day - before.day)
                for before, answer in zip(history, history[1:], strict=False)]
    return reviews


def build_items(answers: Iterable[Answer]) -> list[CardItems]:
    """Each card's training items, from the answers ordered by card and then by time
    (cards without an item are left out)."""
    cards = []
    for card_id, group in groupby(answers, key=lambda answer: answer.card_id):
        history = list(group)
        reviews = card_history(history)
        ends = tuple(end for end in range(2, len(reviews) + 1) if reviews[end - 1][1] > 0)
        if ends:  # the history starts len(reviews) answers before the last
            cards.append(CardItems(card_id, tuple(reviews), ends,
                                   history[len(history) - len(reviews)].day))
    return cards


def item_count(cards: Iterable[CardItems]) -> int:
    return sum(len(card.ends) for card in cards)
