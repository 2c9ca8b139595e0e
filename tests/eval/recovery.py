"""`make recovery-eval`: what recovery offers on the classifier's labelled real failures (live
cases run here, and captured outputs): a retry (transient), a proposed fix, or nothing. Run by
the same code the server uses (`RetryPolicy`, `fixes.propose`), each case in its own folder."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from intentls.failures import classify
from intentls.failures.fixes import Failure, propose
from intentls.failures.recovery import RetryPolicy
from intentls.model import StepError
from tests.failures.cases import CASES
from tests.failures.corpus import captured


def offer(error: StepError, command: str, output: str, folder: Path) -> str:
    """ "retry", "fix" or "none" for one classified failure."""
    if RetryPolicy().should_retry(error, 1):
        return "retry"
    failure = Failure(command, command, error.category, error.message, output)
    return "fix" if propose(failure, folder, []) else "none"


def main() -> None:
    offers: Counter[str] = Counter()
    by_category: dict[str, Counter[str]] = {}
    cases = 0
    for case in CASES:
        if case.missing():
            continue
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            evidence = case.run(folder)
            error = classify(evidence)
            kind = offer(error, evidence.command, evidence.output, folder)
        offers[kind] += 1
        by_category.setdefault(error.category, Counter())[kind] += 1
        cases += 1
    for item in captured():
        error = classify(item.evidence)
        with tempfile.TemporaryDirectory() as tmp:
            kind = offer(error, item.evidence.command, item.evidence.output, Path(tmp))
        offers[kind] += 1
        by_category.setdefault(error.category, Counter())[kind] += 1
        cases += 1
    acted = offers["retry"] + offers["fix"]
    print(f"recovery on {cases} labelled real failures: {acted} offered one ({acted / cases:.1%})")
    print(f"  retried (transient) {offers['retry']}, proposed fix {offers['fix']}")
    for category, counts in sorted(by_category.items()):
        retry, fix, none = counts["retry"], counts["fix"], counts["none"]
        print(f"  {category:<16} retry {retry:>3}  fix {fix:>3}  none {none:>3}")


if __name__ == "__main__":
    main()
