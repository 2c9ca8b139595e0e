"""`intentls run INTENT` in the person's own terminal (trusted: the person typed it), on the
same engine and history as the editors, shown live (cli_view.py); Ctrl-C cancels, twice kills."""

from __future__ import annotations

import argparse
import asyncio
import shlex
import signal
import sys

from rich.markup import escape

from intentls.cli_common import open_services, project_folder
from intentls.cli_pipe import stdout_console
from intentls.engine import RunRequest
from intentls.model import RunResult, RunStatus, WarningKind
from intentls.planning.planner import IntentError
from intentls.services import Services

EXIT_BLOCKED = 2
EXIT_CANCELLED = 130


def request_of(args: argparse.Namespace) -> RunRequest:
    """`intentls run` and `intentls plan`: the text, `--param`s, in the folder one stands in."""
    folder, cwd = project_folder()
    params = dict(p.split("=", 1) for p in args.param if "=" in p)
    return RunRequest(
        args.intent,
        folder,
        cwd,
        params,
        confirm=getattr(args, "yes", False),
        force=getattr(args, "force", False),
        client="intentls-cli",
        arguments={"intent": args.intent, "cwd": str(cwd)},
        roots=(folder.path,),
    )


def main(args: argparse.Namespace) -> int:
    request = request_of(args)
    services = open_services()
    try:
        result = asyncio.run(_run_async(services, request))
    except IntentError as exc:
        print(f"intentls: {exc}", file=sys.stderr)
        return EXIT_BLOCKED
    finally:
        services.close()
    return _exit_status(result)


async def _run_async(services: Services, request: RunRequest) -> RunResult:
    from intentls.cli_view import TerminalListener

    services.start()
    engine = services.engine
    console = stdout_console(highlight=False)
    listener = TerminalListener(console, engine.history)
    started = await engine.start(request, listener, None)
    if isinstance(started, RunResult):
        for warning in started.warnings or []:
            console.print(f"[yellow]{warning.kind}[/]: {escape(warning.message)}", markup=True)
        for line in _how_to_go_on(started, request.text):
            console.print(line, markup=False)
        return started
    loop = asyncio.get_running_loop()
    interrupts = 0
    cancelling: list[asyncio.Task[RunResult]] = []

    def on_interrupt() -> None:
        nonlocal interrupts
        interrupts += 1
        if interrupts == 1:
            console.print("[yellow]cancelling… (Ctrl-C again to kill)[/]")
            cancelling.append(loop.create_task(started.cancel()))
        else:
            engine.kill_now()

    loop.add_signal_handler(signal.SIGINT, on_interrupt)
    try:
        assert started.task is not None
        return await asyncio.shield(started.task)
    finally:
        loop.remove_signal_handler(signal.SIGINT)


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


def _exit_status(result: RunResult) -> int:
    if result.status is RunStatus.SUCCEEDED:
        return 0
    if result.status is RunStatus.BLOCKED:
        return EXIT_BLOCKED
    if result.status in (RunStatus.CANCELLED, RunStatus.INTERRUPTED):
        return EXIT_CANCELLED
    codes = [s.exit_code for s in result.steps if s.exit_code not in (None, 0)]
    return codes[0] if codes and codes[0] is not None and 0 < codes[0] < 256 else 1
