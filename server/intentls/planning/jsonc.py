"""JSON with comments and trailing commas (VS Code's `tasks.json`), read with the standard `json`
module after blanking what JSON does not allow.

Comments become spaces and trailing commas a space, so every offset and line number in the
cleaned text is the same as in the original: error messages and code lenses point at the
person's own lines. Small and dependency-free on purpose: the only JSONC files we read are a
few kilobytes, and no library on PyPI is both well kept and this simple.
"""

from __future__ import annotations

import json
from typing import Any


class JsoncError(ValueError):
    """Not JSON even with comments and trailing commas allowed; the message names the line."""


def clean(text: str) -> str:
    """`text` with `//` and `/* */` comments and trailing commas blanked, offsets unchanged."""
    out = list(text)
    i, n = 0, len(text)
    last_comma = -1
    """Offset of a comma that only whitespace or comments followed so far, else -1."""
    while i < n:
        ch = text[i]
        if ch == '"':
            i = _string_end(text, i)
            last_comma = -1
            continue
        if ch == "/" and i + 1 < n and text[i + 1] == "/":
            end = text.find("\n", i)
            end = n if end < 0 else end
            _blank(out, i, end)
            i = end
            continue
        if ch == "/" and i + 1 < n and text[i + 1] == "*":
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            _blank(out, i, end)
            i = end
            continue
        if ch == ",":
            last_comma = i
        elif ch in "]}":
            if last_comma >= 0:
                out[last_comma] = " "
            last_comma = -1
        elif not ch.isspace():
            last_comma = -1
        i += 1
    return "".join(out)


def loads(text: str) -> Any:
    try:
        return json.loads(clean(text))
    except json.JSONDecodeError as exc:
        raise JsoncError(f"line {exc.lineno} column {exc.colno}: {exc.msg}") from None


def _string_end(text: str, start: int) -> int:
    i, n = start + 1, len(text)
    while i < n:
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        elif text[i] == "\n":
            return i  # unterminated: let json report it
        else:
            i += 1
    return n


def _blank(out: list[str], start: int, end: int) -> None:
    for k in range(start, end):
        if out[k] != "\n":
            out[k] = " "
