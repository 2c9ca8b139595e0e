"""Retention beside the history: old trash of built-in tools removed, the shared store's policy
taken from every folder's settings, and what a collection did said in one line."""

from __future__ import annotations

import os
import time
from pathlib import Path

from intentls.retention import policy, prune_trash, summary
from intentls.settings import MIB, Settings, UndoSettings
from intentls.undo.retention import DAY_S, Collected, Policy


def test_old_trash_goes_but_not_a_running_runs(tmp_path: Path) -> None:
    root = tmp_path / "trash"
    long_ago = time.time() - 100 * DAY_S
    for run_id in ("old", "recent", "running"):
        (root / run_id).mkdir(parents=True)
        (root / run_id / "1-notes.txt").write_text("trashed by file.delete")
    (root / "stray.txt").write_text("not a run's trash")
    for name in ("old", "running", "stray.txt"):
        os.utime(root / name, (long_ago, long_ago))
    assert prune_trash(root, time.time() - 90 * DAY_S, {"running"}) == 1
    assert sorted(os.listdir(root)) == ["recent", "running", "stray.txt"]
    assert prune_trash(tmp_path / "no trash yet", time.time(), set()) == 0


def test_the_shared_store_keeps_what_any_folder_wants() -> None:
    short = Settings(retention_days=7, undo=UndoSettings(max_store_bytes=5 * MIB))
    long = Settings(retention_days=365, undo=UndoSettings(max_store_bytes=MIB))
    assert policy([short, long]) == Policy(365, 5 * MIB)


def test_summary_says_what_went_and_what_waits() -> None:
    collected = Collected(
        groups=2,
        checkpoints=1,
        runs=1,
        blobs=3,
        bytes_freed=3 * MIB,
        pending_blobs=1,
        pending_bytes=10,
        store_bytes=5 * 1024 * MIB,
    )
    assert summary(collected) == (
        "removed 2 undo records, 1 checkpoint, 1 history run; deleted 3 unreferenced blobs "
        "(3.0 MiB, space that undo.db reuses); store 5.0 GiB; 1 blob (10 bytes) no longer "
        "referenced, deleted by a collection at least 60 minutes from now"
    )
    assert summary(Collected(store_bytes=11, over_limit=True)) == (
        "removed nothing old; deleted no unreferenced content; store 11 bytes; over "
        "undo.maxStoreBytes with the present files alone: nothing dropped for size"
    )
