"""Retention across the files beside the history, for `intentls gc` and the server (at start,
then daily): history runs, undo data and built-in tools' trash older than `retentionDays` go, the
undo store is kept under `undo.maxStoreBytes`, and content nothing refers to any more is deleted
(the undo store's side: undo/retention.py)."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import time
from collections.abc import Collection, Iterable
from pathlib import Path

import attrs

from intentls.history.store import History
from intentls.settings import Settings
from intentls.tools.runtime import trash_root
from intentls.undo.retention import DAY_S, GRACE_S, Collected, Policy
from intentls.undo.service import UndoService

log = logging.getLogger(__name__)


def policy(settings: Iterable[Settings]) -> Policy:
    """The store is shared by every folder: the most generous of their settings applies."""
    every = list(settings)
    return Policy(max(s.retention_days for s in every), max(s.undo.max_store_bytes for s in every))


async def collect(history: History, undo: UndoService, chosen: Policy) -> Collected:
    now = time.time()
    cutoff = now - chosen.retention_days * DAY_S
    running = await history.running()
    runs = await history.forget_before(cutoff)
    history_freed = await history.compact()
    trash = await asyncio.to_thread(prune_trash, trash_root(history.path), cutoff, running)
    collected = await undo.collect(chosen, running, now)
    return attrs.evolve(collected, runs=runs, trash=trash, history_freed=history_freed)


def prune_trash(root: Path, before: float, running: Collection[str]) -> int:
    """Remove the trash directories (one per run) last changed before `before`, but those of
    runs still running. Returns how many were removed."""
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        return 0
    removed = 0
    for entry in entries:
        if entry.name in running or not entry.is_dir(follow_symlinks=False):
            continue
        if entry.stat(follow_symlinks=False).st_mtime >= before:
            continue
        try:
            shutil.rmtree(entry.path)
        except OSError:
            log.warning("cannot remove the old trash %s", entry.path, exc_info=True)
            continue
        removed += 1
    return removed


def summary(c: Collected) -> str:
    """What a collection did, in one line."""
    old = [(c.groups, "undo record"), (c.checkpoints, "checkpoint"), (c.runs, "history run")]
    old.append((c.trash, "trash folder"))
    removed = ", ".join(_count(n, noun) for n, noun in old if n) or "nothing old"
    deleted = (
        f"deleted {_count(c.blobs, 'unreferenced blob')} ({_size(c.bytes_freed)}, space "
        "that undo.db reuses)"
        if c.blobs
        else "deleted no unreferenced content"
    )
    text = f"removed {removed}; {deleted}; store {_size(c.store_bytes)}"
    if c.history_freed:
        text += f"; history file {_size(c.history_freed)} smaller (its rollups kept)"
    if c.pending_blobs:
        text += (
            f"; {_count(c.pending_blobs, 'blob')} ({_size(c.pending_bytes)}) no longer "
            f"referenced, deleted by a collection at least {GRACE_S / 60:.0f} minutes from now"
        )
    if c.over_limit:
        text += "; over undo.maxStoreBytes with the present files alone: nothing dropped for size"
    return text


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _size(n: int) -> str:
    power = 0
    while power < 3 and n >= 1024 ** (power + 1):
        power += 1
    return f"{n} bytes" if power == 0 else f"{n / 1024**power:.1f} {'KMG'[power - 1]}iB"
