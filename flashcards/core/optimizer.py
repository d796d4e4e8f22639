"""Personal FSRS parameters: learnt from the user's review log with fsrs-rs (the
official Rust implementation, through `fsrs-rs-python`), and adopted only when they
predict the user's answers better than the parameters in use.

Pure: the items come in (core.fsrs_items), a `Fit` goes out; nothing is stored here.

How a fit is judged: as fsrs-rs's `evaluate_with_time_series_splits` does, the items
in time order (by the day of their last answer) are cut into six segments; for each of
the last five, parameters are trained on everything before it and scored on it, so the
new parameters are never scored on what they learnt from. The parameters in use are
scored on the same five segments, so the two figures compare like with like (scored on
every item instead, they are scored on other answers, easier or harder ones: with a
learner who forgets faster than the defaults believe, new parameters with a held-out
log loss of 0.3928 stayed unused beside the defaults' 0.3719 on every item). The new
parameters (trained on all the items) are adopted only when their held-out log loss is
the lower. fsrs-rs
signals bad input in two ways, both caught: a Rust panic (`PanicException`, which
derives from BaseException, not Exception) and `ValueError` (InvalidInput).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import fsrs_rs_python as fsrs_rs
import numpy as np
from fsrs.scheduler import DEFAULT_PARAMETERS as FSRS6_DEFAULTS
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from flashcards.core.fsrs_items import CardItems, item_count
from flashcards.core.fsrs_vector import FsrsModel

# Items (answers a day or more after the one before) needed before the optimiser runs:
# below this, what it learns is mostly noise and the defaults are kept. fsrs-rs itself
# returns the defaults below about 130; from 200 on it fits the initial stabilities,
# and the time-series score decides whether that is an improvement. A candidate with a
# month to go reaches 200 in about a week, 400 only near the end.
MIN_ITEMS = 200
DEFAULT_PARAMETERS: tuple[float, ...] = tuple(FSRS6_DEFAULTS)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Fit:
    reviews_used: int
    adopted: bool
    reason: str  # why adopted or not, in words
    parameters: tuple[float, ...] | None = None  # learnt (None: the optimiser did not run)
    log_loss_before: float | None = None
    rmse_bins_before: float | None = None
    log_loss_after: float | None = None
    rmse_bins_after: float | None = None


class OptimiserFailed(Exception):
    """fsrs-rs refused the items (a panic or InvalidInput)."""


def _guard(call: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Run an fsrs-rs call; its panics and ValueErrors become OptimiserFailed."""
    try:
        return call(*args, **kwargs)
    except (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError):
        raise
    except BaseException as exc:  # noqa: BLE001 - pyo3's PanicException is a BaseException
        raise OptimiserFailed(f"{type(exc).__name__}: {exc}") from exc


def to_fsrs_items(cards: Sequence[CardItems]) -> tuple[list[fsrs_rs.FSRSItem], list[int]]:
    """The items as fsrs-rs takes them, in time order (the day of their last answer,
    then card), and each item's card id."""
    dated = sorted((card.day(end), card.card_id, k, end)
                   for k, card in enumerate(cards) for end in card.ends)
    reviews = [[fsrs_rs.FSRSReview(rating, delta) for rating, delta in card.reviews]
               for card in cards]
    items = [fsrs_rs.FSRSItem(reviews[k][:end]) for _, _, k, end in dated]
    return items, [card_id for _, card_id, _, _ in dated]


def _one_outcome(cards: Sequence[CardItems], count: int) -> str | None:
    """Why nothing can be learnt when every item ends the same way (all Again, or none),
    else None: with one outcome there is no forgetting curve to fit."""
    lapses = sum(1 for card in cards for end in card.ends if card.reviews[end - 1][0] == 1)
    if 0 < lapses < count:
        return None
    was, missing = ("Again", "Hard, Good or Easy") if lapses else ("a success", "Again")
    return (f"Every one of the {count} reviews to learn from was {was}; with no {missing} "
            "among them there is no forgetting curve to learn, so the current parameters "
            "stay.")


def evaluate(parameters: Sequence[float], cards: Sequence[CardItems]) -> tuple[float, float]:
    """(log loss, RMSE over bins) of `parameters` on every item."""
    items, _ = to_fsrs_items(cards)
    scored: fsrs_rs.ModelEvaluation = _guard(fsrs_rs.FSRS(list(parameters)).evaluate, items)
    return scored.log_loss, scored.rmse_bins


# The held-out segments, as fsrs-rs's evaluate_with_time_series_splits cuts them.
SPLITS = 5


@dataclass(frozen=True, slots=True)
class Score:
    log_loss: float
    rmse_bins: float


def held_out_scores(items: Sequence[fsrs_rs.FSRSItem], card_ids: Sequence[int],
                    current: Sequence[float],
                    training: fsrs_rs.TrainingConfig | None = None) -> tuple[Score, Score]:
    """(parameters in use, parameters learnt) scored on the same held-out data: the
    items (in time order) cut into SPLITS + 1 segments, each of the last SPLITS scored
    by the parameters in use and by parameters trained on the segments before it. Each
    figure is the mean over the segments, weighted by their items (RMSE: its square)."""
    size = len(items) // (SPLITS + 1)
    if size == 0:
        raise OptimiserFailed(f"{len(items)} items are too few to split in time")
    in_use = fsrs_rs.FSRS(list(current))
    sums = [0.0, 0.0, 0.0, 0.0]  # log loss and RMSE squared: in use, learnt
    for k in range(1, SPLITS + 1):
        start, end = k * size, len(items) if k == SPLITS else (k + 1) * size
        trained: list[float] = _guard(in_use.compute_parameters, list(items[:start]),
                                      list(card_ids[:start]), training_config=training)
        test = list(items[start:end])
        for offset, model in ((0, in_use), (2, fsrs_rs.FSRS(trained))):
            scored: fsrs_rs.ModelEvaluation = _guard(model.evaluate, test)
            sums[offset] += scored.log_loss * len(test)
            sums[offset + 1] += scored.rmse_bins ** 2 * len(test)
    total = len(items) - size
    return (Score(sums[0] / total, math.sqrt(sums[1] / total)),
            Score(sums[2] / total, math.sqrt(sums[3] / total)))


def fit_parameters(cards: Sequence[CardItems], current: Sequence[float], *,
                   min_items: int = MIN_ITEMS,
                   training: fsrs_rs.TrainingConfig | None = None) -> Fit:
    """Learn parameters from `cards` and say whether they beat `current`."""
    count = item_count(cards)
    if count < min_items:
        return Fit(count, False, f"{count} reviews can be learnt from so far (an answer a "
                   f"day or more after the one before); the optimiser needs {min_items}, "
                   "so the current parameters stay.")
    one_outcome = _one_outcome(cards, count)
    if one_outcome:
        return Fit(count, False, one_outcome)
    items, card_ids = to_fsrs_items(cards)
    try:
        learnt: list[float] = _guard(fsrs_rs.FSRS(list(current)).compute_parameters, items,
                                     card_ids, training_config=training)
        before, after = held_out_scores(items, card_ids, current, training)
    except OptimiserFailed as exc:
        return Fit(count, False, f"The optimiser could not use this history ({exc}); the "
                   "current parameters stay.")
    parameters = tuple(float(w) for w in learnt)
    scores = (before.log_loss, before.rmse_bins, after.log_loss, after.rmse_bins)
    fit = Fit(count, False, "", parameters, *scores)
    if not all(math.isfinite(x) for x in (*parameters, *scores)):
        return _with(fit, "The optimiser gave numbers that are not finite; the current "
                     "parameters stay.")
    if parameters == tuple(current):
        return _with(fit, "The optimiser found nothing to change.")
    if after.log_loss >= before.log_loss:
        return _with(fit, f"New parameters would not predict your answers better (log loss "
                     f"{after.log_loss:.4f} against {before.log_loss:.4f} now); the current "
                     "parameters stay.")
    return Fit(count, True, f"Adopted: log loss {before.log_loss:.4f} → {after.log_loss:.4f}, "
               f"RMSE {before.rmse_bins:.2%} → {after.rmse_bins:.2%}.", parameters, *scores)


def _with(fit: Fit, reason: str) -> Fit:
    return Fit(fit.reviews_used, False, reason, fit.parameters, fit.log_loss_before,
               fit.rmse_bins_before, fit.log_loss_after, fit.rmse_bins_after)


# -- calibration, for a history too short for the optimiser -------------------------

# Items needed to calibrate: fewer say too little about how fast this user forgets.
CALIBRATION_MIN = 30
# The stability multipliers tried: 0.2 to 3, evenly on a log scale.
SCALES = tuple(0.2 * 15 ** (k / 48) for k in range(49))
# The prior's spread of ln k: a factor of 2 either way is about two standard deviations.
PRIOR_SD = 0.35


def scaled(parameters: Sequence[float], k: float) -> tuple[float, ...]:
    """FSRS-6 parameters under which memories are about `k` times as stable: the initial
    stabilities (w0-w3) and the post-lapse stability (w11) times k, and the growth
    terms re-based so that a stability k times as large grows by the same factor at the
    same recall (w8 += w9 ln k for a recall, w18 += w19 ln k / w17 for a same-day
    answer); within FSRS's bounds. Not exact after the first answer: at the same
    elapsed time the recall differs, and with it the growth."""
    w = list(parameters)
    ln = math.log(k)
    for i in (0, 1, 2, 3, 11):
        w[i] *= k
    w[8] += w[9] * ln
    if w[17] > 0:
        w[18] += w[19] * ln / w[17]
    return tuple(min(max(x, low), high) for x, low, high in
                 zip(w, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True))


def calibrate(cards: Sequence[CardItems], current: Sequence[float], *,
              min_items: int = CALIBRATION_MIN) -> Fit:
    """For a history the optimiser cannot learn from yet: the one number that short
    history can tell, how much more (or less) stable the user's memories are than the
    parameters in use assume. The multiplier with the lowest log loss on the user's
    answers is adopted when it predicts them better than the parameters in use."""
    count = item_count(cards)
    if count < min_items:
        return Fit(count, False, f"{count} reviews can be learnt from so far (an answer a "
                   f"day or more after the one before); calibrating needs {min_items} and "
                   f"the optimiser needs {MIN_ITEMS}, so the current parameters stay.")
    one_outcome = _one_outcome(cards, count)
    if one_outcome:
        return Fit(count, False, one_outcome)
    items, _ = to_fsrs_items(cards)
    try:
        before: fsrs_rs.ModelEvaluation = _guard(fsrs_rs.FSRS(list(current)).evaluate, items)
        scores = [(_guard(fsrs_rs.FSRS(list(scaled(current, k))).evaluate, items), k)
                  for k in SCALES]
    except OptimiserFailed as exc:
        return Fit(count, False, f"Calibration could not use this history ({exc}); the "
                   "current parameters stay.")
    # A short history is noisy: the multiplier is the most probable one given a prior
    # that memories are as stable as assumed (ln k ~ Normal(0, PRIOR_SD)), so it moves
    # away from 1 only as far as the evidence of `count` answers carries it.
    def cost(pair: tuple[fsrs_rs.ModelEvaluation, float]) -> float:
        return pair[0].log_loss * count + math.log(pair[1]) ** 2 / (2 * PRIOR_SD ** 2)

    after, k = min(scores, key=cost)
    fit = Fit(count, False, "", scaled(current, k), before.log_loss, before.rmse_bins,
              after.log_loss, after.rmse_bins)
    if after.log_loss >= before.log_loss - 1e-4 or abs(k - 1) < 0.03:
        return _with(fit, f"On {count} reviews your answers fit the current parameters as "
                     "well as any calibration; they stay.")
    return Fit(count, True, f"Calibrated on {count} reviews (the optimiser needs "
               f"{MIN_ITEMS}): your memories look {k:.2f} times as stable as the parameters "
               f"assumed; log loss {before.log_loss:.4f} → {after.log_loss:.4f}.",
               *fit_fields(fit))


def fit_fields(fit: Fit) -> tuple[tuple[float, ...] | None, float | None, float | None,
                                  float | None, float | None]:
    return (fit.parameters, fit.log_loss_before, fit.rmse_bins_before, fit.log_loss_after,
            fit.rmse_bins_after)


def learn(cards: Sequence[CardItems], current: Sequence[float]) -> Fit:
    """The optimiser once the history allows it, calibration before that."""
    if item_count(cards) >= MIN_ITEMS:
        return fit_parameters(cards, current)
    return calibrate(cards, current)


# -- exam mode's check of the model against the user's answers ------------------------

# Review answers needed before exam mode trusts them over the model (as calibrating).
RECALL_CHECK_MIN = CALIBRATION_MIN
# Pseudo-answers at the model's own prediction added to the user's: a few answers
# below what the model predicted move the factor a little, hundreds move it fully.
RECALL_PRIOR = 30
# The factor goes no lower: a model that far off is the optimiser's to fix.
RECALL_FACTOR_FLOOR = 0.2
# How careful: the share recalled is taken this many standard errors below what the
# answers show (one: the model is trusted only as far as about five users in six with
# these answers would bear it out).
RECALL_MARGIN_SE = 1.0
# Parameters learnt from a month's answers have been tested on short intervals only:
# for a card that has done well for longer, they extrapolate. With a learner who
# forgets faster than FSRS's defaults say (benchmarks/simulate.py --misspecified),
# learnt parameters still put such cards at 1.5 to 2 times their true stability
# while predicting the answers of the weeks before well on average, so the cards
# exam mode leaves just above the target on the day are mostly below it. Exam mode
# counts on at most this share of a card's stability once it learns from the user's
# answers (services.optimizer.stability_factor): a final review for a card whose
# recall on the day the model puts at a little above the target, a few minutes in
# the last days (simulate.py: 0-6 minutes over a month with a learner FSRS fits).
# 0.6 rather than 0.65 (simulate.py --misspecified, seeds 1-8): the share of cards
# below the target in the worst seeds 13.3% -> 10.1% and 4.4% -> 0.6%, for 0-4 more
# minutes a month; 0.55 takes the worst to 5.1% for 6 more, past the 15% extra
# minutes the issue allows.
EXAM_STABILITY_CAP = 0.6


def recall_factor(model: FsrsModel, elapsed_days: Sequence[float],
                  stabilities: Sequence[float], recalled: Sequence[bool]) -> float:
    """The share of the model's stability that the user's review answers bear out: the
    multiplier under which the model's mean predicted recall at those answers meets
    the share actually recalled (with RECALL_PRIOR answers at the model's prediction
    added). 1 when the model was not too optimistic, or with fewer than
    RECALL_CHECK_MIN answers. Exam mode checks recall on interview day with it, so a
    model that has been too optimistic for this user does not leave cards just below
    the target on the day; it never makes exam mode less careful than the model."""
    count = len(recalled)
    if count < RECALL_CHECK_MIN or count != len(elapsed_days) or count != len(stabilities):
        return 1.0
    elapsed = np.asarray(elapsed_days, dtype=np.float64)
    stability = np.maximum(np.asarray(stabilities, dtype=np.float64), 1e-3)

    def mean_recall(k: float) -> float:
        return float(model.retrievability(elapsed, stability * k).mean())

    predicted = mean_recall(1.0)
    total = count + RECALL_PRIOR
    observed = (sum(bool(r) for r in recalled) + RECALL_PRIOR * predicted) / total
    observed -= RECALL_MARGIN_SE * math.sqrt(observed * (1 - observed) / total)
    if observed >= predicted:
        return 1.0
    low, high = RECALL_FACTOR_FLOOR, 1.0
    if mean_recall(low) >= observed:
        return low
    for _ in range(40):  # mean recall grows with the factor: bisect
        middle = (low + high) / 2
        low, high = (middle, high) if mean_recall(middle) < observed else (low, middle)
    return (low + high) / 2
