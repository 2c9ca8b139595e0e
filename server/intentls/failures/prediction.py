"""Will this run fail? A prediction from the folder's own history, made before the run starts.

A line's own record alone (a smoothed success rate) only speaks for lines that failed before,
about a third of the failures people meet. The rest shows in signals across lines: a command
name that never succeeded, a near-miss spelling of a name that did, a line that failed last
time with nothing changed since, what just failed. Each run falls under one piece of
`Evidence`; how often runs with that evidence failed *in this history* is learned as it goes
(starting from a prior), and is blended with the line's recency-weighted record.

`Learner` is the one piece of code both the server (fed the folder's history, oldest first) and
the offline replay of real command histories (`make predict-eval`) run, so the figures in
docs/failures.md are the server's.
"""

from __future__ import annotations

import enum
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable

import attrs

THRESHOLD = 0.5
"""A run "will fail" when its failure probability reaches this (predictedSuccess below 0.5)."""
WINDOW = 20
"""A line's last runs that count for its own record."""
DECAY = 0.7
"""Each older run of a line weighs this much less than the one after it (recency)."""
LINE_WEIGHT = 2.0
"""How many runs of its own record the evidence's learned rate is worth."""
PRIOR_WEIGHT = 4.0
"""How many runs the prior of an evidence is worth before its own rate is learned."""


class Evidence(enum.StrEnum):
    """What a run looks like before it runs, most telling first."""

    MALFORMED = "malformed"
    """Control characters or no command word: line noise."""
    UNKNOWN_FAILED = "unknownFailed"
    """A command name that never succeeded here and failed before."""
    NEAR_MISS = "nearMiss"
    """A command name never seen succeeding, an edit or two from one that did."""
    UNKNOWN = "unknown"
    """A command name never seen succeeding and not otherwise known."""
    FAILED_UNCHANGED = "failedUnchanged"
    """The line failed last time, and nothing in the folder changed since."""
    FAILED_TWICE = "failedTwice"
    """The line failed the last two times (changes since, or unknown)."""
    FAILED_LAST = "failedLast"
    """The line failed last time (changes since, or unknown)."""
    AFTER_FAILURE = "afterFailure"
    """The run just before (any line) failed."""
    NONE = "none"


PRIORS: dict[Evidence, float] = {
    Evidence.MALFORMED: 0.9,
    Evidence.UNKNOWN_FAILED: 0.9,
    Evidence.NEAR_MISS: 0.6,
    Evidence.UNKNOWN: 0.4,
    Evidence.FAILED_UNCHANGED: 0.8,
    Evidence.FAILED_TWICE: 0.6,
    Evidence.FAILED_LAST: 0.5,
    Evidence.AFTER_FAILURE: 0.1,
    Evidence.NONE: 0.03,
}
"""Failure rates assumed before a history has shown its own (a new folder)."""


@attrs.frozen
class Attempt:
    """A run as the predictor sees it before it runs."""

    line: str
    """The intent text (`test`, `$ pytest -x`)."""
    changed_since: bool | None = None
    """Whether the folder changed since this line last ran; None: not known."""


@attrs.frozen
class Outcome:
    failed: bool
    category: str | None = None
    message: str | None = None


@attrs.frozen
class Prediction:
    fail_probability: float
    evidence: Evidence
    streak: int = 0
    """How many times in a row the line failed up to now."""
    last_failure: Outcome | None = None
    """The line's last outcome, when it failed."""
    near: str | None = None
    """The known command name an unknown one looks like a misspelling of."""

    @property
    def predicted_success(self) -> float:
        return round(1.0 - self.fail_probability, 3)

    @property
    def will_fail(self) -> bool:
        return self.fail_probability >= THRESHOLD


_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def command_name(line: str) -> str:
    """The program a line runs: its first word after `$ ` and any `NAME=value` words."""
    words = line.removeprefix("$").split()
    return next((w for w in words if not _ASSIGNMENT.match(w)), "")


def _malformed(line: str, name: str) -> bool:
    return not name or any(not c.isprintable() for c in line)


def _near_cutoff(name: str) -> int:
    return 1 if len(name) <= 3 else 2


class Learner:
    """Learns from runs in the order they happened and predicts the next."""

    def __init__(
        self, known: Callable[[str], bool] = lambda name: False, names: Iterable[str] = ()
    ) -> None:
        self._known = known
        """Names known to run without a history (on PATH, a defined intent)."""
        self._known_cache: dict[str, bool] = {}
        self._command_names: dict[str, str] = {}
        """`command_name` per line (each run asks it twice; a history repeats its lines)."""
        self._succeeded: Counter[str] = Counter()
        self._failed: Counter[str] = Counter()
        self._names = set(names)
        """Names a misspelling may be of: defined intents and names that succeeded."""
        self._lines: dict[str, deque[Outcome]] = {}
        self._seen: Counter[Evidence] = Counter()
        self._failures: Counter[Evidence] = Counter()
        self._previous_failed = False

    def record(self, line: str) -> list[Outcome]:
        """The line's last runs, oldest first."""
        return list(self._lines.get(line, ()))

    def predict(self, attempt: Attempt) -> Prediction:
        evidence, near = self._evidence(attempt)
        seen = self._seen[evidence]
        rate = (self._failures[evidence] + PRIOR_WEIGHT * PRIORS[evidence]) / (seen + PRIOR_WEIGHT)
        weighted_failures = weight = 0.0
        step = 1.0
        record = self.record(attempt.line)
        for outcome in reversed(record):
            weighted_failures += step * outcome.failed
            weight += step
            step *= DECAY
        probability = (weighted_failures + LINE_WEIGHT * rate) / (weight + LINE_WEIGHT)
        streak = 0
        for outcome in reversed(record):
            if not outcome.failed:
                break
            streak += 1
        last = record[-1] if streak else None
        return Prediction(round(probability, 4), evidence, streak, last, near)

    def observe(self, attempt: Attempt, outcome: Outcome) -> None:
        evidence, _ = self._evidence(attempt)
        self._seen[evidence] += 1
        self._failures[evidence] += outcome.failed
        name = self._command_name(attempt.line)
        if outcome.failed:
            self._failed[name] += 1
        else:
            self._succeeded[name] += 1
            self._names.add(name)
        self._lines.setdefault(attempt.line, deque(maxlen=WINDOW)).append(outcome)
        self._previous_failed = outcome.failed

    def _evidence(self, attempt: Attempt) -> tuple[Evidence, str | None]:
        name = self._command_name(attempt.line)
        if not self._succeeded[name] and not self._is_known(name):
            if _malformed(attempt.line, name):
                return Evidence.MALFORMED, None
            if self._failed[name]:
                return Evidence.UNKNOWN_FAILED, self._closest(name)
            near = self._closest(name)
            return (Evidence.NEAR_MISS, near) if near else (Evidence.UNKNOWN, None)
        record = self._lines.get(attempt.line)
        if record and record[-1].failed:
            if attempt.changed_since is False:
                return Evidence.FAILED_UNCHANGED, None
            if len(record) > 1 and record[-2].failed:
                return Evidence.FAILED_TWICE, None
            return Evidence.FAILED_LAST, None
        if self._previous_failed:
            return Evidence.AFTER_FAILURE, None
        return Evidence.NONE, None

    def _command_name(self, line: str) -> str:
        name = self._command_names.get(line)
        if name is None:
            name = self._command_names[line] = command_name(line)
        return name

    def _is_known(self, name: str) -> bool:
        if name not in self._known_cache:
            self._known_cache[name] = bool(name) and self._known(name)
        return self._known_cache[name]

    def _closest(self, name: str) -> str | None:
        from rapidfuzz import process  # a typo's lookup only: a run's start-up does without
        from rapidfuzz.distance import Levenshtein

        found = process.extractOne(
            name,
            self._names - {name},
            scorer=Levenshtein.distance,
            score_cutoff=_near_cutoff(name),
        )
        return None if found is None else str(found[0])
