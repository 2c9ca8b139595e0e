"""The server's retention and garbage collection (intentls/retention.py): in the background once the
client's settings are known (so that its `retentionDays` applies), then once a day."""

from __future__ import annotations

import asyncio
import logging

import apsw
from lsprotocol import types as lsp

from intentls.lsp.server import IntentServer
from intentls.retention import collect, policy, summary
from intentls.undo.retention import DAY_S

log = logging.getLogger(__name__)


async def collect_daily(ls: IntentServer) -> None:
    while ls.engine is not None and ls.engine.undo is not None:
        folders = ls.workspace_folders().folders
        uris: list[str | None] = [f.uri for f in folders] or [None]
        chosen = policy(ls.config.for_folder(uri)[0] for uri in uris)
        try:
            collected = await collect(ls.engine.history, ls.engine.undo, chosen)
        except (apsw.Error, OSError):
            log.exception("retention and garbage collection failed; trying again in a day")
        else:
            message = f"intentls gc: {summary(collected)}"
            ls.window_log_message(lsp.LogMessageParams(lsp.MessageType.Info, message))
        await asyncio.sleep(DAY_S)
