"""The content-addressed store: file contents by sha256, zlib-compressed, each stored once.

A file's mode and a symlink's target are not content: they live in its `State`, beside the
hash, so two files with the same bytes and different modes share one blob."""

from __future__ import annotations

import hashlib
import json
import stat
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import apsw
import attrs

from intentls.undo.gitindex import GIT_REF, blob_id, oid_of, read_blobs

UNSTORED = "?"
"""Prefix of the pseudo-hash of a file too large to store: its stat, enough to see a change."""


class MissingBlob(LookupError):
    """A state names content the store does not have."""


@attrs.frozen
class State:
    """What a path is at one moment: a file (content hash, mode), a symlink, or a directory."""

    kind: str
    """"file", "link" or "dir"."""
    mode: int = 0
    """Permission bits (`stat.S_IMODE`); 0 for symlinks."""
    hash: str | None = None
    """Files: sha256 hex of the content, or `?size:mtime:ino` when too large to store."""
    target: str | None = None
    """Symlinks: where the link points, exactly as `readlink` says."""
    size: int = attrs.field(default=0, eq=False)

    @property
    def restorable(self) -> bool:
        return not (self.kind == "file" and (self.hash or UNSTORED).startswith(UNSTORED))

    def to_json(self) -> str:
        return json.dumps(
            {"k": self.kind, "m": self.mode, "h": self.hash, "t": self.target, "s": self.size}
        )

    @classmethod
    def from_json(cls, text: str | None) -> State | None:
        if text is None:
            return None
        data: dict[str, Any] = json.loads(text)
        return cls(data["k"], data["m"], data["h"], data["t"], data["s"])

    def describe(self) -> str:
        if self.kind == "dir":
            return "a directory"
        if self.kind == "link":
            return f"a symlink to {self.target}"
        exec_bit = " (executable)" if self.mode & stat.S_IXUSR else ""
        return f"a file of {self.size} bytes{exec_bit}"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    """Blobs in the `blobs` table of one connection; the caller owns transactions.

    A hash `git:<oid>` names a git blob (undo/gitindex.py): read from the repositories this
    process snapshots until `keep` copies it into the table, under that key, for the records
    that need it whatever git does later (gc, a rewritten history)."""

    def __init__(self, conn: apsw.Connection) -> None:
        self._conn = conn
        self.repositories: set[Path] = set()
        """Work trees whose object stores `git:` hashes are read from."""

    def put(self, data: bytes) -> str:
        """Store `data` once; content put again is no longer awaiting collection, since what
        puts it may hold its hash in memory before the next collection sees a reference."""
        key = digest(data)
        if self.has(key):
            self._conn.execute("DELETE FROM orphans WHERE hash = ?", (key,))
        else:
            self._conn.execute(
                "INSERT INTO blobs(hash, size, data) VALUES (?, ?, ?)",
                (key, len(data), zlib.compress(data, 6)),
            )
        return key

    def has(self, key: str) -> bool:
        row = self._conn.execute("SELECT 1 FROM blobs WHERE hash = ?", (key,)).fetchone()
        return row is not None

    def get(self, key: str) -> bytes:
        row = self._conn.execute("SELECT data FROM blobs WHERE hash = ?", (key,)).fetchone()
        oid = oid_of(key)
        if row is None and oid is not None:
            found = self._from_git([oid]).get(oid)
            if found is not None:
                return found
        if row is None:
            raise MissingBlob(key)
        data = zlib.decompress(bytes(row[0]))
        if (digest(data) if oid is None else GIT_REF + blob_id(data, len(oid))) != key:
            raise MissingBlob(f"{key}: stored content is damaged")
        return data

    def keep(self, keys: Iterable[str | None]) -> set[str]:
        """Copy the git blobs among `keys` into the store (records need them after git may have
        dropped them); returns those git no longer has."""
        wanted = sorted({k for k in keys if k is not None and oid_of(k) and not self.has(k)})
        if not wanted:
            return set()
        found = self._from_git([str(oid_of(k)) for k in wanted])
        for key in wanted:
            data = found.get(str(oid_of(key)))
            if data is not None:
                self._conn.execute(
                    "INSERT INTO blobs(hash, size, data) VALUES (?, ?, ?)",
                    (key, len(data), zlib.compress(data, 6)),
                )
        return {k for k in wanted if str(oid_of(k)) not in found}

    def _from_git(self, oids: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for top in sorted(self.repositories):
            missing = [o for o in oids if o not in found]
            if not missing:
                break
            found.update(read_blobs(top, missing))
        return found

    def total_bytes(self) -> int:
        row = self._conn.execute("SELECT COALESCE(SUM(LENGTH(data)), 0) FROM blobs").fetchone()
        return int(row[0]) if row else 0
