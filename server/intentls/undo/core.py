"""The undo engine's domain, synchronous and owned by one thread (`UndoService` runs it).

A run's undo record is a *group*: the runs of one folder that overlapped in time (snapshots
cannot tell their writes apart), with, per changed path, its state before the first began and
after the last ended. An undo, a redo and a rollback are groups too (kinds `undo`, `redo`,
`rollback`), recorded like runs, so redo is undoing the undo and a rollback can be undone.

`UndoCore` opens `undo.db` and puts the seams together: `recording` (what runs change, and
checkpoints), `preparing` (what an undo, redo or rollback would do), `commits` (doing it, and
finishing after a crash), `queries`, and retention (`collect`)."""

from __future__ import annotations

from pathlib import Path

from intentls.undo.commit import Commits
from intentls.undo.database import open_undo_database
from intentls.undo.preparing import Preparing
from intentls.undo.queries import Queries
from intentls.undo.recording import Recording
from intentls.undo.retention import Collected, Policy, collect
from intentls.undo.snapshot import Snapshots
from intentls.undo.store import BlobStore


class UndoCore:
    def __init__(self, path: Path | None) -> None:
        self.conn = open_undo_database(path)
        self.blobs = BlobStore(self.conn)
        self.snapshots = Snapshots(self.conn, self.blobs)
        self.queries = Queries(self.conn)
        self.recording = Recording(self.conn, self.blobs, self.snapshots, self.queries)
        self.preparing = Preparing(self.conn, self.blobs, self.recording, self.queries)
        self.commits = Commits(self.conn, self.blobs, self.queries)

    def close(self) -> None:
        self.snapshots.close()
        self.conn.close()

    def collect(self, policy: Policy, running: dict[str, float], now: float) -> Collected:
        """Retention and garbage collection (`running`: the history's runs still running and
        when each began); what this process's runs and indexes hold is kept."""
        return collect(self.conn, policy, self.recording.held(running), now)
