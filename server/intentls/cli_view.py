"""The CLI's view of a run: a live progress line naming each running step and its last output
line, the output itself as whole lines, and a closing summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from intentls.analytics.eta import Estimate
from intentls.model import PlanStep, RunResult, RunStatus, StepResult, StepStatus, outcome

if TYPE_CHECKING:
    from intentls.engine import ActiveRun
    from intentls.history.store import History

_MARKS = {
    StepStatus.SUCCEEDED: ("✓", "green"),
    StepStatus.FAILED: ("✗", "red"),
    StepStatus.CANCELLED: ("■", "yellow"),
    StepStatus.SKIPPED: ("-", "dim"),
}


class _TimeLeft(ProgressColumn):
    """'about 40 s left', once the run's steps have history (re-read at every refresh)."""

    def __init__(self, estimate: Estimate) -> None:
        super().__init__()
        self._estimate = estimate

    def render(self, task: Task) -> Text:
        return Text(self._estimate.text() or "", style="cyan")


class TerminalListener:
    def __init__(
        self, console: Console, history: History | None = None, in_terminal: bool = True
    ) -> None:
        """With `history`, the view estimates the time left from the steps' past durations.
        `in_terminal`: this process is the terminal's own, so what else it prints goes above
        the live line; a server drawing for a terminal (link/server.py) must leave its own
        stdout and stderr alone (stdout may be its LSP channel)."""
        self._console = console
        self._history = history
        self._estimate = Estimate()
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            _TimeLeft(self._estimate),
            console=console,
            transient=True,
            redirect_stdout=in_terminal,
            redirect_stderr=in_terminal,
            auto_refresh=console.is_terminal,  # nothing to redraw on a pipe: no thread
        )
        self._task = self._progress.add_task("", total=1)
        self._titles: dict[str, str] = {}
        self._last_line: dict[str, str] = {}
        self._partial: dict[str, str] = {}
        self._several = False
        self._steps: dict[str, PlanStep] = {}
        self._folder = Path()
        self._piped = not console.is_terminal
        """No terminal: lines are as long as their text (cli_pipe), so no wrapping to compute,
        and no live line, so no time estimate to look up."""

    async def prepare(self) -> None:
        pass

    def run_started(self, run: ActiveRun) -> None:
        self._titles = {s.id: s.title for s in run.plan.steps}
        self._steps = {s.id: s for s in run.plan.steps}
        self._folder = run.request.folder.path
        self._several = len(run.plan.steps) > 1
        self._progress.update(self._task, total=len(run.plan.steps), description=run.request.text)
        self._progress.start()
        if self._history is not None and not self._piped:
            medians = self._history.step_medians(run.request.folder.uri, run.request.text)
            self._estimate.begin(run.plan.steps, medians, lambda: None)

    def step_started(self, step: PlanStep) -> None:
        self._estimate.started(step.id)
        self._last_line[step.id] = ""
        self._describe()

    def step_output(self, step_id: str, stream: str, text: str) -> None:
        *lines, rest = (self._partial.pop(step_id, "") + text).split("\n")
        self._partial[step_id] = rest
        for line in lines:
            self._print_line(step_id, line)
        if lines:
            self._last_line[step_id] = lines[-1]
            self._describe()

    def step_finished(self, result: StepResult, output_tail: str) -> None:
        if rest := self._partial.pop(result.id, ""):
            self._print_line(result.id, rest)
        self._last_line.pop(result.id, None)
        self._estimate.finished(result.id)
        mark, style = _MARKS.get(result.status, ("•", ""))
        line = Text(f"{mark} {result.title}", style=style)
        if result.up_to_date:
            line.append("  up to date (output replayed; --force runs it)", style="dim")
        elif result.status is not StepStatus.SKIPPED:
            line.append(f"  {result.duration_ms / 1000:.1f} s", style="dim")
        if result.error:
            line.append(f"  {result.error.category}: {result.error.message}", style=style)
        self._progress.console.print(line, soft_wrap=self._piped)
        if result.status is StepStatus.FAILED:
            self._problems(result, output_tail)
        self._progress.advance(self._task)
        self._describe()

    def run_finished(self, result: RunResult) -> None:
        self._progress.stop()
        style = "green" if result.status is RunStatus.SUCCEEDED else "red"
        line = Text(f"{result.intent}: {outcome(result)}", style=f"bold {style}")
        self._console.print(line, soft_wrap=self._piped)

    def _problems(self, result: StepResult, output_tail: str) -> None:
        """The places the output names, as compilers print them (terminals make them links)."""
        step = self._steps.get(result.id)
        if step is None or step.tool != "shell":
            return
        # Only a failed step pays for the problem matchers (a terminal run's start-up).
        from intentls.failures.book import FailedStep, diagnose

        failed = FailedStep(
            result.id,
            result.title,
            str(step.args.get("command", "")),
            Path(step.cwd or self._folder),
            output_tail,
            matchers=step.args.get("matchers"),
        )
        for d in diagnose(self._folder, [failed]):
            where = f"{self._folder.joinpath(d.path).relative_to(self._folder)}"
            code = f" [{d.code}]" if d.code else ""
            text = f"  {where}:{d.line + 1}:{d.character + 1}: {d.severity}: {d.message}{code}"
            self._progress.console.print(
                Text(text, style="yellow"), highlight=False, soft_wrap=self._piped
            )

    def _print_line(self, step_id: str, line: str) -> None:
        if getattr(self._console.file, "gone", False):
            return  # the reader went away (`| head`): rendering for nobody costs the run time
        prefix = (
            Text(f"[{self._titles.get(step_id, step_id)}] ", style="dim")
            if self._several
            else Text()
        )
        self._progress.console.print(prefix + Text(line), highlight=False, soft_wrap=True)

    def _describe(self) -> None:
        running = [
            f"{self._titles.get(i, i)}" + (f" > {line[:60]}" if line else "")
            for i, line in self._last_line.items()
        ]
        self._progress.update(self._task, description=" | ".join(running) or "…")
