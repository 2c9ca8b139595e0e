"""`intentls list`: the intents this folder offers, from every kind of project file (trusted:
the person's own terminal)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from intentls.cli_common import project_folder
from intentls.cli_table import table
from intentls.services import catalog


def main(args: argparse.Namespace) -> int:
    folder, _ = project_folder()
    intents = catalog().for_folder(folder.path, True)  # trusted: the person's own terminal
    found = intents.infos(folder.uri)
    for problem in intents.problems:
        print(f"intentls: {problem}", file=sys.stderr)
    if args.json:
        from intentls.wire import to_wire  # cattrs: only for --json

        print(json.dumps(to_wire(found), indent=1))
        return 0
    if not found:
        print(f"no intents in {folder.path}: add an intents.toml, or run '$ command'")
        return 0
    where = os.path.relpath(folder.path) if folder.path != Path.cwd() else "."
    rows = [(i.name, i.source, i.description or "") for i in found]
    print(f"intents of {where} ({folder.path})")
    print(table(("intent", "source", "description"), rows))
    return 0
