"""The content store, eligibility (.gitignore, excludes) and snapshots, on real files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from pathspec import GitIgnoreSpec

from intentls.undo.core import UndoCore
from intentls.undo.database import open_undo_database
from intentls.undo.eligible import Eligibility, Level
from intentls.undo.snapshot import Snapshots
from intentls.undo.store import BlobStore, MissingBlob, State, digest


def write(root: Path, rel: str, data: str | bytes = "x") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def eligible(root: Path, exclude: list[str] | None = None) -> list[str]:
    return sorted(rel for rel, _ in Eligibility(root, exclude or []).walk())


@pytest.fixture
def snaps(tmp_path: Path) -> Snapshots:
    conn = open_undo_database(tmp_path / "undo.db")
    return Snapshots(conn, BlobStore(conn))


def test_blobs_are_compressed_deduplicated_and_verified(tmp_path: Path) -> None:
    conn = open_undo_database(tmp_path / "undo.db")
    store = BlobStore(conn)
    data = b"hello " * 10_000
    key = store.put(data)
    assert store.put(data) == key
    assert conn.execute("SELECT COUNT(*) FROM blobs").fetchone() == (1,)
    assert store.total_bytes() < len(data) // 10
    assert store.get(key) == data
    assert store.get(store.put(b"")) == b""
    with pytest.raises(MissingBlob):
        store.get("0" * 64)


def test_gitignore_at_every_level_with_negation(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    write(root, ".gitignore", "*.log\nbuild/\n!keep.log\n")
    write(root, "a.log")
    write(root, "keep.log")
    write(root, "build/out.o")
    write(root, "src/.gitignore", "gen/\n!a.log\n*.tmp\n")
    write(root, "src/a.log")
    write(root, "src/b.log")
    write(root, "src/x.tmp")
    write(root, "src/gen/g.py")
    write(root, "src/main.py")
    write(root, ".git/config")
    write(root, ".git/info/exclude", "secret.txt\n")
    write(root, "secret.txt")
    assert eligible(root) == [
        ".gitignore",
        "keep.log",
        "src",
        "src/.gitignore",
        "src/a.log",
        "src/main.py",
    ]


def test_anchored_patterns_and_excludes(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    write(root, ".gitignore", "/top.txt\ndocs/*.html\n")
    write(root, "top.txt")
    write(root, "sub/top.txt")
    write(root, "docs/a.html")
    write(root, "docs/deep/b.html")
    write(root, "node_modules/pkg/index.js")
    write(root, "data/big.csv")
    assert eligible(root, ["node_modules", "*.csv"]) == [
        ".gitignore",
        "data",
        "docs",
        "docs/deep",
        "docs/deep/b.html",
        "sub",
        "sub/top.txt",
    ]


def test_first_snapshot_stores_everything_then_only_changes(
    tmp_path: Path, snaps: Snapshots
) -> None:
    root = tmp_path / "ws"
    for n in range(20):
        write(root, f"f{n}.txt", f"content {n}")
    first = snaps.scan(root, [], 1 << 20)
    assert first.read == 20
    snaps.clock = lambda: time.time_ns() + 1_000_000_000  # the racy window has passed
    snaps.scan(root, [], 1 << 20)
    quiet = snaps.scan(root, [], 1 << 20)
    assert quiet.read == 0, "nothing changed, nothing read"
    write(root, "f3.txt", "changed")
    again = snaps.scan(root, [], 1 << 20)
    assert again.read == 1
    assert list(again.changes) == ["f3.txt"]
    assert again.changes["f3.txt"][1] == State("file", 0o644, digest(b"changed"), None, 7)


def test_a_racy_file_is_read_again(tmp_path: Path, snaps: Snapshots) -> None:
    root = tmp_path / "ws"
    path = write(root, "a.txt", "one")
    snaps.scan(root, [], 1 << 20)
    before = path.stat()
    path.write_text("two", encoding="utf-8")  # same size; maybe the same timestamp tick
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    tree = snaps.scan(root, [], 1 << 20).tree
    assert tree["a.txt"].hash == digest(b"two")


def test_states_keep_mode_links_empty_and_binary(tmp_path: Path, snaps: Snapshots) -> None:
    root = tmp_path / "ws"
    write(root, "run.sh", "#!/bin/sh\n").chmod(0o755)
    write(root, "empty", "")
    write(root, "blob.bin", bytes(range(256)) * 3)
    os.symlink("run.sh", root / "link")
    os.symlink("/nowhere", root / "dangling")
    os.mkfifo(root / "fifo")
    tree = snaps.scan(root, [], 1 << 20).tree
    assert tree["run.sh"].mode == 0o755 and tree["run.sh"].kind == "file"
    assert tree["empty"].size == 0
    assert tree["link"] == State("link", tree["link"].mode, None, "run.sh")
    assert tree["dangling"].target == "/nowhere"
    assert "fifo" not in tree


def test_big_files_are_not_stored(tmp_path: Path, snaps: Snapshots) -> None:
    root = tmp_path / "ws"
    write(root, "big.bin", b"x" * 2000)
    report = snaps.scan(root, [], 1000)
    assert not report.tree["big.bin"].restorable
    assert report.too_big == ["big.bin"]


def test_a_changed_big_file_makes_the_run_partially_undoable(tmp_path: Path) -> None:
    from intentls.settings import UndoSettings

    root = tmp_path / "ws"
    write(root, "big.bin", b"x" * 2000)
    write(root, "small.txt", "s")
    core = UndoCore(tmp_path / "undo.db")
    settings = UndoSettings(max_file_bytes=1000)
    core.recording.begin(root, "r1", "$ edit", settings, time.time())
    write(root, "big.bin", b"y" * 3000)
    write(root, "small.txt", "t")
    changes = core.recording.end("r1", settings, {}, time.time())
    assert changes.changed_files == ["big.bin", "small.txt"]
    assert not changes.undoable
    assert "big.bin" in changes.warnings[0].message


@pytest.mark.parametrize(
    "lines",
    [
        ["build/", "*.o", "/top", "docs/**/*.tmp", "a?c", "[ab]x", "node_modules"],
        ["*.log", "!keep.log", "out/"],
        ["# only a comment", "   "],
    ],
)
def test_one_expression_for_a_levels_rules_says_what_pathspec_says(lines: list[str]) -> None:
    spec = GitIgnoreSpec.from_lines(lines)
    level = Level("", spec)
    probes = ["build/", "a/build/", "build", "x.o", "a/b/x.o", "top", "top/", "a/top", "abc"]
    probes += ["docs/a/b.tmp", "docs/b.tmp", "ax", "cx/", "node_modules/", "w/node_modules/"]
    probes += ["keep.log", "a/keep.log", "x.log", "out/", "src/x.c"]
    for probe in probes:
        expected = spec.check_file(probe).include
        assert level.ignores(probe) == (None if expected is None else bool(expected)), probe
