"""Warm-up: once the client's settings are known, each workspace folder is snapshotted in the
background (`UndoService.warm`), one folder at a time, so the first run does not pay for the
walk. Each folder's end is a `window/logMessage` (Log) starting `intentls warm-up:`."""

from __future__ import annotations

import logging
import time

from lsprotocol import types as lsp

from intentls.lsp.feature import Feature

log = logging.getLogger(__name__)


class WarmUpFeature(Feature):
    async def initialized(self) -> None:
        self.ls.spawn(self._warm_up(), "warm-up")

    async def _warm_up(self) -> None:
        await self.ls.configured.wait()
        for folder in self.ls.workspace_folders().folders:
            started = time.monotonic()
            try:
                paths = await self.services.undo.warm(folder)
            except Exception:
                log.exception(
                    "warming up %s failed; its first run snapshots it instead", folder.path
                )
                continue
            if paths is None:
                continue
            took = (time.monotonic() - started) * 1000
            message = f"intentls warm-up: {folder.path}: {paths} paths in {took:.0f} ms"
            self.ls.window_log_message(lsp.LogMessageParams(lsp.MessageType.Log, message))
