"""One folder's snapshot index: path → what its last scan saw (stat and state), with each
directory's children, so that a watcher's event on one directory touches only what is below it."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Mapping

import attrs

from intentls.undo.eligible import parent_of
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


def st_mode(kind: str, mode: int) -> int:
    kinds = {"dir": stat.S_IFDIR, "link": stat.S_IFLNK, "file": stat.S_IFREG}
    return kinds.get(kind, stat.S_IFREG) | mode


class FolderIndex(Mapping[str, State]):
    """Read as a mapping, the folder's tree as of its latest scan (path → state)."""

    def __init__(self, entries: dict[str, Entry]) -> None:
        self.entries = entries
        self._children: dict[str, set[str]] = {}
        for rel in entries:
            self._children.setdefault(parent_of(rel).rstrip("/"), set()).add(rel)

    def __getitem__(self, rel: str) -> State:
        return self.entries[rel].state

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, rel: object) -> bool:
        return rel in self.entries

    def put(self, rel: str, entry: Entry) -> None:
        self.entries[rel] = entry
        self._children.setdefault(parent_of(rel).rstrip("/"), set()).add(rel)

    def pop(self, rel: str) -> Entry | None:
        """Remove one path (not what is below it)."""
        entry = self.entries.pop(rel, None)
        siblings = self._children.get(parent_of(rel).rstrip("/"))
        if siblings is not None:
            siblings.discard(rel)
        self._children.pop(rel, None)
        return entry

    def below(self, rel: str) -> Iterator[str]:
        """Every indexed path below the directory `rel`, parents before children."""
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
