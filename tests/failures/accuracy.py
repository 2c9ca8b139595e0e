"""The classifier's accuracy on every labelled real failure: `python -m tests.failures.accuracy`.

A case counts as right when the category matches and the message holds the expected line."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from intentls.failures import Evidence, classify
from tests.failures.cases import ALL
from tests.failures.corpus import captured


def main() -> None:
    outcomes: list[tuple[str, Evidence, str, str]] = []
    skipped = [c.name for c in ALL if c.missing()]
    for case in ALL:
        if not case.missing():
            with tempfile.TemporaryDirectory() as folder:
                outcomes.append((case.name, case.run(Path(folder)), case.category, case.message))
    outcomes += [(c.name, c.evidence, c.category, c.message) for c in captured()]
    right = 0
    for name, evidence, category, message in outcomes:
        error = classify(evidence)
        if error.category == category and message in error.message:
            right += 1
        else:
            sys.stdout.write(f"wrong {name}: {error.category}: {error.message!r}\n")
    if skipped:
        sys.stdout.write(f"skipped (tool absent): {', '.join(skipped)}\n")
    share = right / len(outcomes) if outcomes else 0.0
    sys.stdout.write(
        f"classifier: {right} of {len(outcomes)} labelled real failures right ({share:.1%})\n"
    )


if __name__ == "__main__":
    main()
