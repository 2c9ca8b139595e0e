"""Built-in git steps undone by their recorded commands, against a real repository and a real
undo.db: only while the repository is as the run left it, after the run's files, never redone;
a record that could run anything else, or outside the folder, is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intentls.model import UndoResult, UndoStatus
from intentls.settings import UndoSettings
from intentls.undo.core import UndoCore
from intentls.undo.gitsteps import recorded
from intentls.undo.records import EditorView
from tests.unit.toolkit import BuiltinRuns, git

SETTINGS = UndoSettings()


@pytest.fixture
def runs(core: UndoCore, repo: Path, tmp_path: Path) -> BuiltinRuns:
    return BuiltinRuns(core, repo, tmp_path / "trash")


def undo(core: UndoCore, repo: Path, paths: list[str] | None = None) -> UndoResult:
    prepared = core.preparing.prepare_undo(repo, None, paths, False, EditorView(), SETTINGS)
    if isinstance(prepared, UndoResult):
        return prepared
    if prepared.status in (UndoStatus.NOTHING, UndoStatus.REFUSED):
        return UndoResult(prepared.run_id, prepared.status, prepared.restored, prepared.conflicts)
    return core.commits.commit(prepared, frozenset()).result


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def test_stage_and_commit_undone_then_redo_refused(
    core: UndoCore, runs: BuiltinRuns, repo: Path
) -> None:
    first = head(repo)
    (repo / "a.txt").write_text("two\n")
    result = runs.run(("git.stage", {"paths": ["."]}), ("git.commit", {"message": "second"}))
    assert (result.changed_files, result.undoable) == ([".git"], True)
    assert core.queries.action(repo, None) is not None
    assert core.queries.action(repo, None).title == "Undo «built-in» (git)"  # type: ignore[union-attr]
    undone = undo(core, repo)
    assert (undone.status, undone.restored) == (UndoStatus.UNDONE, [".git"])
    assert head(repo) == first
    assert git(repo, "status", "--porcelain") == " M a.txt\n", "unstaged again, work tree kept"
    assert (repo / "a.txt").read_text() == "two\n"
    redo = core.preparing.prepare_redo(repo, None, EditorView(), SETTINGS)
    assert isinstance(redo, UndoResult) and redo.status is UndoStatus.REFUSED
    assert "not redone" in redo.conflicts[0].reason


def test_a_commit_made_since_the_run_is_never_lost(
    core: UndoCore, runs: BuiltinRuns, repo: Path
) -> None:
    (repo / "a.txt").write_text("two\n")
    runs.run(("git.stage", {"paths": ["."]}), ("git.commit", {"message": "second"}))
    (repo / "a.txt").write_text("three\n")
    git(repo, "commit", "-q", "-am", "mine")
    mine = head(repo)
    refused = undo(core, repo)
    assert refused.status is UndoStatus.REFUSED
    assert refused.conflicts[0].path == ".git" and "HEAD moved" in refused.conflicts[0].reason
    assert head(repo) == mine


def test_a_new_branch_undone_switches_back_and_deletes_it(
    core: UndoCore, runs: BuiltinRuns, repo: Path
) -> None:
    runs.run(("git.branch", {"name": "feature", "create": True}))
    assert git(repo, "branch", "--show-current").strip() == "feature"
    assert undo(core, repo).status is UndoStatus.UNDONE
    assert git(repo, "branch", "--show-current").strip() == "main"
    assert git(repo, "branch", "--list", "feature") == ""


def test_steps_are_undone_newest_first(core: UndoCore, runs: BuiltinRuns, repo: Path) -> None:
    """The branch can only be deleted once the commit made on it is undone."""
    first = head(repo)
    (repo / "a.txt").write_text("two\n")
    runs.run(
        ("git.branch", {"name": "feature", "create": True}),
        ("git.stage", {"paths": ["a.txt"]}),
        ("git.commit", {"message": "on feature"}),
    )
    assert undo(core, repo).status is UndoStatus.UNDONE
    assert (git(repo, "branch", "--show-current").strip(), head(repo)) == ("main", first)
    assert git(repo, "branch", "--list", "feature") == ""
    assert git(repo, "status", "--porcelain") == " M a.txt\n"


def test_files_after_a_stash_are_undone_first_then_the_stash_is_popped(
    core: UndoCore, runs: BuiltinRuns, repo: Path
) -> None:
    (repo / "a.txt").write_text("uncommitted\n")
    result = runs.run(("git.stash", {}), ("file.append", {"path": "a.txt", "content": "more"}))
    assert result.changed_files == [".git", "a.txt"]
    assert (repo / "a.txt").read_text() == "one\nmore"
    undone = undo(core, repo)
    assert undone.restored == [".git", "a.txt"], undone
    assert (repo / "a.txt").read_text() == "uncommitted\n"
    assert git(repo, "stash", "list") == ""


def test_a_stash_after_file_steps_is_not_undoable(runs: BuiltinRuns, repo: Path) -> None:
    result = runs.run(("file.write", {"path": "a.txt", "content": "written"}), ("git.stash", {}))
    assert result.undoable is False and result.changed_files == []
    assert "stash or a branch switch" in result.warnings[0].message  # type: ignore[index]


def test_a_failed_git_step_is_not_undone(core: UndoCore, runs: BuiltinRuns, repo: Path) -> None:
    """Its `reset --soft` was recorded before `git commit` failed: nothing to undo."""
    result = runs.run(("git.commit", {"message": "nothing staged"}))
    assert result.changed_files == [] and result.undoable is False
    assert undo(core, repo).status is UndoStatus.NOTHING


def test_only_the_paths_asked_for(core: UndoCore, runs: BuiltinRuns, repo: Path) -> None:
    first = head(repo)
    (repo / "a.txt").write_text("two\n")
    runs.run(
        ("file.create", {"path": "b.txt"}),
        ("git.stage", {"paths": ["a.txt"]}),
        ("git.commit", {"message": "second"}),
    )
    files = undo(core, repo, ["b.txt"])
    assert files.restored == ["b.txt"] and head(repo) != first
    assert undo(core, repo, [".git"]).restored == [".git"] and head(repo) == first


def test_records_that_could_run_anything_else_are_refused(repo: Path, tmp_path: Path) -> None:
    op = {"op": "git", "cwd": str(repo), "note": "n", "run": [{"argv": ["reset", "-q"]}]}
    evil = {**op, "run": [{"argv": ["-c", "core.pager=sh", "log"]}]}
    elsewhere = {**op, "cwd": str(tmp_path)}
    steps, refused = recorded(repo, [op, evil, elsewhere])
    assert [s.op for s in steps] == [op]
    assert refused == [
        "«n»: git -c is not a command the git tools record",
        f"«n»: it ran outside the folder ({tmp_path})",
    ]
    assert json.loads(steps[0].to_json())["expect"]["head"] == head(repo)
