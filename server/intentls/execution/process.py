"""A shell command in its own process group, so that cancelling it reaches every descendant.

Its stdout and stderr are one pipe, as in a terminal: lines arrive in the order the program
wrote them (two pipes would be read in whatever order the event loop saw them ready), at the
cost of telling the streams apart (docs/protocol.md, "Output order").

It is started on a thread of its own, not on the event loop: `fork` + `exec` return only once
the child has run `exec`, which on a busy machine takes milliseconds to a tenth of a second —
asyncio's `create_subprocess_exec` would stall every other run, request and notification that
long. The loop then reads the pipe and sees the exit (a pidfd) as asyncio would.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

GRACE_S = 2.0
"""How long a process group gets between SIGTERM and SIGKILL."""
_POLL_S = 0.02


SPAWNERS = 4
"""Threads that start processes: runs start their steps at once, up to this many together."""


@functools.cache
def _spawner() -> ThreadPoolExecutor:
    """Its own threads, so that a spawn never queues behind built-in tools (which run on the
    default executor)."""
    return ThreadPoolExecutor(SPAWNERS, thread_name_prefix="intentls-spawn")


class GroupProcess:
    def __init__(self, pid: int, stdout: asyncio.StreamReader, exited: asyncio.Future[int]):
        self.pid = pid
        self.pgid = pid
        """`start_new_session` makes the shell the leader of a group with its own pid."""
        self.stdout = stdout
        """stdout and stderr, one pipe."""
        self._exited = exited

    async def wait(self) -> int:
        """The exit status (negative: the signal that ended it), once it has exited."""
        return await asyncio.shield(self._exited)

    @classmethod
    async def start(
        cls, command: str, cwd: str, env: Mapping[str, str], argv: list[str] | None = None
    ) -> GroupProcess:
        """`command` through `/bin/sh -c`, or `argv` executed directly."""
        loop = asyncio.get_running_loop()
        spawn = loop.run_in_executor(
            _spawner(), _popen, argv or ["/bin/sh", "-c", command], cwd, env
        )
        try:
            popen = await asyncio.shield(spawn)
        except asyncio.CancelledError:  # it starts anyway: end it once it has
            spawn.add_done_callback(_end_unwatched)
            raise
        assert popen.stdout is not None
        stdout = asyncio.StreamReader(loop=loop)
        try:
            await loop.connect_read_pipe(
                lambda: asyncio.StreamReaderProtocol(stdout, loop=loop), popen.stdout
            )
        except BaseException:
            _end(popen)
            raise
        return cls(popen.pid, stdout, _exit_of(popen, loop))

    def _signal(self, sig: int) -> bool:
        """Signal the whole group; False once no member is left."""
        try:
            os.killpg(self.pgid, sig)
        except ProcessLookupError:
            return False
        except PermissionError:
            return False
        return True

    def alive(self) -> bool:
        return self._signal(0) and not self._only_zombies()

    def _only_zombies(self) -> bool:
        """A reaped leader's orphans can linger as zombies until init reaps them; they hold
        nothing, so they do not count as left behind."""
        try:
            pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
        except OSError:
            return False
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat", "rb") as fh:  # noqa: PTH123
                    fields = fh.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.pgid and fields[0] != b"Z":
                return False
        return True

    async def terminate(self, grace_s: float = GRACE_S) -> None:
        """SIGTERM the group, SIGKILL what is left after `grace_s`, return once it is gone."""
        if not self._signal(signal.SIGTERM):
            return
        deadline = time.monotonic() + grace_s
        while self.alive() and time.monotonic() < deadline:
            await asyncio.sleep(_POLL_S)
        if self._signal(signal.SIGKILL):
            deadline = time.monotonic() + grace_s
            while self.alive() and time.monotonic() < deadline:
                await asyncio.sleep(_POLL_S)

    def kill_now(self) -> None:
        """Last resort when the event loop is going away."""
        self._signal(signal.SIGKILL)


def _popen(argv: list[str], cwd: str, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv,
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one pipe: the order the program wrote in
        start_new_session=True,
    )


def _exit_of(
    popen: subprocess.Popen[bytes], loop: asyncio.AbstractEventLoop
) -> asyncio.Future[int]:
    """The child's exit status: the event loop sees the exit through a pidfd; without one
    (not Linux), a thread waits for it, as asyncio's own watcher does."""
    exited: asyncio.Future[int] = loop.create_future()
    try:
        pidfd = os.pidfd_open(popen.pid)
    except (AttributeError, OSError):
        pidfd = None
    if pidfd is None:

        def wait() -> None:
            code = popen.wait()
            loop.call_soon_threadsafe(exited.set_result, code)

        threading.Thread(target=wait, name="intentls-wait", daemon=True).start()
        return exited

    def reap() -> None:
        loop.remove_reader(pidfd)
        os.close(pidfd)
        exited.set_result(popen.wait())  # it has exited: reaped at once

    loop.add_reader(pidfd, reap)
    return exited


def _end(popen: subprocess.Popen[bytes]) -> None:
    """A child nobody will watch: its group killed, its pipe closed, reaped by a thread."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(popen.pid, signal.SIGKILL)
    if popen.stdout is not None:
        popen.stdout.close()
    threading.Thread(target=popen.wait, name="intentls-reap", daemon=True).start()


def _end_unwatched(spawn: asyncio.Future[subprocess.Popen[bytes]]) -> None:
    if not spawn.cancelled() and spawn.exception() is None:
        _end(spawn.result())
