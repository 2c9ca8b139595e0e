"""What a finished run leaves to say: whether it shows the intent flaky, and for a failure the
fixes to propose (learned ones first). Pure: the engine turns it into warnings and actions."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from intentls.failures import flaky
from intentls.history.outcomes import PastRun
from intentls.model import PlanStep, RunResult, RunStatus, StepStatus

if TYPE_CHECKING:
    from intentls.failures.fixes import Failure, ProposedFix

MAX_FIXES = 3


@attrs.frozen
class Review:
    flaky: str | None = None
    fixes: list[ProposedFix] = attrs.Factory(list)


def failure_of(result: RunResult, steps: list[PlanStep], tails: dict[str, str]) -> Failure | None:
    """The run's first failed step with a classified error."""
    from intentls.failures.fixes import Failure  # loaded by failures only (rapidfuzz)

    commands = {s.id: str(s.args.get("command", "")) for s in steps}
    for step in result.steps:
        if step.status is StepStatus.FAILED and step.error is not None:
            return Failure(
                result.intent,
                commands.get(step.id, ""),
                step.error.category,
                step.error.message,
                tails.get(step.id, ""),
            )
    return None


def review(
    past: list[PastRun],
    result: RunResult,
    steps: list[PlanStep],
    tails: dict[str, str],
    folder: Path,
    intents: Iterable[str],
) -> Review:
    """`past`: the folder's runs, oldest first, this one among them."""
    verdict = flaky.verdict(past, result.run_id)
    failure = failure_of(result, steps, tails) if result.status is RunStatus.FAILED else None
    if failure is None:
        return Review(verdict)
    from intentls.failures.fixes import propose

    return Review(verdict, propose(failure, folder, past, intents)[:MAX_FIXES])
