"""Who owns a `running` row. A run is marked `interrupted` only when its owner is provably
gone: on this machine (same boot), its pid no longer runs the same process; elsewhere, its
heartbeat has lapsed. A live server's runs are never touched."""

from __future__ import annotations

import os

import attrs

HEARTBEAT_S = 10.0
LAPSE_S = 60.0
"""A lease not renewed for this long belongs to a dead process on another machine."""


def _read(path: str) -> str | None:
    try:
        with open(path) as fh:  # noqa: PTH123
            return fh.read().strip()
    except OSError:
        return None


def boot_id() -> str | None:
    return _read("/proc/sys/kernel/random/boot_id")


def process_start(pid: int) -> int | None:
    """Clock ticks since boot at which `pid` started: tells a pid from its reuse."""
    stat = _read(f"/proc/{pid}/stat")
    if stat is None:
        return None
    try:
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (IndexError, ValueError):
        return None


@attrs.frozen
class Lease:
    owner: str
    pid: int
    pid_start: int | None
    boot_id: str | None
    host: str

    @classmethod
    def mine(cls) -> Lease:
        pid = os.getpid()
        return cls(os.urandom(16).hex(), pid, process_start(pid), boot_id(), _host())

    def lapsed(self, heartbeat: float, now: float) -> bool:
        here = Lease.local_identity()
        if self.host == here[0] and self.boot_id is not None and self.boot_id == here[1]:
            start = process_start(self.pid)
            return start is None or (self.pid_start is not None and start != self.pid_start)
        return now - heartbeat > LAPSE_S

    @staticmethod
    def local_identity() -> tuple[str, str | None]:
        return _host(), boot_id()


def _host() -> str:
    """The host name (socket.gethostname's value, without loading socket and uuid at the
    start of every terminal command)."""
    return os.uname().nodename
