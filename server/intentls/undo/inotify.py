"""An inotify watch on every eligible directory of one folder, so that a snapshot costs what
changed instead of what exists.

Why inotify directly (`inotify_simple`, a thin ctypes wrapper) rather than a debouncing watcher
such as watchfiles: the kernel queues an event inside the very system call that changes a file,
before that call returns. Once a run's processes have exited, every change they made is already
in the queue, and reading the queue without blocking sees all of it: no quiet period to wait
out, no sentinel to wait for. What the queue cannot promise is said by `Dirty.full` (the queue
overflowed, the folder itself went away): the snapshot then walks the whole folder.

Directories are watched before they are listed (see `Eligibility.walk`), so a file made while a
directory is being walked is either listed or reported. A directory reported as new is walked
whole, since what was made in it before its watch existed has no event.

Not seen by inotify, on any watcher: writes through a memory mapping, and changes made by
another machine on a network filesystem. Folders on network or FUSE filesystems are therefore
not watched (like git's fsmonitor, which refuses them too), and `INTENTLS_UNDO_WATCH=0` turns
watching off everywhere; snapshots then stat every eligible file."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import select
from pathlib import Path

import attrs
from inotify_simple import INotify
from inotify_simple import flags as f

from intentls.undo.eligible import GITIGNORE

log = logging.getLogger(__name__)

WATCH_ENV = "INTENTLS_UNDO_WATCH"

MASK = (
    f.MODIFY
    | f.ATTRIB
    | f.CREATE
    | f.DELETE
    | f.MOVED_FROM
    | f.MOVED_TO
    | f.DELETE_SELF
    | f.MOVE_SELF
    | f.ONLYDIR
    | f.DONT_FOLLOW
    | f.EXCL_UNLINK
)

REMOTE_FILESYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "virtiofs", "ceph", "glusterfs", "afs", "lustre"}
)
"""Filesystems whose files another machine may change, unseen by this kernel's inotify."""


@attrs.define
class Dirty:
    """What changed since the last drain."""

    paths: set[str] = attrs.Factory(set)
    """Paths to look at again (a file written, a path made or removed, a mode changed)."""
    trees: set[str] = attrs.Factory(set)
    """Directories to walk whole: made or moved in, or their `.gitignore` changed."""
    full: bool = False
    """Events were lost: walk the whole folder."""


class Watch:
    """The watches of one folder: watch descriptor ↔ directory (relative, "" for the folder)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._base = os.path.realpath(root)
        """Watches never follow links (`DONT_FOLLOW`): a folder opened through one is watched
        where it really is."""
        self._inotify = INotify(nonblocking=True)
        self._dirs: dict[int, str] = {}
        self._wds: dict[str, int] = {}
        self.broken = False
        """A watch could not be added (the per-user limit): this folder is walked instead."""

    @classmethod
    def open(cls, root: Path) -> Watch | None:
        """A watcher for `root`, or None where watching cannot be trusted or is turned off."""
        if os.environ.get(WATCH_ENV, "1") == "0":
            return None
        fstype = filesystem_type(root)
        if fstype in REMOTE_FILESYSTEMS or fstype.startswith("fuse"):
            log.info("%s is on %s: snapshots stat every file instead of watching", root, fstype)
            return None
        try:
            return cls(root)
        except OSError as exc:
            log.warning("cannot watch %s (%s): snapshots stat every file", root, exc)
            return None

    def close(self) -> None:
        self._inotify.close()

    def add(self, prefix: str) -> None:
        """Watch the directory `prefix` ("" or ending in "/"), before it is listed."""
        rel = prefix.rstrip("/")
        path = os.path.join(self._base, rel) if rel else self._base  # noqa: PTH118
        try:
            wd = self._inotify.add_watch(path, MASK)
        except OSError as exc:
            if rel and exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
                return  # gone or replaced since it was listed: its parent's events tell
            if exc.errno == errno.ENOSPC:
                log.warning("inotify watch limit reached under %s: snapshots stat every file", path)
            else:
                log.warning("cannot watch %s (%s): snapshots stat every file", path, exc)
            self.broken = True
            return
        # inotify watches inodes: a directory moved within the folder keeps its descriptor.
        old = self._wds.pop(rel, None)
        if old is not None and old != wd:
            self._dirs.pop(old, None)
        moved_from = self._dirs.get(wd)
        if moved_from is not None and moved_from != rel:
            self._wds.pop(moved_from, None)
        self._dirs[wd] = rel
        self._wds[rel] = wd

    def watched(self, rel: str) -> list[str]:
        """`rel` and the watched directories below it."""
        prefix = rel + "/" if rel else ""
        return [d for d in self._wds if d == rel or d.startswith(prefix)]

    def drop(self, dirs: list[str]) -> None:
        """Stop watching these directories (removed, ignored now, or no longer there)."""
        for rel in dirs:
            wd = self._wds.pop(rel, None)
            if wd is None:
                continue
            self._dirs.pop(wd, None)
            # OSError: the kernel removed it already (the directory is gone).
            with contextlib.suppress(OSError):
                self._inotify.rm_watch(wd)

    def pending(self) -> bool:
        """Events are queued (something changed since the last drain); nothing is read."""
        try:
            ready, _, _ = select.select([self._inotify.fileno()], [], [], 0)
        except (OSError, ValueError):
            return True  # closed meanwhile: say "changed", never wrongly "unchanged"
        return bool(ready)

    def drain(self) -> Dirty:
        """Every event queued until now, without blocking."""
        dirty = Dirty()
        for event in self._inotify.read(timeout=0):
            if event.mask & f.Q_OVERFLOW:
                dirty.full = True
                continue
            base = self._dirs.get(event.wd)
            if base is None:
                continue
            if event.mask & (f.IGNORED | f.DELETE_SELF | f.MOVE_SELF | f.UNMOUNT):
                if event.mask & f.IGNORED:
                    self._dirs.pop(event.wd, None)
                    if self._wds.get(base) == event.wd:
                        del self._wds[base]
                if base:
                    dirty.paths.add(base)
                else:
                    dirty.full = True
                continue
            if not event.name:
                dirty.paths.add(base)  # the directory itself (its mode)
                continue
            rel = f"{base}/{event.name}" if base else event.name
            if event.name == GITIGNORE:
                dirty.trees.add(base)
            elif event.mask & f.ISDIR and event.mask & (f.CREATE | f.MOVED_TO):
                dirty.trees.add(rel)
            else:
                dirty.paths.add(rel)
        return dirty


def filesystem_type(path: Path) -> str:
    """The type of the filesystem `path` is on, from /proc/self/mountinfo ("" if unknown)."""
    target = os.path.realpath(path)
    best, fstype = "", ""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8") as fh:  # noqa: PTH123
            for line in fh:
                fields = line.split()
                mount = fields[4].replace("\\040", " ")
                inside = target == mount or target.startswith(mount.rstrip("/") + "/")
                if inside and len(mount) >= len(best):
                    best, fstype = mount, fields[fields.index("-") + 1]
    except (OSError, ValueError, IndexError):
        return ""
    return fstype
