"""The history over the wire: kept across restarts, shared by servers on one file, honest
about runs whose server died."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import apsw
import pytest
from pygls.exceptions import JsonRpcException

from intentls.history import schema
from tests.e2e.session import session


async def test_history_survives_a_restart_and_filters(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        ok = await ses.run("hello")
        bad = await ses.run("fail")
    async with session(home, [folder]) as ses:
        runs = await ses.command("intentls.history")
        assert [r["runId"] for r in runs] == [bad["runId"], ok["runId"]], "newest first"
        assert runs[0] == {
            "runId": bad["runId"],
            "intent": "fail",
            "folder": folder.as_uri(),
            "status": "failed",
            "startedAt": runs[0]["startedAt"],
            "durationMs": bad["durationMs"],
            "undoable": False,
            "undone": False,
        }
        assert runs[0]["startedAt"].endswith("Z")
        failed = await ses.command("intentls.history", {"status": "failed"})
        assert [r["runId"] for r in failed] == [bad["runId"]]
        named = await ses.command("intentls.history", {"intent": "hello"})
        assert [r["runId"] for r in named] == [ok["runId"]]
        assert len(await ses.command("intentls.history", {"limit": 1})) == 1
        later = await ses.command("intentls.history", {"since": "2999-01-01T00:00:00Z"})
        assert later == []


async def test_history_is_scoped_to_the_folder(home: Path, folder: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    async with session(home, [folder, other]) as ses:
        mine = await ses.run("hello")
        theirs = await ses.run("$ echo other", cwd=str(other))
        assert [r["runId"] for r in await ses.command("intentls.history")] == [mine["runId"]]
        in_other = await ses.command("intentls.history", {"uri": other.as_uri()})
        assert [r["runId"] for r in in_other] == [theirs["runId"]]
        everywhere = await ses.command("intentls.history", {"allFolders": True})
        assert {r["runId"] for r in everywhere} == {mine["runId"], theirs["runId"]}


async def test_a_second_server_never_interrupts_a_live_servers_run(
    home: Path, folder: Path
) -> None:
    async with session(home, [folder]) as first:
        running = asyncio.ensure_future(first.run("$ echo go; sleep 60"))
        started = await first.wait_note("intentls/runStarted")
        await first.wait_note("intentls/output", runId=started["runId"])
        async with session(home, [folder]) as second:
            (seen,) = await second.command("intentls.history")
            assert seen["runId"] == started["runId"] and seen["status"] == "running"
        await first.command("intentls.cancel", {})
        assert (await running)["status"] == "cancelled"
    async with session(home, [folder]) as third:
        (seen,) = await third.command("intentls.history")
        assert seen["status"] == "cancelled"


async def test_runs_of_a_killed_server_become_interrupted(home: Path, folder: Path) -> None:
    """... undoable from their before-snapshot (and the history says so), and what they left
    running is ended by the next server."""
    async with session(home, [folder]) as victim:
        running = asyncio.ensure_future(victim.run("$ echo made > made.txt; echo $$; sleep 60"))
        started = await victim.wait_note("intentls/runStarted")
        await victim.wait_note("intentls/output", runId=started["runId"])
        group = int(victim.output_of(started["runId"]).split()[0])
        server = victim.client._server
        assert server is not None
        os.kill(server.pid, signal.SIGKILL)
        await server.wait()
        running.cancel()  # its server is gone: no answer will come
        victim.client.capabilities = None  # nothing left to shut down
    assert _group_alive(group), "the killed server's step outlives it"
    async with session(home, [folder]) as survivor:
        # Queued on the undo's thread behind the recording of the runs a crash interrupted.
        await survivor.command("intentls.checkpoints")
        (seen,) = await survivor.command("intentls.history")
        assert seen["runId"] == started["runId"] and seen["status"] == "interrupted"
        assert seen["undoable"] is True, "recorded for undo from its before-snapshot"
        for _ in range(200):
            if not _group_alive(group):
                break
            await asyncio.sleep(0.05)
        assert not _group_alive(group)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_a_newer_schema_is_opened_read_only(home: Path, folder: Path) -> None:
    db = home / "history.db"
    async with session(home, [folder]) as ses:
        await ses.run("hello")
    conn = apsw.Connection(str(db))
    conn.pragma("user_version", schema.VERSION + 1)
    conn.close()
    async with session(home, [folder]) as ses:
        await ses.run("hello")
        runs = await ses.command("intentls.history")
        assert len(runs) == 1, "old runs readable, new ones not written"
        assert any("read-only" in m.message for m in ses.client.messages)


async def test_an_unusable_history_file_does_not_stop_runs(home: Path, folder: Path) -> None:
    (home / "history.db").write_bytes(b"this is not a database" * 100)
    async with session(home, [folder]) as ses:
        assert (await ses.run("hello"))["status"] == "succeeded"
        assert any("cannot be used" in m.message for m in ses.client.messages)
    assert (home / "history.db").read_bytes().startswith(b"this is not a database")


async def test_history_rejects_bad_filters(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        for bad, words in [
            ({"limit": 0}, "limit"),
            ({"status": "great"}, "status"),
            ({"since": "yesterday"}, "since"),
            ({"allFolders": "yes"}, "allFolders"),
        ]:
            with pytest.raises(JsonRpcException) as error:
                await ses.command("intentls.history", bad)
            assert error.value.code == -32602 and words in error.value.message


async def test_stats(home: Path, folder: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    async with session(home, [folder, other]) as ses:
        for intent in ("hello", "hello", "fail"):
            await ses.run(intent)
        await ses.run("$ exit 9", cwd=str(other))
        stats = await ses.command("intentls.stats")
        assert stats["runs"] == 3 and stats["successRate"] == round(2 / 3, 4)
        assert set(stats["durationMs"]) == {"p50", "p95", "p99"}
        by_intent = {s["intent"]: s for s in stats["byIntent"]}
        assert by_intent["hello"]["runs"] == 2 and by_intent["hello"]["successRate"] == 1.0
        assert by_intent["fail"]["successRate"] == 0.0 and "p50Ms" in by_intent["fail"]
        (failure,) = stats["topFailures"]
        assert failure["category"] == "unknown" and failure["count"] == 1
        assert "broken" in failure["example"]
        everywhere = await ses.command("intentls.stats", {"allFolders": True})
        assert everywhere["runs"] == 4
        assert (await ses.command("intentls.stats", {"intent": "hello"}))["runs"] == 2
        assert (await ses.command("intentls.stats", {"sinceDays": 1}))["runs"] == 3
