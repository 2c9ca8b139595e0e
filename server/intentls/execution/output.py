"""Streams a process's output as text and keeps a bounded tail for the history.

A step's stdout and stderr are one pipe (`execution.process`), so its lines arrive in the order
it wrote them. Terminal control sequences (colours a tool forces on a pipe, hyperlinks, cursor
moves) are removed: editors' output panes show them as garbage, and the history and the failure
classifier need the text alone.
"""

from __future__ import annotations

import asyncio
import codecs
import re
from collections import deque
from collections.abc import Callable

TAIL_CHARS = 64 * 1024
_CHUNK = 64 * 1024


class Tail:
    """The last `limit` characters written, across streams, in order."""

    def __init__(self, limit: int = TAIL_CHARS) -> None:
        self._limit = limit
        self._parts: deque[str] = deque()
        self._size = 0

    def add(self, text: str) -> None:
        self._parts.append(text)
        self._size += len(text)
        while self._size - len(self._parts[0]) >= self._limit:
            self._size -= len(self._parts.popleft())

    def text(self) -> str:
        return "".join(self._parts)[-self._limit :]


_CONTROL = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor and erase
    r"|\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, hyperlinks
    r"|[ -/]*[0-~])"  # any other escape (charsets, keypad modes)
)
_UNFINISHED = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*\x1b?|[ -/]*)\Z")
_LONGEST_HELD = 4096
"""An unfinished sequence longer than this is not one: its text is passed on."""


class PlainText:
    """Removes terminal control sequences from text that arrives in pieces; a sequence cut
    between two pieces is held back until the rest arrives."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, text: str, final: bool = False) -> str:
        text = self._held + text
        self._held = ""
        if "\x1b" not in text:
            return text
        if not final:
            cut = _UNFINISHED.search(text, max(0, len(text) - _LONGEST_HELD))
            if cut is not None:
                text, self._held = text[: cut.start()], text[cut.start() :]
        return _CONTROL.sub("", text).replace("\x1b", "")


async def pump(reader: asyncio.StreamReader, stream: str, sink: Callable[[str, str], None]) -> None:
    """Decode `reader` incrementally (UTF-8, invalid bytes replaced) and pass every piece on,
    without terminal control sequences."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    plain = PlainText()
    while chunk := await reader.read(_CHUNK):
        if text := plain.feed(decoder.decode(chunk)):
            sink(stream, text)
    if text := plain.feed(decoder.decode(b"", final=True), final=True):
        sink(stream, text)
