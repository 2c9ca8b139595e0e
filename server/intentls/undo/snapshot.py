"""Workspace snapshots: the state of every eligible path of a folder, cheaply.

A persistent index per folder (path → size, mtime, ctime, inode, mode, hash, link target) lets
a scan re-read only the files whose stat changed (jj's method). A file whose ctime falls within
`RACY_NS` of the scan that recorded it may change again within the same timestamp tick without
its stat changing: it is marked racy and read again next time. Every content hashed is put in
the store, so the first scan of a folder stores every eligible file and later ones only what
changed; a state a snapshot names can always be restored."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import apsw
import attrs

from intentls.undo.eligible import Eligibility
from intentls.undo.store import UNSTORED, BlobStore, State

RACY_NS = 10_000_000
"""10 ms: more than the coarsest kernel timestamp tick (jiffies at HZ=100)."""

Tree = dict[str, State]
"""Path relative to the folder ("/"-separated) → its state; absent paths are not in it."""


@attrs.frozen
class Entry:
    state: State
    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    st_mode: int
    racy: bool

    def same_stat(self, st: os.stat_result) -> bool:
        return (
            not self.racy
            and self.mtime_ns == st.st_mtime_ns
            and self.ctime_ns == st.st_ctime_ns
            and self.size == st.st_size
            and self.ino == st.st_ino
            and self.st_mode == st.st_mode
        )


@attrs.frozen
class ScanReport:
    tree: Tree
    read: int
    """Files whose content was read (stat changed, racy, or new)."""
    too_big: list[str]
    """Changed files larger than `max_file_bytes`: their content is not stored."""


class Snapshots:
    """The index of every folder this process has scanned, over one connection."""

    def __init__(self, conn: apsw.Connection, blobs: BlobStore) -> None:
        self._conn = conn
        self._blobs = blobs
        self._index: dict[str, dict[str, Entry]] = {}
        self.clock = time.time_ns
        """When a scan starts (tests move it forward instead of waiting out the racy window)."""

    def _load(self, folder: str) -> dict[str, Entry]:
        index = self._index.get(folder)
        if index is None:
            index = {}
            for row in self._conn.execute(
                "SELECT path, kind, mode, hash, target, size, mtime_ns, ctime_ns, ino, racy "
                "FROM entries WHERE folder = ?",
                (folder,),
            ):
                path, kind, mode, hash_, target, size, mtime, ctime, ino, racy = row
                st_mode = _st_mode(str(kind), int(mode))
                index[str(path)] = Entry(
                    State(str(kind), int(mode), hash_, target, int(size)),
                    int(size),
                    int(mtime),
                    int(ctime),
                    int(ino),
                    st_mode,
                    bool(racy),
                )
            self._index[folder] = index
        return index

    def scan(self, root: Path, exclude: list[str], max_file_bytes: int) -> ScanReport:
        """The folder's tree now; updates the index and stores new content (one transaction)."""
        folder = os.fspath(root)
        old = self._load(folder)
        new: dict[str, Entry] = {}
        started = self.clock()
        racy_from = started - RACY_NS
        read = 0
        too_big: list[str] = []
        with self._conn:
            for rel, st in Eligibility(root, exclude).walk():
                entry = old.get(rel)
                if entry is None or not entry.same_stat(st):
                    state = self._state(root, rel, st, max_file_bytes)
                    if state is None:
                        continue
                    read += state.kind == "file"
                    if not state.restorable:
                        too_big.append(rel)
                    racy = max(st.st_mtime_ns, st.st_ctime_ns) >= racy_from
                    entry = Entry(
                        state,
                        st.st_size,
                        st.st_mtime_ns,
                        st.st_ctime_ns,
                        st.st_ino,
                        st.st_mode,
                        racy,
                    )
                new[rel] = entry
            self._save(folder, old, new, started)
        self._index[folder] = new
        return ScanReport({p: e.state for p, e in new.items()}, read, too_big)

    def forget(self, root: Path) -> None:
        """Drop the in-memory index (the next scan reloads the persisted one)."""
        self._index.pop(os.fspath(root), None)

    def _state(self, root: Path, rel: str, st: os.stat_result, max_file_bytes: int) -> State | None:
        full = os.path.join(root, rel)  # noqa: PTH118
        mode = stat.S_IMODE(st.st_mode)
        if stat.S_ISDIR(st.st_mode):
            return State("dir", mode)
        if stat.S_ISLNK(st.st_mode):
            try:
                return State("link", mode, None, os.readlink(full))  # noqa: PTH115
            except OSError:
                return None
        if st.st_size > max_file_bytes:
            return State("file", mode, f"{UNSTORED}{st.st_size}:{st.st_mtime_ns}", None, st.st_size)
        try:
            data = read_nofollow(full)
        except OSError:
            return None
        if len(data) > max_file_bytes:
            return State("file", mode, f"{UNSTORED}{len(data)}:{st.st_mtime_ns}", None, len(data))
        return State("file", mode, self._blobs.put(data), None, len(data))

    def _save(
        self, folder: str, old: dict[str, Entry], new: dict[str, Entry], started: int
    ) -> None:
        gone = [(folder, p) for p in old.keys() - new.keys()]
        if gone:
            self._conn.executemany("DELETE FROM entries WHERE folder = ? AND path = ?", gone)
        changed = [
            (
                folder,
                p,
                e.state.kind,
                e.state.mode,
                e.state.hash,
                e.state.target,
                e.size,
                e.mtime_ns,
                e.ctime_ns,
                e.ino,
                int(e.racy),
            )
            for p, e in new.items()
            if old.get(p) is not e
        ]
        if changed:
            self._conn.executemany(
                "INSERT OR REPLACE INTO entries(folder, path, kind, mode, hash, target, size, "
                "mtime_ns, ctime_ns, ino, racy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                changed,
            )
        self._conn.execute(
            "INSERT OR REPLACE INTO scans(folder, started_ns) VALUES (?, ?)", (folder, started)
        )


def read_nofollow(path: str) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _st_mode(kind: str, mode: int) -> int:
    kinds = {"dir": stat.S_IFDIR, "link": stat.S_IFLNK, "file": stat.S_IFREG}
    return kinds.get(kind, stat.S_IFREG) | mode


def diff(before: Tree, after: Tree) -> list[str]:
    """Paths whose state differs, sorted."""
    changed = [p for p, s in after.items() if before.get(p) != s]
    changed += [p for p in before if p not in after]
    return sorted(changed)
