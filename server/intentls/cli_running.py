"""A run shown in a terminal, wherever its engine is: in this process (`intentls run` when no
editor's server serves the folder, or `--local`), or in the server of an editor, which shows it
on the terminal's own console over the terminal link (link/server.py). Either way the same
request (trusted: the person typed it), the same view (cli_view.py), the same held-run advice,
Ctrl-C once cancels and twice kills, and the same exit status."""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from intentls.cli_common import open_services, project_folder
from intentls.cli_pipe import stdout_console
from intentls.cli_view import TerminalListener
from intentls.engine import ActiveRun, Engine, RunRequest
from intentls.model import RunResult, RunStatus, WarningKind
from intentls.planning.planner import IntentError
from intentls.services import Services

EXIT_BLOCKED = 2
EXIT_CANCELLED = 130
CLIENT = "intentls-cli"
"""The client the history names for a terminal run, wherever it ran."""


def request_of(args: argparse.Namespace) -> RunRequest:
    """`intentls run` and `intentls plan` here: the text, `--param`s, in the folder one stands
    in."""
    return request_at(
        args.intent,
        Path.cwd(),
        args.param,
        getattr(args, "yes", False),
        getattr(args, "force", False),
    )


def request_at(
    text: str,
    here: Path,
    params: Sequence[str],
    yes: bool,
    force: bool,
    env: dict[str, str] | None = None,
) -> RunRequest:
    """A terminal's request standing in `here`; with `env` (the terminal link), one typed in
    another process, run with that environment and the trust the terminal has."""
    folder, cwd = project_folder(here)
    return RunRequest(
        text,
        folder,
        cwd,
        dict(p.split("=", 1) for p in params if "=" in p),
        confirm=yes,
        force=force,
        client=CLIENT,
        arguments={"intent": text, "cwd": str(cwd)},
        roots=(folder.path,),
        env=env,
        typed=env is not None,
    )


def run_here(args: argparse.Namespace) -> int:
    """The run on this process's own engine."""
    request = request_of(args)
    services = open_services()
    try:
        result = asyncio.run(_run_async(services, request))
    except IntentError as exc:
        print(f"intentls: {exc}", file=sys.stderr)
        return EXIT_BLOCKED
    finally:
        services.close()
    return exit_status(result)


async def _run_async(services: Services, request: RunRequest) -> RunResult:
    import signal

    services.start()
    console = stdout_console(highlight=False)
    started = await start_shown(services.engine, request, console)
    if isinstance(started, RunResult):
        return started
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, Interrupts(console, started).press)
    try:
        assert started.task is not None
        return await asyncio.shield(started.task)
    finally:
        loop.remove_signal_handler(signal.SIGINT)


async def start_shown(
    engine: Engine, request: RunRequest, console: Console
) -> ActiveRun | RunResult:
    """The run started and shown live on `console`; a held run is shown with how to go on.
    Raises `IntentError` for text that names nothing runnable."""
    listener = TerminalListener(console, engine.history, in_terminal=request.env is None)
    started = await engine.start(request, listener, None)
    if isinstance(started, RunResult):
        for warning in started.warnings or []:
            console.print(f"[yellow]{warning.kind}[/]: {escape(warning.message)}", markup=True)
        for line in _how_to_go_on(started, request.text):
            console.print(line, markup=False)
    return started


class Interrupts:
    """Ctrl-C: the first cancels the run (its processes get SIGTERM, then SIGKILL after a
    grace), the next kills what is left at once."""

    def __init__(self, console: Console, run: ActiveRun) -> None:
        self._console = console
        self._run = run
        self._cancelling: asyncio.Task[RunResult] | None = None

    def press(self) -> None:
        if self._cancelling is None:
            self._console.print("[yellow]cancelling… (Ctrl-C again to kill)[/]")
            self._cancelling = asyncio.get_running_loop().create_task(self._run.cancel())
        else:
            self._run.execution.kill_now()


def _how_to_go_on(result: RunResult, text: str) -> list[str]:
    """What a held run's actions are in a terminal: `--yes` for a risky one, each reading of an
    ambiguous one."""
    kinds = {w.kind for w in result.warnings or []}
    if WarningKind.RISK in kinds:
        return [f"to run it anyway: intentls run {shlex.quote(text)} --yes"]
    if WarningKind.AMBIGUOUS in kinds:
        texts = [a.arguments[0]["intent"] for a in result.actions or [] if a.arguments]
        return ["say which:", *(f"  intentls run {shlex.quote(t)}" for t in texts)]
    return []


def exit_status(result: RunResult) -> int:
    if result.status is RunStatus.SUCCEEDED:
        return 0
    if result.status is RunStatus.BLOCKED:
        return EXIT_BLOCKED
    if result.status in (RunStatus.CANCELLED, RunStatus.INTERRUPTED):
        return EXIT_CANCELLED
    codes = [s.exit_code for s in result.steps if s.exit_code not in (None, 0)]
    return codes[0] if codes and codes[0] is not None and 0 < codes[0] < 256 else 1
