"""One diagnostics collection for every feature: `textDocument/publishDiagnostics` replaces all
of a document's diagnostics at once, so two features publishing on one file (a broken
intents.toml's problems, a failed run's output naming the same file) would each wipe the
other's. Each feature sets its own part of a document here; the union goes out."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lsprotocol import types as lsp

from intentls.folders import uri_path

Send = Callable[[lsp.PublishDiagnosticsParams], None]


class Published:
    def __init__(self, send: Send) -> None:
        self._send = send
        self._parts: dict[str, dict[str, list[lsp.Diagnostic]]] = {}
        """Document (its path, or its URI if not a file) → feature's name → its diagnostics."""

    def set(self, uri: str, owner: str, diagnostics: Sequence[lsp.Diagnostic]) -> None:
        """`owner`'s diagnostics on `uri` are now these (none: cleared); publish the union."""
        key = uri_path(uri) or uri  # one document, however its URI is spelled
        parts = self._parts.setdefault(key, {})
        if diagnostics:
            parts[owner] = list(diagnostics)
        else:
            parts.pop(owner, None)
        merged = [d for part in parts.values() for d in part]
        if not parts:
            del self._parts[key]
        self._send(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=merged))
