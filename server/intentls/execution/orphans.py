"""Processes a crashed server left behind, found and ended by the next one.

Every step runs with `INTENTLS_OWNER=<boot id>:<server pid>:<server start>:<history>` in its
environment (`<history>`: a digest of the history file's path), and its descendants inherit it.
A server killed with -9 cannot end its runs' process groups; they are re-parented to init and
run on. The next server looks through this user's processes for that mark: one of a server
that kept the same history and is provably gone (same boot, and that pid no longer runs the
process that started it) is an orphan, and its process group is ended (SIGTERM, then SIGKILL
after a grace). A live server's processes, those of another boot and those of servers keeping
another history are never touched."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs

from intentls.history.lease import boot_id, process_start

log = logging.getLogger(__name__)

OWNER_ENV = "INTENTLS_OWNER"
GRACE_S = 2.0


_scope = "-"
"""Which history this process keeps (`claim`): a server ends only its predecessors' orphans."""


def claim(history: Path | None) -> None:
    """This process keeps `history` (None: in memory)."""
    global _scope
    _scope = hashlib.sha256(os.fsencode(history or "-")).hexdigest()[:16]
    owner_mark.cache_clear()


@functools.cache
def owner_mark() -> str:
    """This server's mark, for its steps' environment."""
    pid = os.getpid()
    return f"{boot_id() or '-'}:{pid}:{process_start(pid) or 0}:{_scope}"


@attrs.frozen
class Orphan:
    pid: int
    pgid: int
    owner_pid: int


def _owner_gone(mark: str, boot: str | None) -> int | None:
    """The owner's pid when the mark names a server of this boot and history that is no
    longer running."""
    try:
        mark_boot, pid_text, start_text, scope = mark.split(":")
        pid, start = int(pid_text), int(start_text)
    except ValueError:
        return None
    if boot is None or mark_boot != boot or scope != _scope:
        return None
    now = process_start(pid)
    return pid if now is None or now != start else None


def owner_gone(mark: str) -> bool:
    """Whether the server a mark names is gone: on this boot its pid runs another process
    or none; a mark of an earlier boot is gone too."""
    try:
        mark_boot = mark.split(":")[0]
    except IndexError:
        return False
    boot = boot_id()
    if boot is not None and mark_boot != boot:
        return True
    return _owner_gone(mark, boot) is not None


def _mark_of(pid: int) -> str | None:
    prefix = (OWNER_ENV + "=").encode()
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:  # noqa: PTH123
            environ = fh.read()
    except OSError:
        return None
    for item in environ.split(b"\0"):
        if item.startswith(prefix):
            return item[len(prefix) :].decode("utf-8", "replace")
    return None


def _processes() -> Iterator[int]:
    uid = os.getuid()
    with contextlib.suppress(OSError), os.scandir("/proc") as it:
        for entry in it:
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if entry.stat().st_uid == uid:
                        yield int(entry.name)


def find() -> list[Orphan]:
    """This user's processes whose server, which kept the same history, is gone."""
    boot = boot_id()
    mine = os.getpid()
    found = []
    for pid in _processes():
        if pid == mine:
            continue
        mark = _mark_of(pid)
        owner = _owner_gone(mark, boot) if mark is not None else None
        if owner is None:
            continue
        with contextlib.suppress(OSError):
            found.append(Orphan(pid, os.getpgid(pid), owner))
    return found


def end(
    orphans: list[Orphan],
    grace_s: float = GRACE_S,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """End the orphans' process groups (never this server's own group); how many processes
    were still there to end."""
    own_group = os.getpgrp()
    groups = {o.pgid for o in orphans if o.pgid != own_group}
    pids = {o.pid for o in orphans}
    _signal(groups, pids, own_group, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        sleep(0.05)
    _signal(groups, {p for p in pids if _alive(p)}, own_group, signal.SIGKILL)
    return len(pids)


def end_all() -> int:
    """Find and end every orphan (a server calls this once it has started)."""
    found = find()
    if not found:
        return 0
    ended = end(found)
    owners = sorted({o.owner_pid for o in found})
    log.warning("ended %d processes left by crashed intentls servers %s", ended, owners)
    return ended


def _signal(groups: set[int], pids: set[int], own_group: int, sig: signal.Signals) -> None:
    for pgid in groups:
        with contextlib.suppress(OSError):
            os.killpg(pgid, sig)
    for pid in pids:
        with contextlib.suppress(OSError):
            if os.getpgid(pid) != own_group:
                os.kill(pid, sig)


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:  # noqa: PTH123
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
