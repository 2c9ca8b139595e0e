"""Schema migrations, applied in order by `pragma user_version`."""

from __future__ import annotations

from collections.abc import Callable

import apsw

from intentls.history import rollups


def _rollups(conn: apsw.Connection) -> None:
    conn.execute(rollups.SCHEMA)
    if conn.execute("SELECT 1 FROM runs LIMIT 1").fetchone() is not None:
        from intentls.history import rebuild  # numpy: only to upgrade an existing history

        rebuild.rebuild(conn)


MIGRATIONS: list[str | Callable[[apsw.Connection], None]] = [
    # 1: runs, their steps, and the leases of the processes that own running runs.
    """
    CREATE TABLE runs(
        id TEXT PRIMARY KEY,
        intent TEXT NOT NULL,
        folder TEXT NOT NULL,
        cwd TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at REAL NOT NULL,
        ended_at REAL,
        duration_ms INTEGER,
        exit_code INTEGER,
        client TEXT,
        owner TEXT NOT NULL,
        undoable INTEGER NOT NULL DEFAULT 0,
        undone INTEGER NOT NULL DEFAULT 0,
        changed_files TEXT NOT NULL DEFAULT '[]',
        warnings TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX runs_by_folder ON runs(folder, started_at DESC);
    CREATE INDEX runs_by_intent ON runs(folder, intent, started_at DESC);
    CREATE INDEX runs_by_time ON runs(started_at DESC);
    CREATE INDEX runs_running ON runs(owner) WHERE status = 'running';
    CREATE TABLE steps(
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        title TEXT NOT NULL,
        tool TEXT NOT NULL,
        args TEXT NOT NULL,
        status TEXT NOT NULL,
        exit_code INTEGER,
        duration_ms INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        error_category TEXT,
        error_message TEXT,
        output_tail TEXT NOT NULL DEFAULT '',
        PRIMARY KEY(run_id, step_id)
    ) WITHOUT ROWID;
    CREATE INDEX steps_by_failure ON steps(error_category) WHERE error_category IS NOT NULL;
    CREATE TABLE leases(
        owner TEXT PRIMARY KEY,
        pid INTEGER NOT NULL,
        pid_start INTEGER,
        boot_id TEXT,
        host TEXT NOT NULL,
        heartbeat REAL NOT NULL
    );
    """,
    # 2: inverse operations of built-in tools, recorded before each acts (the undo applies a
    # step's operations in reverse `seq` order). `op` is a JSON object: see tools/inverse.py.
    """
    CREATE TABLE inverses(
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        op TEXT NOT NULL,
        recorded_at REAL NOT NULL,
        PRIMARY KEY(run_id, step_id, seq)
    );
    """,
    # 3: the last success of each step that opted in to up-to-date skipping
    # (execution/uptodate.py), by its identity (folder, directory, command text).
    """
    CREATE TABLE up_to_date(
        key TEXT PRIMARY KEY,
        inputs TEXT NOT NULL,
        outputs TEXT NOT NULL,
        run_id TEXT NOT NULL,
        output TEXT NOT NULL,
        recorded_at REAL NOT NULL
    ) WITHOUT ROWID;
    """,
    # 4: what people did with suggestions (docs/suggestions.md): one row per suggestion shown,
    # taken or dismissed; learning starts from their counts per provider and kind.
    """
    CREATE TABLE suggestion_events(
        suggestion_id TEXT NOT NULL,
        provider TEXT NOT NULL,
        kind TEXT NOT NULL,
        folder TEXT NOT NULL,
        intent TEXT NOT NULL,
        event TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX suggestion_events_by_id ON suggestion_events(suggestion_id);
    """,
    # 5: rollups (history/rollups.py), built from the runs already recorded.
    _rollups,
    # 6: failure analysis (docs/failures.md): the paths a run's snapshot saw edited since the
    # previous snapshot of its folder (hand edits between runs), the fingerprint of the
    # environment it ran in (names with keyed hashes of values, shared by runs: `env_sets`),
    # and each attempt of a step tried again after a transient failure.
    """
    ALTER TABLE runs ADD COLUMN edited_before TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE runs ADD COLUMN env_set TEXT;
    CREATE TABLE env_sets(
        hash TEXT PRIMARY KEY,
        entries TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE attempts(
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        exit_code INTEGER,
        duration_ms INTEGER NOT NULL,
        error_category TEXT,
        error_message TEXT,
        PRIMARY KEY(run_id, step_id, attempt)
    ) WITHOUT ROWID;
    """,
    # 7: a folder's runs newest first, ties by rowid newest first (failure analysis, the
    # history list): an ascending index read backwards yields exactly that order, so a query
    # stops after its LIMIT instead of sorting every run of the folder (the index it replaces
    # was descending by start: its rowid order within a start is ascending, wrong for DESC).
    """
    DROP INDEX runs_by_folder;
    CREATE INDEX runs_by_folder ON runs(folder, started_at);
    """,
]

VERSION = len(MIGRATIONS)
