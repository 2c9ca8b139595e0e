"""The terminal's stdout. When its reader goes away (`intentls list --json | head -c 100`),
writing stops quietly, as Unix tools do, and the command itself goes on — a run still ends as
it would have and is recorded so (undoable), instead of dying mid-run on a BrokenPipeError.
When it is no terminal, lines are as long as their text: piped or redirected output is read by
programs and people's pagers, and a name cut at 80 columns is a wrong name."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

if TYPE_CHECKING:
    from rich.console import Console

T = TypeVar("T")

PIPED_WIDTH = 10_000
"""Columns when stdout is no terminal: no line is wrapped (rich assumes 80 otherwise)."""


def answer(value: T, as_json: bool, show: Callable[[T], None]) -> int:
    """Print a command's answer: its wire JSON (`--json`, what the editors get), or for a
    person; exit status 0."""
    if as_json:
        from intentls.wire import to_wire  # cattrs: only for --json

        print(json.dumps(to_wire(value), indent=1))
    else:
        show(value)
    return 0


def stdout_console(**options: Any) -> Console:
    """A rich console on stdout: the terminal's width, or unwrapped lines when piped. (rich
    loads here, not with this module: every command wraps stdout, few print through rich.)"""
    from rich.console import Console

    width = None if sys.stdout.isatty() else PIPED_WIDTH
    return Console(width=width, **options)


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

    def write_bytes(self, data: bytes) -> bool:
        """`data` as it is (a file's text, byte for byte); False once the reader is gone."""
        if not self.gone:
            try:
                self._stream.flush()
                self._stream.buffer.write(data)
            except BrokenPipeError:
                self._drop()
        return not self.gone

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
