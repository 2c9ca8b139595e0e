"""Snapshots driven by the inotify watcher see exactly what a full walk sees, on real files:
random sequences of writes, moves, removals, mode changes, links and `.gitignore` edits, each
scan compared with a fresh walk of the same folder by an index that does not watch."""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intentls.undo.database import open_undo_database
from intentls.undo.inotify import WATCH_ENV, filesystem_type
from intentls.undo.snapshot import Snapshots, diff
from intentls.undo.store import BlobStore, State

NAMES = ["a", "b", "c.log"]
PATHS = ["/".join(parts) for n in (1, 2, 3) for parts in itertools.product(NAMES, repeat=n)]
IGNORES = ["*.log", "b/", "a", "!c.log", "/c.log", ""]


def snapshots(db: Path, watch: bool) -> Snapshots:
    conn = open_undo_database(db)
    return Snapshots(conn, BlobStore(conn), watch=watch)


def _write(root: Path, rel: str, data: bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    path.write_bytes(data)


def _remove(root: Path, rel: str) -> None:
    path = root / rel
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _rename(root: Path, rel: str, to: str) -> None:
    (root / to).parent.mkdir(parents=True, exist_ok=True)
    os.rename(root / rel, root / to)


def _chmod(root: Path, rel: str, _: str) -> None:
    (root / rel).chmod(0o755 if (root / rel).stat().st_mode & 0o100 == 0 else 0o644)


def _symlink(root: Path, rel: str, to: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(to, root / rel)


def _ignore(root: Path, rel: str, pattern: str) -> None:
    directory = (root / rel).parent
    directory.mkdir(parents=True, exist_ok=True)
    (directory / ".gitignore").write_text(pattern + "\n", encoding="utf-8")


def _mkdir(root: Path, rel: str, _: str) -> None:
    (root / rel).mkdir(parents=True)


OPS = {
    "write": lambda root, rel, arg: _write(root, rel, arg.encode()),
    "remove": lambda root, rel, _: _remove(root, rel),
    "rename": _rename,
    "chmod": _chmod,
    "symlink": _symlink,
    "ignore": _ignore,
    "mkdir": _mkdir,
}

steps = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(sorted(OPS)),
            st.sampled_from(PATHS),
            st.one_of(st.sampled_from(PATHS), st.sampled_from(IGNORES)),
        ),
        st.just(("scan", "", "")),
    ),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=120,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(steps)
def test_the_watched_index_matches_a_full_walk(ops: list[tuple[str, str, str]]) -> None:
    with tempfile.TemporaryDirectory(prefix="intentls-watch-") as tmp:
        root = Path(tmp) / "ws"
        root.mkdir()
        watched = snapshots(Path(tmp) / "watched.db", watch=True)
        walked = snapshots(Path(tmp) / "walked.db", watch=False)
        previous: dict[str, State] | None = None  # a first snapshot compares with nothing
        try:
            for op, rel, arg in [*ops, ("scan", "", "")]:
                if op != "scan":
                    # OSError: the random step made no sense here (a parent is a file, …).
                    with contextlib.suppress(OSError):
                        OPS[op](root, rel, arg)
                    continue
                report = watched.scan(root, [], 1 << 20)
                truth = dict(walked.scan(root, [], 1 << 20).tree)
                assert dict(report.tree) == truth
                if previous is None:
                    assert report.changes == {}
                else:
                    assert sorted(report.changes) == diff(previous, truth)
                    for path, (before, after) in report.changes.items():
                        assert (before, after) == (previous.get(path), truth.get(path))
                previous = truth
        finally:
            watched.close()
            walked.close()


def test_after_the_first_walk_a_scan_looks_only_at_what_changed(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    for n in range(50):
        _write(root, f"d{n % 5}/f{n}.txt", b"x")
    snaps = snapshots(tmp_path / "undo.db", watch=True)
    assert snaps.scan(root, [], 1 << 20).walked
    quiet = snaps.scan(root, [], 1 << 20)
    assert not quiet.walked and quiet.changes == {} and quiet.read == 0
    _write(root, "d3/new/deeper/g.txt", b"made in a new directory")
    report = snaps.scan(root, [], 1 << 20)
    assert not report.walked
    assert sorted(report.changes) == ["d3/new", "d3/new/deeper", "d3/new/deeper/g.txt"]
    assert report.read == 1


def test_a_directory_replaced_by_a_link_is_not_looked_through(tmp_path: Path) -> None:
    """The watcher reports the paths of the directory as it goes; looked up again, they must
    not be found through the link now in its place (here to a directory outside the folder
    with a path of the same name): neither snapshot nor undo may see outside the folder."""
    root, outside = tmp_path / "ws", tmp_path / "outside"
    _write(root, "d/x", b"x")
    _write(root, "d/y", b"y")
    _write(outside, "x/secret.txt", b"not the folder's")
    snaps = snapshots(tmp_path / "undo.db", watch=True)
    snaps.scan(root, [], 1 << 20)
    shutil.rmtree(root / "d")
    (root / "d").symlink_to(outside)
    report = snaps.scan(root, [], 1 << 20)
    assert not report.walked
    assert sorted(report.changes) == ["d", "d/x", "d/y"]
    assert sorted(report.tree) == ["d"]


def test_a_lost_event_queue_falls_back_to_a_full_walk(tmp_path: Path) -> None:
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text(encoding="utf-8"))
    root = tmp_path / "ws"
    _write(root, "f.txt", b"x")
    _write(root, "h.txt", b"x")
    snaps = snapshots(tmp_path / "undo.db", watch=True)
    snaps.scan(root, [], 1 << 20)
    for n in range(limit + 10):  # alternating, so the kernel cannot merge them: it overflows
        os.chmod(root / ("f.txt", "h.txt")[n % 2], 0o600 if n % 4 < 2 else 0o644)
    _write(root, "g.txt", b"made after the overflow")
    report = snaps.scan(root, [], 1 << 20)
    assert report.walked
    assert "g.txt" in report.changes


def test_changed_settings_walk_again(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    _write(root, "keep.txt", b"k")
    _write(root, "drop.log", b"d")
    snaps = snapshots(tmp_path / "undo.db", watch=True)
    snaps.scan(root, [], 1 << 20)
    report = snaps.scan(root, ["*.log"], 1 << 20)
    assert report.walked and list(report.changes) == ["drop.log"]
    assert snaps.rules(root) is not None and snaps.rules(root).exclude == ("*.log",)  # type: ignore[union-attr]


def test_watching_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WATCH_ENV, "0")
    root = tmp_path / "ws"
    _write(root, "f.txt", b"x")
    snaps = snapshots(tmp_path / "undo.db", watch=True)
    snaps.scan(root, [], 1 << 20)
    assert snaps.scan(root, [], 1 << 20).walked


def test_the_filesystem_type_comes_from_the_mount_table() -> None:
    assert filesystem_type(Path("/proc/self")) == "proc"
    assert filesystem_type(Path("/")) != ""


def test_a_folder_opened_through_a_symlink_is_watched_where_it_is(tmp_path: Path) -> None:
    real = tmp_path / "real"
    _write(real, "f.txt", b"x")
    (tmp_path / "link").symlink_to(real)
    root = tmp_path / "link"
    snaps = snapshots(tmp_path / "undo.db", watch=True)
    snaps.scan(root, [], 1 << 20)
    _write(root, "g.txt", b"new at the top")
    report = snaps.scan(root, [], 1 << 20)
    assert not report.walked and list(report.changes) == ["g.txt"]


def test_generation_tells_a_change_before_any_scan(tmp_path: Path) -> None:
    """What suggestions' "nothing changed" / "stale" read: no scan, no cost to runs."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / "a.py").write_text("one\n")
    snaps = snapshots(tmp_path / "undo.db", watch=True)
    try:
        assert snaps.generation(root) is None  # never scanned here: unknown
        snaps.scan(root, [], 1 << 20)
        first = snaps.generation(root)
        assert first is not None
        snaps.scan(root, [], 1 << 20)
        assert snaps.generation(root) == first  # nothing changed
        (root / "a.py").write_text("two\n")
        changed = snaps.generation(root)
        assert changed is not None and changed > first  # pending, not scanned yet
        snaps.scan(root, [], 1 << 20)
        assert snaps.generation(root) == changed  # the scan read it: same number
    finally:
        snaps.close()
