"""Shell completion for `intentls` in bash, zsh and fish, through argcomplete (a kept library
that knows each shell's protocol). `intentls completion SHELL` prints the script to load; while
the shell asks, intent names, run ids and checkpoint ids come from the folder the person
stands in. argcomplete is imported only then, so an ordinary start pays nothing for it."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Callable
from typing import Any

SHELLS = ("bash", "zsh", "fish")
ASKING = "_ARGCOMPLETE"
"""Set by the shell script while it asks for completions."""

Completer = Callable[..., dict[str, str]]


def complete_if_asked(parser: argparse.ArgumentParser) -> None:
    """When the shell is asking, answer and exit (argcomplete does both); otherwise nothing."""
    if ASKING not in os.environ:
        return
    import argcomplete

    _attach(parser)
    argcomplete.autocomplete(parser)


def script(shell: str) -> str:
    """What to source (bash, zsh) or save (fish) for `intentls` to complete."""
    from argcomplete.shell_integration import shellcode

    return shellcode(["intentls"], shell=shell)


def intents(**_context: Any) -> dict[str, str]:
    """The folder's intents, with their descriptions (zsh and fish show them)."""
    from intentls.cli_common import project_folder
    from intentls.services import catalog

    folder, _ = project_folder()
    found = catalog().for_folder(folder.path, trusted=True)
    return {i.name: i.description or i.title for i in found.listed()}


def runs(**_context: Any) -> dict[str, str]:
    """The folder's newest runs: id → intent and outcome."""
    from intentls.cli_common import project_folder
    from intentls.history.place import history_path
    from intentls.history.store import HistoryQuery
    from intentls.services import open_history

    folder, _ = project_folder()
    history, _ = open_history(history_path({}))
    try:
        found = asyncio.run(history.runs(HistoryQuery(folder.uri, limit=30)))
    finally:
        history.close()
    return {r.run_id: f"{r.intent} ({r.status})" for r in found}


def checkpoints(**_context: Any) -> dict[str, str]:
    """The folder's checkpoints: id → name."""
    from intentls.cli_common import open_services, project_folder

    folder, _ = project_folder()
    services = open_services()
    try:
        found = asyncio.run(services.undo.checkpoints(folder))
    finally:
        services.close()
    return {c.checkpoint_id: c.name for c in found}


_COMPLETERS: dict[tuple[str, str], Completer] = {
    ("run", "intent"): intents,
    ("plan", "intent"): intents,
    ("undo", "run"): runs,
    ("redo", "run"): runs,
    ("explain", "run"): runs,
    ("output", "run"): runs,
    ("rollback", "checkpoint_id"): checkpoints,
}


def _attach(parser: argparse.ArgumentParser) -> None:
    """Put each completer on its argument (argcomplete reads an action's `completer`)."""
    for action in parser._actions:  # argparse keeps a parser's arguments there
        if isinstance(action, argparse._SubParsersAction):
            for command, sub in action.choices.items():
                for argument in sub._actions:
                    completer = _COMPLETERS.get((command, argument.dest))
                    if completer is not None:
                        argument.completer = completer
