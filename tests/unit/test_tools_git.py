"""git tools against a real repository; each recorded inverse, applied, puts the repository
back as it was."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from intentls.tools.base import ToolError
from tests.unit.toolkit import apply_git_ops, do, git, init_repo


def test_status(repo: Path) -> None:
    (repo / "new.txt").write_text("x")
    done = do(repo, "git.status", {})
    assert done.planned.risk == 0 and done.ops == []
    assert "?? new.txt" in done.lines


def test_stage_and_its_inverse(repo: Path) -> None:
    (repo / "a.txt").write_text("two\n")
    git(repo, "add", "a.txt")
    (repo / "a.txt").write_text("three\n")
    (repo / "b.txt").write_text("b\n")
    index_before = git(repo, "ls-files", "-s")
    done = do(repo, "git.stage", {"paths": ["a.txt", "b.txt"]})
    assert done.planned.risk == 1
    assert git(repo, "diff", "--cached", "--name-only").split() == ["a.txt", "b.txt"]
    apply_git_ops(done.ops)
    assert git(repo, "ls-files", "-s") == index_before


def test_commit_and_its_inverse(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD").strip()
    (repo / "a.txt").write_text("two\n")
    git(repo, "add", "a.txt")
    done = do(repo, "git.commit", {"message": "second one"})
    assert done.lines[0].endswith("second one")
    assert git(repo, "log", "-1", "--format=%s").strip() == "second one"
    apply_git_ops(done.ops)
    assert git(repo, "rev-parse", "HEAD").strip() == head
    assert git(repo, "diff", "--cached", "--name-only").split() == ["a.txt"]


def test_first_commit_and_its_inverse(tmp_path: Path) -> None:
    repo = tmp_path / "fresh"
    init_repo(repo)
    (repo / "a").write_text("a")
    git(repo, "add", "a")
    done = do(repo, "git.commit", {"message": "root"})
    apply_git_ops(done.ops)
    assert subprocess.run(["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=repo).returncode
    assert git(repo, "ls-files") == "a\n"


def test_commit_with_nothing_staged_fails_as_git(repo: Path) -> None:
    with pytest.raises(ToolError) as info:
        do(repo, "git.commit", {"message": "empty"})
    assert info.value.category == "git"


def test_stash_and_its_inverse(repo: Path) -> None:
    (repo / "a.txt").write_text("dirty\n")
    done = do(repo, "git.stash", {"message": "wip"})
    assert (repo / "a.txt").read_text() == "one\n"
    assert "wip" in git(repo, "stash", "list")
    apply_git_ops(done.ops)
    assert (repo / "a.txt").read_text() == "dirty\n"
    assert git(repo, "stash", "list") == ""


def test_stash_with_nothing_to_stash_records_nothing(repo: Path) -> None:
    done = do(repo, "git.stash", {})
    assert done.ops == [] and done.lines == ["no local changes to stash"]


def test_create_branch_switch_and_inverses(repo: Path) -> None:
    created = do(repo, "git.branch", {"name": "feature", "create": True})
    assert created.planned.risk == 1
    assert git(repo, "branch", "--show-current").strip() == "feature"
    switched = do(repo, "git.branch", {"name": "main", "create": False})
    assert switched.planned.risk == 2
    assert git(repo, "branch", "--show-current").strip() == "main"
    apply_git_ops(switched.ops)
    assert git(repo, "branch", "--show-current").strip() == "feature"
    apply_git_ops(created.ops)
    assert git(repo, "branch", "--show-current").strip() == "main"
    assert "feature" not in git(repo, "branch")


def test_bad_branch_name(repo: Path) -> None:
    with pytest.raises(ToolError, match="not a valid branch name"):
        do(repo, "git.branch", {"name": "a..b", "create": True})
