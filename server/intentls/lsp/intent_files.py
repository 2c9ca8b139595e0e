"""The server watches the files that define intents itself: clients do not all register file
watches for servers (Neovim on Linux does not). A change refreshes the code lenses; the catalog
re-reads the files on its next use anyway."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from intentls.lsp.server import IntentServer

log = logging.getLogger(__name__)

POLL_S = 2.0
"""A few stat calls per folder: cheap enough to poll, and no watch limits to run into."""


async def watch_intent_files(ls: IntentServer) -> None:
    seen: dict[str, object] = {}
    _changed(ls, seen)  # the state when the session starts is the baseline
    while True:
        await asyncio.sleep(POLL_S)
        if _changed(ls, seen):
            log.info("intent files changed: refreshing code lenses")
            ls.refresh_code_lenses()


def _changed(ls: IntentServer, seen: dict[str, object]) -> bool:
    if ls.engine is None:
        return False
    changed = False
    for folder in ls.workspace_folders().folders:
        signature = ls.engine.catalog.signature(folder.path)
        changed |= seen.get(folder.uri, signature) != signature
        seen[folder.uri] = signature
    return changed
