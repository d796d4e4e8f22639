"""Personal FSRS parameters: learnt with fsrs-rs, adopted only when they predict better."""

import fsrs_rs_python as fsrs_rs
import pytest

from flashcards.core.fsrs_items import Answer, build_items, item_count
from flashcards.core.fsrs_vector import FsrsModel
from flashcards.core.optimizer import (
    CALIBRATION_MIN,
    DEFAULT_PARAMETERS,
    MIN_ITEMS,
    RECALL_CHECK_MIN,
    RECALL_FACTOR_FLOOR,
    SPLITS,
    fit_parameters,
    learn,
    recall_factor,
    scaled,
    to_fsrs_items,
)
from flashcards.core.scheduling import SchedulerConfig
from tests.fsrs_learner import learner


def test_a_learner_who_forgets_faster_than_the_defaults_gets_parameters_that_fit_better() -> None:
    fit = fit_parameters(build_items(learner(4000, scale=0.45)), DEFAULT_PARAMETERS)
    assert fit.adopted, fit.reason
    assert fit.parameters is not None and len(fit.parameters) == 21
    assert fit.log_loss_after < fit.log_loss_before
    assert fit.rmse_bins_after < fit.rmse_bins_before
    # What the parameters say about the first Good: a shorter initial stability.
    assert fit.parameters[2] < DEFAULT_PARAMETERS[2]
    assert fit.reason.startswith("Adopted: log loss")


def test_items_go_to_fsrs_rs_in_time_order_for_its_time_series_split() -> None:
    rows = [Answer(1, 0, 3, True), Answer(1, 9, 3, False), Answer(2, 2, 3, True),
            Answer(2, 4, 1, False), Answer(2, 5, 3, False), Answer(3, 1, 3, True),
            Answer(3, 4, 3, False)]
    items, card_ids = to_fsrs_items(build_items(rows))
    # By the day of their last answer (4, 4, 5, 9), then by card.
    assert card_ids == [2, 3, 2, 1]
    def review(rating: int, delta: int) -> str:
        return repr(fsrs_rs.FSRSReview(rating, delta))

    assert [[repr(r) for r in item.reviews] for item in items] == [
        [review(3, 0), review(1, 2)], [review(3, 0), review(3, 3)],
        [review(3, 0), review(1, 2), review(3, 1)], [review(3, 0), review(3, 9)]]


def test_the_parameters_in_use_are_scored_on_the_held_out_answers_the_new_ones_are() -> None:
    """The new fit is scored on the later part of the history only (trained on what
    came before): the parameters in use are scored on the same answers, not on every
    answer, which here would make them look the better (0.4769 against 0.4839) and
    keep parameters that predict the later answers better."""
    cards = build_items(learner(900, scale=0.45, seed=1, per_card=10, start_days=1))
    fit = fit_parameters(cards, DEFAULT_PARAMETERS)
    items, _ = to_fsrs_items(cards)
    assert len(items) == fit.reviews_used == 810
    # The same held-out answers: the last five of six segments in time order.
    size = 810 // (SPLITS + 1)
    defaults = fsrs_rs.FSRS(list(DEFAULT_PARAMETERS))
    segments = [items[k * size:(k + 1) * size] for k in range(1, SPLITS + 1)]
    held_out = sum(defaults.evaluate(s).log_loss * len(s) for s in segments) / (810 - size)
    assert fit.log_loss_before == pytest.approx(held_out, abs=1e-6)
    assert fit.log_loss_before == pytest.approx(0.4925, abs=1e-4)
    assert fit.log_loss_after == pytest.approx(0.4773, abs=1e-4)
    assert fit.adopted, fit.reason
    # On every answer the defaults look better than fsrs-rs's own held-out score of a
    # new fit: the comparison that kept them.
    on_every_answer = defaults.evaluate(items).log_loss
    assert on_every_answer == pytest.approx(0.4769, abs=1e-4)
    assert on_every_answer < fsrs_rs.evaluate_with_time_series_splits(
        items, list(range(810))).log_loss


def test_too_little_history_keeps_the_parameters_and_says_how_much_is_needed() -> None:
    fit = fit_parameters(build_items(learner(200, scale=0.45)), DEFAULT_PARAMETERS)
    assert not fit.adopted and fit.parameters is None
    assert f"needs {MIN_ITEMS}" in fit.reason and f"{fit.reviews_used} reviews" in fit.reason


@pytest.mark.parametrize(("rating", "was"), [(1, "Again"), (3, "a success")])
def test_a_history_of_one_outcome_keeps_the_parameters(rating: int, was: str) -> None:
    answers = [Answer(card, day, rating, day == 0) for card in range(200)
               for day in (0, 1, 3, 7, 15)]
    fit = fit_parameters(build_items(answers), DEFAULT_PARAMETERS)
    assert not fit.adopted and fit.parameters is None
    assert f"was {was}" in fit.reason


def test_a_single_day_of_answers_keeps_the_parameters() -> None:
    answers = [Answer(card, 5, rating, k == 0) for card in range(600)
               for k, rating in enumerate((1, 3, 3))]
    fit = fit_parameters(build_items(answers), DEFAULT_PARAMETERS)
    assert not fit.adopted and fit.reviews_used == 0


def test_fsrs_rs_refusing_the_items_is_caught_and_said(monkeypatch) -> None:
    """fsrs-rs panics (a BaseException) on some inputs: the fit says so, nothing raises."""
    class Panic(BaseException):
        pass

    def panics(self, *args, **kwargs):
        raise Panic("called `Option::unwrap()` on a `None` value")

    monkeypatch.setattr(fsrs_rs.FSRS, "compute_parameters", panics, raising=False)
    fit = fit_parameters(build_items(learner(4000, scale=0.45)), DEFAULT_PARAMETERS)
    assert not fit.adopted and "could not use this history" in fit.reason
    assert "Option::unwrap" in fit.reason


def test_scaled_parameters_start_memories_k_times_as_stable_and_keep_them_apart() -> None:
    """The first answer's stability is exactly k times; later ones stay on the same
    side (at the same elapsed time the recall differs, so not exactly k times)."""
    history = [(3, 0), (3, 2), (3, 5), (4, 12), (1, 30), (3, 2)]
    item = fsrs_rs.FSRSItem([fsrs_rs.FSRSReview(r, d) for r, d in history])
    base = fsrs_rs.FSRS(list(DEFAULT_PARAMETERS)).historical_memory_states(item)
    for k in (0.45, 1.8):
        moved = fsrs_rs.FSRS(list(scaled(DEFAULT_PARAMETERS, k))).historical_memory_states(item)
        assert moved[0].stability == pytest.approx(k * base[0].stability, rel=1e-5)
        for a, b in zip(base, moved, strict=True):
            assert (b.stability < a.stability) == (k < 1)
    assert scaled(DEFAULT_PARAMETERS, 1.0) == pytest.approx(DEFAULT_PARAMETERS)


def test_a_learner_who_forgets_faster_is_calibrated_below_the_optimisers_minimum() -> None:
    cards = build_items(learner(150, scale=0.3, seed=5, per_card=6))
    assert CALIBRATION_MIN <= item_count(cards) < MIN_ITEMS
    fit = learn(cards, DEFAULT_PARAMETERS)
    assert fit.adopted and fit.reason.startswith("Calibrated on")
    assert fit.log_loss_after < fit.log_loss_before
    assert fit.parameters[2] < DEFAULT_PARAMETERS[2]  # less stable after a first Good


def _answers(count: int, recalled: int) -> tuple[list[float], list[float], list[bool]]:
    """`count` review answers each at its due date (predicted recall 0.9), `recalled`
    of them recalled."""
    return [10.0] * count, [10.0] * count, [k < recalled for k in range(count)]


def test_answers_as_good_as_the_model_predicts_leave_exam_mode_as_it_is() -> None:
    model = FsrsModel.from_config(SchedulerConfig())
    assert recall_factor(model, *_answers(300, 285)) == 1.0  # 95% recalled, 90% predicted
    # Too few answers to go by, however badly they went.
    assert recall_factor(model, *_answers(RECALL_CHECK_MIN - 1, 0)) == 1.0


def test_answers_worse_than_predicted_make_exam_mode_count_on_less_stability() -> None:
    model = FsrsModel.from_config(SchedulerConfig())
    mild = recall_factor(model, *_answers(300, 255))  # 85% recalled
    harsh = recall_factor(model, *_answers(300, 240))  # 80%
    assert RECALL_FACTOR_FLOOR < harsh < mild < 1.0
    # The factor is the stability under which the model predicts about what was
    # recalled (a little less: the answers are a sample).
    predicted = float(model.retrievability(10.0, 10.0 * mild))
    assert 0.82 < predicted < 0.85
    # Answers just as the model predicts are a sample too: a little below 1.
    assert mild < recall_factor(model, *_answers(300, 270)) < 1.0
    assert recall_factor(model, *_answers(300, 0)) == RECALL_FACTOR_FLOOR
