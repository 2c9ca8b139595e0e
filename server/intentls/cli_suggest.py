"""`intentls suggest`: what to run next in the current folder, from the same history and the
same model as the editors (learned from the latest runs; nothing is run)."""

from __future__ import annotations

import argparse
import asyncio
import json

from rich.table import Table

from intentls.cli_common import open_services, project_folder
from intentls.cli_pipe import stdout_console
from intentls.model import Suggestion
from intentls.wire import to_wire


def main(args: argparse.Namespace) -> int:
    folder, _ = project_folder()
    services = open_services()
    try:
        asyncio.run(services.suggestions.warm())
        found = services.suggestions.suggest(folder.uri, record=False)
    finally:
        services.close()
    if args.json:
        print(json.dumps(to_wire(found), indent=1))
        return 0
    empty = "nothing to suggest yet: run a few intents first"
    stdout_console().print(_table(found) if found else empty)
    return 0


def _table(found: list[Suggestion]) -> Table:
    table = Table("run", "why", "confidence", box=None)
    for s in found:
        table.add_row(f"intentls run {_quoted(s)}", s.reason, f"{s.confidence:.0%}")
    return table


def _quoted(s: Suggestion) -> str:
    intent = str(s.command.arguments[0]["intent"])
    return intent if intent.isidentifier() else json.dumps(intent)
