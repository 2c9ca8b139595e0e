"""What a snapshot may read, and how much of it: never a special file, never a pseudo
filesystem, and a bounded amount of time, paths and new content per scan.

A path that `lstat` calls a regular file can still block a reader forever (`/proc/kmsg`) or
never end (`/proc/self/...` reports size 0): pseudo filesystems are skipped whole, files are
opened non-blocking and checked again on the open descriptor (a FIFO swapped in after the
`lstat` is refused), and no read goes past the size limit. A folder too big to snapshot within
the bounds is "not undoable: too large" instead of a stall of every other run's snapshot."""

from __future__ import annotations

import os
import stat
import time

import attrs

PSEUDO_FS = frozenset(
    {
        "proc",
        "sysfs",
        "devtmpfs",
        "devpts",
        "cgroup",
        "cgroup2",
        "debugfs",
        "tracefs",
        "securityfs",
        "bpf",
        "configfs",
        "fusectl",
        "mqueue",
        "hugetlbfs",
        "pstore",
        "autofs",
        "binfmt_misc",
        "efivarfs",
        "selinuxfs",
        "nsfs",
        "rpc_pipefs",
        "nfsd",
    }
)
"""Filesystems of kernel interfaces, not content."""


def pseudo_devices(mountinfo: str = "/proc/self/mountinfo") -> frozenset[int]:
    """The device numbers of every pseudo filesystem mounted (empty when unknown)."""
    devices: set[int] = set()
    try:
        with open(mountinfo, encoding="utf-8") as fh:  # noqa: PTH123
            for line in fh:
                fields = line.split()
                fstype = fields[fields.index("-") + 1]
                if fstype in PSEUDO_FS:
                    major, minor = fields[2].split(":")
                    devices.add(os.makedev(int(major), int(minor)))
    except (OSError, ValueError, IndexError):
        pass
    return frozenset(devices)


class NotSnapshotted(Exception):
    """A folder that is not snapshotted (a pseudo filesystem, past the bounds): the run is
    "not undoable: " + `reason`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@attrs.frozen
class Bounds:
    max_paths: int = 300_000
    max_seconds: float = 30.0
    max_new_bytes: int = 2 * 1024**3
    """Content read for storing by one scan (a folder's first scan stores every file)."""


DEFAULT_BOUNDS = Bounds()


class Budget:
    """One scan's spending against its bounds."""

    CHECK_EVERY = 512

    def __init__(self, bounds: Bounds, clock: float | None = None) -> None:
        self.bounds = bounds
        self.started = time.monotonic() if clock is None else clock
        self.paths = 0
        self.bytes = 0

    def path(self) -> None:
        self.paths += 1
        if self.paths > self.bounds.max_paths:
            raise NotSnapshotted(
                f"too large: more than {self.bounds.max_paths:,} paths to snapshot"
            )
        if self.paths % self.CHECK_EVERY == 0:
            self._time()

    def content(self, size: int) -> None:
        self.bytes += size
        if self.bytes > self.bounds.max_new_bytes:
            raise NotSnapshotted(
                f"too large: more than {self.bounds.max_new_bytes:,} bytes of content to store"
            )
        self._time()

    def _time(self) -> None:
        if time.monotonic() - self.started > self.bounds.max_seconds:
            raise NotSnapshotted(
                f"too large: the snapshot took longer than {self.bounds.max_seconds:g} s "
                f"({self.paths:,} paths so far)"
            )


def read_regular(
    path: str, st: os.stat_result, limit: int | None, dir_fd: int | None = None
) -> bytes:
    """The regular file `path` that `st` (its lstat) describes, at most `limit + 1` bytes of
    it (a longer file is too big: no need to read on): no link followed, no blocking open, and
    OSError if what is opened is another file or not a regular file."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, dir_fd=dir_fd)
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
            raise OSError(f"{path} is not the regular file it was")
        chunks = []
        got = 0
        while limit is None or got <= limit:
            want = 1 << 20 if limit is None else min(limit + 1 - got, 1 << 20)
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
