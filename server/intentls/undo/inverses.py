"""The undo record of a built-in tool run, from the inverse operations its tools recorded before
they acted (tools/inverse.py) instead of from snapshots.

The operations are replayed, newest first, on a virtual overlay of the folder as the run left
it; nothing on disk changes. What the overlay then says of each path they touched is that path's
state before the run, exactly: ignored files and files of any size included, since the
operations hold their earlier content (inline, or a file in the trash) or name where it went. An
operation whose effect is not there (its step failed before acting) is skipped. Every content a
before-state names is put in the store, so the record restores like a snapshot's."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from intentls.undo import fs
from intentls.undo.store import BlobStore, State

Subtree = dict[str, State]
"""Suffix below a path ("" for the path itself, else "a/b") → state."""


@attrs.frozen
class Derived:
    changes: dict[str, tuple[State | None, State | None]]
    """Folder-relative path → (before the run, as the run left it), only where they differ."""
    unknown: dict[str, str]
    """Folder-relative paths (and what is below them) whose earlier state is not known, and
    why: they are left out of the record."""
    outside: list[str]
    """Absolute paths outside the folder the run changed: not in this folder's record."""


def derive(root: Path, ops: Iterable[dict[str, Any]], blobs: BlobStore) -> Derived:
    """`ops` in the order they were recorded (git operations are not file operations: skipped)."""
    overlay = Overlay(root, blobs)
    for op in reversed(list(ops)):
        overlay.replay(op)
    return overlay.derived()


class Overlay:
    """The folder as the run left it (read lazily from disk), with replayed operations on top."""

    def __init__(self, root: Path, blobs: BlobStore) -> None:
        self._root = Path(os.path.realpath(root))
        self._blobs = blobs
        self._view: dict[str, State | None] = {}
        """Paths the replay set (None: absent before)."""
        self._hidden: set[str] = set()
        """Paths whose disk subtree the replay replaced: below them only `_view` counts."""
        self._disk: dict[str, State | None] = {}
        """States read from disk: as the run left them."""
        self._unknown: dict[str, str] = {}
        self._outside: list[str] = []

    # ---- the view --------------------------------------------------------------------------

    def disk(self, rel: str) -> State | None:
        if rel not in self._disk:
            found = fs.read_state(self._root, rel)
            if found is not None and found[1] is not None:
                self._blobs.put(found[1])
            self._disk[rel] = None if found is None else found[0]
        return self._disk[rel]

    def state(self, rel: str) -> State | None:
        if rel in self._view:
            return self._view[rel]
        if any(a in self._hidden for a in _self_and_ancestors(rel)):
            return None
        return self.disk(rel)

    def subtree(self, rel: str) -> Subtree:
        top = self.state(rel)
        if top is None:
            return {}
        found: Subtree = {"": top}
        if top.kind != "dir":
            return found
        prefix = rel + "/"
        candidates = {k for k in self._view if k.startswith(prefix)}
        if not any(a in self._hidden for a in _self_and_ancestors(rel)):
            candidates.update(fs.walk(self._root, rel))
        for path in sorted(candidates):
            state = self.state(path)
            if state is not None:
                found[path[len(prefix) :]] = state
        return found

    def _absent(self, rel: str) -> None:
        prefix = rel + "/"
        for key in [k for k in self._view if k.startswith(prefix)]:
            self._view[key] = None
        self._view[rel] = None
        self._hidden.add(rel)

    def _put(self, rel: str, tree: Subtree) -> None:
        self._absent(rel)
        for suffix, state in tree.items():
            self._view[f"{rel}/{suffix}" if suffix else rel] = state

    def _file(self, rel: str, data: bytes, mode: int) -> None:
        self._put(rel, {"": State("file", mode, self._blobs.put(data), None, len(data))})

    # ---- operations ------------------------------------------------------------------------

    def replay(self, op: dict[str, Any]) -> None:
        kind = op.get("op")
        if kind == "git":
            return
        given = [str(op[k]) for k in ("path", "from", "to") if k in op]
        rels = [r for r in map(self._rel, given) if r is not None]
        if not given or len(rels) < len(given):
            self._across(given)
        elif kind == "remove":
            self._remove(rels[0], op.get("sha256"))
        elif kind == "restore":
            self._restore(rels[0], op)
        elif kind == "truncate":
            self._truncate(rels[0], int(op["size"]))
        elif kind == "move":
            self._move(rels[0], rels[1])
        elif kind == "untrash":
            self._untrash(rels[0], Path(str(op["trash"])))
        elif kind == "rmdir":
            self._rmdir(rels[0])
        else:
            for rel in rels:
                self._unknown[rel] = f"an operation this version does not know ({kind})"

    def _rel(self, path: str) -> str | None:
        """Relative to the folder; None outside it (the folder itself is outside too)."""
        base = os.fspath(self._root)
        return path[len(base) + 1 :] if path.startswith(base + os.sep) else None

    def _across(self, given: list[str]) -> None:
        """An operation reaching outside the folder: what it touched inside is left out too,
        since undoing one side of a move between folders would lose or duplicate it."""
        for path in given:
            rel = self._rel(path)
            if rel is None:
                self._outside.append(path)
            else:
                self._unknown[rel] = "moved to or from another workspace folder"

    def _remove(self, rel: str, sha256: object) -> None:
        now = self.state(rel)
        if now is None:
            return  # the step failed before creating it
        if sha256 is not None and (now.kind != "file" or now.hash != sha256):
            return  # not what the step wrote: it existed already (the step failed) or was
            # changed by someone else during the run
        self._absent(rel)

    def _restore(self, rel: str, op: dict[str, Any]) -> None:
        mode = int(op["mode"])
        if "content" in op:
            self._file(rel, base64.b64decode(str(op["content"])), mode)
            return
        blob = Path(str(op["blob"]))
        found = fs.read_state(blob.parent, blob.name)
        if found is None or found[1] is None:
            self._unknown[rel] = "its earlier content is no longer in the trash"
            return
        self._file(rel, found[1], mode)

    def _truncate(self, rel: str, size: int) -> None:
        now = self.state(rel)
        if now is None or now.kind != "file" or now.hash is None:
            return
        self._file(rel, self._blobs.get(now.hash)[:size], now.mode)

    def _move(self, moved_to: str, came_from: str) -> None:
        tree = self.subtree(moved_to)
        if not tree or self.state(came_from) is not None:
            return  # the move did not happen
        self._absent(moved_to)
        self._put(came_from, tree)

    def _untrash(self, rel: str, trash: Path) -> None:
        if self.state(rel) is not None:
            return  # still there: the step failed before removing it
        tree = self._trashed(trash)
        if not tree:
            self._unknown[rel] = "its deleted content is no longer in the trash"
            return
        self._put(rel, tree)

    def _trashed(self, trash: Path) -> Subtree:
        """What the trash holds at `trash` (a file, a link or a tree), its contents stored."""
        parent, name = trash.parent, trash.name
        tree: Subtree = {}
        for path in [name, *fs.walk(parent, name)]:
            state = stored_state(self._blobs, parent, path)
            if state is not None:
                tree[path[len(name) + 1 :]] = state
        return tree

    def _rmdir(self, rel: str) -> None:
        now = self.state(rel)
        if now is not None and now.kind == "dir" and len(self.subtree(rel)) == 1:
            self._absent(rel)

    # ---- the result ------------------------------------------------------------------------

    def derived(self) -> Derived:
        candidates = set(self._view)
        for rel in self._hidden:
            candidates.update(fs.walk(self._root, rel))
        changes: dict[str, tuple[State | None, State | None]] = {}
        for rel in sorted(candidates):
            if any(a in self._unknown for a in _self_and_ancestors(rel)):
                continue
            before, after = self.state(rel), self.disk(rel)
            if before != after:
                changes[rel] = (before, after)
        return Derived(changes, dict(sorted(self._unknown.items())), sorted(set(self._outside)))


def _self_and_ancestors(rel: str) -> list[str]:
    parts = rel.split("/")
    return ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]


def stored_state(blobs: BlobStore, root: Path, rel: str) -> State | None:
    """A path's state read from disk (never through a link), its content put in the store."""
    found = fs.read_state(root, rel)
    if found is None:
        return None
    state, data = found
    if data is not None:
        blobs.put(data)
    return state
