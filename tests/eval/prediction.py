"""`make predict-eval`: replays real command histories in order through the server's own
`Learner` and reports precision and recall of "will fail", beside the naive rule ("fails if it
failed last time") and the smoothed per-line rate intentls used before, all in one replay."""

from __future__ import annotations

import sys
from collections.abc import Callable

import attrs

from intentls.failures.prediction import THRESHOLD, Attempt, Learner, Outcome
from tests.eval.greenberg import DATA, users


@attrs.define
class Tally:
    name: str
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    def add(self, predicted: bool, failed: bool) -> None:
        self.true_positives += predicted and failed
        self.false_positives += predicted and not failed
        self.false_negatives += failed and not predicted

    def row(self) -> str:
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        return f"{self.name:<44} {precision:>9.1%} {recall:>8.1%} {tp:>6} {fp:>6} {fn:>6}"


def naive(record: list[Outcome]) -> bool:
    """Fails if it failed last time."""
    return bool(record) and record[-1].failed


def smoothed(record: list[Outcome]) -> bool:
    """intentls before this: (successes + 1) / (runs + 2) over the line's last runs < 0.5."""
    if not record:
        return False
    successes = sum(not o.failed for o in record)
    return (successes + 1) / (len(record) + 2) < 0.5


def main() -> None:
    if not DATA.is_dir():
        sys.exit(f"no data at {DATA}")
    ours = Tally(f"intentls Learner (fail probability >= {THRESHOLD})")
    baselines: list[tuple[Tally, Callable[[list[Outcome]], bool]]] = [
        (Tally("naive: failed last time"), naive),
        (Tally("smoothed line rate < 0.5 (before)"), smoothed),
    ]
    commands = failures = 0
    for _, history in users():
        learner = Learner()
        for command in history:
            attempt = Attempt(command.line)
            failed = command.error is not None
            ours.add(learner.predict(attempt).will_fail, failed)
            record = learner.record(command.line)
            for tally, rule in baselines:
                tally.add(rule(record), failed)
            learner.observe(attempt, Outcome(failed, command.error))
            commands += 1
            failures += failed
    print(f"Greenberg traces: {commands} commands, {failures} failed ({failures / commands:.1%})")
    print(f"{'predictor':<44} {'precision':>9} {'recall':>8} {'TP':>6} {'FP':>6} {'FN':>6}")
    for tally in (ours, *(t for t, _ in baselines)):
        print(tally.row())


if __name__ == "__main__":
    main()
