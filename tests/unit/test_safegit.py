"""The safe git runner against a hostile repository: no program the repository configures
runs in an untrusted folder; in a trusted one hooks, fsmonitor and filters still never run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from intentls.safegit import GitError, SafeGit, base_env, overrides, parse_listing
from intentls.tools.base import ToolError
from intentls.undo import gitsteps
from tests.hostile import arm, fired
from tests.unit.toolkit import do, git

ALWAYS_OFF = ("hook.", "included-hook.", "core.fsmonitor", "included.fsmonitor", "filter.")


def _chores(repo: Path, trusted: bool) -> list[dict[str, Any]]:
    """Every git tool once, in a hostile repository; the git inverse operations recorded."""
    ops: list[dict[str, Any]] = []
    (repo / "a.txt").write_text("two\n")
    ops += do(repo, "git.status", {}, trusted=trusted).ops
    ops += do(repo, "git.stage", {"paths": ["a.txt"]}, trusted=trusted).ops
    ops += do(repo, "git.commit", {"message": "m"}, trusted=trusted).ops
    (repo / "a.txt").write_text("three\n")
    ops += do(repo, "git.stash", {}, trusted=trusted).ops
    ops += do(repo, "git.branch", {"name": "side", "create": True}, trusted=trusted).ops
    ops += do(repo, "git.branch", {"name": "main", "create": False}, trusted=trusted).ops
    return ops


def test_untrusted_hostile_repository_runs_nothing(repo: Path, tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    traps = arm(repo, markers)
    assert len(traps) > 30
    ops = _chores(repo, trusted=False)
    assert fired(markers) == []
    steps, refused = gitsteps.recorded(repo, ops[1:])  # all but the stage, undone by the commit's
    assert refused == [] and gitsteps.changed_since(steps) is None
    assert gitsteps.undo(steps, trusted=False) is None
    assert git(repo, "log", "--format=%s").split() == ["first"]
    assert (repo / "a.txt").read_text() == "three\n"
    assert fired(markers) == []


def test_trusted_folder_signs_with_its_program_but_runs_no_hook(repo: Path, tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    arm(repo, markers)
    with pytest.raises(ToolError, match="git commit failed"):
        _chores(repo, trusted=True)
    assert "gpg.program" in fired(markers), "the trap is real: a trusted commit signs"
    assert [m for m in fired(markers) if m.startswith(ALWAYS_OFF)] == []


def test_repository_that_moves_its_work_tree_is_refused_untrusted(repo: Path) -> None:
    git(repo, "config", "core.worktree", "/")
    with pytest.raises(GitError, match=r"core\.worktree"):
        SafeGit(repo, trusted=False).run(["status"])


def test_inherited_git_variables_are_dropped() -> None:
    env = base_env({"GIT_DIR": "/elsewhere", "GIT_CONFIG_PARAMETERS": "'x.y=z'", "HOME": "/h"})
    assert env["HOME"] == "/h" and "GIT_DIR" not in env and "GIT_CONFIG_PARAMETERS" not in env
    assert env["GIT_TERMINAL_PROMPT"] == "0"


def test_untrusted_keeps_only_allowed_repository_keys() -> None:
    listing = b"local\0user.name\nMe\0local\0gpg.program\n/x\0global\0gpg.program\n/y\0"
    listing += b"local\0filter.Lfs.clean\n/z\0local\0include.path\n/i\0worktree\0foo.bar\n1\0"
    pairs = dict(overrides(parse_listing(listing), trusted=False))
    assert pairs["gpg.program"] == "" and pairs["foo.bar"] == ""
    assert pairs["filter.Lfs.clean"] == "cat" and pairs["core.hooksPath"]
    assert "user.name" not in pairs and "include.path" not in pairs
    trusted = dict(overrides(parse_listing(listing), trusted=True))
    assert "gpg.program" not in trusted and trusted["filter.Lfs.clean"] == "cat"


def test_a_missing_directory_is_said_so(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="is not a directory"):
        SafeGit(tmp_path / "gone", trusted=False).run(["status"])
