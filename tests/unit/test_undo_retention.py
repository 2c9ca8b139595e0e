"""Retention and garbage collection of the undo store on a real `undo.db`: old and oversized undo
data dropped (never what a running run or an undo in flight needs), every referenced blob kept,
unreferenced ones deleted after the grace period, and undo still working afterwards."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from intentls.model import UndoStatus
from intentls.settings import UndoSettings
from intentls.undo.core import UndoCore
from intentls.undo.records import EditorView, Prepared, UndoError
from intentls.undo.retention import DAY_S, GRACE_S, Policy
from intentls.undo.store import digest

SETTINGS = UndoSettings()
KEEP_ALL = Policy(retention_days=90, max_store_bytes=1 << 40)
NOW = time.time()
LONG_AGO = NOW - 100 * DAY_S
LATER = NOW + 2 * GRACE_S
"""Past the grace period: what a collection at NOW marked, one at LATER deletes."""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "ws"
    path.mkdir()
    return path


def run(core: UndoCore, root: Path, run_id: str, change: Callable[[], object], at: float) -> None:
    core.recording.begin(root, run_id, f"$ {run_id}", SETTINGS, at)
    change()
    core.recording.end(run_id, SETTINGS, {}, at)


def undo(core: UndoCore, root: Path, run_id: str) -> UndoStatus:
    prepared = core.preparing.prepare_undo(root, run_id, None, False, EditorView(), SETTINGS)
    assert isinstance(prepared, Prepared), prepared
    return core.commits.commit(prepared, frozenset()).result.status


def count(core: UndoCore, sql: str, *params: str) -> int:
    row = core.conn.execute(sql, params).fetchone()
    assert row is not None and isinstance(row[0], int)
    return row[0]


def test_undo_data_past_retention_is_dropped_with_its_changes(core: UndoCore, root: Path) -> None:
    data = root / "a.txt"
    data.write_text("one")
    run(core, root, "old", lambda: data.write_text("two"), LONG_AGO)
    old_checkpoint = core.recording.checkpoint(root, "old", SETTINGS, LONG_AGO)
    run(core, root, "new", lambda: data.write_text("three"), NOW)
    new_checkpoint = core.recording.checkpoint(root, "new", SETTINGS, NOW)
    collected = core.collect(KEEP_ALL, {}, NOW)
    assert (collected.groups, collected.checkpoints) == (1, 1)
    assert core.conn.pragma("foreign_keys") == 1
    orphaned = "SELECT COUNT(*) FROM {} WHERE group_id NOT IN (SELECT id FROM groups)"
    assert count(core, orphaned.format("changes")) == 0, "changes go with their group"
    assert count(core, orphaned.format("group_runs")) == 0
    assert count(core, "SELECT COUNT(*) FROM checkpoint_entries") == count(
        core, "SELECT COUNT(*) FROM checkpoint_entries WHERE checkpoint_id = ?", new_checkpoint
    )
    with pytest.raises(UndoError):
        core.preparing.prepare_undo(root, "old", None, False, EditorView(), SETTINGS)
    with pytest.raises(UndoError):
        core.queries.checkpoint_folder(old_checkpoint)
    assert undo(core, root, "new") is UndoStatus.UNDONE
    assert data.read_text() == "two"


def test_a_running_run_and_an_undo_in_flight_keep_old_records(core: UndoCore, root: Path) -> None:
    data = root / "a.txt"
    data.write_text("one")
    run(core, root, "undoing", lambda: data.write_text("two"), LONG_AGO)
    (target,) = core.conn.execute(
        "SELECT group_id FROM group_runs WHERE run_id = 'undoing'"
    ).fetchone()
    core.recording.begin(root, "first", "$ first", SETTINGS, LONG_AGO)
    core.recording.begin(root, "still running", "$ still running", SETTINGS, LONG_AGO)
    data.write_text("three")
    core.recording.end(
        "first", SETTINGS, {}, LONG_AGO
    )  # recorded; its group has a run still running
    with core.conn:  # what a crash in the middle of an undo of "undoing" leaves
        core.conn.execute(
            "INSERT INTO journal(group_id, folder, kind, target, run_id, intent, started_at, ops) "
            "VALUES ('u1', ?, 'undo', ?, 'undoing', 'undo «$ undoing»', ?, '[]')",
            (os.fspath(root), target, NOW),
        )
    collected = core.collect(KEEP_ALL, {"still running": LONG_AGO}, NOW)
    assert collected.groups == 0
    assert count(core, "SELECT COUNT(*) FROM groups") == 2


def test_the_oldest_undo_data_goes_until_the_store_fits(core: UndoCore, root: Path) -> None:
    data = root / "data.bin"
    data.write_bytes(os.urandom(64 * 1024))  # incompressible: each version is one 64 KiB blob
    core.recording.checkpoint(root, "start", SETTINGS, NOW - 10)
    for n in range(1, 6):
        run(core, root, f"r{n}", lambda: data.write_bytes(os.urandom(64 * 1024)), NOW - 10 + n)
    blob = count(core, "SELECT MAX(LENGTH(data)) FROM blobs")
    # Six versions are referred to; the present one (the index) and the two before fit.
    collected = core.collect(Policy(90, int(3.5 * blob)), {}, NOW)
    assert (collected.checkpoints, collected.groups) == (1, 3)
    assert collected.pending_blobs == 3 and collected.blobs == 0
    runs = core.conn.execute("SELECT run_id FROM group_runs ORDER BY run_id").fetchall()
    assert runs == [("r4",), ("r5",)]
    after = core.collect(Policy(90, int(3.5 * blob)), {}, LATER)
    assert (after.blobs, after.pending_blobs) == (3, 0)
    assert after.bytes_freed >= 3 * 64 * 1024
    assert after.store_bytes <= 3.5 * blob
    assert undo(core, root, "r5") is UndoStatus.UNDONE


def test_nothing_is_dropped_for_size_when_the_present_alone_is_too_big(
    core: UndoCore, root: Path
) -> None:
    data = root / "data.bin"
    data.write_bytes(os.urandom(64 * 1024))
    run(core, root, "r1", lambda: data.write_bytes(os.urandom(64 * 1024)), NOW)
    collected = core.collect(Policy(90, 1024), {}, NOW)
    assert collected.over_limit and collected.groups == 0
    assert undo(core, root, "r1") is UndoStatus.UNDONE


def test_only_unreferenced_blobs_are_collected(core: UndoCore, root: Path) -> None:
    (root / "kept.txt").write_text("only the index refers to me")
    (root / "a.txt").write_text("before the run")
    (root / "c.txt").write_text("only a checkpoint refers to me")
    core.recording.checkpoint(root, "c", SETTINGS, NOW)
    (root / "c.txt").unlink()
    run(core, root, "edit", lambda: (root / "a.txt").write_text("after the run"), NOW)
    with core.conn:
        unreferenced = core.blobs.put(b"nothing refers to me")
        journaled = core.blobs.put(b"an undo in flight will write me")
        state = json.dumps({"k": "file", "m": 0o644, "h": journaled, "t": None, "s": 31})
        core.conn.execute(
            "INSERT INTO journal(group_id, folder, kind, target, run_id, intent, started_at, ops) "
            "VALUES ('u1', ?, 'undo', NULL, 'x', 'undo «x»', ?, ?)",
            (os.fspath(root), NOW, json.dumps([["j.txt", None, state]])),
        )
    referenced = [
        digest(text.encode())
        for text in (
            "only the index refers to me",
            "before the run",
            "after the run",
            "only a checkpoint refers to me",
        )
    ]
    first = core.collect(KEEP_ALL, {}, NOW)
    assert (first.blobs, first.pending_blobs) == (0, 1), "marked, kept for the grace period"
    second = core.collect(KEEP_ALL, {}, LATER)
    assert second.blobs == 1 and second.bytes_freed > 0
    assert not core.blobs.has(unreferenced)
    assert all(core.blobs.has(h) for h in [*referenced, journaled])
    run(core, root, "rm", lambda: (root / "kept.txt").unlink(), LATER)
    assert undo(core, root, "rm") is UndoStatus.UNDONE
    assert (root / "kept.txt").read_text() == "only the index refers to me"
    assert undo(core, root, "edit") is UndoStatus.UNDONE
    assert (root / "a.txt").read_text() == "before the run"


def test_content_put_again_waits_a_whole_grace_period(core: UndoCore) -> None:
    with core.conn:
        key = core.blobs.put(b"held in some process's memory")
    core.collect(KEEP_ALL, {}, NOW)
    with core.conn:
        assert core.blobs.put(b"held in some process's memory") == key
    assert core.collect(KEEP_ALL, {}, LATER).blobs == 0, "marked again at LATER, not at NOW"
    assert core.blobs.has(key)
    assert core.collect(KEEP_ALL, {}, LATER + 2 * GRACE_S).blobs == 1


def test_a_run_running_in_another_process_keeps_what_it_holds(tmp_path: Path, root: Path) -> None:
    data = root / "a.txt"
    data.write_text("before the long run")
    runner = UndoCore(tmp_path / "undo.db")
    other = UndoCore(tmp_path / "undo.db")  # another process sharing the file
    runner.recording.begin(root, "long", "$ long", SETTINGS, NOW)
    data.write_text("written by the long run")
    other.recording.checkpoint(
        root, "meanwhile", SETTINGS, NOW
    )  # the index no longer has the old content
    running = {"long": NOW}
    assert other.collect(KEEP_ALL, running, NOW + 1).pending_blobs == 1
    assert other.collect(KEEP_ALL, running, LATER).blobs == 0, "the history says it runs"
    gone_from_history: dict[str, float] = {}
    assert runner.collect(KEEP_ALL, gone_from_history, LATER + 2 * GRACE_S).blobs == 0, (
        "its own process knows what it holds"
    )
    runner.recording.end("long", SETTINGS, {}, LATER)
    assert undo(runner, root, "long") is UndoStatus.UNDONE
    assert data.read_text() == "before the long run"
    runner.close()
    other.close()


def test_the_index_of_a_folder_that_no_longer_exists_is_forgotten(
    tmp_path: Path, root: Path
) -> None:
    (root / "f.txt").write_text("in a folder about to vanish")
    scanner = UndoCore(tmp_path / "undo.db")
    scanner.snapshots.scan(root, [], SETTINGS.max_file_bytes)
    scanner.close()
    shutil.rmtree(root)
    later = UndoCore(tmp_path / "undo.db")
    assert later.collect(KEEP_ALL, {}, NOW).pending_blobs == 1
    assert later.collect(KEEP_ALL, {}, LATER).blobs == 1
    assert later.conn.execute("SELECT COUNT(*) FROM entries").fetchone() == (0,)
    later.close()
