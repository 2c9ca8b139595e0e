"""The editor's open documents as the undo engine needs them: which have unsaved changes
(`didChange` since the last `didSave`), when each was saved, and restoring a file into its
buffer with `workspace/applyEdit` (so the buffer follows and the editor's own undo works)."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp
from pygls.uris import to_fs_path

from intentls.undo.records import EditorView

if TYPE_CHECKING:
    from intentls.lsp.server import IntentServer

log = logging.getLogger(__name__)

SAVES_KEPT = 20
"""Save times remembered per document (enough to tell a save during any recent run)."""


class Documents:
    def __init__(self, ls: IntentServer) -> None:
        self._ls = ls
        self.unsaved: set[str] = set()
        """Paths of open documents changed since their last save."""
        self.saves: dict[str, list[float]] = {}
        """Paths → when they were saved (`didSave`), oldest first."""

    def opened(self, uri: str) -> None:
        if (path := to_fs_path(uri)) is not None:
            self.unsaved.discard(path)

    def changed(self, uri: str) -> None:
        if (path := to_fs_path(uri)) is not None:
            self.unsaved.add(path)

    def saved(self, uri: str) -> None:
        if (path := to_fs_path(uri)) is not None:
            self.unsaved.discard(path)
            times = self.saves.setdefault(path, [])
            times.append(time.time())
            del times[:-SAVES_KEPT]

    def closed(self, uri: str) -> None:
        if (path := to_fs_path(uri)) is not None:
            self.unsaved.discard(path)

    def _open(self) -> dict[str, str]:
        """Open documents: path → URI."""
        found = {}
        for uri in self._ls.workspace.text_documents:
            path = to_fs_path(uri)
            if path is not None:
                found[os.path.normpath(path)] = uri
        return found

    def view(self) -> EditorView:
        docs = self._ls.workspace.text_documents
        return EditorView(
            buffers={p: docs[u].source.encode("utf-8") for p, u in self._open().items()},
            unsaved=frozenset(self.unsaved),
            saves={p: list(t) for p, t in self.saves.items()},
        )

    async def apply(self, root: Path, edits: list[tuple[str, bytes]]) -> None:
        workspace = self._ls.client_capabilities.workspace
        if not (workspace and workspace.apply_edit):
            return
        open_docs = self._open()
        base = os.fspath(root)
        changes: dict[str, list[lsp.TextEdit]] = {}
        for rel, content in edits:
            uri = open_docs.get(f"{base}/{rel}")
            if uri is None:
                continue
            try:
                text = content.decode("utf-8")
            except UnicodeDecodeError:
                continue
            doc = self._ls.workspace.get_text_document(uri)
            if doc.source == text:
                continue
            whole = lsp.Range(lsp.Position(0, 0), lsp.Position(len(doc.lines), 0))
            changes[uri] = [lsp.TextEdit(whole, text)]
        if not changes:
            return
        answer = await self._ls.workspace_apply_edit_async(
            lsp.ApplyWorkspaceEditParams(lsp.WorkspaceEdit(changes=changes), label="intentls undo")
        )
        if not answer.applied:
            log.warning(
                "the editor did not apply the undo to its buffers: %s", answer.failure_reason
            )
        # The buffer now equals the file on disk: it has no unsaved changes of its own.
        for uri in changes:
            self.opened(uri)
