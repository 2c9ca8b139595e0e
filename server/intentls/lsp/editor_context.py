"""Where the person is, from a request's `uri` and `range` and the open document: what the
editor variables (`${file}`, `${lineNumber}`, `${selectedText}`) are filled with."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from intentls.folders import to_path
from intentls.planning.variables import EditorContext
from intentls.wire import ArgumentError

if TYPE_CHECKING:
    from intentls.lsp.server import IntentServer


def editor_context(
    ls: IntentServer, folder: Path, uri: str | None, range_: dict[str, Any] | None
) -> EditorContext:
    if uri is None:
        return EditorContext(folder)
    file = to_path(uri, "uri")
    if range_ is None:
        return EditorContext(folder, file)
    start, end = _position(range_, "start"), _position(range_, "end")
    document = ls.workspace.get_text_document(file.as_uri() if uri.startswith("/") else uri)
    try:
        text = document.source
    except OSError:
        text = None  # neither open nor readable: no selection to offer
    selected = None
    if text is not None:
        selected = text[document.offset_at_position(start) : document.offset_at_position(end)]
    return EditorContext(folder, file, start.line + 1, selected)


def _position(range_: dict[str, Any], key: str) -> lsp.Position:
    value = range_.get(key)
    line = value.get("line") if isinstance(value, dict) else None
    character = value.get("character") if isinstance(value, dict) else None
    if not (isinstance(line, int) and isinstance(character, int)) or line < 0 or character < 0:
        raise ArgumentError(f"range.{key} must be {{line, character}} , non-negative integers")
    return lsp.Position(line, character)
