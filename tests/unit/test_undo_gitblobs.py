"""Snapshots of a git work tree name the blobs git already keeps: the first snapshot of a
committed repository reads and stores nothing, yet an undo stays byte-exact whatever git does
between the run and the undo (a commit, another branch, a stash, a gc that prunes the blobs),
and no program the repository configures ever runs."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from intentls.settings import UndoSettings
from intentls.undo.core import UndoCore
from intentls.undo.gitindex import GIT_REF, GitIndex, Repository, converted_paths
from intentls.undo.records import EditorView, Prepared
from tests.hostile import arm, fired
from tests.unit.toolkit import git, init_repo

SETTINGS = UndoSettings()


def work_tree(root: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            path = Path(dirpath) / name
            out[path.relative_to(root).as_posix()] = (path.read_bytes(), path.stat().st_mode)
    return out


@pytest.fixture
def committed(tmp_path: Path) -> Path:
    return committed_repo(tmp_path / "repo")


def committed_repo(repo: Path) -> Path:
    """22 committed files (one executable, one binary) in src/ and at the top, none of them
    racy for git."""
    init_repo(repo)
    for n in range(20):
        path = repo / "src" / f"m{n}.py"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(f"# module {n}\n".encode() * (n + 1))
    (repo / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (repo / "run.sh").chmod(0o755)
    (repo / "bin.dat").write_bytes(bytes(range(256)) * 8)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "tree")
    time.sleep(0.02)  # the index is older than nothing: no entry is racy for git
    git(repo, "update-index", "--really-refresh")
    return repo


def run_and_undo(core: UndoCore, repo: Path, between: Callable[[], None]) -> None:
    """A run rewrites, deletes and adds files; `between` does something to git; the undo must
    bring back exactly the tree as it was."""
    before = work_tree(repo)
    core.recording.begin(repo, "r1", "$ change", SETTINGS, time.time())
    (repo / "src" / "m3.py").write_text("rewritten\n")
    (repo / "src" / "m4.py").unlink()
    (repo / "run.sh").unlink()
    (repo / "bin.dat").write_bytes(b"\0")
    (repo / "new.txt").write_text("new\n")
    changes = core.recording.end("r1", SETTINGS, {}, time.time())
    assert changes.undoable and len(changes.changed_files) == 5
    between()
    prepared = core.preparing.prepare_undo(repo, None, None, False, EditorView(), SETTINGS)
    assert isinstance(prepared, Prepared)
    result = core.commits.commit(prepared, frozenset()).result
    assert not result.conflicts
    assert work_tree(repo) == before


def test_the_first_snapshot_of_a_committed_repository_stores_nothing(
    core: UndoCore, committed: Path
) -> None:
    (committed / "untracked.txt").write_text("mine\n")
    (committed / "src" / "m1.py").write_text("modified, not staged\n")
    report = core.snapshots.scan(committed, [], SETTINGS.max_file_bytes)
    assert report.read == 2, "only the untracked and the modified file are read"
    hashes = {p: s.hash for p, s in report.tree.items() if s.kind == "file"}
    assert hashes["src/m0.py"] == GIT_REF + git(committed, "rev-parse", "HEAD:src/m0.py").strip()
    assert hashes["run.sh"].startswith(GIT_REF)
    assert not hashes["untracked.txt"].startswith(GIT_REF)
    assert not hashes["src/m1.py"].startswith(GIT_REF)
    stored = core.conn.execute("SELECT count(*) FROM blobs").fetchone()[0]
    assert stored == 2


@pytest.mark.parametrize(
    "between",
    ["commit", "checkout", "stash", "gc"],
)
def test_undo_is_byte_exact_whatever_git_did_since(
    core: UndoCore, committed: Path, between: str
) -> None:
    repo = committed
    old_blob = git(repo, "rev-parse", "HEAD:src/m3.py").strip()

    def act() -> None:
        if between == "commit":
            git(repo, "add", "-A")
            git(repo, "commit", "-qm", "the run's work")
        elif between == "checkout":
            git(repo, "checkout", "-q", "-b", "other")
            (repo / "docs.md").write_text("on another branch\n")
            git(repo, "add", "docs.md")
            git(repo, "commit", "-qm", "docs")
            (repo / "docs.md").unlink()  # leave the run's files as the run left them
            git(repo, "rm", "-q", "--cached", "docs.md")
        elif between == "stash":
            (repo / "scratch.txt").write_text("x\n")
            git(repo, "stash", "push", "-q", "-u", "--", "scratch.txt")
        else:  # the old blobs become unreachable and are pruned
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "--amend", "-m", "rewritten history")
            git(repo, "reflog", "expire", "--expire=now", "--all")
            git(repo, "gc", "-q", "--prune=now")
            probe = os.system(f"git -C {repo} cat-file -e {old_blob} 2>/dev/null")
            assert probe != 0, "the blob is gone from git"

    run_and_undo(core, repo, act)


def test_a_repository_that_configures_programs_runs_none_of_them(
    core: UndoCore, committed: Path, tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    traps = arm(committed, markers)
    assert {"core.fsmonitor", "filter.clean", "hook.post-index-change"} <= set(traps)
    (committed / ".gitattributes").write_text("*.dat filter=evil diff=evil merge=evil\n")
    git(committed, "-c", "core.hooksPath=/dev/null", "add", ".gitattributes")
    git(committed, "-c", "core.hooksPath=/dev/null", "update-index", "--really-refresh")
    for stray in markers.iterdir():
        stray.unlink()  # the setting up itself
    report = core.snapshots.scan(committed, [], SETTINGS.max_file_bytes)
    assert report.read == 1, "bin.dat has a filter: its bytes may not be its blob's"
    run_and_undo(core, committed, lambda: None)
    assert fired(markers) == []


def test_index_entries_git_would_not_trust_are_read(core: UndoCore, committed: Path) -> None:
    index = committed / ".git" / "index"
    os.utime(index, ns=(0, 0))  # every entry is now no older than the index: racy
    report = core.snapshots.scan(committed, [], SETTINGS.max_file_bytes)
    assert report.read == 22
    # read, their bytes are still recognised as the blobs git keeps: nothing stored
    assert core.conn.execute("SELECT count(*) FROM blobs").fetchone()[0] == 0


def test_files_git_converts_are_read_not_named_by_their_blob(
    core: UndoCore, committed: Path
) -> None:
    (committed / "src" / ".gitattributes").write_text("m1.py text eol=crlf\nm2.py -text\n")
    report = core.snapshots.scan(committed, [], SETTINGS.max_file_bytes)
    hashes = {p: s.hash or "" for p, s in report.tree.items()}
    assert report.read == 2, "m1.py (eol conversion) and the untracked .gitattributes"
    assert hashes["src/m2.py"].startswith(GIT_REF), "-text: no conversion"
    repo = Repository.find(committed)
    assert repo is not None
    assert converted_paths(repo, ["src/m2.py", "run.sh"]) == set()
    git(committed, "config", "core.autocrlf", "input")
    index = GitIndex(repo)
    index.entries()
    assert index.converted(["src/m2.py"], False) is None, "every text file may differ"


@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_the_index_is_read_in_every_version(committed: Path, version: str) -> None:
    git(committed, "update-index", "--index-version", version)
    git(committed, "update-index", "--skip-worktree", "src/m2.py")
    blobs = GitIndex(Repository(committed, committed / ".git" / "index", "src/")).entries().usable()
    listed = dict(
        (line.split()[3].removeprefix("src/"), line.split()[1])
        for line in git(committed, "ls-files", "-s", "src").splitlines()
    )
    assert blobs == {p: o for p, o in listed.items() if p != "m2.py"}


def test_a_warm_up_snapshots_ahead_and_the_next_run_still_learns_what_was_edited(
    core: UndoCore, committed: Path
) -> None:
    core.recording.scan(committed, SETTINGS)
    (committed / "src" / "m5.py").write_text("edited between runs\n")
    assert core.recording.warm(committed, SETTINGS) == 23  # 22 files and src
    edited = core.recording.begin(committed, "r", "$ true", SETTINGS, time.time())
    assert edited == ["src/m5.py"]
    assert core.recording.end("r", SETTINGS, {}, time.time()).changed_files == []


def test_a_subfolder_and_a_linked_worktree_name_their_blobs(
    core: UndoCore, committed: Path, tmp_path: Path
) -> None:
    sub = core.snapshots.scan(committed / "src", [], SETTINGS.max_file_bytes)
    assert (
        sub.read == 0
        and sub.tree["m0.py"].hash
        == GIT_REF + git(committed, "rev-parse", "HEAD:src/m0.py").strip()
    )
    linked = tmp_path / "linked"
    git(committed, "worktree", "add", "-q", str(linked))
    time.sleep(0.02)
    git(linked, "update-index", "--really-refresh")
    first = core.snapshots.scan(linked, [], SETTINGS.max_file_bytes)
    assert first.read == 0, "the linked worktree's own index (.git is a file) names every blob"
    run_and_undo(core, linked, lambda: None)
