"""When a background step (a dev server, a watcher) is ready for its dependents: when its
output matches its `ready` pattern, or at once when it has none. Output arrives in chunks, so a
short window of recent text is searched, and a match split across two chunks is still seen."""

from __future__ import annotations

import re
from collections.abc import Callable

WINDOW = 4096


class ReadyWatch:
    def __init__(self, pattern: str | None, on_ready: Callable[[], None]) -> None:
        self._pattern = re.compile(pattern, re.MULTILINE) if pattern else None
        self._on_ready = on_ready
        self._recent = ""
        self.ready = False

    def started(self) -> None:
        if self._pattern is None:
            self._fire()

    def output(self, text: str) -> None:
        if self.ready or self._pattern is None:
            return
        self._recent = (self._recent + text)[-WINDOW:]
        if self._pattern.search(self._recent):
            self._fire()

    def _fire(self) -> None:
        if not self.ready:
            self.ready = True
            self._on_ready()
