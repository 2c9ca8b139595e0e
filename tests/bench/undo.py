"""Undo's costs, beside `git status` on the same tree, measured in the same run: the snapshots
added to a no-op run (10k and 100k files; goals ≤ 10 ms / ≤ 20 ms), the undo of a run that
changed 1,000 files (goal ≤ 300 ms), and store growth when nothing changed (goal ≈ 0 bytes)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from intentls.settings import UndoSettings
from intentls.undo.core import UndoCore
from intentls.undo.inotify import WATCH_ENV
from intentls.undo.records import EditorView, Prepared
from tests.bench.stats import median, row

SETTINGS = UndoSettings()
SIZES = [10_000, 100_000]
REPEAT = 7


def _make_tree(root: Path, files: int) -> None:
    per_dir = 100
    for n in range(files):
        d = root / f"d{n // per_dir:04}"
        if n % per_dir == 0:
            d.mkdir(parents=True)
        (d / f"f{n:06}.txt").write_text(f"line {n}\n" * 4, encoding="utf-8")
    (root / ".gitignore").write_text("build/\n*.o\n", encoding="utf-8")


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _git_status_ms(root: Path) -> float:
    samples = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        _git(root, "status", "--porcelain")
        samples.append((time.perf_counter() - start) * 1000)
    return median(samples)


def _stat_walk_ms(root: Path) -> float:
    """The physical baseline of a snapshot without a watcher: lstat every path once."""
    samples = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        for directory, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != ".git"]
            for name in files:
                os.lstat(os.path.join(directory, name))
        samples.append((time.perf_counter() - start) * 1000)
    return median(samples)


def _noop_run_ms(core: UndoCore, root: Path) -> float:
    samples = []
    for n in range(REPEAT):
        start = time.perf_counter()
        core.recording.begin(root, f"noop{n}", "$ true", SETTINGS, time.time())
        core.recording.end(f"noop{n}", SETTINGS, {}, time.time())
        samples.append((time.perf_counter() - start) * 1000)
    return median(samples)


def _one_size(tmp: Path, files: int) -> None:
    root = tmp / f"ws{files}"
    root.mkdir()
    start = time.perf_counter()
    _make_tree(root, files)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "tree")
    made = time.perf_counter() - start
    core = UndoCore(tmp / f"undo{files}.db")
    start = time.perf_counter()
    core.snapshots.scan(root, [], SETTINGS.max_file_bytes)
    first = (time.perf_counter() - start) * 1000
    core.snapshots.clock = lambda: time.time_ns() + 1_000_000_000  # past the racy window
    core.snapshots.scan(root, [], SETTINGS.max_file_bytes)
    core.snapshots.clock = time.time_ns
    status = _git_status_ms(root)
    stored = core.blobs.total_bytes()
    db = tmp / f"undo{files}.db"
    size_before = db.stat().st_size + _wal(db)
    noop = _noop_run_ms(core, root)
    growth = core.blobs.total_bytes() - stored
    size_after = db.stat().st_size + _wal(db)
    walk = _stat_walk_ms(root)
    unwatched = _unwatched_noop_ms(tmp / f"undo{files}.db", root)
    print(f"  {files} files (tree made and committed in {made:.0f} s)")
    row("first snapshot (committed: named by git blobs)", f"{first:.0f} ms")
    row(
        "snapshots added to a no-op run (2 scans)", f"{noop:.2f} ms", f"[goal <= {_goal(files)} ms]"
    )
    row(
        "git status --porcelain, same tree",
        f"{status:.1f} ms",
        f"(first snapshot ÷ it {first / status:.1f}x; no-op snapshots ÷ it {noop / status:.3f}x)",
    )
    row(
        "a stat of every file (os.walk + lstat)",
        f"{walk:.1f} ms",
        f"(no-op ÷ it {noop / walk:.3f}x)",
    )
    row("the same without the watcher (2 stat walks)", f"{unwatched:.1f} ms")
    row("store growth over no-op runs: blobs", f"{growth} B", "[goal ~ 0]")
    row("undo.db file growth over no-op runs", f"{size_after - size_before} B")
    core.close()


def _unwatched_noop_ms(db: Path, root: Path) -> float:
    os.environ[WATCH_ENV] = "0"
    try:
        core = UndoCore(db)
        core.snapshots.scan(root, [], SETTINGS.max_file_bytes)
        return _noop_run_ms(core, root)
    finally:
        del os.environ[WATCH_ENV]
        core.close()


def _wal(db: Path) -> int:
    wal = Path(f"{db}-wal")
    return wal.stat().st_size if wal.exists() else 0


def _goal(files: int) -> int:
    return 10 if files <= 10_000 else 20


def _undo_1000(tmp: Path) -> None:
    root = tmp / "ws-undo"
    _make_tree(root, 10_000)
    core = UndoCore(tmp / "undo-undo.db")
    core.recording.begin(root, "r", "$ rewrite 1000 files", SETTINGS, time.time())
    for n in range(1000):
        path = root / f"d{n // 100:04}" / f"f{n:06}.txt"
        if n % 2:
            path.unlink()
        else:
            path.write_text("rewritten\n", encoding="utf-8")
    changes = core.recording.end("r", SETTINGS, {}, time.time())
    assert len(changes.changed_files) == 1000
    start = time.perf_counter()
    prepared = core.preparing.prepare_undo(root, None, None, False, EditorView(), SETTINGS)
    assert isinstance(prepared, Prepared)
    result = core.commits.commit(prepared, frozenset()).result
    took = (time.perf_counter() - start) * 1000
    assert len(result.restored) == 1000 and not result.conflicts
    core.close()
    baseline = _same_writes_ms(root)
    row("undo of a run that changed 1,000 files", f"{took:.0f} ms", "[goal <= 300 ms]")
    row(
        "the same writes, plain (500 created, 500 rewritten)",
        f"{baseline:.0f} ms",
        f"(ratio {took / baseline:.1f}x)",
    )


def _same_writes_ms(root: Path) -> float:
    """The physical floor of that undo: the same files written back with plain system calls."""
    for n in range(1, 1000, 2):
        (root / f"d{n // 100:04}" / f"f{n:06}.txt").unlink()
    start = time.perf_counter()
    for n in range(1000):
        path = root / f"d{n // 100:04}" / f"f{n:06}.txt"
        flags = os.O_WRONLY | (os.O_CREAT | os.O_EXCL if n % 2 else 0)
        fd = os.open(path, flags, 0o644)
        os.write(fd, f"line {n}\n".encode() * 4)
        os.ftruncate(fd, len(f"line {n}\n") * 4)
        os.close(fd)
    return (time.perf_counter() - start) * 1000


async def main() -> None:
    budget = time.perf_counter() + float(os.environ.get("INTENTLS_BENCH_UNDO_S", "90"))
    print("undo: snapshot cost beside git status, undo of 1,000 files, store growth")
    with tempfile.TemporaryDirectory(prefix="intentls-bench-undo-") as tmp:
        for files in SIZES:
            if files > 10_000 and time.perf_counter() > budget - 60:
                print(f"  {files} files: skipped (time budget)")
                continue
            _one_size(Path(tmp), files)
        _undo_1000(Path(tmp))
    print()
