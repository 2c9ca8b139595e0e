"""Retention and garbage collection of `undo.db`, run on the undo thread like everything else
that touches the file, so a collection never races a snapshot of this process.

Undo groups and checkpoints older than the retention go first; then, while the content that only
they refer to keeps the store over its limit, the oldest others. Neither ever takes a group of a
run still running or the target of an undo in flight (its journal).

A blob is kept while anything refers to it (the view `blob_refs`): the snapshot index (the base
that restores a file a later run deletes), a change, a checkpoint, a journal; or the memory of a
run still running, which a process sharing the file cannot see. Hence two phases: a collection
marks the blobs nothing refers to (`orphans`), and a later one deletes those still marked
`GRACE_S` after, and marked before the oldest run still running anywhere began. Putting content
again clears its mark (`BlobStore.put`). Pseudo-hashes of unstored files match no blob."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import apsw
import attrs

from intentls.undo.store import BlobStore

DAY_S = 86_400.0
GRACE_S = 3_600.0
"""How long a blob stays after a collection first found nothing referring to it: content put by
another process, or read by an undo about to use it, is referred to well within this."""
SWEEP_BATCH = 256
"""Blobs deleted per transaction: another process waiting to write waits for one batch only."""


@attrs.frozen
class Policy:
    retention_days: int
    max_store_bytes: int


@attrs.frozen
class Held:
    """What runs still running keep, whatever its age."""

    run_ids: frozenset[str] = frozenset()
    """Runs still running in any process sharing the files (the history says)."""
    since: float | None = None
    """When the oldest of them began."""
    hashes: frozenset[str] = frozenset()
    """Content this process refers to in memory: its runs' snapshots before, its indexes."""


@attrs.frozen
class Collected:
    groups: int = 0
    """Undo groups (a run's or an undo's record) dropped."""
    checkpoints: int = 0
    runs: int = 0
    """History runs dropped (counted by intentls/retention.py)."""
    trash: int = 0
    """Trash directories of built-in tools removed (counted by intentls/retention.py)."""
    history_freed: int = 0
    """Bytes the history file shrank by once dropped runs' pages were vacuumed (likewise)."""
    blobs: int = 0
    bytes_freed: int = 0
    """Compressed bytes of the blobs deleted: pages of `undo.db` that later content reuses."""
    pending_blobs: int = 0
    """Blobs nothing refers to any more, deleted by a collection after the grace period."""
    pending_bytes: int = 0
    store_bytes: int = 0
    """Compressed bytes of every blob left."""
    over_limit: bool = False
    """The store stays over its limit: the content the index and running runs refer to alone
    exceeds it, so dropping undo data would not help (and none was dropped for size)."""


_DROP = {
    "group": "DELETE FROM groups WHERE id = ?",
    "checkpoint": "DELETE FROM checkpoints WHERE id = ?",
}


class _Futile(Exception):
    """Dropping every undo group and checkpoint would not bring the store under its limit."""


def collect(conn: apsw.Connection, policy: Policy, held: Held, now: float) -> Collected:
    """Drop what is past retention or over the limit, mark what nothing refers to any more, and
    delete what was marked long enough ago."""
    with conn:  # IMMEDIATE (undo.database): what it reads cannot change under it
        keep = _protected(conn, held.run_ids)
        _forget_vanished_folders(conn)
        dropped = _drop_older(conn, now - policy.retention_days * DAY_S, keep)
        with _references(conn, held.hashes):
            try:
                dropped += _drop_for_size(conn, policy.max_store_bytes, keep)
                over_limit = False
            except _Futile:
                over_limit = True
            _mark_unreferenced(conn, now)
    oldest = now if held.since is None else min(now, held.since)
    blobs, freed = _sweep(conn, oldest - GRACE_S)
    return Collected(
        groups=dropped["group"],
        checkpoints=dropped["checkpoint"],
        blobs=blobs,
        bytes_freed=freed,
        pending_blobs=_number(conn, "SELECT COUNT(*) FROM orphans JOIN blobs USING(hash)"),
        pending_bytes=_number(
            conn, "SELECT COALESCE(SUM(LENGTH(data)), 0) FROM orphans JOIN blobs USING(hash)"
        ),
        store_bytes=BlobStore(conn).total_bytes(),
        over_limit=over_limit,
    )


def _protected(conn: apsw.Connection, running: frozenset[str]) -> str:
    """Groups of runs still running and what undos in flight undo: a JSON array of ids."""
    rows = conn.execute(
        "SELECT target FROM journal WHERE target IS NOT NULL "
        "UNION SELECT group_id FROM group_runs WHERE run_id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(running)),),
    )
    return json.dumps([str(r[0]) for r in rows])


def _forget_vanished_folders(conn: apsw.Connection) -> None:
    """The snapshot index of a folder that no longer exists refers to content nothing can need
    (were the folder to come back, its first snapshot reads it all again)."""
    gone = [
        (folder,)
        for (folder,) in conn.execute("SELECT folder FROM scans").fetchall()
        if not Path(str(folder)).is_dir()
    ]
    conn.executemany("DELETE FROM entries WHERE folder = ?", gone)
    conn.executemany("DELETE FROM baselines WHERE folder = ?", gone)
    conn.executemany("DELETE FROM scans WHERE folder = ?", gone)


def _drop_older(conn: apsw.Connection, cutoff: float, keep: str) -> Counter[str]:
    groups = conn.execute(
        "DELETE FROM groups WHERE ended_at < ? AND id NOT IN (SELECT value FROM json_each(?)) "
        "RETURNING id",
        (cutoff, keep),
    ).fetchall()
    checkpoints = conn.execute(
        "DELETE FROM checkpoints WHERE created_at < ? "
        "AND id NOT IN (SELECT value FROM json_each(?)) RETURNING id",
        (cutoff, keep),
    ).fetchall()
    return Counter(group=len(groups), checkpoint=len(checkpoints))


@contextlib.contextmanager
def _references(conn: apsw.Connection, held: frozenset[str]) -> Iterator[None]:
    """While it lasts, `temp.refs` counts the references to each hash (a group or checkpoint
    dropped for size subtracts its own, counted in `temp.released`)."""
    conn.execute(
        "CREATE TEMP TABLE refs(hash TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID; "
        "CREATE TEMP TABLE released(hash TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID; "
        "INSERT INTO temp.refs SELECT hash, COUNT(*) FROM blob_refs WHERE hash IS NOT NULL "
        "GROUP BY hash"
    )
    conn.executemany(
        "INSERT INTO temp.refs(hash, n) VALUES (?, 1) ON CONFLICT(hash) DO UPDATE SET n = n + 1",
        [(h,) for h in held],
    )
    try:
        yield
    finally:
        conn.execute("DROP TABLE temp.refs; DROP TABLE temp.released")


def _drop_for_size(conn: apsw.Connection, limit: int, keep: str) -> Counter[str]:
    """Drop the oldest groups and checkpoints until the content still referred to fits."""
    live = _number(
        conn,
        "SELECT COALESCE(SUM(LENGTH(b.data)), 0) FROM temp.refs r JOIN blobs b USING(hash) "
        "WHERE r.n > 0",
    )
    dropped: Counter[str] = Counter()
    if live <= limit:
        return dropped
    candidates = conn.execute(
        "SELECT 'group', id, ended_at FROM groups "
        "WHERE id NOT IN (SELECT value FROM json_each(?1)) "
        "UNION ALL SELECT 'checkpoint', id, created_at FROM checkpoints "
        "WHERE id NOT IN (SELECT value FROM json_each(?1)) ORDER BY 3, 2",
        (keep,),
    ).fetchall()
    with conn:  # a savepoint: undone when even dropping them all would not be enough
        for kind, owner, _ in candidates:
            if live <= limit:
                break
            live -= _release(conn, str(kind), str(owner))
            dropped[str(kind)] += 1
        if live > limit:
            raise _Futile
    return dropped


def _release(conn: apsw.Connection, kind: str, owner: str) -> int:
    """Drop one group or checkpoint; returns the bytes of the content nothing else refers to."""
    conn.execute("DELETE FROM temp.released")
    conn.execute(
        "INSERT INTO temp.released SELECT hash, COUNT(*) FROM blob_refs "
        "WHERE kind = ? AND owner = ? AND hash IS NOT NULL GROUP BY hash",
        (kind, owner),
    )
    conn.execute(
        "UPDATE temp.refs AS r SET n = r.n - v.n FROM temp.released AS v WHERE r.hash = v.hash"
    )
    freed = _number(
        conn,
        "SELECT COALESCE(SUM(LENGTH(b.data)), 0) FROM temp.released v "
        "JOIN temp.refs r USING(hash) JOIN blobs b USING(hash) WHERE r.n = 0",
    )
    conn.execute(_DROP[kind], (owner,))
    return freed


def _mark_unreferenced(conn: apsw.Connection, now: float) -> None:
    """Referred to again: no longer marked. Newly unreferenced: marked `now`."""
    conn.execute("DELETE FROM orphans WHERE hash IN (SELECT hash FROM temp.refs WHERE n > 0)")
    conn.execute(
        "INSERT OR IGNORE INTO orphans(hash, since) SELECT hash, ? FROM blobs "
        "WHERE hash NOT IN (SELECT hash FROM temp.refs WHERE n > 0)",
        (now,),
    )


def _sweep(conn: apsw.Connection, horizon: float) -> tuple[int, int]:
    """Delete the blobs marked before `horizon`, a batch per transaction."""
    count = freed = 0
    while True:
        with conn:  # IMMEDIATE (undo.database): what it reads cannot change under it
            batch = conn.execute(
                "SELECT o.hash, LENGTH(b.data) FROM orphans o LEFT JOIN blobs b USING(hash) "
                "WHERE o.since < ? LIMIT ?",
                (horizon, SWEEP_BATCH),
            ).fetchall()
            conn.executemany("DELETE FROM blobs WHERE hash = ?", [(h,) for h, _ in batch])
            conn.executemany("DELETE FROM orphans WHERE hash = ?", [(h,) for h, _ in batch])
        sizes = [int(size) for _, size in batch if isinstance(size, int)]
        count += len(sizes)
        freed += sum(sizes)
        if len(batch) < SWEEP_BATCH:
            return count, freed


def _number(conn: apsw.Connection, sql: str) -> int:
    """The integer an aggregate query answers."""
    row = conn.execute(sql).fetchone()
    value = row[0] if row else None
    assert isinstance(value, int)
    return value
