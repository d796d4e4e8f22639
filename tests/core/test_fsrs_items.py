"""The review log as FSRS training items, as Anki builds them."""

from flashcards.core.fsrs_items import Answer, CardItems, build_items, card_history, item_count


def answers(card_id: int, *rows: tuple[int, int, bool]) -> list[Answer]:
    return [Answer(card_id, day, rating, new) for day, rating, new in rows]


def test_elapsed_days_are_study_days_and_same_day_answers_are_the_short_term_part() -> None:
    # New on day 10 (Again, then Good the same day), Good on day 11, Again on day 15,
    # Good the same day, Good on day 18.
    rows = answers(7, (10, 1, True), (10, 3, False), (11, 3, False), (15, 1, False),
                   (15, 3, False), (18, 3, False))
    assert card_history(rows) == [(1, 0), (3, 0), (3, 1), (1, 4), (3, 0), (3, 3)]
    [card] = build_items(rows)
    # One item per answer after the first, up to it; only those ending a day or more
    # after the answer before are kept.
    assert card == CardItems(7, ((1, 0), (3, 0), (3, 1), (1, 4), (3, 0), (3, 3)), (3, 4, 6))
    assert item_count([card]) == 3
    # Each item is dated by its last answer's study day.
    assert [card.day(end) for end in card.ends] == [11, 15, 18]


def test_a_reset_card_starts_over_and_history_without_a_first_answer_is_left_out() -> None:
    # Forget on day 20 made the card new again: only its answers from then on count.
    reset = answers(1, (1, 3, True), (4, 3, False), (20, 4, True), (25, 3, False))
    assert build_items(reset) == [CardItems(1, ((4, 0), (3, 5)), (2,))]
    assert build_items(reset)[0].day(2) == 25
    # A schedule imported without its first answer: nothing to learn from.
    imported = answers(2, (5, 3, False), (9, 3, False))
    assert build_items(imported) == []
    # A card answered on one day only gives no item.
    assert build_items(answers(3, (5, 1, True), (5, 3, False))) == []


def test_cards_are_grouped_in_the_order_given() -> None:
    rows = answers(1, (1, 3, True), (3, 3, False)) + answers(2, (2, 1, True), (2, 3, False),
                                                              (6, 2, False))
    assert [(c.card_id, c.ends) for c in build_items(rows)] == [(1, (2,)), (2, (3,))]
