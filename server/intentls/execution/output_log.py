"""The full output of a run, kept in a file beside the history: what the client sees is capped
(output_cap.py) and the history keeps a tail, so this is where the rest is.

`<history dir>/output/<runId>.log`, every step's text in the order it came. A `── <step id> ──`
line starts each stretch of one step's text (again whenever another step wrote in between, on a
line of its own), so one step's output can be read back (`step_text`). The file is made when
the run starts (a run that printed nothing has an empty one) and stops at `MAX_BYTES` (and says
so); the newest `KEEP` files are kept, older ones removed when a run starts (rotation)."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

MAX_BYTES = 256 * 1024 * 1024
KEEP = 50


def output_root(history_path: Path | None) -> Path | None:
    """None beside an in-memory history (nothing is kept)."""
    return None if history_path is None else history_path.parent / "output"


def log_path(root: Path, run_id: str) -> Path:
    return root / f"{run_id}.log"


_OPEN, _CLOSE = "── ".encode(), " ──\n".encode()


def header(step_id: str) -> bytes:
    return _OPEN + step_id.encode() + _CLOSE


class OutputLog:
    def __init__(self, root: Path | None, run_id: str) -> None:
        self.path = None if root is None else log_path(root, run_id)
        self._file: IO[bytes] | None = None
        self._size = 0
        self._step: str | None = None
        """The step whose text was written last (a header is due when another one writes)."""
        self._line_open = False
        self._failed = root is None
        if self.path is not None:
            self._try(self._open)

    def write(self, step_id: str, text: str) -> None:
        if self._failed or self._size > MAX_BYTES or not text:
            return
        data = text.encode("utf-8", "replace")
        if step_id != self._step:
            data = (b"\n" if self._line_open else b"") + header(step_id) + data
            self._step = step_id
        if self._size + len(data) > MAX_BYTES:
            data = data[: MAX_BYTES - self._size] + b"\n[output past 256 MiB not kept]\n"
        if self._try(lambda: self._write(data)):
            self._size += len(data)
            self._line_open = not data.endswith(b"\n")

    def close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None

    def _write(self, data: bytes) -> None:
        assert self._file is not None
        self._file.write(data)

    def _try(self, action: Callable[[], None]) -> bool:
        """False (and nothing more kept) once the file cannot be written: the run goes on."""
        try:
            action()
        except OSError as exc:
            log.warning("the full output of a run cannot be kept in %s: %s", self.path, exc)
            self._failed = True
            self.close()
            return False
        return True

    def _open(self) -> None:
        assert self.path is not None
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _rotate(self.path.parent)
        self._file = self.path.open("ab")


def _rotate(root: Path) -> None:
    """Only the newest `KEEP - 1` files stay, making room for the one being opened."""
    with contextlib.suppress(OSError):
        files = sorted(root.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[KEEP - 1 :]:
            with contextlib.suppress(OSError):
                os.unlink(old)  # noqa: PTH108


def step_text(path: Path, step_id: str) -> Iterator[bytes]:
    """One step's stretches of a run's file, in order, without their headers (read a line at a
    time: the file may be large). A program that prints a header line itself misleads this."""
    mine = header(step_id)
    inside = False
    with path.open("rb") as file:
        for line in file:
            if line.startswith(_OPEN) and line.endswith(_CLOSE):
                inside = line == mine
            elif inside:
                yield line
