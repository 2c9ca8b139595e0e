"""`intentls` on the command line: `serve` for editors, and `run`, `history`, `list` in the
person's own terminal (trusted: the person typed it), on the same engine and history."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path

from rich.table import Table

from intentls import __version__
from intentls.cli_pipe import ReaderGone, stdout_console
from intentls.engine import RunRequest
from intentls.folders import Folder
from intentls.history.store import History, HistoryQuery
from intentls.model import RunResult, RunStatus
from intentls.planning.planner import IntentError
from intentls.services import Options, Services, catalog, history_path, open_history
from intentls.settings import Settings
from intentls.wire import to_wire

EXIT_BLOCKED = 2
EXIT_CANCELLED = 130


def main(argv: list[str] | None = None) -> int:
    from intentls.cli_completion import complete_if_asked

    parser = _parser()
    complete_if_asked(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=os.environ.get("INTENTLS_LOG", "WARNING").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command == "serve":
        from intentls.lsp.transport import serve_stdio, serve_tcp

        if args.tcp:
            if args.port is None or args.token_file is None:
                print("intentls serve --tcp needs --port N and --token-file F", file=sys.stderr)
                return EXIT_BLOCKED
            serve_tcp(args.port, args.token_file, args.metrics_port)
        else:
            serve_stdio(args.metrics_port)
        return 0
    sys.stdout = ReaderGone(sys.stdout)  # not for serve: its stdout carries LSP frames
    if args.command == "demo":
        from intentls.demo import main as demo

        return demo(quiet=args.quiet)
    if args.command == "completion":
        from intentls.cli_completion import script

        print(script(args.shell), end="")
        return 0
    if args.command == "schema":
        from intentls.planning.sources.schema import SCHEMA_FILE, schema_text

        print(SCHEMA_FILE if args.path else schema_text(), end="\n" if args.path else "")
        return 0
    if args.command in ("stats", "report"):
        from intentls.cli_stats import main as stats_main

        return stats_main(args)
    if args.command in UNDO_COMMANDS:
        from intentls.cli_undo import main as undo_main

        return undo_main(args)
    if args.command == "explain" or (args.command == "history" and args.failures):
        from intentls import cli_failures

        return (
            cli_failures.explain(args) if args.command == "explain" else cli_failures.failures(args)
        )
    if args.command == "suggest":
        from intentls.cli_suggest import main as suggest_main

        return suggest_main(args)
    handler = {"run": _run, "history": _history, "list": _list}[args.command]
    return handler(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="intentls", description=__doc__)
    parser.add_argument("--version", action="version", version=f"intentls {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="speak LSP on stdio (or TCP) for an editor")
    serve.add_argument("--tcp", action="store_true", help="listen on 127.0.0.1 instead of stdio")
    serve.add_argument("--port", type=int)
    serve.add_argument("--token-file", type=Path, help="initialize must carry this file's token")
    serve.add_argument(
        "--metrics-port", type=int, metavar="N", help="Prometheus metrics on 127.0.0.1:N"
    )
    run = sub.add_parser("run", help="run an intent in the current folder")
    run.add_argument("intent", help='e.g. "test", "$ pytest -x", "lint and typecheck then test"')
    run.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    run.add_argument("--yes", action="store_true", help="confirm high-risk steps")
    run.add_argument("--force", action="store_true", help="run steps even when up to date")
    history = sub.add_parser("history", help="recent runs of the current folder")
    history.add_argument(
        "--failures", action="store_true", help="only failed runs, with category and message"
    )
    history.add_argument("--limit", type=int, default=20)
    history.add_argument("--all", action="store_true", help="every folder, not just this one")
    history.add_argument("--json", action="store_true")
    explain = sub.add_parser("explain", help="why a run failed (default: the newest failure)")
    explain.add_argument("run", nargs="?", help="a run id from `intentls history`")
    explain.add_argument("--json", action="store_true")
    demo = sub.add_parser("demo", help="show the main job end to end on a sample project")
    demo.add_argument("--quiet", action="store_true", help="print only whether it all worked")
    completion = sub.add_parser("completion", help="the script that completes intentls in SHELL")
    completion.add_argument("shell", choices=("bash", "zsh", "fish"))
    schema = sub.add_parser("schema", help="the JSON Schema of intents.toml (for taplo, editors)")
    schema.add_argument("--path", action="store_true", help="print where the file is instead")
    from intentls.cli_stats import add_parsers  # after this module: cli_stats imports it

    add_parsers(sub)
    listing = sub.add_parser("list", help="intents this folder offers")
    listing.add_argument("--json", action="store_true")
    suggest = sub.add_parser("suggest", help="what to run next here, learned from your runs")
    suggest.add_argument("--json", action="store_true")
    undo = sub.add_parser("undo", help="undo the newest run that changed files (or RUN)")
    undo.add_argument("run", nargs="?", help="a run id from `intentls history`")
    undo.add_argument("--force", action="store_true", help="also over later edits (kept)")
    undo.add_argument("--path", action="append", dest="paths", help="only this path (repeat)")
    sub.add_parser("redo", help="re-apply the most recently undone run")
    checkpoint = sub.add_parser("checkpoint", help="snapshot the folder under a name")
    checkpoint.add_argument("name")
    rollback = sub.add_parser("rollback", help="return the folder to a checkpoint")
    rollback.add_argument("checkpoint_id")
    rollback.add_argument("--force", action="store_true")
    blame = sub.add_parser("blame", help="which runs changed this file, when, with what intent")
    blame.add_argument("path", type=Path)
    collect = sub.add_parser(
        "gc", help="drop history and undo data past retention, delete unreferenced content"
    )
    defaults = Settings()
    collect.add_argument(
        "--retention-days", type=_positive, default=defaults.retention_days, metavar="N"
    )
    collect.add_argument(
        "--max-store-bytes", type=_positive, default=defaults.undo.max_store_bytes, metavar="B"
    )
    for each in (undo, rollback, blame, collect):
        each.add_argument("--json", action="store_true")
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


UNDO_COMMANDS = ("undo", "redo", "checkpoint", "rollback", "blame", "gc")


def _folder() -> tuple[Folder, Path]:
    """The folder the person stands in (`planning.sources.project_folder`), and here."""
    from intentls.planning.sources import project_folder

    here = Path.cwd()
    return Folder.from_path(project_folder(here)[0]), here


def open_services() -> Services:
    """The terminal's services: trusted (the person typed the command), with the undo
    settings an editor last snapshotted the folder with (the terminal has none of its own)."""
    services = Services.open(Options(history_path({}), True, Settings().max_parallel))
    for notice in services.notices:
        print(f"intentls: {notice}", file=sys.stderr)
    return services


def _open_history() -> History:
    history, notice = open_history(history_path({}))
    if notice:
        print(f"intentls: {notice}", file=sys.stderr)
    return history


def _run(args: argparse.Namespace) -> int:
    folder, cwd = _folder()
    params = dict(p.split("=", 1) for p in args.param if "=" in p)
    request = RunRequest(
        args.intent,
        folder,
        cwd,
        params,
        confirm=args.yes,
        force=args.force,
        client="intentls-cli",
        arguments={"intent": args.intent, "cwd": str(cwd)},
        roots=(folder.path,),
    )
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
            console.print(f"[yellow]{warning.kind}[/]: {warning.message}", markup=True)
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


def _exit_status(result: RunResult) -> int:
    if result.status is RunStatus.SUCCEEDED:
        return 0
    if result.status is RunStatus.BLOCKED:
        return EXIT_BLOCKED
    if result.status in (RunStatus.CANCELLED, RunStatus.INTERRUPTED):
        return EXIT_CANCELLED
    codes = [s.exit_code for s in result.steps if s.exit_code not in (None, 0)]
    return codes[0] if codes and codes[0] is not None and 0 < codes[0] < 256 else 1


def _history(args: argparse.Namespace) -> int:
    folder, _ = _folder()
    history = _open_history()
    try:
        query = HistoryQuery(folder=None if args.all else folder.uri, limit=args.limit)
        runs = asyncio.run(history.runs(query))
    finally:
        history.close()
    if args.json:
        print(json.dumps(to_wire(runs), indent=1))
        return 0
    table = Table("started", "status", "duration", "intent", "run", box=None)
    styles = {"succeeded": "green", "failed": "red", "running": "cyan"}
    for run in runs:
        table.add_row(
            run.started_at.replace("T", " ")[:19],
            f"[{styles.get(run.status.value, 'yellow')}]{run.status.value}[/]",
            f"{run.duration_ms / 1000:.1f} s",
            run.intent,
            run.run_id,
        )
    stdout_console().print(table if runs else "no runs yet")
    return 0


def _list(args: argparse.Namespace) -> int:
    folder, _ = _folder()
    intents = catalog().for_folder(folder.path, True)  # trusted: the person's own terminal
    found = intents.infos(folder.uri)
    for problem in intents.problems:
        print(f"intentls: {problem}", file=sys.stderr)
    if args.json:
        print(json.dumps(to_wire(found), indent=1))
        return 0
    where = os.path.relpath(folder.path) if folder.path != Path.cwd() else "."
    table = Table("intent", "source", "description", box=None)
    for intent in found:
        table.add_row(intent.name, intent.source, intent.description or "")
    out = stdout_console(highlight=False)
    if not found:
        out.print(f"no intents in {folder.path}: add an intents.toml, or run '$ command'")
        return 0
    out.print(f"intents of {where} ({folder.path})")
    out.print(table)
    return 0
