"""How an undo writes files back, on real files: in place when that is safe, never through a
hard link into somewhere else, and a rewrite cut short by a crash is finished on restart."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from intentls.settings import UndoSettings
from intentls.undo import fs
from intentls.undo.core import UndoCore
from intentls.undo.records import EditorView, Prepared

SETTINGS = UndoSettings()


def _run(core: UndoCore, root: Path, change: dict[str, bytes]) -> None:
    core.recording.begin(root, "r1", "$ edit", SETTINGS, time.time())
    for rel, data in change.items():
        with open(root / rel, "r+b") as fh:  # in place, as most tools write
            fh.write(data)
            fh.truncate()
    core.recording.end("r1", SETTINGS, {}, time.time())


def _prepare(core: UndoCore, root: Path) -> Prepared:
    prepared = core.preparing.prepare_undo(root, None, None, False, EditorView(), SETTINGS)
    assert isinstance(prepared, Prepared)
    return prepared


def test_a_file_with_one_link_is_rewritten_in_place(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "a.txt").write_bytes(b"before\n")
    (root / "a.txt").chmod(0o640)
    core = UndoCore(tmp_path / "undo.db")
    _run(core, root, {"a.txt": b"after the run\n"})
    inode = (root / "a.txt").stat().st_ino
    core.commits.commit(_prepare(core, root), frozenset())
    assert (root / "a.txt").read_bytes() == b"before\n"
    assert (root / "a.txt").stat().st_mode & 0o777 == 0o640
    assert (root / "a.txt").stat().st_ino == inode


def test_a_hard_link_out_of_the_workspace_is_never_written_through(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    store = tmp_path / "package-store"
    store.mkdir()
    (store / "lib.js").write_bytes(b"shared v1\n")
    os.link(store / "lib.js", root / "lib.js")
    core = UndoCore(tmp_path / "undo.db")
    _run(core, root, {"lib.js": b"shared v2\n"})  # through the link: the store changed too
    core.commits.commit(_prepare(core, root), frozenset())
    assert (root / "lib.js").read_bytes() == b"shared v1\n"
    assert (store / "lib.js").read_bytes() == b"shared v2\n", "outside the workspace: untouched"
    assert (root / "lib.js").stat().st_ino != (store / "lib.js").stat().st_ino


def test_a_rewrite_cut_short_by_a_crash_is_finished_on_restart(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    old = b"the original content, longer than what the run left\n" * 50
    new = b"short\n"
    (root / "a.txt").write_bytes(old)
    core = UndoCore(tmp_path / "undo.db")
    _run(core, root, {"a.txt": new})
    prepared = _prepare(core, root)
    core.commits.journal(prepared)
    with open(root / "a.txt", "r+b") as fh:  # the crash: 100 bytes written
        fh.write(old[:100])
    core.close()
    assert fs.is_mix((root / "a.txt").read_bytes(), new, old)
    restarted = UndoCore(tmp_path / "undo.db")
    [recovered] = restarted.commits.recover()
    assert recovered.left == []
    assert (root / "a.txt").read_bytes() == old
    restarted.close()


def test_an_edit_during_the_crash_is_not_mistaken_for_a_cut_short_rewrite(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "a.txt").write_bytes(b"original\n")
    core = UndoCore(tmp_path / "undo.db")
    _run(core, root, {"a.txt": b"by the run\n"})
    prepared = _prepare(core, root)
    core.commits.journal(prepared)
    (root / "a.txt").write_bytes(b"someone's edit\n")
    core.close()
    restarted = UndoCore(tmp_path / "undo.db")
    [recovered] = restarted.commits.recover()
    assert [c.path for c in recovered.left] == ["a.txt"]
    assert (root / "a.txt").read_bytes() == b"someone's edit\n"
    restarted.close()


def test_is_mix_recognises_exactly_the_states_of_an_interrupted_rewrite() -> None:
    old, new = b"abcdefgh", b"ABC"
    assert fs.is_mix(b"abcdefgh", old, new)  # nothing written yet
    assert fs.is_mix(b"ABcdefgh", old, new)
    assert fs.is_mix(b"ABCdefgh", old, new)  # written, not cut yet
    assert fs.is_mix(b"ABC", old, new)  # done
    assert not fs.is_mix(b"ABCdefgX", old, new)
    assert not fs.is_mix(b"ABCdef", old, new)
    assert not fs.is_mix(b"xyz", old, new)
    big_old, big_new = b"o" * 300_000, b"n" * 200_000
    assert fs.is_mix(big_new[:123_457] + big_old[123_457:], big_old, big_new)
    assert not fs.is_mix(big_new[:123_457] + b"!" + big_old[123_458:], big_old, big_new)


def test_a_link_where_a_directory_must_be_is_never_followed_and_said_so(tmp_path: Path) -> None:
    """A restore below a link stops at the link, and says it is one (it said "not a
    directory", which is false of a link to a directory)."""
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "d").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(fs.UnsafePath) as link:
        fs.apply_state(tmp_path, "d/x", None, None)
    assert link.value.strerror == "d is a symbolic link (never followed)"
    (tmp_path / "f").write_text("a file\n", encoding="utf-8")
    with pytest.raises(fs.UnsafePath) as file:
        fs.apply_state(tmp_path, "f/x", None, None)
    assert file.value.strerror == "f is not a directory"
    assert list((tmp_path / "elsewhere").iterdir()) == []
