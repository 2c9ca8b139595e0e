"""`intentls explain [RUN]` and `intentls history --failures` in the person's terminal: why runs
failed, on the same history as the editors."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from rich.markup import escape
from rich.table import Table

from intentls import cli_pipe
from intentls.cli_common import project_folder, terminal_history
from intentls.cli_pipe import stdout_console
from intentls.failures.explain import NothingToExplain, explain_run
from intentls.history.store import iso
from intentls.model import Explanation

EXIT_NOTHING = 1


def explain(args: argparse.Namespace) -> int:
    folder, _ = project_folder()
    history = terminal_history()
    try:
        answer = asyncio.run(explain_run(history, folder.uri, args.run))
    except NothingToExplain as exc:
        print(f"intentls: {exc}", file=sys.stderr)
        return EXIT_NOTHING
    finally:
        history.close()
    return cli_pipe.answer(answer, args.json, _show)


def _show(answer: Explanation) -> None:
    console = stdout_console()
    console.print(escape(answer.summary))
    if answer.changed_files:
        console.print("\n[bold]changed since the last success[/]")
        for path in answer.changed_files:
            console.print(f"  {escape(path)}")
    if answer.env:
        console.print("\n[bold]environment[/] (names only)")
        for change in answer.env:
            console.print(f"  {escape(change.name)} {change.change}")
    if answer.new_errors:
        console.print("\n[bold]new errors[/]")
        for line in answer.new_errors:
            console.print(f"  {escape(line)}")


def failures(args: argparse.Namespace) -> int:
    """`history --failures`: failed runs, newest first, with category and message."""
    folder, _ = project_folder()
    history = terminal_history()
    try:
        runs = asyncio.run(history.failures(None if args.all else folder.uri, args.limit))
    finally:
        history.close()
    rows = [
        {
            "runId": r.run_id,
            "intent": r.intent,
            "startedAt": iso(r.started_at),
            "category": r.category or "unknown",
            "message": r.message or "",
            "attempts": r.attempts,
        }
        for r in runs
    ]
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    table = Table("started", "intent", "category", "message", "run", box=None)
    for row in rows:
        table.add_row(
            str(row["startedAt"]).replace("T", " ")[:19],
            escape(str(row["intent"])),
            f"[red]{row['category']}[/]",
            escape(str(row["message"])),
            str(row["runId"]),
        )
    stdout_console().print(table if rows else "no failed runs")
    return 0
