"""One folder's snapshot index: path → what its last scan saw (stat and state), with each
directory's children (built when first asked), so that a watcher's event on one directory
touches only what is below it.

Two kinds of paths: the index's own entries (each a row of `undo.db`), and the files *known
by their git blob*: tracked, unchanged from git's index entry when looked at, with no row of
their own (a repository's index already is their stat cache). The latter are kept as small
tuples (`Known`), their `State` made only when asked for."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Mapping

import attrs

from intentls.undo.eligible import parent_of
from intentls.undo.gitindex import GIT_REF
from intentls.undo.store import State


@attrs.frozen
class Entry:
    state: State
    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    st_mode: int
    racy: bool
    """Changed within the timestamp granularity of the scan that saw it: its stat may not
    change when it changes again, so it is read again instead of trusted."""

    def same_stat(self, st: os.stat_result) -> bool:
        return (
            not self.racy
            and self.mtime_ns == st.st_mtime_ns
            and self.ctime_ns == st.st_ctime_ns
            and self.size == st.st_size
            and self.ino == st.st_ino
            and self.st_mode == st.st_mode
        )


Known = tuple[bytes, int, int]
"""A file known by its git blob: (blob id, permission bits, size). Whether it still is, git's
index says (its stat of the file, `gitindex.Entries.match`)."""


def known_state(known: Known) -> State:
    return State("file", known[1], GIT_REF + known[0].hex(), None, known[2])


def st_mode(kind: str, mode: int) -> int:
    kinds = {"dir": stat.S_IFDIR, "link": stat.S_IFLNK, "file": stat.S_IFREG}
    return kinds.get(kind, stat.S_IFREG) | mode


class FolderIndex(Mapping[str, State]):
    """Read as a mapping, the folder's tree as of its latest scan (path → state). A path is
    either an own entry or known by its blob, never both."""

    def __init__(self, entries: dict[str, Entry], known: dict[str, Known] | None = None) -> None:
        self.entries = entries
        self.known: dict[str, Known] = known if known is not None else {}
        self._children: dict[str, set[str]] | None = None

    def __getitem__(self, rel: str) -> State:
        entry = self.entries.get(rel)
        if entry is not None:
            return entry.state
        return known_state(self.known[rel])

    def __iter__(self) -> Iterator[str]:
        yield from self.entries
        yield from self.known

    def __len__(self) -> int:
        return len(self.entries) + len(self.known)

    def __contains__(self, rel: object) -> bool:
        return rel in self.entries or rel in self.known

    def put(self, rel: str, entry: Entry) -> None:
        self.entries[rel] = entry
        if self.known.pop(rel, None) is None:
            self._adopt(rel)

    def put_known(self, rel: str, known: Known) -> None:
        if self._children is not None and self.entries.pop(rel, None) is None:
            if rel not in self.known:
                self._adopt(rel)
        else:
            self.entries.pop(rel, None)
        self.known[rel] = known

    def reset_children(self) -> None:
        """Forget the children of each directory (made again when next asked): lets a walk
        add to `known` directly."""
        self._children = None

    def _adopt(self, rel: str) -> None:
        if self._children is not None:
            self._children.setdefault(parent_of(rel).rstrip("/"), set()).add(rel)

    def pop(self, rel: str) -> State | None:
        """Remove one path (not what is below it); its state, None if it was not there."""
        entry = self.entries.pop(rel, None)
        known = self.known.pop(rel, None) if entry is None else None
        if self._children is not None:
            siblings = self._children.get(parent_of(rel).rstrip("/"))
            if siblings is not None:
                siblings.discard(rel)
            self._children.pop(rel, None)
        if entry is not None:
            return entry.state
        return None if known is None else known_state(known)

    def below(self, rel: str) -> Iterator[str]:
        """Every indexed path below the directory `rel`, parents before children."""
        if self._children is None:
            children: dict[str, set[str]] = {}
            for path in self:
                children.setdefault(parent_of(path).rstrip("/"), set()).add(path)
            self._children = children
        stack = [rel]
        while stack:
            for child in self._children.get(stack.pop(), ()):
                yield child
                stack.append(child)


class Overlay(Mapping[str, State]):
    """A folder's index with some paths read apart (what snapshots do not see exactly: ignored,
    excluded or too large), for one undo to check against; the index itself is left alone."""

    def __init__(self, base: FolderIndex) -> None:
        self.base = base
        self.extra: dict[str, State] = {}

    def __getitem__(self, rel: str) -> State:
        found = self.extra.get(rel)
        return found if found is not None else self.base[rel]

    def __setitem__(self, rel: str, state: State) -> None:
        self.extra[rel] = state

    def __iter__(self) -> Iterator[str]:
        yield from self.base
        yield from (rel for rel in self.extra if rel not in self.base)

    def __len__(self) -> int:
        return len(self.base) + sum(rel not in self.base for rel in self.extra)

    def __contains__(self, rel: object) -> bool:
        return rel in self.extra or rel in self.base

    def below(self, rel: str) -> Iterator[str]:
        prefix = rel + "/"
        yield from self.base.below(rel)
        yield from (p for p in self.extra if p.startswith(prefix) and p not in self.base)
