"""`intentls` on the command line: `serve` for editors, and `run`, `history`, `list`, undo and
the rest in the person's own terminal (trusted: the person typed it), on the same engine and
history.

This module only parses: each command's module is imported when that command runs, so that
`intentls --version` costs an interpreter start and `intentls list` what listing needs
(`make bench` measures it)."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from intentls import __version__

EXIT_BLOCKED = 2
UNDO_COMMANDS = ("undo", "redo", "checkpoint", "rollback", "blame", "gc")
_SPAN = re.compile(r"^(\d+(?:\.\d+)?)([hdw]?)$")
_DAYS = {"h": 1 / 24, "d": 1.0, "w": 7.0, "": 1.0}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions (cli_completion.py)
        from intentls.cli_completion import complete_if_asked

        complete_if_asked(parser)
    args = parser.parse_args(argv)  # --version and --help end here
    import logging

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
    from intentls.cli_pipe import ReaderGone

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
    if args.command == "run":
        from intentls.cli_run import main as run_main

        return run_main(args)
    if args.command == "plan":
        from intentls.cli_plan import main as plan_main

        return plan_main(args)
    if args.command == "list":
        from intentls.cli_list import main as list_main

        return list_main(args)
    if args.command == "history" and not args.failures:
        from intentls.cli_history import history

        return history(args)
    if args.command in ("stats", "report"):
        from intentls.cli_stats import main as stats_main

        return stats_main(args)
    if args.command in UNDO_COMMANDS:
        from intentls.cli_undo import main as undo_main

        return undo_main(args)
    if args.command == "output":
        from intentls.cli_output import main as output_main

        return output_main(args)
    if args.command == "suggest":
        from intentls.cli_suggest import main as suggest_main

        return suggest_main(args)
    from intentls import cli_failures  # explain, history --failures

    return cli_failures.explain(args) if args.command == "explain" else cli_failures.failures(args)


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
    run.add_argument("--local", action="store_true", help="not through an editor's server")
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
    output = sub.add_parser("output", help="a run's full output (default: the newest run's)")
    output.add_argument("run", nargs="?", help="a run id from `intentls history`")
    output.add_argument("--step", metavar="ID", help="only this step's (its id or title)")
    output.add_argument("--path", action="store_true", help="print the file's path instead")
    demo = sub.add_parser("demo", help="show the main job end to end on a sample project")
    demo.add_argument("--quiet", action="store_true", help="print only whether it all worked")
    completion = sub.add_parser("completion", help="the script that completes intentls in SHELL")
    completion.add_argument("shell", choices=("bash", "zsh", "fish"))
    schema = sub.add_parser("schema", help="the JSON Schema of intents.toml (for taplo, editors)")
    schema.add_argument("--path", action="store_true", help="print where the file is instead")
    stats = sub.add_parser("stats", help="how runs went: success, durations, trends, failures")
    report = sub.add_parser("report", help="write an HTML report with charts (opens offline)")
    report.add_argument("--html", required=True, type=Path, metavar="FILE")
    for each in (stats, report):
        each.add_argument("--intent", help="only this intent")
        each.add_argument("--since", type=since_days, help="e.g. 7d, 12h, 4w (default: all)")
        each.add_argument("--all", action="store_true", help="every folder, not just this one")
    stats.add_argument("--json", action="store_true", help="intentls.stats' answer as JSON")
    plan = sub.add_parser("plan", help="how intent text is read and what would run (runs nothing)")
    plan.add_argument("intent", help='e.g. "$ echo cats and dogs then build"')
    plan.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    plan.add_argument("--json", action="store_true", help="the Plan as the editors get it")
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
    # Default (None): the settings' defaults, read when gc runs (settings load the wire
    # converter, which `intentls --version` need not pay for).
    collect.add_argument("--retention-days", type=_positive, metavar="N")
    collect.add_argument("--max-store-bytes", type=_positive, metavar="B")
    for each in (undo, rollback, blame, collect):
        each.add_argument("--json", action="store_true")
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def since_days(text: str) -> float:
    match = _SPAN.match(text.strip())
    if match is None or float(match[1]) <= 0:
        raise argparse.ArgumentTypeError(f"not a span like 7d, 12h or 4w: {text!r}")
    return float(match[1]) * _DAYS[match[2]]
