"""`intentls.undo`, `intentls.redo`, `intentls.checkpoint`, `intentls.checkpoints`,
`intentls.rollback`: convert, call the undo service, convert back."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from intentls.folders import Folder
from intentls.lsp.arguments import (
    CheckpointArgs,
    CheckpointsArgs,
    Place,
    RedoArgs,
    RollbackArgs,
    UndoArgs,
)
from intentls.settings import UndoSettings
from intentls.undo.service import UndoService
from intentls.wire import to_wire

if TYPE_CHECKING:
    from intentls.lsp.server import IntentServer


def _service(ls: IntentServer) -> UndoService:
    assert ls.engine is not None
    if ls.engine.undo is None:
        raise ValueError("undo is not available in this server")
    return ls.engine.undo


def _place(ls: IntentServer, place: Place) -> tuple[Folder, UndoSettings]:
    folder, _ = ls.workspace_folders().resolve(place.uri, place.cwd)
    return folder, ls.config.for_folder(folder.uri)[0].undo


def _done(ls: IntentServer, result: Any) -> Any:
    ls.refresh_code_lenses()
    return to_wire(result)


async def undo(ls: IntentServer, args: UndoArgs, token: lsp.ProgressToken | None) -> Any:
    folder, settings = _place(ls, args)
    result = await _service(ls).undo(
        folder, args.run_id, args.paths, args.force, settings, ls.client_name
    )
    return _done(ls, result)


async def redo(ls: IntentServer, args: RedoArgs, token: lsp.ProgressToken | None) -> Any:
    folder, settings = _place(ls, args)
    return _done(ls, await _service(ls).redo(folder, args.run_id, settings, ls.client_name))


async def checkpoint(
    ls: IntentServer, args: CheckpointArgs, token: lsp.ProgressToken | None
) -> Any:
    folder, settings = _place(ls, args)
    name = args.name or time.strftime("checkpoint %Y-%m-%d %H:%M:%S")
    return {"checkpointId": await _service(ls).checkpoint(folder, name, settings)}


async def checkpoints(
    ls: IntentServer, args: CheckpointsArgs, token: lsp.ProgressToken | None
) -> Any:
    folder = None if args.all_folders else _place(ls, args)[0]
    return to_wire(await _service(ls).checkpoints(folder))


async def rollback(ls: IntentServer, args: RollbackArgs, token: lsp.ProgressToken | None) -> Any:
    service = _service(ls)
    root = await service.checkpoint_folder(args.checkpoint_id)
    settings = ls.config.for_folder(Folder.from_path(root).uri)[0].undo
    result = await service.rollback(
        args.checkpoint_id, args.paths, args.force, settings, ls.client_name
    )
    return _done(ls, result)


COMMANDS: dict[str, tuple[type[Any], Any]] = {
    "intentls.undo": (UndoArgs, undo),
    "intentls.redo": (RedoArgs, redo),
    "intentls.checkpoint": (CheckpointArgs, checkpoint),
    "intentls.checkpoints": (CheckpointsArgs, checkpoints),
    "intentls.rollback": (RollbackArgs, rollback),
}
