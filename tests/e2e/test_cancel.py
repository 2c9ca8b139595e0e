"""Cancellation by each of PROTOCOL.md's three paths: the process group is gone, the run ends
`cancelled`, and `intentls/runFinished` says so."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

from tests.e2e.processes import gone, pid_in
from tests.e2e.session import Session, new_token, session

# The child ignores SIGTERM, so only the SIGKILL after the grace period ends it.
STUBBORN = "$ sh -c 'trap \"\" TERM; sleep 60' & echo pid=$!; wait"


async def _started(ses: Session, task: asyncio.Task[object]) -> tuple[str, int]:
    note = await ses.wait_note("intentls/runStarted")
    while not ses.output_of(note["runId"]):
        await ses.wait_note("intentls/output", runId=note["runId"])
    assert not task.done()
    return note["runId"], pid_in(ses.output_of(note["runId"]))


async def test_cancel_command(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        running = asyncio.ensure_future(ses.run(STUBBORN))
        run_id, pid = await _started(ses, running)
        result = await ses.command("intentls.cancel", {})
        assert result["runId"] == run_id and result["status"] == "cancelled"
        assert gone(pid)
        assert (await running)["status"] == "cancelled"
        finished = await ses.wait_note("intentls/runFinished", runId=run_id)
        assert finished["status"] == "cancelled"
        assert finished["steps"][0]["status"] == "cancelled"


async def test_cancel_request(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        running = asyncio.ensure_future(ses.run("$ sleep 60 & echo pid=$!; wait"))
        # The request id is the client's; find it among its pending requests.
        run_id, pid = await _started(ses, running)
        (msg_id,) = [i for i, f in ses.client.protocol._request_futures.items() if not f.done()]
        ses.client.protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id=msg_id))
        with pytest.raises(JsonRpcException) as error:
            await running
        assert error.value.code == -32800
        finished = await ses.wait_note("intentls/runFinished", runId=run_id)
        assert finished["status"] == "cancelled"
        assert gone(pid)


async def test_progress_cancel(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        token = new_token()
        ses.client.progress_reports[token] = []
        running = asyncio.ensure_future(
            ses.command("intentls.run", {"intent": STUBBORN}, token=token)
        )
        run_id, pid = await _started(ses, running)
        ses.client.protocol.notify(
            lsp.WINDOW_WORK_DONE_PROGRESS_CANCEL, lsp.WorkDoneProgressCancelParams(token)
        )
        result = await running
        assert result["status"] == "cancelled" and gone(pid)
        assert ses.client.progress_reports[token][-1].kind == "end"
        await ses.wait_note("intentls/runFinished", runId=run_id, status="cancelled")


async def test_cancel_with_nothing_running_is_a_clear_error(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        with pytest.raises(JsonRpcException) as error:
            await ses.command("intentls.cancel", {})
        assert error.value.code == -32602 and "no run is running" in error.value.message


async def test_shutdown_interrupts_running_runs(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        running = asyncio.ensure_future(ses.run(STUBBORN))
        run_id, pid = await _started(ses, running)
        await ses.client.shutdown_async(None)
        assert gone(pid)
        result = await running
        assert result["status"] == "interrupted"
        await ses.wait_note("intentls/runFinished", runId=run_id, status="interrupted")
        ses.client.exit(None)
        ses.client.capabilities = None  # already shut down: the fixture must not do it again
