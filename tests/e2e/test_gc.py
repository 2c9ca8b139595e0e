"""`intentls gc` as a person runs it (the real CLI, on real files), and the server's own
collection when it starts."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

from intentls.history.store import History, RunStart
from intentls.model import RunResult, RunStatus
from intentls.settings import UndoSettings
from intentls.undo.core import UndoCore
from intentls.undo.retention import DAY_S
from tests.e2e.session import MAKE_CONTEXT, TIMEOUT_S, Session, session

LONG_AGO = time.time() - 100 * DAY_S


def old_undo_data(home: Path, folder: Path) -> str:
    """An undo record and a checkpoint from long ago; returns the checkpoint's id."""
    settings = UndoSettings()
    (folder / "a.txt").write_text("one")
    core = UndoCore(home / "undo.db")
    try:
        checkpoint = core.recording.checkpoint(folder, "long ago", settings, LONG_AGO)
        core.recording.begin(folder, "old", "$ echo two > a.txt", settings, LONG_AGO)
        (folder / "a.txt").write_text("two")
        core.recording.end("old", settings, {}, LONG_AGO)
    finally:
        core.close()
    return checkpoint


async def old_history(home: Path) -> None:
    """A run from long ago with its built-in tools' trash, and a recent one."""
    history = History(home / "history.db")
    try:
        for run_id, at in (("old", LONG_AGO), ("recent", time.time())):
            await history.record_started(RunStart(run_id, "tidy", "file:///p", "/p", "cli", at))
            result = RunResult(run_id, "tidy", "file:///p", RunStatus.SUCCEEDED, 10, [])
            await history.record_finished(result, [], {}, at)
    finally:
        await asyncio.to_thread(history.close)
    trash = home / "trash" / "old"
    trash.mkdir(parents=True)
    (trash / "1-notes.txt").write_text("deleted by a built-in tool")
    os.utime(trash, (LONG_AGO, LONG_AGO))


def intentls(home: Path, folder: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in MAKE_CONTEXT}
    done = subprocess.run(
        [sys.executable, "-m", "intentls", *args],
        cwd=folder,
        env={**env, "INTENTLS_HISTORY": str(home / "history.db")},
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=True,
    )
    return done.stdout


async def test_intentls_gc_says_what_it_removed(home: Path, folder: Path) -> None:
    old_undo_data(home, folder)
    await old_history(home)
    collected = json.loads(intentls(home, folder, "gc", "--json"))
    assert {k: collected[k] for k in ("groups", "checkpoints", "runs", "trash", "blobs")} == {
        "groups": 1,
        "checkpoints": 1,
        "runs": 1,
        "trash": 1,
        "blobs": 0,
    }
    assert collected["pendingBlobs"] == 1, "a.txt's first content: only the old record had it"
    assert collected["storeBytes"] > 0 and not collected["overLimit"]
    assert not (home / "trash" / "old").exists()
    again = intentls(home, folder, "gc")
    assert again.startswith("intentls gc: removed nothing old; deleted no unreferenced content")
    assert "1 blob" in again and "no longer referenced" in again


async def wait_for_collection(ses: Session) -> str:
    """The server reports its collection in a log message."""
    while True:
        arrives = ses.client.protocol.wait_for_notification_async(lsp.WINDOW_LOG_MESSAGE)
        for message in ses.client.log_messages:
            if message.message.startswith("intentls gc:"):
                return message.message
        await asyncio.wait_for(arrives, TIMEOUT_S)


async def test_the_server_collects_when_it_starts(home: Path, folder: Path) -> None:
    checkpoint = old_undo_data(home, folder)
    async with session(home, [folder]) as ses:
        message = await wait_for_collection(ses)
        assert "removed 1 undo record, 1 checkpoint" in message
        with pytest.raises(JsonRpcException) as error:
            await ses.command("intentls.rollback", {"checkpointId": checkpoint})
        assert "no checkpoint" in error.value.message
        run = await ses.run("$ echo three > a.txt")
        undone = await ses.command("intentls.undo", {})
        assert undone["runId"] == run["runId"] and undone["status"] == "undone"
        assert (folder / "a.txt").read_text() == "two"
