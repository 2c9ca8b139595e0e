"""The full output of a run, kept in a file beside the history: what the client sees is capped
(output_cap.py) and the history keeps a tail, so this is where the rest is.

`<history dir>/output/<runId>.log`, every step's text in the order it came, each step's first
piece preceded by a `── <step id> ──` line. A file stops at `MAX_BYTES` (and says so); the
newest `KEEP` files are kept, older ones removed when a run starts (rotation)."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

MAX_BYTES = 256 * 1024 * 1024
KEEP = 50


def output_root(history_path: Path | None) -> Path | None:
    """None beside an in-memory history (nothing is kept)."""
    return None if history_path is None else history_path.parent / "output"


class OutputLog:
    def __init__(self, root: Path | None, run_id: str) -> None:
        self.path = None if root is None else root / f"{run_id}.log"
        self._file: IO[bytes] | None = None
        self._size = 0
        self._steps: set[str] = set()
        self._failed = root is None

    def write(self, step_id: str, text: str) -> None:
        if self._failed or self._size > MAX_BYTES:
            return
        data = text.encode("utf-8", "replace")
        if step_id not in self._steps:
            self._steps.add(step_id)
            data = f"── {step_id} ──\n".encode() + data
        if self._size + len(data) > MAX_BYTES:
            data = data[: MAX_BYTES - self._size] + b"\n[output past 256 MiB not kept]\n"
        try:
            if self._file is None:
                self._file = self._open()
            self._file.write(data)
        except OSError as exc:
            log.warning("the full output of a run cannot be kept in %s: %s", self.path, exc)
            self._failed = True
            self.close()
            return
        self._size += len(data)

    def close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None

    def _open(self) -> IO[bytes]:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _rotate(self.path.parent)
        return self.path.open("ab")


def _rotate(root: Path) -> None:
    """Only the newest `KEEP - 1` files stay, making room for the one being opened."""
    with contextlib.suppress(OSError):
        files = sorted(root.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[KEEP - 1 :]:
            with contextlib.suppress(OSError):
                os.unlink(old)  # noqa: PTH108
