"""`flask optimize`: learn FSRS parameters from the command line."""

import json

from sqlalchemy import select

from flashcards.models import FsrsFit, Settings
from tests.fsrs_learner import learner, store_history


def test_optimize_json_dry_run_then_adopt(app, session) -> None:
    store_history(session, learner(700, scale=0.4, seed=3, per_card=10))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["optimize", "--json", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    result = json.loads(dry.output)
    assert {"reviews_used", "log_loss_before", "log_loss_after", "rmse_bins_before",
            "rmse_bins_after", "adopted", "parameters"} <= set(result)
    assert result["adopted"] is False and result["would_adopt"] is True
    assert result["log_loss_after"] < result["log_loss_before"]
    assert len(result["parameters"]) == 21 and result["reviews_used"] >= 200
    session.rollback()
    assert session.execute(select(FsrsFit)).first() is None

    done = runner.invoke(args=["optimize"])
    assert done.exit_code == 0, done.output
    assert done.output.startswith("Adopted: log loss")
    assert "due dates are unchanged" in done.output
    session.rollback()
    assert session.get(Settings, 1).fsrs_parameters is not None


def test_optimize_names_an_unknown_user(app) -> None:
    result = app.test_cli_runner().invoke(args=["optimize", "--user", "nobody"])
    assert result.exit_code != 0 and "there is no user named 'nobody'" in result.output
