"""Built-in tools through the real server: phrases change the disk, run untrusted (unlike
`$ …`), risk 3 blocks until confirmed, confinement is -32602, git against a real repository."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pygls.exceptions import JsonRpcException

from intentls.history.store import History
from tests.e2e.session import session


def files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


def make(root: Path, layout: dict[str, str]) -> None:
    for rel, text in layout.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def git(repo: Path, *argv: str) -> str:
    return subprocess.run(
        ["git", *argv], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()


async def inverses(home: Path, run_id: str) -> list[dict[str, Any]]:
    """What the history recorded for the undo of `run_id`."""
    history = await asyncio.to_thread(History, home / "history.db")
    try:
        return [o.op for o in await history.inverses(run_id)]
    finally:
        await asyncio.to_thread(history.close)


async def test_phrases_change_the_disk(home: Path, folder: Path) -> None:
    make(folder, {"a.py": "foo = 1\n", "x.pdf": "x", "y.pdf": "y", "src/m.py": "foo()\n"})
    async with session(home, [folder]) as ses:
        result = await ses.run(
            "rename a.py to b.py then move *.pdf to docs/ "
            "then create file 'my notes/todo.md' with content buy milk "
            "then replace foo with bar in '**/*.py'"
        )
        assert result["status"] == "succeeded", result
        assert [s["status"] for s in result["steps"]] == ["succeeded"] * 4
        out = ses.output_of(result["runId"])
        assert "src/m.py: 1 replacement" in out and "total: 2 replacements in 2 files" in out
        assert set(result["changedFiles"]) >= {"a.py", "b.py", "docs/x.pdf", "my notes/todo.md"}
    got = files(folder)
    assert got["b.py"] == "bar = 1\n" and got["src/m.py"] == "bar()\n"
    assert got["docs/x.pdf"] == "x" and got["my notes/todo.md"] == "buy milk\n"
    assert "a.py" not in got and "x.pdf" not in got
    ops = await inverses(home, result["runId"])
    assert [o["op"] for o in ops][:3] == ["move", "rmdir", "move"]


async def test_plan_shows_tool_args_risk_and_title(home: Path, folder: Path) -> None:
    make(folder, {"a.py": ""})
    async with session(home, [folder]) as ses:
        plan = await ses.command("intentls.plan", {"intent": "rename a.py to b.py"})
        (step,) = plan["steps"]
        assert step["tool"] == "file.move" and step["risk"] == 2
        assert step["title"] == "rename a.py to b.py"
        assert step["args"]["reads"] == ["a.py"] and step["args"]["writes"] == ["a.py", "b.py"]
        assert plan["confidence"] == 1.0
        assert (await ses.command("intentls.plan", {"intent": "mv a.py b"}))["confidence"] < 1


async def test_untrusted_runs_builtins_but_not_shell(home: Path, folder: Path) -> None:
    async with session(home, [folder], init={"trusted": False}) as ses:
        made = await ses.run("mkdir out then create file out/a.txt")
        assert made["status"] == "succeeded", made
        shell = await ses.run("mkdir more then $ touch more/x")
        assert shell["status"] == "blocked"
        assert [w["kind"] for w in shell["warnings"]] == ["untrusted"]
    assert (folder / "out/a.txt").exists()
    assert not (folder / "more").exists(), "a blocked run ran nothing"


async def test_delete_is_blocked_until_confirmed(home: Path, folder: Path) -> None:
    make(folder, {"build/out.o": "o", "build/sub/x": "x"})
    async with session(home, [folder]) as ses:
        result = await ses.run("delete build")
        assert result["status"] == "blocked"
        assert [w["kind"] for w in result["warnings"]] == ["risk"]
        assert "delete build (folder, 2 files)" in result["warnings"][0]["message"]
        assert (folder / "build/out.o").exists()
        (action,) = result["actions"]
        assert action["arguments"][0]["confirm"] is True
        confirmed = await ses.command(action["command"], action["arguments"][0])
        assert confirmed["status"] == "succeeded"
    assert not (folder / "build").exists()
    (op,) = await inverses(home, confirmed["runId"])
    assert op["op"] == "untrash" and files(Path(op["trash"])) == {"out.o": "o", "sub/x": "x"}


async def test_ambiguous_phrase_and_intent(home: Path, folder: Path) -> None:
    (folder / "intents.toml").write_text('[intents.stash]\nrun = "echo my stash"\n')
    async with session(home, [folder]) as ses:
        result = await ses.run("stash")
        assert result["status"] == "blocked"
        assert [w["kind"] for w in result["warnings"]] == ["ambiguous"]
        texts = [a["arguments"][0]["intent"] for a in result["actions"]]
        assert texts == ["builtin:stash", "intents.toml:stash"]
        mine = await ses.command("intentls.run", result["actions"][1]["arguments"][0])
        assert "my stash" in ses.output_of(mine["runId"])


@pytest.mark.parametrize(
    ("intent", "message"),
    [
        ("delete ../elsewhere", "'..' leads to"),
        ("create file /etc/intentls-test", "absolute path elsewhere"),
        ("write x to escape/file.txt", "symbolic link leads to"),
    ],
)
async def test_confinement_is_invalid_params(
    home: Path, folder: Path, tmp_path: Path, intent: str, message: str
) -> None:
    (tmp_path / "elsewhere").mkdir()
    (folder / "escape").symlink_to(tmp_path / "elsewhere")
    async with session(home, [folder]) as ses:
        for command in ("intentls.run", "intentls.plan"):
            with pytest.raises(JsonRpcException) as error:
                await ses.command(command, {"intent": intent})
            assert error.value.code == -32602
            assert "outside the workspace folders" in error.value.message
            assert message in error.value.message
    assert (tmp_path / "elsewhere").exists()
    assert not (tmp_path / "elsewhere/file.txt").exists()


async def test_other_workspace_folders_are_inside(home: Path, folder: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    make(folder, {"shared.txt": "s"})
    async with session(home, [folder, other]) as ses:
        result = await ses.run("copy shared.txt to ../other/", cwd=str(folder))
        assert result["status"] == "succeeded", result
    assert (other / "shared.txt").read_text() == "s"


async def test_git_tools_on_a_real_repository(home: Path, folder: Path) -> None:
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.name", "Test")
    git(folder, "config", "user.email", "test@example.com")
    git(folder, "config", "commit.gpgsign", "false")
    make(folder, {"a.txt": "a\n"})
    async with session(home, [folder]) as ses:
        result = await ses.run(
            "stage all then commit -m 'first and only' then create branch feature "
            "then append more to a.txt then stash then git status"
        )
        assert result["status"] == "succeeded", result
        status = ses.output_of(result["runId"])
        assert "## feature" in status
        failed = await ses.run("commit with message nothing staged")
        assert failed["status"] == "failed"
        assert failed["steps"][0]["error"]["category"] == "usage"
        assert "nothing" in failed["steps"][0]["error"]["message"]
        back = await ses.run("switch to main")
        assert back["status"] == "succeeded"
    assert git(folder, "log", "-1", "--format=%s") == "first and only"
    assert git(folder, "branch", "--show-current") == "main"
    assert "feature" in git(folder, "branch")
    assert git(folder, "stash", "list").count("\n") == 0 and git(folder, "stash", "list")
    ops = await inverses(home, result["runId"])
    assert [o["op"] for o in ops] == ["git", "git", "git", "truncate", "git"]


async def test_git_tool_runs_undone_by_their_recorded_commands(home: Path, folder: Path) -> None:
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.name", "Test")
    git(folder, "config", "user.email", "test@example.com")
    git(folder, "config", "commit.gpgsign", "false")
    make(folder, {"a.txt": "a\n"})
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "first")
    make(folder, {"a.txt": "changed\n"})
    async with session(home, [folder]) as ses:
        run = await ses.run("stage all then commit -m second")
        assert run["status"] == "succeeded", run
        assert run["changedFiles"] == [".git"] and run["undoable"] is True
        undone = await ses.command("intentls.undo", {})
        assert undone["runId"] == run["runId"]
        assert undone["status"] == "undone" and undone["restored"] == [".git"]
        assert git(folder, "log", "-1", "--format=%s") == "first"
        assert git(folder, "status", "--porcelain") == "M a.txt", "unstaged, as before the run"
        assert (folder / "a.txt").read_text() == "changed\n"
        redo = await ses.command("intentls.redo", {})
        assert redo["status"] == "refused" and "not redone" in redo["conflicts"][0]["reason"]
        branch = await ses.run("create branch feature")
        git(folder, "commit", "-q", "-am", "by hand on feature")
        refused = await ses.command("intentls.undo", {"runId": branch["runId"]})
        assert refused["status"] == "refused"
        assert "HEAD moved since the run" in refused["conflicts"][0]["reason"]
        assert git(folder, "branch", "--show-current") == "feature"
