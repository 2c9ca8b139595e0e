"""Retention and garbage collection in the server (intentls/retention.py): in the background
once the client's settings are known (so that its `retentionDays` applies), then once a day;
each collection says what went in a `window/logMessage`."""

from __future__ import annotations

import asyncio
import logging

import apsw
from lsprotocol import types as lsp

from intentls.lsp.feature import Feature
from intentls.retention import collect, policy, summary
from intentls.undo.retention import DAY_S

log = logging.getLogger(__name__)


class RetentionFeature(Feature):
    async def initialized(self) -> None:
        self.ls.spawn(self._collect_daily(), "retention and garbage collection")

    async def _collect_daily(self) -> None:
        await self.ls.configured.wait()
        while True:
            folders = self.ls.workspace_folders().folders
            uris: list[str | None] = [f.uri for f in folders] or [None]
            chosen = policy(self.ls.config.for_folder(uri)[0] for uri in uris)
            services = self.services
            try:
                collected = await collect(services.history, services.undo, chosen)
            except (apsw.Error, OSError):
                log.exception("retention and garbage collection failed; trying again in a day")
            else:
                message = f"intentls gc: {summary(collected)}"
                self.ls.window_log_message(lsp.LogMessageParams(lsp.MessageType.Info, message))
            await asyncio.sleep(DAY_S)
