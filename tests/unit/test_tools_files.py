"""File tools on real temp directories: what they do, their risk and reads/writes, and the
inverse operations they record before acting."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from intentls.tools.base import ToolError
from tests.unit.toolkit import ListInverseLog, content, do, plan, tree, write


def failing(ws: Path, tool: str, args: dict[str, Any], category: str) -> ToolError:
    with pytest.raises(ToolError) as info:
        do(ws, tool, args)
    assert info.value.category == category, info.value.message
    return info.value


# ---- create, write, append, mkdir ------------------------------------------------------------


def test_create_with_parents_records_rmdirs_then_remove(ws: Path) -> None:
    done = do(ws, "file.create", {"path": "notes/deep/todo.md", "content": "hi\n"})
    assert (ws / "notes/deep/todo.md").read_text() == "hi\n"
    assert done.planned.risk == 1
    assert done.planned.args["writes"] == ["notes/deep/todo.md"]
    assert done.planned.title == "create file notes/deep/todo.md (3 bytes)"
    assert [(o["op"], Path(o["path"]).relative_to(ws).as_posix()) for o in done.ops] == [
        ("rmdir", "notes"),
        ("rmdir", "notes/deep"),
        ("remove", "notes/deep/todo.md"),
    ]
    assert done.ops[-1]["sha256"]


def test_create_empty_file(ws: Path) -> None:
    done = do(ws, "file.create", {"path": "empty"})
    assert (ws / "empty").read_bytes() == b""
    assert done.planned.title == "create empty file empty"


def test_create_never_overwrites(ws: Path) -> None:
    write(ws / "a.txt", "keep")
    error = failing(ws, "file.create", {"path": "a.txt", "content": "new"}, "exists")
    assert "never overwrites" in error.message
    assert (ws / "a.txt").read_text() == "keep"


def test_write_new_file_is_risk_2(ws: Path) -> None:
    done = do(ws, "file.write", {"path": "n.txt", "content": "new"})
    assert done.planned.risk == 2 and done.planned.args["overwrite"] is False
    assert [o["op"] for o in done.ops] == ["remove"]


def test_overwrite_is_risk_3_and_records_the_prior_content(ws: Path) -> None:
    write(ws / "a.sh", b"old\x00bytes", mode=0o755)
    done = do(ws, "file.write", {"path": "a.sh", "content": "new"})
    assert done.planned.risk == 3
    assert done.planned.title == "overwrite a.sh with 3 bytes (was 9 bytes)"
    (op,) = done.ops
    assert op["op"] == "restore" and content(op) == b"old\x00bytes" and op["mode"] == 0o755
    assert (ws / "a.sh").read_text() == "new"
    assert stat.S_IMODE((ws / "a.sh").stat().st_mode) == 0o755


def test_write_refuses_a_file_that_appeared_after_planning(ws: Path) -> None:
    from intentls.tools import registry
    from tests.unit.toolkit import run_ctx

    planned = plan(ws, "file.write", {"path": "late.txt", "content": "mine"})
    write(ws / "late.txt", "theirs")
    with pytest.raises(ToolError, match="appeared after planning"):
        registry.run(
            "file.write", planned.args, run_ctx(ws, ListInverseLog(), [], ws.parent / "trash")
        )
    assert (ws / "late.txt").read_text() == "theirs"


def test_append_records_the_prior_size(ws: Path) -> None:
    write(ws / "log.txt", "one\n")
    done = do(ws, "file.append", {"path": "log.txt", "content": "two\n"})
    assert (ws / "log.txt").read_text() == "one\ntwo\n"
    assert done.ops == [{"op": "truncate", "path": str(ws / "log.txt"), "size": 4}]
    assert done.planned.risk == 1


def test_append_to_a_new_file(ws: Path) -> None:
    done = do(ws, "file.append", {"path": "new/log.txt", "content": "x"})
    assert (ws / "new/log.txt").read_text() == "x"
    assert [o["op"] for o in done.ops] == ["rmdir", "remove"]


def test_mkdir_nested_and_existing(ws: Path) -> None:
    done = do(ws, "file.mkdir", {"path": "a/b/c"})
    assert (ws / "a/b/c").is_dir()
    assert [Path(o["path"]).relative_to(ws).as_posix() for o in done.ops] == ["a", "a/b", "a/b/c"]
    again = do(ws, "file.mkdir", {"path": "a/b/c"})
    assert again.ops == [] and "nothing to do" in again.planned.title


def test_mkdir_over_a_file_is_refused(ws: Path) -> None:
    write(ws / "f")
    with pytest.raises(ToolError, match="not a folder"):
        plan(ws, "file.mkdir", {"path": "f"})


# ---- delete --------------------------------------------------------------------------------


def test_delete_a_tree_moves_it_to_the_trash(ws: Path) -> None:
    write(ws / "build/out.bin", bytes(range(256)))
    write(ws / "build/empty", b"")
    write(ws / "build/sub/run.sh", "#!/bin/sh\n", mode=0o755)
    before = tree(ws / "build")
    done = do(ws, "file.delete", {"paths": ["build"]})
    assert done.planned.risk == 3
    assert done.planned.title == "delete build (folder, 3 files)"
    assert not (ws / "build").exists()
    (op,) = done.ops
    assert op["op"] == "untrash" and op["path"] == str(ws / "build")
    assert tree(Path(op["trash"])) == before


def test_delete_a_link_leaves_its_target(ws: Path, tmp_path: Path) -> None:
    outside = write(tmp_path / "outside.txt", "precious")
    (ws / "link").symlink_to(outside)
    do(ws, "file.delete", {"paths": ["link"]})
    assert not os.path.lexists(ws / "link")
    assert outside.read_text() == "precious"


def test_delete_glob(ws: Path) -> None:
    for name in ("a.log", "b.log", "keep.txt", ".hidden.log"):
        write(ws / name)
    done = do(ws, "file.delete", {"paths": ["*.log"]})
    assert sorted(p.name for p in ws.iterdir()) == [".hidden.log", "keep.txt"]
    assert done.planned.args["writes"] == ["a.log", "b.log"]


def test_delete_nothing_is_not_found(ws: Path) -> None:
    failing(ws, "file.delete", {"paths": ["nope"]}, "notFound")


def test_the_inverse_is_recorded_before_the_file_goes(ws: Path) -> None:
    write(ws / "a")
    write(ws / "b")
    present: list[bool] = []
    inverse_log = ListInverseLog(lambda op: present.append(os.path.lexists(op["path"])))
    do(ws, "file.delete", {"paths": ["a", "b"]}, inverse_log=inverse_log)
    assert present == [True, True]


# ---- move and copy -----------------------------------------------------------------------


def test_rename_keeps_the_exec_bit(ws: Path) -> None:
    write(ws / "a.py", "print()", mode=0o755)
    done = do(ws, "file.move", {"sources": ["a.py"], "destination": "b.py"})
    assert done.planned.title == "rename a.py to b.py" and done.planned.risk == 2
    assert not (ws / "a.py").exists()
    assert stat.S_IMODE((ws / "b.py").stat().st_mode) == 0o755
    assert done.ops == [{"op": "move", "from": str(ws / "b.py"), "to": str(ws / "a.py")}]


def test_move_glob_into_a_new_folder(ws: Path) -> None:
    write(ws / "x.pdf")
    write(ws / "y.pdf")
    write(ws / "z.txt")
    done = do(ws, "file.move", {"sources": ["*.pdf"], "destination": "docs/"})
    assert done.planned.title == "move x.pdf, y.pdf to docs/ (creating docs/)"
    assert sorted(p.name for p in (ws / "docs").iterdir()) == ["x.pdf", "y.pdf"]
    assert [o["op"] for o in done.ops] == ["rmdir", "move", "move"]
    assert set(done.planned.args["writes"]) == {"x.pdf", "y.pdf", "docs/x.pdf", "docs/y.pdf"}


def test_move_over_an_existing_file_is_risk_3_and_keeps_it_in_the_trash(ws: Path) -> None:
    write(ws / "a", "new")
    write(ws / "b", "old")
    done = do(ws, "file.move", {"sources": ["a"], "destination": "b"})
    assert done.planned.risk == 3 and "replacing b" in done.planned.title
    assert [o["op"] for o in done.ops] == ["untrash", "move"]
    assert Path(done.ops[0]["trash"]).read_text() == "old"
    assert (ws / "b").read_text() == "new"


def test_move_a_link_moves_the_link(ws: Path) -> None:
    write(ws / "target", "t")
    (ws / "l").symlink_to("target")
    do(ws, "file.move", {"sources": ["l"], "destination": "sub/"})
    assert os.readlink(ws / "sub/l") == "target"


def test_move_into_itself_is_refused(ws: Path) -> None:
    (ws / "d").mkdir()
    with pytest.raises(ToolError, match="into itself"):
        plan(ws, "file.move", {"sources": ["d"], "destination": "d/"})


def test_copy_a_tree_keeps_modes_links_binary_and_empty_files(ws: Path) -> None:
    write(ws / "src/bin.dat", bytes(range(256)) * 10)
    write(ws / "src/empty", b"")
    write(ws / "src/deep/er/run.sh", "#!/bin/sh\n", mode=0o750)
    (ws / "src/link").symlink_to("bin.dat")
    done = do(ws, "file.copy", {"sources": ["src"], "destination": "dst"})
    assert tree(ws / "dst") == tree(ws / "src")
    assert done.ops == [{"op": "remove", "path": str(ws / "dst")}]
    assert done.lines == ["copied src → dst (4 files)"]


def test_copy_many_files_is_risk_3(ws: Path) -> None:
    for n in range(21):
        write(ws / f"src/{n}.txt")
    assert plan(ws, "file.copy", {"sources": ["src"], "destination": "dst"}).risk == 3
    assert plan(ws, "file.move", {"sources": ["src"], "destination": "dst"}).risk == 2


def test_copy_glob_keeps_exec_bit(ws: Path) -> None:
    write(ws / "a.sh", "a", mode=0o755)
    write(ws / "b.sh", "b", mode=0o644)
    do(ws, "file.copy", {"sources": ["*.sh"], "destination": "bin/"})
    assert stat.S_IMODE((ws / "bin/a.sh").stat().st_mode) == 0o755
    assert stat.S_IMODE((ws / "bin/b.sh").stat().st_mode) == 0o644
    assert (ws / "a.sh").exists()


def test_cancelled_between_files(ws: Path) -> None:
    from intentls.tools import registry
    from intentls.tools.base import ToolCancelled
    from tests.unit.toolkit import run_ctx

    for name in ("a", "b", "c"):
        write(ws / name)
    planned = plan(ws, "file.delete", {"paths": ["a", "b", "c"]})
    inverse_log = ListInverseLog()
    ctx = run_ctx(
        ws, inverse_log, [], ws.parent / "trash", cancelled=lambda: len(inverse_log.ops) >= 1
    )
    with pytest.raises(ToolCancelled):
        registry.run("file.delete", planned.args, ctx)
    assert sorted(p.name for p in ws.iterdir()) == ["b", "c"]
