"""`intentls history`: the folder's recent runs (every folder's with --all), newest first."""

from __future__ import annotations

import argparse
import asyncio
import json

from rich.table import Table

from intentls.cli_common import project_folder, terminal_history
from intentls.cli_pipe import stdout_console
from intentls.history.store import HistoryQuery
from intentls.wire import to_wire


def history(args: argparse.Namespace) -> int:
    folder, _ = project_folder()
    history = terminal_history()
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
