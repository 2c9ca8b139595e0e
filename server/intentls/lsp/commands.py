"""The `workspace/executeCommand` handlers: each converts its arguments, calls the engine or the
history, and converts the answer."""

from __future__ import annotations

import asyncio
import os
import time
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from intentls.engine import RunRequest
from intentls.folders import Folder
from intentls.history.stats_shapes import StatsQuery
from intentls.history.store import HistoryQuery
from intentls.lsp.arguments import (
    CancelArgs,
    HistoryArgs,
    ListArgs,
    Place,
    PlanArgs,
    RunArgs,
    StatsArgs,
)
from intentls.lsp.editor_context import editor_context
from intentls.lsp.failure_commands import COMMANDS as FAILURE_COMMANDS
from intentls.lsp.listener import LspRunListener
from intentls.lsp.undo_commands import COMMANDS as UNDO_COMMANDS
from intentls.wire import to_wire

if TYPE_CHECKING:
    from pathlib import Path

    from intentls.lsp.server import IntentServer

PROMPT_TIMEOUT_S = float(os.environ.get("INTENTLS_PROMPT_TIMEOUT_S", "60"))
"""How long a `window/showMessageRequest` waits for the person (PROTOCOL.md: 60 s)."""


def _folder(ls: IntentServer, place: Place) -> tuple[Folder, Path]:
    return ls.workspace_folders().resolve(place.uri, place.cwd)


def _request(ls: IntentServer, args: PlanArgs, background: bool = False) -> RunRequest:
    workspace = ls.workspace_folders()
    folder, cwd = workspace.resolve(args.uri, args.cwd)
    ready = {
        k: v
        for k, v in to_wire(args).items()
        if v not in (None, False) and k not in ("confirm", "dryRun")  # actions run for real
    }
    ready.setdefault("cwd", str(cwd))
    return RunRequest(
        text=args.intent,
        folder=folder,
        cwd=cwd,
        params=args.param_values(),
        confirm=getattr(args, "confirm", False),
        background=background,
        fail_fast=getattr(args, "fail_fast", False),
        force=getattr(args, "force", False),
        client=ls.client_name,
        arguments=ready,
        roots=tuple(f.path for f in workspace.folders),
        editor=editor_context(ls, folder.path, args.uri, args.range),
    )


async def run(ls: IntentServer, args: RunArgs, token: lsp.ProgressToken | None) -> Any:
    assert ls.engine is not None
    request = _request(ls, args, args.background)
    if args.dry_run:
        return to_wire(await ls.engine.dry_run(request))
    listener = LspRunListener(ls, token)
    ask = _ask(ls) if ls.prompts else None
    task = asyncio.get_running_loop().create_task(ls.engine.run(request, listener, ask))
    try:
        result = await asyncio.shield(task)
    except asyncio.CancelledError:
        # `$/cancelRequest`: stop the run, answer once its processes are gone.
        listener.cancel_requested = True
        if listener.run is not None:
            await listener.run.cancel()
        await asyncio.gather(task, return_exceptions=True)
        raise
    return to_wire(result)


def _ask(ls: IntentServer) -> Any:
    async def ask(message: str, choices: list[str]) -> str | None:
        params = lsp.ShowMessageRequestParams(
            lsp.MessageType.Warning, message, [lsp.MessageActionItem(c) for c in choices]
        )
        try:
            answer = await asyncio.wait_for(
                ls.window_show_message_request_async(params), PROMPT_TIMEOUT_S
            )
        except TimeoutError:
            return None
        return answer.title if answer is not None else None

    return ask


async def plan(ls: IntentServer, args: PlanArgs, token: lsp.ProgressToken | None) -> Any:
    assert ls.engine is not None
    return to_wire(await ls.engine.plan(_request(ls, args)))


async def list_intents(ls: IntentServer, args: ListArgs, token: lsp.ProgressToken | None) -> Any:
    assert ls.engine is not None
    folder, _ = _folder(ls, args)
    return to_wire(ls.engine.list_intents(folder))


async def cancel(ls: IntentServer, args: CancelArgs, token: lsp.ProgressToken | None) -> Any:
    assert ls.engine is not None
    folder, _ = _folder(ls, args)
    active = ls.engine.find_running(args.run_id, folder)
    return to_wire(await active.cancel())


async def history(ls: IntentServer, args: HistoryArgs, token: lsp.ProgressToken | None) -> Any:
    assert ls.engine is not None
    folder, _ = _folder(ls, args)
    query = HistoryQuery(
        folder=None if args.all_folders else folder.uri,
        limit=args.checked_limit(),
        status=args.checked_status(),
        intent=args.intent,
        since=args.since_epoch(),
    )
    return to_wire(await ls.engine.history.runs(query))


async def stats(ls: IntentServer, args: StatsArgs, token: lsp.ProgressToken | None) -> Any:
    assert ls.engine is not None
    folder, _ = _folder(ls, args)
    query = StatsQuery(
        folder=None if args.all_folders else folder.uri,
        intent=args.intent,
        since=args.since_epoch(time.time()),
    )
    return to_wire(await ls.engine.history.stats(query))


COMMANDS: dict[str, tuple[type[Any], Any]] = {
    "intentls.run": (RunArgs, run),
    "intentls.plan": (PlanArgs, plan),
    "intentls.list": (ListArgs, list_intents),
    "intentls.cancel": (CancelArgs, cancel),
    "intentls.history": (HistoryArgs, history),
    "intentls.stats": (StatsArgs, stats),
    **UNDO_COMMANDS,
    **FAILURE_COMMANDS,
}
