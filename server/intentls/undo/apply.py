"""Carrying out an undo's file operations, several at a time.

Creating and renaming files is mostly waiting on the filesystem, so operations that cannot
affect each other run on a small pool of threads: removals deepest first, then creations
shallowest first, one depth at a time (a directory exists before what goes in it, and is empty
before it goes). Contents are read from the store on the calling thread (which owns the
database); at most `WINDOW` are held in memory at once."""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import groupby
from pathlib import Path
from typing import Protocol, TypeVar

from intentls.model import Conflict
from intentls.undo import fs
from intentls.undo.store import MissingBlob, State

WORKERS = 8
WINDOW = 64
"""Operations in flight (their contents in memory) at once."""

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
        self._pool: ThreadPoolExecutor | None = None
        self.stall = _stall_hook()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()

    def apply(self, root: Path, ops: list[Op]) -> tuple[list[Op], list[Conflict]]:
        """Carry out `ops`; returns those done (in order) and a conflict for each that failed."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="intentls-restore")
        done: list[Op] = []
        failed: list[Conflict] = []
        started = 0
        for batch in _batches(ops):
            flight: deque[tuple[Op, Future[None]]] = deque()
            for op in batch:
                if self.stall is not None and started == self.stall[0]:
                    _settle(flight, done, failed)
                    _stall(self.stall[1])
                started += 1
                try:
                    data = (
                        self._content(str(op.to.hash))
                        if op.to is not None and _is_file(op.to)
                        else None
                    )
                except MissingBlob as exc:
                    failed.append(Conflict(op.path, f"could not restore: {exc}"))
                    continue
                flight.append((op, self._pool.submit(fs.apply_state, root, op.path, op.to, data)))
                if len(flight) >= WINDOW:
                    _settle(flight, done, failed, keep=WINDOW // 2)
            _settle(flight, done, failed)
        return done, failed


def _is_file(state: State | None) -> bool:
    return state is not None and state.kind == "file"


def _batches(ops: list[Op]) -> Iterator[list[Op]]:
    """Removals deepest first, then the rest shallowest first; one batch per depth."""
    removals = sorted((o for o in ops if o.to is None), key=lambda o: -o.path.count("/"))
    writes = sorted((o for o in ops if o.to is not None), key=lambda o: o.path.count("/"))
    for _, batch in groupby(removals, key=lambda o: o.path.count("/")):
        yield list(batch)
    for _, batch in groupby(writes, key=lambda o: o.path.count("/")):
        yield list(batch)


def _settle(
    flight: deque[tuple[Op, Future[None]]],
    done: list[Op],
    failed: list[Conflict],
    keep: int = 0,
) -> None:
    while len(flight) > keep:
        op, future = flight.popleft()
        try:
            future.result()
        except OSError as exc:
            failed.append(Conflict(op.path, f"could not restore: {exc.strerror or exc}"))
        else:
            done.append(op)


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
