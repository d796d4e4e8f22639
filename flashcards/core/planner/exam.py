"""Exam mode (see ARCHITECTURE.md, "Exam mode, precisely"): a review whose next due
date falls after interview day needs nothing more if the card's predicted recall on
the day is already at the target; otherwise it gets one final review inside the
window before the interview, as late as the load allows. An interview of several
rounds keeps the cards at the target through the last: the first round the interval
crosses with too little recall left gets the final review before it (the review after
that check looks at the rounds still ahead). `exam_due_day` decides this for the live
scheduler, for the forecast and for the morning's second look at the cards already due
after the interview (services.study.aim_at_interview), with the share of the stability
the user's answers bear out (services.optimizer.stability_factor).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flashcards.core.fsrs_vector import FsrsModel

FINAL_WINDOW_DAYS = 3


def exam_due_day(*, review_day: int, due_day: int, stability: float, interview_day: int,
                 target: float, model: FsrsModel, window: int = FINAL_WINDOW_DAYS,
                 load: Callable[[int], float] | None = None, stability_factor: float = 1.0,
                 first_day: int | None = None, later_rounds: Sequence[int] = ()) -> int:
    """The day a card just reviewed on `review_day` should come back, given that FSRS
    chose `due_day`. Days are whole numbers on one scale (any origin).
    `interview_day`: the first round; `later_rounds`: the later ones, in increasing
    order, after it. `stability_factor`: the share of the card's stability the user's
    answers bear out (see core.optimizer.recall_factor; 1: the model's own).
    `first_day`: the earliest day it may come back (today, for a card checked again
    after its review)."""
    earliest = max(review_day + 1, first_day if first_day is not None else review_day + 1)
    for round_day in (interview_day, *later_rounds):
        if not review_day < round_day < due_day:
            continue  # a round already over, or one before the card is due: FSRS decides
        recall = model.recall(round_day - review_day, stability * stability_factor)
        if recall >= target:
            continue  # the interval may cross this round: recall there is enough
        first, last = max(earliest, round_day - window), round_day - 1
        if first > last:
            continue  # no day left before this round: look at the next one
        if load is None:
            return last
        return min(range(last, first - 1, -1), key=load)  # latest first: ties go later
    return due_day
