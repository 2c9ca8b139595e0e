"""Code lenses over the files that define intents: "▶ Run test · ✓ 2.1 s, 3 min ago".

The server watches those files itself: clients do not all register file watches for servers
(Neovim on Linux does not). A change, or a save, refreshes the lenses; the catalog re-reads the
files on its next use anyway."""

from __future__ import annotations

import asyncio
import logging
import time

from lsprotocol import types as lsp

from intentls.history.store import IntentRecord
from intentls.lsp.feature import Feature
from intentls.model import RunStatus
from intentls.suggestions.core import ago
from intentls.vocabulary import CommandId

log = logging.getLogger(__name__)

POLL_S = 2.0
"""A few stat calls per folder: cheap enough to poll, and no watch limits to run into."""

_MARKS = {RunStatus.SUCCEEDED.value: "✓", RunStatus.FAILED.value: "✗"}


class LensesFeature(Feature):
    async def initialized(self) -> None:
        self.ls.spawn(self._watch_intent_files(), "watch intent files")

    def document_saved(self, uri: str) -> None:
        # Intents may have changed: lenses follow (the catalog itself re-reads on next use).
        self.ls.refresh_code_lenses()

    async def code_lenses(self, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
        found = self.ls.document_folder(params.text_document.uri)
        if found is None:
            return []
        folder, path = found
        engine = self.services.engine
        intents = engine.intents(folder)
        lenses = []
        for intent in intents.listed():
            if intent.defined_in != path or intent.line is None:
                continue
            name = intent.name if len(intents.lookup(intent.name)) == 1 else intent.qualified_name
            record = await engine.history.intent_record(folder.uri, name)
            position = lsp.Position(intent.line - 1, 0)
            title = lens_title(name, record, time.time())
            fresh = self.services.suggestions.freshness(folder.uri, name)
            if fresh is not None:
                title += " · nothing changed" if fresh.unchanged else " · stale"
            lenses.append(
                lsp.CodeLens(
                    range=lsp.Range(position, position),
                    command=lsp.Command(
                        title=title,
                        command=CommandId.RUN,
                        arguments=[{"intent": name, "cwd": str(folder.path)}],
                    ),
                )
            )
        return lenses

    async def _watch_intent_files(self) -> None:
        seen: dict[str, object] = {}
        self._changed(seen)  # the state when the session starts is the baseline
        while True:
            await asyncio.sleep(POLL_S)
            if self._changed(seen):
                log.info("intent files changed: refreshing code lenses")
                self.ls.refresh_code_lenses()

    def _changed(self, seen: dict[str, object]) -> bool:
        catalog = self.services.engine.catalog
        changed = False
        for folder in self.ls.workspace_folders().folders:
            signature = catalog.signature(folder.path)
            changed |= seen.get(folder.uri, signature) != signature
            seen[folder.uri] = signature
        return changed


def lens_title(name: str, record: IntentRecord, now: float) -> str:
    title = f"▶ Run {name}"
    if record.last_status is None or record.last_started_at is None:
        return title
    mark = _MARKS.get(record.last_status, record.last_status)
    seconds = (record.last_duration_ms or 0) / 1000
    return f"{title} · {mark} {seconds:.1f} s, {ago(now - record.last_started_at)}"
