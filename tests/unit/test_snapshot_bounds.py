"""Snapshots never read special files or pseudo filesystems and stop at their bounds with a
reason ("not undoable: too large") instead of stalling; a request's directory is always inside
a workspace folder."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from intentls.folders import Folder, FolderError, Workspace
from intentls.settings import UndoSettings
from intentls.undo.bounds import Bounds, NotSnapshotted, pseudo_devices, read_regular
from intentls.undo.core import UndoCore
from intentls.undo.database import open_undo_database
from intentls.undo.eligible import Eligibility
from intentls.undo.snapshot import Snapshots
from intentls.undo.store import BlobStore

PROC = Path("/proc/self/status")
needs_proc = pytest.mark.skipif(not PROC.exists(), reason="no /proc here")


def _snaps(tmp_path: Path, bounds: Bounds) -> Snapshots:
    conn = open_undo_database(tmp_path / "undo.db")
    return Snapshots(conn, BlobStore(conn), bounds=bounds)


def _files(root: Path, n: int, size: int = 1) -> None:
    root.mkdir(exist_ok=True)
    for i in range(n):
        (root / f"f{i}").write_bytes(b"x" * size)


def test_too_many_paths_is_refused_and_nothing_kept(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _files(ws, 40)
    snaps = _snaps(tmp_path, Bounds(max_paths=30))
    with pytest.raises(NotSnapshotted, match="too large: more than 30 paths"):
        snaps.scan(ws, [], 1 << 20)
    assert snaps.held() == set()
    stored = snaps._conn.execute("SELECT count(*) FROM entries").fetchone()
    assert stored == (0,)
    started = time.monotonic()
    with pytest.raises(NotSnapshotted, match="too large"):
        snaps.scan(ws, [], 1 << 20)  # refused again at once, not walked again
    assert time.monotonic() - started < 5


def test_too_much_content_is_refused(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _files(ws, 5, size=1000)
    with pytest.raises(NotSnapshotted, match="bytes of content"):
        _snaps(tmp_path, Bounds(max_new_bytes=3000)).scan(ws, [], 1 << 20)


def test_too_slow_is_refused(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _files(ws, 3)
    with pytest.raises(NotSnapshotted, match="took longer than 0 s"):
        _snaps(tmp_path, Bounds(max_seconds=0.0)).scan(ws, [], 1 << 20)


def test_within_bounds_a_snapshot_is_taken(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _files(ws, 5)
    report = _snaps(tmp_path, Bounds(max_paths=10)).scan(ws, [], 1 << 20)
    assert sorted(report.tree.entries) == [f"f{i}" for i in range(5)]


def test_a_fifo_in_place_of_a_file_is_not_waited_on(tmp_path: Path) -> None:
    regular = tmp_path / "regular"
    regular.write_text("x")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not the regular file"):
        read_regular(os.fspath(fifo), os.lstat(regular), 100)
    assert read_regular(os.fspath(regular), os.lstat(regular), 100) == b"x"


def test_reading_stops_past_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"y" * 10_000)
    assert len(read_regular(os.fspath(big), os.lstat(big), 99)) == 100


@needs_proc
def test_pseudo_filesystems_are_neither_entered_nor_snapshotted(tmp_path: Path) -> None:
    assert os.lstat("/proc").st_dev in pseudo_devices()
    rules = Eligibility(tmp_path, [])
    list(rules.walk())
    assert rules.eligible("kmsg", os.lstat(PROC)) is False
    with pytest.raises(NotSnapshotted, match="pseudo filesystem"):
        _snaps(tmp_path, Bounds()).scan(Path("/proc"), [], 1 << 20)


def test_a_cwd_outside_every_folder_is_refused(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "sub").mkdir(parents=True)
    (ws / "out").symlink_to(tmp_path)
    workspace = Workspace([Folder.from_path(ws)])
    assert workspace.resolve(None, str(ws / "sub")) == (Folder.from_path(ws), ws / "sub")
    with pytest.raises(FolderError, match="outside every workspace folder"):
        workspace.resolve(None, str(tmp_path))
    with pytest.raises(FolderError, match="through a symbolic link"):
        workspace.resolve(None, str(ws / "out"))
    with pytest.raises(FolderError, match="none is open"):
        Workspace([]).resolve(None, str(ws))
    assert workspace.resolve((tmp_path / "x.txt").as_uri(), None)[0].path == ws


def test_a_huge_path_is_not_repeated_back(tmp_path: Path) -> None:
    with pytest.raises(FolderError) as error:
        Workspace([Folder.from_path(tmp_path)]).resolve(None, "/" + "a" * 3_000_000)
    assert len(str(error.value)) < 1000


def test_a_run_that_makes_a_folder_too_large_is_not_undoable_and_says_why(
    tmp_path: Path, core: UndoCore
) -> None:
    ws = tmp_path / "ws"
    _files(ws, 5)
    core.snapshots.bounds = Bounds(max_paths=10)
    settings = UndoSettings()
    core.recording.begin(ws, "r1", "$ make many", settings, time.time())
    _files(ws / "many", 20)
    changes = core.recording.end("r1", settings, {}, time.time())
    assert not changes.undoable and changes.changed_files == []
    assert [w.message for w in changes.warnings] == [
        "not undoable: too large: more than 10 paths to snapshot"
    ]
    with pytest.raises(NotSnapshotted, match="too large"):
        core.recording.begin(ws, "r2", "$ next", settings, time.time())
