"""The diagnostics of each intent's last failed run, per folder: set when it fails, cleared when
it next succeeds. Matching runs in a worker thread after the run, never in the output's way."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from intentls.failures.diagnostics import Diagnostic, find_diagnostics
from intentls.failures.matchers.builtin import resolve
from intentls.failures.matchers.schema import MatcherError
from intentls.model import StepError

log = logging.getLogger(__name__)


@attrs.frozen
class FailedStep:
    """What a failed step leaves for diagnostics and quick fixes."""

    step_id: str
    title: str
    command: str
    cwd: Path
    output: str
    """Its output tail: stdout and stderr as one stream."""
    error: StepError | None = None
    matchers: Any = None
    """tasks.json `problemMatcher` / intents.toml `matchers` as given; None: chosen by tools."""


@attrs.frozen
class QuickFix:
    title: str
    command: str
    """An LSP command the client runs: `intentls.run`, `intentls.runOutput`, …"""
    arguments: dict[str, Any]


@attrs.frozen
class Failure:
    """An intent's last failed run and the diagnostics its output gave."""

    run_id: str
    intent: str
    folder: Path
    steps: tuple[FailedStep, ...]
    diagnostics: tuple[Diagnostic, ...]
    planned: int = 1
    """How many steps the run had: re-running one of several is worth offering."""
    proposed: tuple[QuickFix, ...] = ()
    """The run's own proposals (fixes that worked here before come first, a flaky re-run)."""

    def step(self, step_id: str) -> FailedStep | None:
        return next((s for s in self.steps if s.step_id == step_id), None)


class DiagnosticsBook:
    def __init__(self) -> None:
        self._failures: dict[tuple[Path, str], Failure] = {}
        """(folder, intent text) → its last failed run, until the intent succeeds."""

    async def run_finished(
        self,
        folder: Path,
        run_id: str,
        intent: str,
        succeeded: bool,
        failed: Iterable[FailedStep],
        planned: int = 1,
        proposed: Iterable[QuickFix] = (),
    ) -> list[Path]:
        """Record a finished run; the files whose diagnostics changed (publish them again)."""
        key = (folder, intent)
        touched = (
            {d.path for d in self._failures[key].diagnostics} if key in self._failures else set()
        )
        if succeeded:
            self._failures.pop(key, None)
            return sorted(touched)
        steps = tuple(failed)
        diagnostics = await asyncio.to_thread(diagnose, folder, steps)
        self._failures[key] = Failure(
            run_id, intent, folder, steps, tuple(diagnostics), planned, tuple(proposed)
        )
        return sorted(touched | {d.path for d in diagnostics})

    def at(self, path: Path) -> list[tuple[Failure, Diagnostic]]:
        """Every diagnostic on `path`, from whichever intent's failure it came."""
        return [
            (failure, diagnostic)
            for failure in self._failures.values()
            for diagnostic in failure.diagnostics
            if diagnostic.path == path
        ]


def diagnose(folder: Path, steps: Iterable[FailedStep]) -> list[Diagnostic]:
    """The diagnostics of failed steps' output (the terminal prints them; the server
    publishes them)."""
    found: list[Diagnostic] = []
    for step in steps:
        try:
            matchers = resolve(step.matchers) if step.matchers else None
        except MatcherError as exc:  # intents.toml is checked when read; tasks.json is not
            log.warning("problem matchers of %s: %s; choosing from the command", step.title, exc)
            matchers = None
        found += find_diagnostics(
            step.output, step.command, folder, step.cwd, matchers, step.step_id
        )
    return found
