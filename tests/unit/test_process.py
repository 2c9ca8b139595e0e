"""A step's process, started on a spawner thread (`execution/process.py`): its output and exit
status reach the event loop, and a start abandoned halfway (its task cancelled while the
process was being made) leaves no process behind."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from intentls.execution import process
from intentls.execution.process import GroupProcess

DEADLINE_S = 20.0


def marked(mark: str) -> list[int]:
    """Live (not zombie) processes whose environment carries MARK=`mark`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if f"MARK={mark}".encode() in environ.split(b"\0") and state != b"Z":
            found.append(int(entry.name))
    return found


async def until(condition: object, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + DEADLINE_S
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, what
        await asyncio.sleep(0.02)


async def test_output_and_exit_status(tmp_path: Path) -> None:
    proc = await GroupProcess.start("echo out; echo err >&2; exit 3", str(tmp_path), os.environ)
    assert await proc.stdout.read() == b"out\nerr\n"
    assert await proc.wait() == 3
    assert await proc.wait() == 3  # asked again: the same answer


async def test_a_signal_is_a_negative_status(tmp_path: Path) -> None:
    proc = await GroupProcess.start("echo ready; sleep 30", str(tmp_path), os.environ)
    assert await proc.stdout.readline() == b"ready\n"
    os.killpg(proc.pgid, signal.SIGKILL)
    assert await proc.wait() == -signal.SIGKILL


async def test_a_start_cancelled_halfway_leaves_no_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ended: list[subprocess.Popen[bytes]] = []

    def end(popen: subprocess.Popen[bytes]) -> None:  # the real one, seen
        ended.append(popen)
        real_end(popen)

    real_end = process._end
    monkeypatch.setattr(process, "_end", end)
    mark = uuid.uuid4().hex
    env = {**os.environ, "MARK": mark}
    start = asyncio.ensure_future(GroupProcess.start("sleep 30", str(tmp_path), env))
    await asyncio.sleep(0)  # the spawn is on its thread: it goes on whatever happens here
    start.cancel()
    with pytest.raises(asyncio.CancelledError):
        await start
    await until(lambda: ended, "the process started anyway, and nobody watches it: ended")
    await until(lambda: ended[0].returncode is not None, "it was reaped")
    assert ended[0].returncode == -signal.SIGKILL
    assert marked(mark) == []


async def test_a_command_that_cannot_start_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        await GroupProcess.start("", str(tmp_path / "missing"), os.environ)
