"""Undo over the wire: shell runs undone byte for byte, conflicts, redo, targets stepping
back, checkpoints and rollback, code actions, a server killed in the middle of an undo, and
built-in runs undone by their recorded inverse operations, apart from a shell run beside them."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import apsw
import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

from tests.e2e.session import Session, capabilities, read_code_actions_right, session
from tests.e2e.terminal import cli


def tree(root: Path) -> dict[str, tuple[str, int, bytes | str]]:
    """Every path below `root` (but .gitignored build/): kind, mode, content or link target."""
    found: dict[str, tuple[str, int, bytes | str]] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            found[rel] = ("link", 0, os.readlink(path))
        elif stat.S_ISDIR(st.st_mode):
            found[rel] = ("dir", stat.S_IMODE(st.st_mode), b"")
        else:
            found[rel] = ("file", stat.S_IMODE(st.st_mode), path.read_bytes())
    return found


def populate(folder: Path) -> None:
    src = folder / "src"
    (src / "pkg" / "deep").mkdir(parents=True)
    (src / "main.py").write_text("print('hi')\n", encoding="utf-8")
    (src / "pkg" / "data.bin").write_bytes(bytes(range(256)) * 40)
    (src / "pkg" / "empty").write_bytes(b"")
    (src / "pkg" / "deep" / "tool.sh").write_text("#!/bin/sh\necho tool\n", encoding="utf-8")
    (src / "pkg" / "deep" / "tool.sh").chmod(0o755)
    (src / "empty-dir").mkdir()
    os.symlink("pkg/deep/tool.sh", src / "tool")


def edit_caps() -> lsp.ClientCapabilities:
    caps = capabilities()
    assert caps.workspace is not None
    caps.workspace.apply_edit = True
    return caps


async def test_rm_rf_src_undone_byte_for_byte(home: Path, folder: Path) -> None:
    populate(folder)
    before = tree(folder)
    async with session(home, [folder]) as ses:
        run = await ses.run("$ rm -rf src", confirm=True)
        assert run["status"] == "succeeded" and run["undoable"] is True
        assert run["changedFiles"] == [
            "src/empty-dir",
            "src/main.py",
            "src/pkg/data.bin",
            "src/pkg/deep/tool.sh",
            "src/pkg/empty",
            "src/tool",
        ]
        assert not (folder / "src").exists()
        undone = await ses.command("intentls.undo", {})
        assert undone["status"] == "undone" and undone["runId"] == run["runId"]
        assert undone["conflicts"] == [] and "src/pkg/data.bin" in undone["restored"]
        assert tree(folder) == before
        runs = {r["runId"]: r for r in await ses.command("intentls.history")}
        assert runs[run["runId"]]["undone"] is True
        assert runs[undone["undoRunId"]]["intent"] == "undo «$ rm -rf src»"
        again = await ses.command("intentls.undo", {})
        assert again["status"] == "nothing", "an undo is not itself undone by undo"


async def test_a_later_edit_is_a_conflict_and_force_keeps_it(home: Path, folder: Path) -> None:
    (folder / "a.txt").write_text("original\n", encoding="utf-8")
    async with session(home, [folder]) as ses:
        run = await ses.run("$ echo by-the-run > a.txt")
        assert run["changedFiles"] == ["a.txt"]
        (folder / "a.txt").write_text("my edit\n", encoding="utf-8")
        refused = await ses.command("intentls.undo", {"runId": run["runId"]})
        assert refused["status"] == "refused" and refused["restored"] == []
        (conflict,) = refused["conflicts"]
        assert conflict["path"] == "a.txt" and "changed after the run" in conflict["reason"]
        assert (folder / "a.txt").read_text() == "my edit\n", "left as it is"
        forced = await ses.command("intentls.undo", {"runId": run["runId"], "force": True})
        assert forced["status"] == "undone"
        assert (folder / "a.txt").read_text() == "original\n"
        redone = await ses.command("intentls.redo", {})
        assert redone["runId"] == run["runId"] and redone["status"] == "undone"
        assert (folder / "a.txt").read_text() == "my edit\n", "the forced undo lost nothing"


async def test_redo_gives_back_what_each_undo_of_a_run_took(home: Path, folder: Path) -> None:
    """Undos of some paths, one after another, or an undo that left a path and a forced one
    after it: one redo re-applies all they took, not only the latest."""
    texts = {"a.txt": "a0\n", "b.txt": "b0\n"}
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")

    def now() -> list[str]:
        return [(folder / name).read_text(encoding="utf-8") for name in texts]

    async with session(home, [folder]) as ses:
        run = await ses.run("$ echo a1 > a.txt; echo b1 > b.txt")
        for path in texts:
            undone = await ses.command("intentls.undo", {"runId": run["runId"], "paths": [path]})
            assert undone["restored"] == [path]
        assert now() == ["a0\n", "b0\n"]
        redone = await ses.command("intentls.redo", {})
        assert redone["runId"] == run["runId"] and redone["restored"] == ["a.txt", "b.txt"]
        assert now() == ["a1\n", "b1\n"]

        run = await ses.run("$ echo a2 > a.txt; echo b2 > b.txt")
        (folder / "b.txt").write_text("my edit\n", encoding="utf-8")
        partly = await ses.command("intentls.undo", {})
        assert partly["status"] == "partial" and partly["restored"] == ["a.txt"]
        forced = await ses.command("intentls.undo", {"force": True})
        assert forced["status"] == "undone" and now() == ["a1\n", "b1\n"]
        redone = await ses.command("intentls.redo", {"runId": run["runId"]})
        assert redone["status"] == "undone"
        assert now() == ["a2\n", "my edit\n"], "both undos given back"
        assert (await ses.command("intentls.redo", {}))["status"] == "nothing"


async def test_a_directory_replaced_by_a_link_is_undone_without_looking_through_it(
    home: Path, folder: Path, tmp_path: Path
) -> None:
    """A run replaces d/ by a link to a directory outside the folder that has a path of the
    same name as one d/ had; the link is changed later, so the undo is forced. Neither the
    record nor the undo looks through the link (the undo said "could not restore: d is not
    a directory" though it had restored everything), over the wire and in the terminal."""
    outside = tmp_path / "outside"
    (outside / "x").mkdir(parents=True)
    (outside / "x" / "secret.txt").write_text("not the folder's\n", encoding="utf-8")
    (folder / "d").mkdir()
    (folder / "d" / "x").write_text("x\n", encoding="utf-8")
    async with session(home, [folder]) as ses:
        run = await ses.run(f"$ rm -r d && ln -s {outside} d", confirm=True)
        assert run["changedFiles"] == ["d", "d/x"]
        (folder / "d").unlink()
        (folder / "d").symlink_to(outside / "x")  # the later edit
        forced = await ses.command("intentls.undo", {"runId": run["runId"], "force": True})
        assert (forced["status"], forced["conflicts"]) == ("undone", [])
        assert (folder / "d" / "x").read_text(encoding="utf-8") == "x\n"
        assert (await ses.command("intentls.redo", {}))["status"] == "undone"
        assert (folder / "d").readlink() == outside / "x"
    undone = cli(home, folder, "undo", "--force")
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert "left" not in undone.stdout and "not a directory" not in undone.stdout
    assert (folder / "d" / "x").read_text(encoding="utf-8") == "x\n"
    assert (outside / "x" / "secret.txt").exists()


async def test_undo_steps_back_and_redo_reapplies(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        first = await ses.run("$ echo 1 > one.txt")
        await ses.run("$ echo nothing")
        second = await ses.run("$ echo 2 > two.txt")
        assert (await ses.command("intentls.undo", {}))["runId"] == second["runId"]
        step = await ses.command("intentls.undo", {})
        assert step["runId"] == first["runId"]
        assert not (folder / "one.txt").exists() and not (folder / "two.txt").exists()
        redo = await ses.command("intentls.redo", {})
        assert redo["runId"] == first["runId"] and redo["undoRunId"] != step["undoRunId"]
        assert (folder / "one.txt").read_text() == "1\n" and not (folder / "two.txt").exists()
        assert (await ses.command("intentls.redo", {}))["runId"] == second["runId"]
        assert (folder / "two.txt").read_text() == "2\n"
        assert (await ses.command("intentls.redo", {}))["status"] == "nothing"
        with pytest.raises(JsonRpcException) as error:
            await ses.command("intentls.undo", {"runId": step["undoRunId"]})
        assert error.value.code == -32602 and "intentls.redo" in error.value.message


async def test_partial_undo_of_some_paths(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        run = await ses.run("$ mkdir d && echo a > d/a && echo b > b")
        part = await ses.command("intentls.undo", {"runId": run["runId"], "paths": ["d"]})
        assert part["status"] == "undone" and part["restored"] == ["d", "d/a"]
        assert not (folder / "d").exists() and (folder / "b").exists()
        rest = await ses.command("intentls.undo", {})
        assert rest["runId"] == run["runId"] and not (folder / "b").exists()


async def test_checkpoint_and_rollback(home: Path, folder: Path) -> None:
    populate(folder)
    saved = tree(folder)
    async with session(home, [folder]) as ses:
        checkpoint = (await ses.command("intentls.checkpoint", {"name": "before"}))["checkpointId"]
        await ses.run("$ rm -rf src/pkg && echo new > src/new.txt", confirm=True)
        (folder / "src" / "main.py").write_text("hand edit\n", encoding="utf-8")
        present = tree(folder)
        rolled = await ses.command("intentls.rollback", {"checkpointId": checkpoint})
        assert rolled["status"] == "undone" and "src/new.txt" in rolled["restored"]
        assert tree(folder) == saved
        back = await ses.command("intentls.undo", {"runId": rolled["runId"]})
        assert back["status"] == "undone"
        assert tree(folder) == present, "the rollback itself can be undone"
        with pytest.raises(JsonRpcException):
            await ses.command("intentls.rollback", {"checkpointId": "nope"})


async def test_checkpoints_are_listed_newest_first(
    home: Path, folder: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (folder / "a.txt").write_text("a\n", encoding="utf-8")
    async with session(home, [folder, other]) as ses:
        assert await ses.command("intentls.checkpoints", {}) == []
        first = await ses.command("intentls.checkpoint", {"name": "first"})
        second = await ses.command("intentls.checkpoint", {"name": "second"})
        elsewhere = await ses.command("intentls.checkpoint", {"cwd": str(other)})
        listed = await ses.command("intentls.checkpoints", {})
        assert [c["checkpointId"] for c in listed] == [
            second["checkpointId"],
            first["checkpointId"],
        ]
        assert listed[0]["name"] == "second" and listed[0]["folder"] == folder.as_uri()
        assert listed[0]["paths"] == 2  # intents.toml and a.txt
        assert listed[0]["createdAt"].endswith("Z")
        everywhere = await ses.command("intentls.checkpoints", {"allFolders": True})
        assert everywhere[0]["checkpointId"] == elsewhere["checkpointId"]
        assert len(everywhere) == 3


async def _open(ses: Session, path: Path, text: str) -> str:
    uri = path.as_uri()
    ses.client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "plaintext", 1, text))
    )
    return uri


NO_SUGGESTIONS = {"trusted": True, "suggestions": {"enabled": False}}
"""For the tests that count every code action: these are the undo's alone."""


def _reload(ses: Session, uri: str, text: str, version: int = 2) -> None:
    ses.client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=version, uri=uri),
            [lsp.TextDocumentContentChangeWholeDocument(text)],
        )
    )


async def test_code_action_for_a_changed_open_document(home: Path, folder: Path) -> None:
    (folder / "a.txt").write_text("original\n", encoding="utf-8")
    (folder / "other.txt").write_text("other\n", encoding="utf-8")
    edits: list[lsp.ApplyWorkspaceEditParams] = []
    async with session(home, [folder], caps=edit_caps(), init=NO_SUGGESTIONS) as ses:

        @ses.client.feature(lsp.WORKSPACE_APPLY_EDIT)
        def apply(params: lsp.ApplyWorkspaceEditParams) -> lsp.ApplyWorkspaceEditResult:
            edits.append(params)
            return lsp.ApplyWorkspaceEditResult(applied=True)

        read_code_actions_right(ses)
        caps = ses.initialize_result.capabilities.code_action_provider
        assert "intentls.undo" in caps.code_action_kinds
        uri = await _open(ses, folder / "a.txt", "original\n")
        run = await ses.run("$ echo changed > a.txt; echo more > b.txt")
        assert run["changedFiles"] == ["a.txt", "b.txt"]
        _reload(ses, uri, "changed\n")  # the editor follows the file on disk
        whole = lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0))

        async def ask(
            uri: str, only: list[str] | None = None, trigger: Any = None
        ) -> list[lsp.CodeAction]:
            params = lsp.CodeActionParams(
                lsp.TextDocumentIdentifier(uri),
                whole,
                lsp.CodeActionContext([], only=only, trigger_kind=trigger),
            )
            answer = await ses.client.text_document_code_action_async(params)
            return [a for a in answer or [] if isinstance(a, lsp.CodeAction)]

        (action,) = await ask(uri)
        assert action.title == "Undo «$ echo changed > a.txt; echo more > b.txt» (2 files)"
        assert action.kind == "intentls.undo"
        assert action.command is not None and action.command.command == "intentls.undo"
        assert await ask(uri, only=["quickfix"]) == []
        assert len(await ask(uri, only=["intentls"])) == 1
        other = await _open(ses, folder / "other.txt", "other\n")
        auto = lsp.CodeActionTriggerKind.Automatic
        assert await ask(other, trigger=auto) == [], "no lightbulb for an unrelated document"
        assert len(await ask(other)) == 1, "invoked: the folder's newest undoable run"
        result = await ses.command(action.command.command, action.command.arguments[0])
        assert result["status"] == "undone"
        assert (folder / "a.txt").read_text() == "original\n" and not (folder / "b.txt").exists()
        (edit,) = edits
        assert edit.edit.changes is not None
        (text_edit,) = edit.edit.changes[uri]
        assert text_edit.new_text == "original\n"
        assert await ask(uri) == [], "nothing left to undo"


async def test_unsaved_buffer_and_save_during_run_are_conflicts(home: Path, folder: Path) -> None:
    (folder / "a.txt").write_text("one\n", encoding="utf-8")
    (folder / "b.txt").write_text("one\n", encoding="utf-8")
    async with session(home, [folder], caps=edit_caps()) as ses:
        uri = await _open(ses, folder / "a.txt", "one\n")
        run = await ses.run("$ echo run > a.txt")
        _reload(ses, uri, "mine, unsaved\n")
        refused = await ses.command("intentls.undo", {"runId": run["runId"]})
        assert refused["conflicts"] == [
            {"path": "a.txt", "reason": "open in the editor with unsaved changes"}
        ]
        b_uri = await _open(ses, folder / "b.txt", "one\n")
        os.mkfifo(folder.parent / "go")
        slow = f"$ echo waiting; read line < {folder.parent / 'go'}; echo run > b.txt"
        running = asyncio.ensure_future(ses.run(slow))
        await ses.wait_note("intentls/output", text="waiting\n")  # after the snapshot
        (folder / "b.txt").write_text("saved by me\n", encoding="utf-8")
        ses.client.text_document_did_save(
            lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(b_uri))
        )
        await asyncio.to_thread((folder.parent / "go").write_text, "go\n")
        second = await running
        refused = await ses.command("intentls.undo", {"runId": second["runId"]})
        assert {"path": "b.txt", "reason": "saved in the editor while the run ran"} in refused[
            "conflicts"
        ]


async def test_kill_9_in_the_middle_of_an_undo(home: Path, folder: Path, tmp_path: Path) -> None:
    many = folder / "many"
    many.mkdir()
    for n in range(400):
        (many / f"f{n:03}.txt").write_text(f"file {n}\n" * 50, encoding="utf-8")
    before = tree(folder)
    fifo = tmp_path / "stall"
    os.mkfifo(fifo)
    env = {"INTENTLS_UNDO_STALL": f"150:{fifo}"}
    async with session(home, [folder], env=env) as victim:
        run = await victim.run("$ rm -rf many", confirm=True)
        assert len(run["changedFiles"]) == 400
        undoing = asyncio.ensure_future(victim.command("intentls.undo", {}))
        # Opening the FIFO returns once the server, 150 files into the undo, opens it too.
        await asyncio.to_thread(lambda: os.close(os.open(fifo, os.O_RDONLY)))
        halfway = len(list(many.iterdir())) if many.exists() else 0
        assert 0 < halfway < 400, "killed in the middle"
        server = victim.client._server
        assert server is not None
        os.kill(server.pid, signal.SIGKILL)
        await server.wait()
        undoing.cancel()
        victim.client.capabilities = None
    async with session(home, [folder]) as survivor:
        assert tree(folder) == before, "completed at start"
        runs = {r["runId"]: r for r in await survivor.command("intentls.history")}
        assert runs[run["runId"]]["undone"] is True
        (undo_row,) = [r for r in runs.values() if r["intent"] == "undo «$ rm -rf many»"]
        assert undo_row["status"] == "succeeded"
        conn = apsw.Connection(str(home / "history.db"))
        (warnings,) = conn.execute(
            "SELECT warnings FROM runs WHERE id = ?", (undo_row["runId"],)
        ).fetchone()
        conn.close()
        assert "completed when intentls started again" in warnings
        assert (await survivor.command("intentls.undo", {}))["status"] == "nothing"


async def test_undo_disabled_runs_are_not_snapshotted(home: Path, folder: Path) -> None:
    init = {"trusted": True, "undo": {"enabled": False}}
    async with session(home, [folder], init=init) as ses:
        run = await ses.run("$ echo x > x.txt")
        assert run["undoable"] is False and run["changedFiles"] == []
        assert (await ses.command("intentls.undo", {}))["status"] == "nothing"


def blame(home: Path, folder: Path, path: str) -> list[dict[str, Any]]:
    """`intentls blame PATH --json`, run in the folder on the sessions' history."""
    done = subprocess.run(
        [sys.executable, "-m", "intentls", "blame", path, "--json"],
        cwd=folder,
        env={**os.environ, "INTENTLS_HISTORY": str(home / "history.db")},
        capture_output=True,
        text=True,
        check=True,
    )
    entries: list[dict[str, Any]] = json.loads(done.stdout)
    return entries


async def test_builtin_run_undone_by_its_inverses_ignored_files_too(
    home: Path, folder: Path
) -> None:
    (folder / ".gitignore").write_text("*.log\nbuild/\n", encoding="utf-8")
    (folder / "a.py").write_text("foo = 1\n", encoding="utf-8")
    (folder / "src").mkdir()
    (folder / "src" / "tool.py").write_text("#!/usr/bin/env python\nfoo()\n", encoding="utf-8")
    (folder / "src" / "tool.py").chmod(0o755)
    (folder / "build" / "out").mkdir(parents=True)
    (folder / "build" / "out" / "app.bin").write_bytes(bytes(range(256)) * 4)
    (folder / "build" / "out" / "app.bin").chmod(0o751)
    (folder / "notes.log").write_text("ignored notes\n", encoding="utf-8")
    (folder / "notes.log").chmod(0o600)
    before = tree(folder)
    intent = (
        "rename a.py to b.py then replace foo with bar in '**/*.py' then delete build notes.log"
    )
    async with session(home, [folder], init=NO_SUGGESTIONS) as ses:
        read_code_actions_right(ses)
        run = await ses.run(intent, confirm=True)
        assert run["status"] == "succeeded" and run["undoable"] is True
        assert run["changedFiles"] == [
            "a.py",
            "b.py",
            "build/out/app.bin",
            "notes.log",
            "src/tool.py",
        ]
        after = tree(folder)
        uri = await _open(ses, folder / "b.py", "bar = 1\n")
        params = lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(uri),
            lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)),
            lsp.CodeActionContext([]),
        )
        (action,) = await ses.client.text_document_code_action_async(params) or []
        assert action.title == f"Undo «{intent}» (5 files)"
        undone = await ses.command("intentls.undo", {})
        assert undone["status"] == "undone" and undone["runId"] == run["runId"]
        assert tree(folder) == before, "byte and mode identical, ignored files included"
        redone = await ses.command("intentls.redo", {})
        assert redone["status"] == "undone" and tree(folder) == after
    entries = blame(home, folder, "notes.log")
    assert [(e["intent"], e["what"]) for e in entries] == [
        (f"redo «{intent}»", "deleted"),
        (f"undo «{intent}»", "created"),
        (intent, "deleted"),
    ]


async def test_a_shell_run_beside_a_builtin_run_is_undone_apart(home: Path, folder: Path) -> None:
    (folder / "s.txt").write_text("before\n", encoding="utf-8")
    go = folder.parent / "go"
    os.mkfifo(go)
    async with session(home, [folder]) as ses:
        running = asyncio.ensure_future(
            ses.run(f"$ echo waiting; read line < {go}; echo x > s.txt")
        )
        await ses.wait_note("intentls/output", text="waiting\n")  # after the snapshot
        builtin = await ses.run("create file b.txt with content by the tool")
        assert builtin["changedFiles"] == ["b.txt"] and builtin["undoable"] is True
        (warning,) = builtin["warnings"]
        assert warning["kind"] == "undoGroup" and "undone on its own" in warning["message"]
        await asyncio.to_thread(go.write_text, "go\n")
        shell = await running
        assert shell["changedFiles"] == ["s.txt"] and "warnings" not in shell
        undone = await ses.command("intentls.undo", {"runId": shell["runId"]})
        assert undone["restored"] == ["s.txt"]
        assert (folder / "s.txt").read_text() == "before\n" and (folder / "b.txt").exists()
        undone = await ses.command("intentls.undo", {"runId": builtin["runId"]})
        assert undone["restored"] == ["b.txt"] and not (folder / "b.txt").exists()
