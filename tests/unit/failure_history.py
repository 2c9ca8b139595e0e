"""Runs recorded on a real history file for the failure analysis tests: outcome, first error,
files changed, when."""

from __future__ import annotations

from intentls.history.store import History, RunStart
from intentls.model import PlanStep, RunResult, RunStatus, StepError, StepResult, StepStatus

FOLDER = "file:///work/project"


async def record(
    h: History,
    run_id: str,
    intent: str,
    at: float,
    *,
    error: StepError | None = None,
    changed: list[str] | None = None,
    duration_ms: int = 1000,
    tail: str = "",
    edited: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> None:
    """A one-step run started at `at`: failed with `error`, else succeeded; `edited`: what its
    snapshot saw edited before it, `env`: its environment's fingerprint."""
    await h.record_started(RunStart(run_id, intent, FOLDER, "/work/project", "test", at))
    await h.record_context(run_id, edited or [], env)
    status = RunStatus.FAILED if error else RunStatus.SUCCEEDED
    step = StepResult(
        "s1",
        intent,
        StepStatus.FAILED if error else StepStatus.SUCCEEDED,
        duration_ms,
        1,
        2 if error else 0,
        error,
    )
    result = RunResult(
        run_id, intent, FOLDER, status, duration_ms, [step], bool(changed), changed or []
    )
    plan_step = PlanStep("s1", intent, "shell", {"command": intent})
    await h.record_finished(result, [plan_step], {"s1": tail}, at + duration_ms / 1000)
