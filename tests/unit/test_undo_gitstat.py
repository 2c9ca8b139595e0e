"""git's index as the stat cache of tracked files: a file whose `lstat` matches its (not racy)
index entry is known by its blob with no read and no row of its own; everything else is read.
The guard git itself uses (an entry modified no earlier than the index was written proves
nothing) holds; an index intentls cannot use (split, sparse) means every file is read; the
folder's tree persisted that way is exact for the next process."""

from __future__ import annotations

import hashlib
import os
import struct
import time
from pathlib import Path

import pytest

from intentls.settings import UndoSettings
from intentls.undo import snapshot
from intentls.undo.core import UndoCore
from intentls.undo.gitindex import GIT_REF
from intentls.undo.records import EditorView, Prepared
from intentls.undo.store import digest
from tests.unit.test_undo_gitblobs import committed_repo, work_tree
from tests.unit.toolkit import git, init_repo

SETTINGS = UndoSettings()
LIMIT = SETTINGS.max_file_bytes


@pytest.fixture
def committed(tmp_path: Path) -> Path:
    return committed_repo(tmp_path / "repo")


def rows(core: UndoCore) -> int:
    return int(core.conn.execute("SELECT count(*) FROM entries").fetchone()[0])


def entry_at(index: bytes, name: str) -> int:
    """Where a version 2 index entry starts (62 fixed bytes, the name, NUL padding to 8)."""
    pos = 12
    for _ in range(struct.unpack_from(">I", index, 8)[0]):
        length = struct.unpack_from(">H", index, pos + 60)[0] & 0x0FFF
        if index[pos + 62 : pos + 62 + length] == name.encode():
            return pos
        pos += (62 + length + 8) & ~7
    raise KeyError(name)


def record_stat(repo: Path, name: str) -> None:
    """Make the index entry of `name` record the file's present stat without git hashing it
    again — what git writes when the file changes within the timestamp tick it was hashed in
    (same size, and coarse timestamps that did not move)."""
    path = repo / ".git" / "index"
    index = bytearray(path.read_bytes())
    st = (repo / name).lstat()
    at = entry_at(bytes(index), name)
    struct.pack_into(
        ">4I", index, at, *divmod(st.st_ctime_ns, 10**9), *divmod(st.st_mtime_ns, 10**9)
    )
    index[-20:] = hashlib.sha1(index[:-20]).digest()
    path.write_bytes(bytes(index))


def test_a_committed_tree_gets_no_row_and_no_read(core: UndoCore, committed: Path) -> None:
    report = core.snapshots.scan(committed, [], LIMIT)
    assert report.read == 0 and report.changes == {}, "a first snapshot compares with nothing"
    assert rows(core) == 1, "one row: the directory src (files are known by their blob)"
    assert report.tree["run.sh"].hash == GIT_REF + git(committed, "rev-parse", ":run.sh").strip()
    assert report.tree["run.sh"].mode == 0o755 and report.tree["bin.dat"].size == 2048


def test_an_entry_modified_in_the_same_tick_as_the_index_write_is_read(
    core: UndoCore, committed: Path, tmp_path: Path
) -> None:
    target = committed / "src" / "m3.py"
    blob = git(committed, "rev-parse", ":src/m3.py").strip()
    target.write_bytes(target.read_bytes().upper())  # same size, other bytes
    record_stat(committed, "src/m3.py")  # git saw this stat, and the old bytes
    index = committed / ".git" / "index"
    mtime = target.lstat().st_mtime_ns
    os.utime(index, ns=(mtime, mtime))  # written within the file's tick: racy for git
    report = core.snapshots.scan(committed, [], LIMIT)
    assert report.read == 1
    assert report.tree["src/m3.py"].hash == digest(target.read_bytes())
    # The same index one second younger: git trusts the stat, so do we (this is what the guard
    # is for: stat alone cannot tell these bytes from the blob's).
    os.utime(index, ns=(mtime + 10**9, mtime + 10**9))
    other = UndoCore(tmp_path / "other.db")
    try:
        trusted = other.snapshots.scan(committed, [], LIMIT)
        assert trusted.read == 0 and trusted.tree["src/m3.py"].hash == GIT_REF + blob
    finally:
        other.close()


def test_a_file_changed_after_the_index_write_with_the_same_size_is_read(
    core: UndoCore, committed: Path
) -> None:
    core.snapshots.scan(committed, [], LIMIT)
    target = committed / "src" / "m5.py"
    before = target.lstat()
    target.write_bytes(target.read_bytes().upper())
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # only the ctime tells
    report = core.snapshots.scan(committed, [], LIMIT)
    assert report.read == 1 and list(report.changes) == ["src/m5.py"]
    assert report.tree["src/m5.py"].hash == digest(target.read_bytes())


def test_untracked_and_modified_files_are_read_and_stored(core: UndoCore, committed: Path) -> None:
    (committed / "notes.txt").write_text("untracked\n")
    (committed / "src" / "m1.py").write_text("modified\n")
    report = core.snapshots.scan(committed, [], LIMIT)
    assert report.read == 2
    assert report.tree["notes.txt"].hash == digest(b"untracked\n")
    assert rows(core) == 3, "src, notes.txt, src/m1.py"
    assert core.blobs.has(digest(b"modified\n"))


def test_a_repository_without_an_index_yet(core: UndoCore, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    init_repo(repo)
    (repo / "a.txt").write_text("a\n")
    core.snapshots.clock = lambda: time.time_ns() + 10**9  # a.txt is not racy for the scan
    first = core.snapshots.scan(repo, [], LIMIT)
    assert first.read == 1 and first.tree["a.txt"].hash == digest(b"a\n")
    git(repo, "add", "a.txt")
    again = core.snapshots.scan(repo, [], LIMIT)
    assert again.read == 0 and again.changes == {}, "its own row still vouches for it"


@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_every_index_version_is_a_stat_cache(core: UndoCore, committed: Path, version: str) -> None:
    git(committed, "update-index", "--index-version", version)
    time.sleep(0.02)
    git(committed, "update-index", "--really-refresh")
    report = core.snapshots.scan(committed, [], LIMIT)
    assert report.read == 0 and rows(core) == 1


@pytest.mark.parametrize("mode", ["split", "sparse"])
def test_an_index_intentls_cannot_read_means_every_file_is_read(
    core: UndoCore, committed: Path, mode: str
) -> None:
    if mode == "split":
        git(committed, "update-index", "--split-index")
    else:
        git(committed, "sparse-checkout", "init", "--cone", "--sparse-index")
        git(committed, "sparse-checkout", "set", "src")
    report = core.snapshots.scan(committed, [], LIMIT)
    assert report.read == len(work_tree(committed))
    assert not any((s.hash or "").startswith(GIT_REF) for s in report.tree.values())


def test_the_next_process_knows_the_tree_exactly(tmp_path: Path, committed: Path) -> None:
    """The files known by their blob are persisted as a baseline; what changed in git and in
    the tree between two processes is seen as it was, and an undo is byte-exact."""
    db = tmp_path / "undo.db"
    first = UndoCore(db)
    first.snapshots.scan(committed, [], LIMIT)
    first.close()
    old_m2 = GIT_REF + git(committed, "rev-parse", ":src/m2.py").strip()
    (committed / "src" / "m2.py").write_text("committed since\n")
    (committed / "src" / "m4.py").unlink()
    git(committed, "commit", "-qam", "between the processes")
    time.sleep(0.02)  # then git refreshes its index: m2.py is not racy for it
    git(committed, "update-index", "--really-refresh")
    second = UndoCore(db)
    try:
        report = second.snapshots.scan(committed, [], LIMIT)
        assert sorted(report.changes) == ["src/m2.py", "src/m4.py"]
        assert report.changes["src/m2.py"][0] is not None
        assert report.changes["src/m2.py"][0].hash == old_m2
        assert report.read == 0, "m2.py: git's index vouches for its new blob"
        third_tree = dict(report.tree)
    finally:
        second.close()
    third = UndoCore(db)
    try:
        again = third.snapshots.scan(committed, [], LIMIT)
        assert again.changes == {} and dict(again.tree) == third_tree, "rows override it"
        before = work_tree(committed)
        third.recording.begin(committed, "r", "$ change", SETTINGS, time.time())
        (committed / "src" / "m7.py").write_text("rewritten\n")
        (committed / "src" / "m2.py").unlink()
        third.recording.end("r", SETTINGS, {}, time.time())
        git(committed, "add", "-A")
        git(committed, "commit", "-qm", "the run's work")
        prepared = third.preparing.prepare_undo(
            committed, None, None, False, EditorView(), SETTINGS
        )
        assert isinstance(prepared, Prepared)
        assert not third.commits.commit(prepared, frozenset()).result.conflicts
        assert work_tree(committed) == before
    finally:
        third.close()


@pytest.mark.parametrize("version", ["2", "4"])
def test_a_tracked_attributes_file_makes_the_files_it_converts_read(
    core: UndoCore, committed: Path, version: str
) -> None:
    (committed / "src" / ".gitattributes").write_text("m1.py text eol=crlf\n")
    git(committed, "add", "src/.gitattributes")
    git(committed, "commit", "-qm", "attributes")
    (committed / "src" / "m1.py").unlink()
    git(committed, "checkout", "--", "src/m1.py")  # CRLF in the work tree, LF in the blob
    assert b"\r\n" in (committed / "src" / "m1.py").read_bytes()
    git(committed, "update-index", "--index-version", version)
    time.sleep(0.02)
    git(committed, "update-index", "--really-refresh")
    report = core.snapshots.scan(committed, [], LIMIT)
    assert report.read == 1, "m1.py: git converts its end of lines, its bytes may differ"
    assert report.tree["src/m1.py"].hash == digest((committed / "src" / "m1.py").read_bytes())
    assert (
        report.tree["src/m2.py"].hash == GIT_REF + git(committed, "rev-parse", ":src/m2.py").strip()
    )


def test_rows_naming_blobs_go_back_into_the_baseline(
    tmp_path: Path, committed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files committed at other blobs since the baseline was made (another branch, a pull)
    are rows; once they pile up, the baseline is made again and takes them."""
    monkeypatch.setattr(snapshot, "REBASE_ROWS", 4)
    db = tmp_path / "undo.db"
    core = UndoCore(db)
    core.snapshots.scan(committed, [], LIMIT)
    for n in range(8):
        (committed / "src" / f"m{n}.py").write_text(f"version 2 of {n}\n")
    git(committed, "commit", "-qam", "another version")
    time.sleep(0.02)
    git(committed, "update-index", "--really-refresh")
    report = core.snapshots.scan(committed, [], LIMIT)
    assert report.read == 0 and len(report.changes) == 8
    assert rows(core) == 9, "src and the 8 files at their new blobs"
    again = core.snapshots.scan(committed, [], LIMIT)  # no watcher is needed for it
    assert again.changes == {} and rows(core) == 1, "only src: the baseline took the files"
    tree = dict(again.tree)
    core.close()
    later = UndoCore(db)
    try:
        reloaded = later.snapshots.scan(committed, [], LIMIT)
        assert reloaded.read == 0 and reloaded.changes == {} and dict(reloaded.tree) == tree
    finally:
        later.close()


def test_a_crashed_run_that_committed_is_recovered_from_the_baseline(
    tmp_path: Path, committed: Path
) -> None:
    """The run changed known files and committed them, then its server died: the next
    server's record of it starts from the persisted baseline (the old blobs), not from git's
    index as the run left it, and its undo is byte-exact."""
    db = tmp_path / "undo.db"
    crashed = UndoCore(db)
    before = work_tree(committed)
    old_m3 = GIT_REF + git(committed, "rev-parse", ":src/m3.py").strip()
    crashed.recording.begin(committed, "r1", "$ edit and commit", SETTINGS, time.time())
    (committed / "src" / "m3.py").write_text("the run's version\n")
    (committed / "src" / "m4.py").unlink()
    git(committed, "commit", "-qam", "the run's commit")
    # the server is killed here: no `end`
    nxt = UndoCore(db)
    try:
        gone = crashed.recording.owner
        assert nxt.recording.recover_interrupted(lambda owner: owner == gone, time.time()) == ["r1"]
        (group,) = nxt.conn.execute("SELECT group_id FROM group_runs WHERE run_id = 'r1'")
        changes = {c.path: c for c in nxt.queries.changes(str(group[0]))}
        assert sorted(changes) == ["src/m3.py", "src/m4.py"]
        was = changes["src/m3.py"].before
        assert was is not None and was.hash == old_m3, "the blob before the run, not after"
        prepared = nxt.preparing.prepare_undo(committed, "r1", None, False, EditorView(), SETTINGS)
        assert isinstance(prepared, Prepared)
        assert not nxt.commits.commit(prepared, frozenset()).result.conflicts
        assert work_tree(committed) == before
    finally:
        nxt.close()
        crashed.close()
