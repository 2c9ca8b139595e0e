"""`intentls undo [RUN]`, `redo`, `checkpoint NAME`, `rollback ID`, `blame PATH` and `gc` in
the person's terminal, on the same history and undo file as the editors."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from rich.table import Table

from intentls.cli_common import open_services, project_folder
from intentls.cli_pipe import stdout_console
from intentls.folders import Folder
from intentls.history.store import iso
from intentls.model import UndoResult, UndoStatus
from intentls.retention import collect, summary
from intentls.settings import Settings
from intentls.undo.records import NotUndone, UndoError
from intentls.undo.retention import Collected, Policy
from intentls.wire import to_wire

EXIT_CONFLICTS = 1
EXIT_BAD = 2


def main(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_main(args))
    except (UndoError, NotUndone) as exc:
        print(f"intentls: {exc}", file=sys.stderr)
        return EXIT_BAD


async def _main(args: argparse.Namespace) -> int:
    services = open_services()
    services.start()
    history, undo = services.history, services.undo
    folder, _ = project_folder()
    try:
        if args.command == "gc":
            defaults = Settings()
            chosen = Policy(
                args.retention_days or defaults.retention_days,
                args.max_store_bytes or defaults.undo.max_store_bytes,
            )
            return _collected(await collect(history, undo, chosen), args.json)
        if args.command == "rollback":
            folder = Folder.from_path(await undo.checkpoint_folder(args.checkpoint_id))
        settings = await undo.settings_of(folder)
        if args.command == "blame":
            return _blame(await undo.blame(folder, _rel(folder.path, args.path)), args.json)
        if args.command == "checkpoint":
            print(await undo.checkpoint(folder, args.name, settings))
            return 0
        if args.command == "undo":
            result = await undo.undo(
                folder, args.run, args.paths, args.force, settings, "intentls-cli"
            )
        elif args.command == "redo":
            result = await undo.redo(folder, None, settings, "intentls-cli")
        else:
            result = await undo.rollback(
                args.checkpoint_id, None, args.force, settings, "intentls-cli"
            )
        if getattr(args, "json", False):
            print(json.dumps(to_wire(result), indent=1))
            return EXIT_CONFLICTS if result.conflicts else 0
        found = await history.outcome(result.run_id) if result.run_id else None
        return _show(result, args.command, found.intent if found else None)
    finally:
        services.close()


def _rel(root: Path, path: Path) -> str:
    full = path if path.is_absolute() else Path.cwd() / path
    return os.path.relpath(full, root).replace(os.sep, "/")


_DONE = {"undo": "undone", "redo": "redone", "rollback": "rolled back"}
_PARTLY = {"undo": "partly undone", "redo": "partly redone", "rollback": "partly rolled back"}
_REFUSED = {"undo": "not undone", "redo": "not redone", "rollback": "not rolled back"}


def _show(result: UndoResult, command: str, intent: str | None) -> int:
    """Which run was meant, what became of it, what was left and how to go on."""
    console = stdout_console(highlight=False, soft_wrap=True)
    if result.status is UndoStatus.NOTHING:
        console.print(f"nothing to {command}" + (f": run {result.run_id}" if result.run_id else ""))
        return 0
    verb = {
        UndoStatus.UNDONE: _DONE,
        UndoStatus.PARTIAL: _PARTLY,
        UndoStatus.REFUSED: _REFUSED,
    }[result.status][command]
    what = f"«{intent}» (run {result.run_id})" if intent else f"run {result.run_id}"
    left = f", {len(result.conflicts)} left" if result.conflicts else ""
    console.print(f"{verb} {what}: {len(result.restored)} path(s) restored{left}")
    for path in result.restored:
        console.print(f"  [green]restored[/] {path}")
    for conflict in result.conflicts:
        console.print(f"  [yellow]left[/] {conflict.path}: {conflict.reason}")
    if result.conflicts and command != "redo":
        again = "intentls undo" if command == "undo" else f"intentls {command} ID"
        console.print(
            f"'{again} --force' restores them anyway (their present state is kept)"
            + ("; 'intentls undo' comes back to this run until then" if command == "undo" else "")
        )
    return EXIT_CONFLICTS if result.conflicts else 0


def _collected(collected: Collected, as_json: bool) -> int:
    print(
        json.dumps(to_wire(collected), indent=1)
        if as_json
        else f"intentls gc: {summary(collected)}"
    )
    return 0


def _blame(entries: list[Any], as_json: bool) -> int:
    if as_json:
        print(json.dumps([to_wire_blame(e) for e in entries], indent=1))
        return 0
    table = Table("when", "what", "intent", "run", box=None)
    for e in entries:
        undone = " (undone)" if e.undone else ""
        table.add_row(iso(e.at).replace("T", " ")[:19], e.what + undone, e.intent, e.run_id)
    stdout_console().print(table if entries else "no recorded run changed this path")
    return 0


def to_wire_blame(entry: Any) -> dict[str, Any]:
    return {
        "runId": entry.run_id,
        "intent": entry.intent,
        "kind": entry.kind,
        "at": iso(entry.at),
        "what": entry.what,
        "undone": entry.undone,
    }
