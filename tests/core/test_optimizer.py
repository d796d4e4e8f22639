"""Personal FSRS parameters: learnt with fsrs-rs, adopted only when they predict better."""

import fsrs_rs_python as fsrs_rs
import pytest

from flashcards.core.fsrs_items import Answer, build_items
from flashcards.core.optimizer import DEFAULT_PARAMETERS, MIN_ITEMS, fit_parameters
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
