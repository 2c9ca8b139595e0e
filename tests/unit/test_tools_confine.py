"""Confinement: `..`, absolute paths, escaping symbolic links (file and directory), and links
planted between planning and acting; and the inverse recorded in the real history before a
tool acts, kept even when the tool then fails."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from intentls.history.store import History, RunStart
from intentls.tools import registry
from intentls.tools.base import ToolError
from intentls.tools.confine import ConfinementError, Guard, Roots
from intentls.tools.runtime import HistoryInverseLog
from tests.unit.toolkit import ListInverseLog, plan, run_ctx


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    path = tmp_path / "ws"
    (path / "sub").mkdir(parents=True)
    (path / "sub/inside.txt").write_text("in")
    return path


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    path = tmp_path / "outside"
    path.mkdir()
    (path / "secret.txt").write_text("secret")
    return path


def refused(ws: Path, tool: str, args: dict[str, Any], reason: str) -> None:
    with pytest.raises(ConfinementError, match=reason) as info:
        plan(ws, tool, args)
    assert info.value.category == "confinement"
    assert "outside the workspace folders" in info.value.message


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("file.create", {"path": "../evil.txt"}),
        ("file.write", {"path": "sub/../../evil.txt", "content": "x"}),
        ("file.delete", {"paths": ["../outside"]}),
        ("file.move", {"sources": ["sub/inside.txt"], "destination": "../x"}),
        ("file.copy", {"sources": ["../outside/secret.txt"], "destination": "."}),
        ("file.mkdir", {"path": "../../d"}),
        ("text.replace", {"find": "a", "replace": "b", "glob": "../outside/*.txt"}),
        ("git.stage", {"paths": ["../outside"]}),
    ],
)
def test_dotdot(ws: Path, outside: Path, tool: str, args: dict[str, Any]) -> None:
    refused(ws, tool, args, "'..' leads to")


@pytest.mark.parametrize("path", ["/etc/passwd", "/tmp"])
def test_absolute_elsewhere(ws: Path, path: str) -> None:
    refused(ws, "file.delete", {"paths": [path]}, "absolute path elsewhere")


def test_absolute_inside_is_fine(ws: Path) -> None:
    planned = plan(ws, "file.delete", {"paths": [str(ws / "sub/inside.txt")]})
    assert planned.args["writes"] == ["sub/inside.txt"]


def test_dotdot_that_stays_inside_is_fine(ws: Path) -> None:
    assert plan(ws, "file.mkdir", {"path": "sub/../other"}).args["path"] == "other"


def test_escaping_file_link(ws: Path, outside: Path) -> None:
    (ws / "link").symlink_to(outside / "secret.txt")
    refused(ws, "file.write", {"path": "link", "content": "x"}, "symbolic link leads to")
    refused(ws, "file.append", {"path": "link", "content": "x"}, "symbolic link leads to")
    # Deleting or moving the link acts on the link itself, which is inside.
    assert plan(ws, "file.delete", {"paths": ["link"]}).args["writes"] == ["link"]


def test_escaping_directory_link(ws: Path, outside: Path) -> None:
    (ws / "out").symlink_to(outside)
    refused(ws, "file.delete", {"paths": ["out/secret.txt"]}, "symbolic link leads to")
    refused(ws, "file.create", {"path": "out/new.txt"}, "symbolic link leads to")
    refused(ws, "file.copy", {"sources": ["sub"], "destination": "out/"}, "symbolic link")
    refused(ws, "text.replace", {"find": "s", "replace": "x", "glob": "out/*.txt"}, "symbolic")
    refused(ws, "file.move", {"sources": ["out/*"], "destination": "sub/"}, "symbolic link")


def test_glob_does_not_descend_an_escaping_link(ws: Path, outside: Path) -> None:
    (ws / "sub/out").symlink_to(outside)
    planned = plan(ws, "text.replace", {"find": "secret", "replace": "x", "glob": "**/*.txt"})
    assert planned.args["reads"] == ["sub/inside.txt"]


def test_link_inside_the_workspace_is_followed(ws: Path) -> None:
    (ws / "alias").symlink_to("sub")
    planned = plan(ws, "file.write", {"path": "alias/inside.txt", "content": "x"})
    assert planned.args["path"] == "sub/inside.txt"


def test_several_roots(ws: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    planned = plan(ws, "file.mkdir", {"path": "../other/d"}, roots=[ws, other])
    assert planned.args["path"] == str(other / "d")


def _run(ws: Path, tool: str, args: dict[str, Any]) -> ListInverseLog:
    inverse_log = ListInverseLog()
    registry.run(tool, args, run_ctx(ws, inverse_log, [], ws.parent / "trash"))
    return inverse_log


def test_directory_link_planted_after_planning(ws: Path, outside: Path) -> None:
    planned = plan(ws, "file.write", {"path": "sub/inside.txt", "content": "pwned"})
    os.rename(ws / "sub", ws / "sub-moved")
    (ws / "sub").symlink_to(outside)
    (outside / "inside.txt").write_text("theirs")
    with pytest.raises(ConfinementError):
        _run(ws, "file.write", planned.args)
    assert (outside / "inside.txt").read_text() == "theirs"


def test_file_link_planted_after_planning(ws: Path, outside: Path) -> None:
    planned = plan(ws, "file.write", {"path": "sub/inside.txt", "content": "pwned"})
    (ws / "sub/inside.txt").unlink()
    (ws / "sub/inside.txt").symlink_to(outside / "secret.txt")
    with pytest.raises(ConfinementError):
        _run(ws, "file.write", planned.args)
    assert (outside / "secret.txt").read_text() == "secret"


def test_link_planted_after_the_last_check_is_not_followed(ws: Path, outside: Path) -> None:
    """The race the re-check cannot see: the walk from the root refuses it."""
    roots = Roots.of([ws])
    real = roots.resolve(ws, "sub/new.txt")
    os.rename(ws / "sub", ws / "sub-moved")
    (ws / "sub").symlink_to(outside)
    with pytest.raises(ConfinementError, match="not followed"):
        Guard(roots).write(real, b"x", create=True, exclusive=True)
    assert not (outside / "new.txt").exists()
    real = roots.resolve(ws, "sub-moved/inside.txt", follow_last=True)
    (ws / "sub-moved/inside.txt").unlink()
    (ws / "sub-moved/inside.txt").symlink_to(outside / "secret.txt")
    with pytest.raises(ConfinementError, match="not followed"):
        Guard(roots).write(real, b"x", create=False)
    with pytest.raises(ConfinementError, match="not followed"):
        Guard(roots).read(real)
    assert (outside / "secret.txt").read_text() == "secret"


def test_a_workspace_folder_itself_is_not_deleted(ws: Path) -> None:
    with pytest.raises(ToolError, match="workspace folder"):
        plan(ws, "file.delete", {"paths": ["."]})


def test_nul_byte(ws: Path) -> None:
    with pytest.raises(ConfinementError, match="NUL"):
        plan(ws, "file.create", {"path": "a\0b"})


# ---- the history holds the inverse before the tool acts -----------------------------------


async def test_inverse_is_in_the_history_even_when_the_tool_then_fails(
    ws: Path, tmp_path: Path
) -> None:
    history = History(tmp_path / "history.db")
    try:
        history.record_started(RunStart("run1", "delete", ws.as_uri(), str(ws), None, 0.0))
        (ws / "a").write_text("a")
        (ws / "b").write_text("b")
        planned = plan(ws, "file.delete", {"paths": ["a", "b"]})
        stored = HistoryInverseLog(history, "run1", "s1")

        class Sabotage:
            def record(self, op: dict[str, Any]) -> None:
                stored.record(op)
                if op["path"].endswith("/b"):
                    os.unlink(op["path"])  # gone before the tool gets to it

        ctx = run_ctx(ws, ListInverseLog(), [], tmp_path / "trash")
        ctx.inverse_log = Sabotage()
        with pytest.raises(ToolError):
            await asyncio.to_thread(registry.run, "file.delete", planned.args, ctx)
        ops = await history.inverses("run1")
        assert [(o.step_id, o.seq, o.op["op"], Path(o.op["path"]).name) for o in ops] == [
            ("s1", 0, "untrash", "a"),
            ("s1", 1, "untrash", "b"),
        ]
        assert await asyncio.to_thread(Path(ops[0].op["trash"]).read_text) == "a"
    finally:
        history.close()
