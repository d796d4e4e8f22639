"""Exam mode (see ARCHITECTURE.md, "Exam mode, precisely"): a review whose next due
date falls after interview day needs nothing more if the card's predicted recall on
the day is already at the target; otherwise it gets one final review inside the
window before the interview, as late as the load allows. `exam_due_day` decides this
for the live scheduler, for the forecast and for the morning's second look at the cards
already due after the interview (services.study.aim_at_interview), with the share of
the stability the user's answers bear out (services.optimizer.stability_factor).
"""

from __future__ import annotations

from collections.abc import Callable

from flashcards.core.fsrs_vector import FsrsModel

FINAL_WINDOW_DAYS = 3


def exam_due_day(*, review_day: int, due_day: int, stability: float, interview_day: int,
                 target: float, model: FsrsModel, window: int = FINAL_WINDOW_DAYS,
                 load: Callable[[int], float] | None = None, stability_factor: float = 1.0,
                 first_day: int | None = None) -> int:
    """The day a card just reviewed on `review_day` should come back, given that FSRS
    chose `due_day`. Days are whole numbers on one scale (any origin).
    `stability_factor`: the share of the card's stability the user's answers bear out
    (see core.optimizer.recall_factor; 1: the model's own). `first_day`: the earliest
    day it may come back (today, for a card checked again after its review)."""
    if review_day >= interview_day or due_day <= interview_day:
        return due_day  # after the interview plain FSRS resumes; before it, FSRS decides
    recall = model.recall(interview_day - review_day, stability * stability_factor)
    if recall >= target:
        return due_day  # the interval may cross the interview: recall there is enough
    first = max(review_day + 1, interview_day - window,
                first_day if first_day is not None else review_day + 1)
    last = interview_day - 1
    if first > last:
        return due_day
    days = range(last, first - 1, -1)  # latest first: ties go to the later day
    if load is None:
        return last
    return min(days, key=load)
