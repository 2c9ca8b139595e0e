"""Failure prediction: the learner on sequences, and the server's forecast from a real SQLite
history (recency, nothing changed since, near-miss names)."""

from __future__ import annotations

import random
import uuid

import attrs

from intentls.failures.forecast import Forecasts, forecast, past_failure
from intentls.failures.prediction import Attempt, Evidence, Learner, Outcome, command_name
from intentls.history.outcomes import PastRun
from intentls.history.store import History
from intentls.model import StepError, WarningKind
from tests.unit.failure_history import FOLDER, record

MISSING = StepError("dependency", "No module named 'foo'")


def test_command_name_skips_the_prompt_and_assignments() -> None:
    assert command_name("$ CI=1 pytest -x") == "pytest"
    assert command_name("test") == "test"
    assert command_name("$ ") == ""


def test_recent_failures_weigh_more_than_old_successes() -> None:
    learner = Learner()
    for failed in [False] * 6 + [True, True]:
        learner.observe(Attempt("make"), Outcome(failed))
    flipped = Learner()
    for failed in [True, True] + [False] * 6:
        flipped.observe(Attempt("make"), Outcome(failed))
    assert learner.predict(Attempt("make")).fail_probability > 0.5
    assert flipped.predict(Attempt("make")).fail_probability < 0.1


def test_a_misspelt_command_is_predicted_to_fail_and_names_the_known_one() -> None:
    learner = Learner()
    learner.observe(Attempt("$ pytest -x"), Outcome(False))
    prediction = learner.predict(Attempt("$ pytst -x"))
    assert prediction.evidence is Evidence.NEAR_MISS
    assert prediction.near == "pytest"
    assert prediction.will_fail


def test_a_known_program_is_no_misspelling() -> None:
    learner = Learner(known=lambda name: name == "pytest")
    assert learner.predict(Attempt("$ pytest")).evidence is Evidence.NONE


def test_what_an_evidence_means_is_learned_from_the_history() -> None:
    """Unknown names that keep succeeding here stop looking like failures."""
    learner = Learner()
    first = learner.predict(Attempt("$ newtool")).fail_probability
    for _ in range(30):  # names far apart: unknown, not near misses of each other
        learner.observe(Attempt(f"$ {uuid.uuid4().hex}"), Outcome(False))
    assert learner.predict(Attempt("$ newtool")).fail_probability < first / 2


async def test_three_failures_with_nothing_changed_predict_a_failure(history: History) -> None:
    for i in range(3):
        await record(history, f"r{i}", "test", 1000.0 + 10 * i, error=MISSING)
    past = await history.outcomes(FOLDER)
    prediction, changed = forecast(past, "test", 2000.0, names=["test"])
    assert changed is False
    assert prediction.evidence is Evidence.FAILED_UNCHANGED
    assert prediction.predicted_success < 0.5
    warning = past_failure("test", prediction, changed)
    assert warning is not None and warning.kind == WarningKind.PAST_FAILURE
    assert warning.message == (
        "«test» failed the last 3 times with dependency: No module named 'foo'; "
        "nothing changed since"
    )


async def test_a_change_since_the_failure_lifts_the_prediction(history: History) -> None:
    for i in range(3):
        await record(history, f"r{i}", "test", 1000.0 + 10 * i, error=MISSING)
    past = await history.outcomes(FOLDER)
    unchanged, _ = forecast(past, "test", 2000.0, names=["test"])
    edited, changed = forecast(past, "test", 2000.0, names=["test"], saves=[1500.0])
    assert changed is True
    assert edited.fail_probability < unchanged.fail_probability
    warning = past_failure("test", edited, changed)
    assert warning is not None and warning.message.endswith("; files changed since")


async def test_a_run_that_changed_files_counts_as_a_change(history: History) -> None:
    await record(history, "r0", "test", 1000.0, error=MISSING)
    await record(history, "r1", "$ pip install foo", 1010.0, changed=["venv/foo.py"])
    past = await history.outcomes(FOLDER)
    _, changed = forecast(past, "test", 2000.0, names=["test"])
    assert changed is True


async def test_no_warning_after_a_success(history: History) -> None:
    await record(history, "r0", "test", 1000.0, error=MISSING)
    await record(history, "r1", "test", 1010.0)
    prediction, changed = forecast(await history.outcomes(FOLDER), "test", 2000.0, names=["test"])
    assert past_failure("test", prediction, changed) is None
    assert prediction.predicted_success > 0.5


def _runs(n: int, seed: int) -> list[PastRun]:
    """`n` runs of a few lines (known, unknown, misspelt), some failing, some changing files."""
    rng = random.Random(seed)
    lines = ["test", "$ pytest -x", "$ pytst -x", "$ make", "$ nosuchtool", "lint"]
    runs = []
    for i in range(n):
        failed = rng.random() < 0.35
        status = "failed" if failed else rng.choice(["succeeded"] * 5 + ["cancelled"])
        at = 1000.0 + 10 * i
        runs.append(
            PastRun(
                f"r{i}", rng.choice(lines), FOLDER, "/w", status, at, at + rng.random() * 9, 5,
                ["a.py"] if rng.random() < 0.3 else [],
                "testFailure" if failed else None, "boom" if failed else None,
            )
        )  # fmt: skip
    return runs


def test_a_resumed_forecast_is_the_forecast_of_the_whole_history() -> None:
    """Runs added one at a time (the fold resumes), a window that slides, saves learnt of late,
    a run read again, other names: always what a fold from the start predicts."""
    runs = _runs(120, seed=7)
    saves = [1000.0 + 37 * k for k in range(30)]
    known = {"pytest", "make"}.__contains__
    forecasts = Forecasts(known)
    for i in range(1, len(runs)):
        now = runs[i].started_at
        heard = [t for t in saves if t < now - (50 if i % 7 else 0)]  # some saves arrive late
        past = runs[max(0, i - 60) : i] if i > 90 else runs[:i]  # slides at the end
        if i == 40:
            runs[20] = attrs.evolve(runs[20])  # read again: a new object
            past = runs[:i]
        names = ["test", "lint"] if i < 75 else ["test", "lint", "frobnicat"]
        for goal in ("test", "$ pytst -x", "$ frobnicate"):
            expected = forecast(past, goal, now, names, heard, known)
            assert forecasts.forecast(FOLDER, past, goal, now, names, heard) == expected


def test_a_fold_prepared_after_a_run_serves_the_next_prediction() -> None:
    """The window slid (a run in, the oldest out): the fold made ahead is the one predicting."""
    runs = _runs(61, seed=3)
    known = {"pytest", "make"}.__contains__
    forecasts = Forecasts(known)
    forecasts.prepare(FOLDER, runs[:60], [])  # no forecast yet: no names to fold with
    assert FOLDER not in forecasts._folds
    forecasts.forecast(FOLDER, runs[:60], "test", 2000.0, ["test"])
    forecasts.prepare(FOLDER, runs[1:61], [1500.0])
    ahead = forecasts._folds[FOLDER]
    got = forecasts.forecast(FOLDER, runs[1:61], "$ make", 2000.0, ["test"], [1500.0, 1999.0])
    assert forecasts._folds[FOLDER] is ahead
    assert got == forecast(runs[1:61], "$ make", 2000.0, ["test"], [1500.0, 1999.0], known)
