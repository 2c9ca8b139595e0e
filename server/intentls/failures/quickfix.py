"""Quick fixes for a failed run's diagnostics: re-run the intent, re-run only what failed (the
step alone; pytest's failed tests by node id), the recoveries history says worked, show the
output. Plain data: the LSP half turns each into a code action."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from pathlib import PurePath

from intentls.failures.book import FailedStep, Failure, QuickFix
from intentls.failures.classifier import strip_ansi
from intentls.failures.tools import tools_in_command
from intentls.vocabulary import CommandId

_PYTEST_FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+::\S+?)(?: - .*)?$", re.M)


Recovery = Callable[[Failure, FailedStep], Sequence[QuickFix]]
"""What history says fixed this failure before (the recovery engineer's seam): called for the
failed step a diagnostic came from; returns ready commands, best first, never run unasked."""

RECOVERIES: list[Recovery] = []
"""Registered recoveries, asked in order."""


def quick_fixes(failure: Failure, step_id: str) -> list[QuickFix]:
    step = failure.step(step_id)
    folder = str(failure.folder)
    fixes = [
        QuickFix(
            f"Re-run «{failure.intent}»", CommandId.RUN, {"intent": failure.intent, "cwd": folder}
        )
    ]
    fixes = [*failure.proposed, *fixes]
    if step is not None:
        for recovery in RECOVERIES:
            fixes = [*recovery(failure, step), *fixes]
        if ids := failed_tests(step.output):
            fixes.append(
                _rerun(f"Re-run the {len(ids)} failed test(s)", _pytest(step.command, ids), step)
            )
        elif failure.planned > 1:
            fixes.append(_rerun(f"Re-run only «{step.title}»", step.command, step))
    fixes.append(QuickFix("Show the run's output", CommandId.RUN_OUTPUT, {"runId": failure.run_id}))
    return fixes


def failed_tests(output: str) -> list[str]:
    """pytest's failed node ids, from its short summary."""
    return list(dict.fromkeys(_PYTEST_FAILED.findall(strip_ansi(output))))


def _pytest(command: str, ids: list[str]) -> str:
    """The failed step's own pytest command with only those tests; `python3 -m pytest` when the
    step ran pytest through a wrapper (make, tox, npm)."""
    runner = ["python3", "-m", "pytest"]
    if "pytest" in tools_in_command(command):
        words = shlex.split(command)
        at = next((i for i, w in enumerate(words) if PurePath(w).name == "pytest"), None)
        runner = words[: at + 1] if at is not None else runner
    return shlex.join([*runner, *ids])


def _rerun(title: str, command: str, step: FailedStep) -> QuickFix:
    return QuickFix(title, CommandId.RUN, {"intent": f"$ {command}", "cwd": str(step.cwd)})
