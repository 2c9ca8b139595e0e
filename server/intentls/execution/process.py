"""A shell command in its own process group, so that cancelling it reaches every descendant.

Its stdout and stderr are one pipe, as in a terminal: lines arrive in the order the program
wrote them (two pipes would be read in whatever order the event loop saw them ready), at the
cost of telling the streams apart (docs/protocol.md, "Output order").
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path

GRACE_S = 2.0
"""How long a process group gets between SIGTERM and SIGKILL."""
_POLL_S = 0.02


def prefer_pidfd_watcher() -> None:
    """On Python 3.11 asyncio waits for each child in a thread of its own; a pidfd lets the
    event loop itself see the exit (3.12+ does this by default)."""
    if sys.version_info >= (3, 12) or not hasattr(os, "pidfd_open"):
        return
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return
    watcher = asyncio.PidfdChildWatcher()
    watcher.attach_loop(asyncio.get_running_loop())
    asyncio.get_event_loop_policy().set_child_watcher(watcher)


class GroupProcess:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.pgid = proc.pid
        """`start_new_session` makes the shell the leader of a group with its own pid."""

    @classmethod
    async def start(
        cls, command: str, cwd: str, env: Mapping[str, str], argv: list[str] | None = None
    ) -> GroupProcess:
        """`command` through `/bin/sh -c`, or `argv` executed directly."""
        proc = await asyncio.create_subprocess_exec(
            *(argv or ["/bin/sh", "-c", command]),
            cwd=cwd,
            env=dict(env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,  # one pipe: the order the program wrote in
            start_new_session=True,
        )
        return cls(proc)

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
