"""The server's prediction for a plan: the folder's history fed through `Learner`, oldest first,
each run told whether the folder changed since its line last ran (files a run changed, files
the editor saved), and the `pastFailure` warning a person reads before running."""

from __future__ import annotations

import bisect
import shutil
import threading
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
        self.times = sorted([r.ended_at for r in past if r.changed_files] + list(saves))

    def between(self, after: float, before: float) -> bool:
        """Whether anything changed strictly between two moments."""
        i = bisect.bisect_right(self.times, after)
        return i < len(self.times) and self.times[i] < before

    def before(self, moment: float) -> list[float]:
        """The changes strictly before `moment`: all a run that started then was told."""
        return self.times[: bisect.bisect_left(self.times, moment)]


class _Fold:
    """A `Learner` fed a folder's runs in order, which more runs may follow."""

    def __init__(self, known: Callable[[str], bool], names: frozenset[str]) -> None:
        self.learner = Learner(known, names)
        self.names = names
        self.runs: list[PastRun] = []
        """What it was fed, oldest first (counted or not)."""
        self.told: list[float] = []
        """The changes it was told of (those before the last run it was fed started)."""
        self._last_end: dict[str, float] = {}

    def continues(self, past: list[PastRun], names: frozenset[str], changes: _Changes) -> bool:
        """Whether `past` starts with exactly the runs fed (the same objects: a history read
        again, or a run read again, makes new ones) and the changes told are still all there
        was before them: feeding the rest of `past` then learns what a new fold would."""
        fed = len(self.runs)
        return (
            names == self.names
            and len(past) >= fed
            and all(a is b for a, b in zip(self.runs, past, strict=False))
            and (not fed or changes.before(self.runs[-1].started_at) == self.told)
        )

    def feed(self, runs: list[PastRun], changes: _Changes) -> None:
        for run in runs:
            if run.status not in COUNTED:
                continue
            previous = self._last_end.get(run.intent)
            changed = None if previous is None else changes.between(previous, run.started_at)
            outcome = Outcome(run.failed, run.category, run.message)
            self.learner.observe(Attempt(run.intent, changed), outcome)
            self._last_end[run.intent] = run.ended_at
        self.runs.extend(runs)
        if self.runs:
            self.told = changes.before(self.runs[-1].started_at)

    def predict(self, goal: str, now: float, changes: _Changes) -> tuple[Prediction, bool | None]:
        previous = self._last_end.get(goal)
        changed = None if previous is None else changes.between(previous, now)
        return self.learner.predict(Attempt(goal, changed)), changed


def forecast(
    past: list[PastRun],
    goal: str,
    now: float,
    names: Iterable[str] = (),
    saves: Iterable[float] = (),
    known: Callable[[str], bool] = on_path,
) -> tuple[Prediction, bool | None]:
    """How likely `goal` fails now, and whether the folder changed since its last run."""
    changes = _Changes(past, saves)
    fold = _Fold(known, frozenset(names))
    fold.feed(past, changes)
    return fold.predict(goal, now, changes)


class Forecasts:
    """`forecast` per folder, resumed: while a folder's runs only grow (under 500), each run's
    prediction feeds the learner the runs since the last one instead of all of them again;
    anything else (a window that slid, a run read again, other names, an earlier change
    learnt of) folds from the start. Thread-safe (forecasts run on worker threads). What it
    keeps beyond `forecast`: whether a program is on PATH is asked once per fold."""

    def __init__(self, known: Callable[[str], bool] = on_path) -> None:
        self._known = known
        self._folds: dict[str, _Fold] = {}
        self._lock = threading.Lock()

    def forecast(
        self,
        folder: str,
        past: list[PastRun],
        goal: str,
        now: float,
        names: Iterable[str] = (),
        saves: Iterable[float] = (),
    ) -> tuple[Prediction, bool | None]:
        changes = _Changes(past, saves)
        with self._lock:
            return self._fold(folder, past, names, changes).predict(goal, now, changes)

    def prepare(self, folder: str, past: list[PastRun], saves: Iterable[float]) -> None:
        """Fold `past` now, with the intent names of the folder's last forecast, so that a
        forecast from the same runs only predicts: once a folder has 500 runs, its window
        slides with every run, and a fold costs milliseconds."""
        with self._lock:
            fold = self._folds.get(folder)
            if fold is not None:
                self._fold(folder, past, fold.names, _Changes(past, saves))

    def _fold(
        self, folder: str, past: list[PastRun], names: Iterable[str], changes: _Changes
    ) -> _Fold:
        wanted = frozenset(names)
        fold = self._folds.get(folder)
        if fold is None or not fold.continues(past, wanted, changes):
            fold = self._folds[folder] = _Fold(self._known, wanted)
        fold.feed(past[len(fold.runs) :], changes)
        return fold


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
