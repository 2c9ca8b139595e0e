"""A broken intents.toml says where it is broken: a diagnostic at the line of each problem,
from the buffer's text as the person types, cleared once the file reads cleanly. The same
reader the catalog uses finds them (`planning/sources/intents_toml.read`), so the editor shows
exactly why an intent is missing."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp

from intentls.lsp.feature import Feature
from intentls.planning.sources.intents_toml import FILE_NAME, read

SOURCE = "intentls"


class IntentsFileFeature(Feature):
    def document_opened(self, uri: str) -> None:
        self._check(uri)

    def document_changed(self, uri: str) -> None:
        self._check(uri)

    def document_saved(self, uri: str) -> None:
        self._check(uri)

    def document_closed(self, uri: str) -> None:
        if self._folder_of(uri) is not None:
            self._publish(uri, [])

    def _folder_of(self, uri: str) -> Path | None:
        """The workspace folder whose intents.toml `uri` is; None for any other document."""
        found = self.ls.document_folder(uri)
        if found is None or found[1] != found[0].path / FILE_NAME:
            return None
        return found[0].path

    def _check(self, uri: str) -> None:
        folder = self._folder_of(uri)
        if folder is None:
            return
        text = self.ls.workspace.get_text_document(uri).source
        lines = text.splitlines()
        _, problems = read(folder, folder / FILE_NAME, text)
        self._publish(
            uri,
            [
                lsp.Diagnostic(
                    range=lsp.Range(
                        lsp.Position(p.line - 1, 0),
                        lsp.Position(
                            p.line - 1, len(lines[p.line - 1]) if p.line <= len(lines) else 0
                        ),
                    ),
                    message=p.message,
                    severity=lsp.DiagnosticSeverity.Error,
                    source=SOURCE,
                    code=FILE_NAME,
                )
                for p in problems
            ],
        )

    def _publish(self, uri: str, diagnostics: list[lsp.Diagnostic]) -> None:
        self.ls.diagnostics.set(uri, FILE_NAME, diagnostics)
