"""Carrying out an undo's file operations in an order that always works: removals deepest first
(a directory is empty before it goes), then creations shallowest first (a directory exists
before what goes in it).

A directory that did not exist before the run goes with what git ignores inside it: snapshots
never held that content (a `.ruff_cache/` ignores itself with a `*` .gitignore), so no
operation removes it, yet the run made it. Anything covered below it stays, and so does the
directory (a conflict): that was made after the run.
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from intentls.model import Conflict
from intentls.undo import fs
from intentls.undo.eligible import all_ignored_below
from intentls.undo.store import MissingBlob, State

STALL_ENV = "INTENTLS_UNDO_STALL"
"""Tests only: "N:FIFO" makes an undo stop after N file operations, once FIFO is opened by the
test (which then kills the server mid-undo, deterministically)."""


class FileOp(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def to(self) -> State | None: ...


Op = TypeVar("Op", bound=FileOp)


class Applier:
    def __init__(self, content: Callable[[str], bytes]) -> None:
        self._content = content
        self.stall = _stall_hook()

    def apply(self, root: Path, ops: list[Op]) -> tuple[list[Op], list[Conflict]]:
        """Carry out `ops`; returns those done (in order) and a conflict for each that failed."""
        removals = sorted((o for o in ops if o.to is None), key=lambda o: -o.path.count("/"))
        writes = sorted((o for o in ops if o.to is not None), key=lambda o: o.path.count("/"))
        done: list[Op] = []
        failed: list[Conflict] = []
        for n, op in enumerate([*removals, *writes]):
            if self.stall is not None and n == self.stall[0]:
                _stall(self.stall[1])
            try:
                to = op.to
                content = (
                    self._content(str(to.hash)) if to is not None and to.kind == "file" else None
                )
                try:
                    fs.apply_state(root, op.path, to, content)
                except OSError as exc:
                    if exc.errno != errno.ENOTEMPTY or not _remove_ignored_below(root, op.path):
                        raise
                    fs.apply_state(root, op.path, to, content)
            except (OSError, MissingBlob) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                failed.append(Conflict(op.path, f"could not restore: {reason}"))
                continue
            done.append(op)
        return done, failed


def _remove_ignored_below(root: Path, rel: str) -> bool:
    """Empty directory `rel` of what git ignores in it; False (nothing removed) when something
    below it is covered."""
    ignored = all_ignored_below(root, rel, fs.walk(root, rel))
    if ignored is None:
        return False
    for path in ignored:
        fs.apply_state(root, path, None, None)
    return True


def _stall_hook() -> tuple[int, str] | None:
    value = os.environ.get(STALL_ENV)
    if not value or ":" not in value:
        return None
    count, fifo = value.split(":", 1)
    return int(count), fifo


def _stall(fifo: str) -> None:
    fd = os.open(fifo, os.O_WRONLY)  # returns once the test opens the other end
    os.close(fd)
    threading.Event().wait()
