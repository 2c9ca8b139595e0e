"""Streams a process's pipes as text and keeps a bounded tail for the history."""

from __future__ import annotations

import asyncio
import codecs
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


async def pump(reader: asyncio.StreamReader, stream: str, sink: Callable[[str, str], None]) -> None:
    """Decode `reader` incrementally (UTF-8, invalid bytes replaced) and pass every piece on."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    while chunk := await reader.read(_CHUNK):
        if text := decoder.decode(chunk):
            sink(stream, text)
    if text := decoder.decode(b"", final=True):
        sink(stream, text)
