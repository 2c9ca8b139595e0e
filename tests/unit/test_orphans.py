"""Processes of a server killed with -9 are found by their owner mark and ended; those of a
live server are not."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from intentls.execution import orphans

CRASHING_SERVER = """
import os, subprocess, sys
from intentls.execution.orphans import OWNER_ENV, owner_mark
env = {**os.environ, OWNER_ENV: owner_mark()}
child = subprocess.Popen(
    ["sleep", "300"], env=env, start_new_session=True,
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
)
print(child.pid, flush=True)
os.kill(os.getpid(), 9)
"""


def _spawn_orphan() -> int:
    proc = subprocess.run(
        [sys.executable, "-c", CRASHING_SERVER], capture_output=True, text=True, check=False
    )
    return int(proc.stdout.split()[0])


def _running(pid: int) -> bool:
    return orphans._alive(pid)


def test_a_crashed_servers_processes_are_ended() -> None:
    pid = _spawn_orphan()
    try:
        assert _running(pid)
        found = [o for o in orphans.find() if o.pid == pid]
        assert len(found) == 1 and found[0].pgid == pid
        assert orphans.end(found) == 1
        assert not _running(pid)
    finally:
        if _running(pid):
            os.kill(pid, 9)


def test_a_live_servers_processes_are_left_alone() -> None:
    env = {**os.environ, orphans.OWNER_ENV: orphans.owner_mark()}
    child = subprocess.Popen(["sleep", "300"], env=env, start_new_session=True)
    try:
        time.sleep(0.05)
        assert child.pid not in [o.pid for o in orphans.find()]
    finally:
        child.kill()
        child.wait()
