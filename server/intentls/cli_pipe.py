"""The terminal's stdout when its reader goes away (`intentls list --json | head -c 100`):
writing stops quietly, as Unix tools do, and the command itself goes on — a run still ends as
it would have and is recorded so (undoable), instead of dying mid-run on a BrokenPipeError."""

from __future__ import annotations

import os
from typing import Any, TextIO


class ReaderGone:
    """Wraps stdout; after the first broken pipe every write is dropped."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._drop()
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._drop()

    def _drop(self) -> None:
        """From now on the descriptor is /dev/null: what is still buffered (flushed again at
        exit) goes nowhere instead of failing a second time."""
        self.gone = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self._stream.fileno())
        finally:
            os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
