"""The server's prediction for a plan: the folder's history fed through `Learner`, oldest first,
each run told whether the folder changed since its line last ran (files a run changed, files
the editor saved), and the `pastFailure` warning a person reads before running."""

from __future__ import annotations

import bisect
import shutil
from collections.abc import Callable, Iterable

from intentls.failures.prediction import Attempt, Learner, Outcome, Prediction
from intentls.history.outcomes import PastRun
from intentls.model import IntentWarning, WarningKind

COUNTED = ("succeeded", "failed")
"""Runs that say whether a line works; a cancelled or interrupted one says neither."""


def on_path(name: str) -> bool:
    """A program the shell would find (an unknown name here is not necessarily a typo)."""
    return "/" not in name and shutil.which(name) is not None


class _Changes:
    """When the folder changed: runs that changed files (at their end), editor saves."""

    def __init__(self, past: list[PastRun], saves: Iterable[float]) -> None:
        self._times = sorted([r.ended_at for r in past if r.changed_files] + list(saves))

    def between(self, after: float, before: float) -> bool:
        """Whether anything changed strictly between two moments."""
        i = bisect.bisect_right(self._times, after)
        return i < len(self._times) and self._times[i] < before


def forecast(
    past: list[PastRun],
    goal: str,
    now: float,
    names: Iterable[str] = (),
    saves: Iterable[float] = (),
    known: Callable[[str], bool] = on_path,
) -> tuple[Prediction, bool | None]:
    """How likely `goal` fails now, and whether the folder changed since its last run."""
    learner = Learner(known, names)
    changes = _Changes(past, saves)
    last_end: dict[str, float] = {}
    for run in past:
        if run.status not in COUNTED:
            continue
        previous = last_end.get(run.intent)
        changed = None if previous is None else changes.between(previous, run.started_at)
        outcome = Outcome(run.failed, run.category, run.message)
        learner.observe(Attempt(run.intent, changed), outcome)
        last_end[run.intent] = run.ended_at
    previous = last_end.get(goal)
    changed = None if previous is None else changes.between(previous, now)
    return learner.predict(Attempt(goal, changed)), changed


def past_failure(goal: str, prediction: Prediction, changed: bool | None) -> IntentWarning | None:
    """ "«test» failed the last 3 times with dependency: No module named 'foo'; nothing changed
    since" — when the line's last run failed."""
    last = prediction.last_failure
    if last is None:
        return None
    times = "last time" if prediction.streak == 1 else f"the last {prediction.streak} times"
    cause = f" with {last.category}: {last.message}" if last.category and last.message else ""
    since = (
        "" if changed is None else "; files changed since" if changed else "; nothing changed since"
    )
    return IntentWarning(WarningKind.PAST_FAILURE, f"«{goal}» failed {times}{cause}{since}")
