"""A finished run as suggestions learn from it (from the engine's result and plan)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from intentls.model import Plan, RunResult, RunStatus, StepStatus
from intentls.suggestions.core import Finished, Fix

LEARNED = 0.7
PROPOSED = 0.4
"""Confidence in a fix that worked here before, and in one a rule proposes."""


def finished(
    result: RunResult,
    plan: Plan,
    edited: Path | None,
    generation: int | None,
    ended_at: float,
    fixes: Sequence[tuple[str, str, bool]] = (),
) -> Finished:
    """`edited`: the file the run was started from; `generation`: the folder's file-change
    generation once the run's own changes were read (see `Snapshots.generation`); `fixes`:
    (intent, reason, learned) proposed for a failure by the failures domain."""
    intents = {s.id: s.args.get("intent") for s in plan.steps}
    failed = [s for s in result.steps if s.status is StepStatus.FAILED]
    failed_intents = tuple(
        dict.fromkeys(str(intents[s.id]) for s in failed if isinstance(intents.get(s.id), str))
    )
    category = next((s.error.category for s in failed if s.error is not None), None)
    return Finished(
        intent=result.intent,
        folder=result.folder,
        succeeded=result.status is RunStatus.SUCCEEDED,
        ended_at=ended_at,
        file_type=edited.suffix if edited is not None else "",
        changed_files=len(result.changed_files),
        failed_intents=failed_intents,
        error_category=category,
        generation=generation,
        fixes=tuple(Fix(i, why, LEARNED if learned else PROPOSED) for i, why, learned in fixes),
    )
