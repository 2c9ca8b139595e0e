"""Built-in runs recorded by their inverse operations, on real files and a real undo.db: the
overlay replay gives every touched path's exact earlier state (each operation kind, trees,
links, modes, ignored and oversized files), skips what a failed step never did, and leaves out
what it cannot know; undo and redo restore byte and mode identical; a built-in run beside a
shell run is undone on its own."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from intentls.model import UndoResult, UndoStatus
from intentls.settings import UndoSettings
from intentls.tools import registry
from intentls.tools.base import INLINE_BYTES
from intentls.undo import fs
from intentls.undo.core import UndoCore
from intentls.undo.database import open_undo_database
from intentls.undo.inverses import Derived, derive
from intentls.undo.records import EditorView, Prepared
from intentls.undo.store import BlobStore, State
from tests.unit.toolkit import BuiltinRuns, ListInverseLog, plan, run_ctx, tree, write

SETTINGS = UndoSettings()


@pytest.fixture
def runs(core: UndoCore, ws: Path, tmp_path: Path) -> BuiltinRuns:
    return BuiltinRuns(core, ws, tmp_path / "trash")


def states(root: Path) -> dict[str, State]:
    """Every path below `root` with its exact state."""
    found: dict[str, State] = {}
    for rel in fs.walk(root.parent, root.name):
        state = fs.read_state(root.parent, rel)
        assert state is not None
        found[rel[len(root.name) + 1 :]] = state[0]
    return found


class Replay:
    """Run built-in tools on `ws` collecting their inverse operations (a trash per call), then
    derive the record from them."""

    def __init__(self, ws: Path, tmp: Path) -> None:
        self.ws = ws
        self.tmp = tmp
        self.ops: list[dict[str, Any]] = []
        self.blobs = BlobStore(open_undo_database(None))
        self.before = states(ws)

    def do(self, tool: str, args: dict[str, Any]) -> None:
        inverse_log = ListInverseLog()
        trash = self.tmp / "trash" / str(len(self.ops))
        registry.run(tool, plan(self.ws, tool, args).args, run_ctx(self.ws, inverse_log, [], trash))
        self.ops += inverse_log.ops

    def derived(self) -> Derived:
        return derive(self.ws, self.ops, self.blobs)

    def assert_exact(self) -> Derived:
        """The record names exactly the paths that changed, with their states before and as
        the run left them, every earlier content in the store."""
        derived = self.derived()
        after = states(self.ws)
        changed = {
            p for p in self.before.keys() | after.keys() if self.before.get(p) != after.get(p)
        }
        assert set(derived.changes) == changed
        for path, (before, now) in derived.changes.items():
            assert (before, now) == (self.before.get(path), after.get(path)), path
            if before is not None and before.kind == "file":
                assert self.blobs.has(str(before.hash))
        return derived


@pytest.fixture
def replay(ws: Path, tmp_path: Path) -> Replay:
    write(ws / "a.sh", "#!/bin/sh\necho a\n", mode=0o755)
    write(ws / "src/main.py", "foo = 1\nprint(foo)\n")
    write(ws / "src/pkg/data.bin", bytes(range(256)) * 8)
    write(ws / "src/pkg/run.sh", "#!/bin/sh\n", mode=0o750)
    (ws / "src/pkg/empty").mkdir(mode=0o700)
    os.symlink("pkg/run.sh", ws / "src/run")
    return Replay(ws, tmp_path)


# ---- each operation kind ---------------------------------------------------------------------


def test_remove_and_rmdir_of_a_created_file_and_its_parents(replay: Replay) -> None:
    replay.do("file.create", {"path": "notes/deep/todo.md", "content": "buy milk\n"})
    derived = replay.assert_exact()
    assert sorted(derived.changes) == ["notes", "notes/deep", "notes/deep/todo.md"]


def test_restore_inline_keeps_content_and_exec_bit(replay: Replay) -> None:
    replay.do("file.write", {"path": "a.sh", "content": "overwritten"})
    assert replay.assert_exact().changes["a.sh"][0] == replay.before["a.sh"]


def test_restore_from_a_blob_in_the_trash(replay: Replay, ws: Path) -> None:
    write(ws / "big.txt", b"y" * (INLINE_BYTES + 10))
    replay.before = states(ws)
    replay.do("file.write", {"path": "big.txt", "content": "small now"})
    assert "blob" in replay.ops[0]
    replay.assert_exact()


def test_truncate_after_append(replay: Replay) -> None:
    replay.do("file.append", {"path": "src/main.py", "content": "more"})
    replay.do("file.append", {"path": "src/main.py", "content": "and more"})
    replay.assert_exact()


def test_move_of_a_directory_tree_with_links_modes_and_an_empty_dir(replay: Replay) -> None:
    replay.do("file.move", {"sources": ["src/pkg"], "destination": "lib/"})
    derived = replay.assert_exact()
    assert "src/pkg/empty" in derived.changes and "lib/pkg/run.sh" in derived.changes


def test_untrash_of_a_deleted_tree(replay: Replay) -> None:
    replay.do("file.delete", {"paths": ["src"]})
    derived = replay.assert_exact()
    assert derived.changes["src/run"] == (replay.before["src/run"], None)


def test_copy_over_an_existing_target(replay: Replay) -> None:
    replay.do("file.copy", {"sources": ["src"], "destination": "a.sh"})
    replay.assert_exact()


def test_replace_across_files(replay: Replay, ws: Path) -> None:
    write(ws / "src/other.py", "foo()\n")
    replay.before = states(ws)
    replay.do("text.replace", {"find": "foo", "replace": "bar", "glob": "**/*.py"})
    assert sorted(replay.assert_exact().changes) == ["src/main.py", "src/other.py"]


def test_steps_that_touch_the_same_paths_in_turn(replay: Replay) -> None:
    replay.do("file.create", {"path": "x/new.txt", "content": "one"})
    replay.do("file.append", {"path": "x/new.txt", "content": "two"})
    replay.do("file.move", {"sources": ["x"], "destination": "y"})
    replay.do("file.move", {"sources": ["src/main.py"], "destination": "y/"})
    replay.do("text.replace", {"find": "foo", "replace": "bar", "glob": "y/*"})
    replay.do("file.delete", {"paths": ["y/new.txt"]})
    replay.do("file.mkdir", {"path": "src/main.py"})
    replay.assert_exact()


def test_a_run_that_ends_where_it_began_changed_nothing(replay: Replay) -> None:
    replay.do("file.create", {"path": "tmp/x", "content": "x"})
    replay.do("file.delete", {"paths": ["tmp"]})
    assert replay.assert_exact().changes == {}


# ---- what the replay skips or leaves out -------------------------------------------------------


def test_operations_whose_step_never_acted_are_skipped(replay: Replay, ws: Path) -> None:
    """Each was recorded, then its step failed before acting: nothing to undo for them."""
    replay.ops = [
        {"op": "move", "from": str(ws / "moved.sh"), "to": str(ws / "a.sh")},
        {"op": "move", "from": str(ws / "src/main.py"), "to": str(ws / "a.sh")},
        {"op": "remove", "path": str(ws / "src/main.py"), "sha256": "0" * 64},
        {"op": "untrash", "path": str(ws / "src/main.py"), "trash": str(ws.parent / "nowhere")},
        {"op": "rmdir", "path": str(ws / "src/pkg")},
        {"op": "truncate", "path": str(ws / "absent.txt"), "size": 0},
    ]
    derived = replay.derived()
    assert derived.changes == {} and derived.unknown == {}


def test_a_directory_the_run_made_keeps_what_others_put_in_it(replay: Replay, ws: Path) -> None:
    replay.do("file.mkdir", {"path": "out"})
    write(ws / "out/theirs.txt", "not the run's")
    assert replay.derived().changes == {}


def test_a_trash_emptied_since_is_unknown(replay: Replay) -> None:
    replay.do("file.delete", {"paths": ["a.sh"]})
    shutil.rmtree(Path(replay.ops[0]["trash"]).parent)
    derived = replay.derived()
    assert derived.changes == {}
    assert derived.unknown == {"a.sh": "its deleted content is no longer in the trash"}


def test_a_move_to_another_folder_is_left_out_on_both_sides(
    replay: Replay, ws: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    replay.ops = [{"op": "move", "from": str(other / "a.sh"), "to": str(ws / "a.sh")}]
    os.rename(ws / "a.sh", other / "a.sh")
    derived = replay.derived()
    assert derived.changes == {}
    assert derived.unknown == {"a.sh": "moved to or from another workspace folder"}
    assert derived.outside == [str(other / "a.sh")]


# ---- through the undo core ---------------------------------------------------------------------


def commit(core: UndoCore, prepared: Prepared | UndoResult) -> UndoResult:
    if isinstance(prepared, UndoResult):
        return prepared
    return core.commits.commit(prepared, frozenset()).result


def undo(core: UndoCore, ws: Path, settings: UndoSettings = SETTINGS, **kw: Any) -> UndoResult:
    run_id, force = kw.get("run_id"), kw.get("force", False)
    return commit(
        core, core.preparing.prepare_undo(ws, run_id, None, force, EditorView(), settings)
    )


def redo(core: UndoCore, ws: Path, settings: UndoSettings = SETTINGS) -> UndoResult:
    return commit(core, core.preparing.prepare_redo(ws, None, EditorView(), settings))


def test_ignored_and_oversized_files_are_undone_exactly(
    core: UndoCore, runs: BuiltinRuns, ws: Path
) -> None:
    write(ws / ".gitignore", "*.log\nbuild/\n")
    write(ws / "keep.log", "ignored\n", mode=0o600)
    write(ws / "build/out/app", b"\x7fELF" * 100, mode=0o755)
    write(ws / "big.bin", bytes(range(256)) * 20)
    write(ws / "src/x.py", "foo\n")
    small = UndoSettings(max_file_bytes=1000)
    before = tree(ws)
    result = runs.run(
        ("file.delete", {"paths": ["keep.log", "build"]}),
        ("file.write", {"path": "big.bin", "content": "now small"}),
        ("file.move", {"sources": ["src"], "destination": "lib"}),
    )
    assert result.undoable and result.warnings == []
    assert result.changed_files == ["big.bin", "build/out/app", "keep.log", "lib/x.py", "src/x.py"]
    after = tree(ws)
    undone = undo(core, ws, small)
    assert undone.status is UndoStatus.UNDONE, undone
    assert tree(ws) == before
    assert redo(core, ws, small).status is UndoStatus.UNDONE
    assert tree(ws) == after


def test_a_later_edit_of_a_file_the_run_wrote_is_a_conflict(
    core: UndoCore, runs: BuiltinRuns, ws: Path
) -> None:
    write(ws / "a.txt", "one\n")
    runs.run(("file.write", {"path": "a.txt", "content": "two"}))
    write(ws / "a.txt", "mine\n")
    refused = undo(core, ws)
    assert refused.status is UndoStatus.REFUSED
    assert "changed after the run" in refused.conflicts[0].reason
    assert (ws / "a.txt").read_text() == "mine\n"


def test_a_run_that_changed_nothing_has_no_record(core: UndoCore, runs: BuiltinRuns) -> None:
    result = runs.run(("file.mkdir", {"path": "."}))
    assert (result.changed_files, result.undoable) == ([], False)
    assert undo(core, runs.ws).status is UndoStatus.NOTHING


def test_undo_waits_for_a_running_builtin_run(core: UndoCore, runs: BuiltinRuns) -> None:
    runs.run(("file.create", {"path": "a"}))
    running = runs.begin()
    busy = undo(core, runs.ws)
    assert busy.status is UndoStatus.REFUSED and busy.conflicts[0].path == "."
    runs.end(running, runs.steps(running, []))
    assert undo(core, runs.ws).status is UndoStatus.UNDONE


# ---- beside shell runs -----------------------------------------------------------------------


def shell(core: UndoCore, ws: Path, run_id: str) -> None:
    core.recording.begin(ws, run_id, f"$ {run_id}", SETTINGS, time.time())


def test_a_builtin_run_during_a_shell_run_is_undone_on_its_own(
    core: UndoCore, runs: BuiltinRuns, ws: Path
) -> None:
    write(ws / "s.txt", "before\n")
    shell(core, ws, "sh")
    write(ws / "s.txt", "by the shell\n")
    builtin = runs.run(("file.create", {"path": "b.txt", "content": "by the tool"}))
    assert builtin.changed_files == ["b.txt"]
    assert "undone on its own" in builtin.warnings[0].message
    shelled = core.recording.end("sh", SETTINGS, {}, time.time())
    assert shelled.changed_files == ["s.txt"] and shelled.warnings == []
    assert undo(core, ws, run_id="sh").restored == ["s.txt"]
    assert (ws / "b.txt").exists() and (ws / "s.txt").read_text() == "before\n"
    assert undo(core, ws, run_id="builtin1").restored == ["b.txt"]
    assert not (ws / "b.txt").exists()


def test_a_builtin_run_outliving_a_shell_run_leaves_its_record_afterwards(
    core: UndoCore, runs: BuiltinRuns, ws: Path
) -> None:
    running = runs.begin()
    shell(core, ws, "sh")
    done = runs.steps(running, [("file.create", {"path": "b.txt"})])
    write(ws / "s.txt", "by the shell\n")
    assert core.recording.end("sh", SETTINGS, {}, time.time()).changed_files == ["b.txt", "s.txt"]
    runs.end(running, done)
    assert undo(core, ws, run_id="sh").restored == ["s.txt"]
    assert (ws / "b.txt").exists() and not (ws / "s.txt").exists()


def test_a_path_both_changed_stays_in_the_shell_runs_record(
    core: UndoCore, runs: BuiltinRuns, ws: Path
) -> None:
    write(ws / "a.txt", "one\n")
    shell(core, ws, "sh")
    write(ws / "a.txt", "shell\n")
    runs.run(("file.append", {"path": "a.txt", "content": "tool"}))
    shelled = core.recording.end("sh", SETTINGS, {}, time.time())
    assert shelled.changed_files == ["a.txt"]
    assert "changed by this run and «built-in»" in shelled.warnings[0].message
    assert undo(core, ws, run_id="sh").status is UndoStatus.UNDONE
    assert (ws / "a.txt").read_text() == "one\n", "restored to before both"
    left = undo(core, ws, run_id="builtin1")
    assert left.status is UndoStatus.REFUSED and left.conflicts[0].path == "a.txt"
