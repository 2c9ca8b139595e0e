"""Undo as the client sees it: `intentls.undo`, `intentls.redo`, `intentls.checkpoint`,
`intentls.checkpoints`, `intentls.rollback`; the `intentls.undo` code actions; and the open
documents the undo checks and updates (lsp/documents.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

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
from intentls.lsp.feature import Command, Feature, Token
from intentls.model import CheckpointInfo, UndoResult
from intentls.settings import UndoSettings
from intentls.vocabulary import ActionKind, CommandId


class UndoFeature(Feature):
    code_action_kinds = (ActionKind.UNDO,)

    def commands(self) -> Sequence[Command[Any]]:
        return [
            Command(CommandId.UNDO, UndoArgs, self.undo),
            Command(CommandId.REDO, RedoArgs, self.redo),
            Command(CommandId.CHECKPOINT, CheckpointArgs, self.checkpoint),
            Command(CommandId.CHECKPOINTS, CheckpointsArgs, self.checkpoints),
            Command(CommandId.ROLLBACK, RollbackArgs, self.rollback),
        ]

    # ---- commands --------------------------------------------------------------------------

    async def undo(self, args: UndoArgs, token: Token) -> UndoResult:
        folder, settings = self._settings(args)
        result = await self.services.undo.undo(
            folder, args.run_id, args.paths, args.force, settings, self.ls.client_name
        )
        return self._done(result)

    async def redo(self, args: RedoArgs, token: Token) -> UndoResult:
        folder, settings = self._settings(args)
        undo = self.services.undo
        return self._done(await undo.redo(folder, args.run_id, settings, self.ls.client_name))

    async def checkpoint(self, args: CheckpointArgs, token: Token) -> dict[str, str]:
        folder, settings = self._settings(args)
        name = args.name or time.strftime("checkpoint %Y-%m-%d %H:%M:%S")
        return {"checkpointId": await self.services.undo.checkpoint(folder, name, settings)}

    async def checkpoints(self, args: CheckpointsArgs, token: Token) -> list[CheckpointInfo]:
        folder = None if args.all_folders else self._settings(args)[0]
        return await self.services.undo.checkpoints(folder)

    async def rollback(self, args: RollbackArgs, token: Token) -> UndoResult:
        undo = self.services.undo
        root = await undo.checkpoint_folder(args.checkpoint_id)
        settings = self.ls.config.for_folder(Folder.from_path(root).uri)[0].undo
        result = await undo.rollback(
            args.checkpoint_id, args.paths, args.force, settings, self.ls.client_name
        )
        return self._done(result)

    def _settings(self, place: Place) -> tuple[Folder, UndoSettings]:
        folder, _ = self.place(place)
        return folder, self.ls.config.for_folder(folder.uri)[0].undo

    def _done(self, result: UndoResult) -> UndoResult:
        self.ls.refresh_code_lenses()
        return result

    # ---- code actions ----------------------------------------------------------------------

    async def code_actions(
        self, params: lsp.CodeActionParams, wanted: Callable[[str], bool]
    ) -> list[lsp.CodeAction]:
        """Undo the newest run that changed this document; when asked (not automatic), also the
        folder's newest undoable run."""
        found = self.ls.document_folder(params.text_document.uri)
        if found is None or not wanted(ActionKind.UNDO):
            return []
        folder, path = found
        trigger = params.context.trigger_kind
        invoked = trigger is None or trigger == lsp.CodeActionTriggerKind.Invoked
        undo = self.services.undo
        actions = [await undo.action(folder, folder.relative(path))]
        if invoked:
            newest = await undo.action(folder, None)
            if newest is not None and all(a is None or a.run_id != newest.run_id for a in actions):
                actions.append(newest)
        return [
            lsp.CodeAction(
                title=a.title,
                kind=ActionKind.UNDO,
                command=lsp.Command(a.title, CommandId.UNDO, arguments=[{"runId": a.run_id}]),
            )
            for a in actions
            if a is not None
        ]

    # ---- the editor's documents ------------------------------------------------------------

    def document_opened(self, uri: str) -> None:
        self.ls.documents.opened(uri)

    def document_changed(self, uri: str) -> None:
        self.ls.documents.changed(uri)

    def document_saved(self, uri: str) -> None:
        self.ls.documents.saved(uri)

    def document_closed(self, uri: str) -> None:
        self.ls.documents.closed(uri)
