"""`intentls list`: the intents this folder offers, from every kind of project file (trusted:
the person's own terminal)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rich.table import Table

from intentls.cli_common import project_folder
from intentls.cli_pipe import stdout_console
from intentls.services import catalog
from intentls.wire import to_wire


def main(args: argparse.Namespace) -> int:
    folder, _ = project_folder()
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
