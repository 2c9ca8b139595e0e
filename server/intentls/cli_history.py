"""`intentls history`: the folder's recent runs (every folder's with --all), newest first."""

from __future__ import annotations

import argparse
import json

from intentls.cli_common import project_folder, terminal_history
from intentls.cli_table import table
from intentls.history.store import HistoryQuery

STATUS = 1
"""The status column, coloured by the status."""
COLOURS = {"succeeded": "green", "failed": "red", "running": "cyan"}


def history(args: argparse.Namespace) -> int:
    folder, _ = project_folder()
    history = terminal_history()
    try:
        query = HistoryQuery(folder=None if args.all else folder.uri, limit=args.limit)
        runs = history.runs_now(query)
    finally:
        history.close()
    if args.json:
        from intentls.wire import to_wire  # cattrs: only for --json

        print(json.dumps(to_wire(runs), indent=1))
        return 0
    if not runs:
        print("no runs yet")
        return 0
    rows = [
        (
            run.started_at.replace("T", " ")[:19],
            run.status.value,
            f"{run.duration_ms / 1000:.1f} s",
            run.intent,
            run.run_id,
        )
        for run in runs
    ]
    header = ("started", "status", "duration", "intent", "run")
    print(table(header, rows, lambda n, text: COLOURS.get(text, "yellow") if n == STATUS else None))
    return 0
