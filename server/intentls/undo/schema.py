"""The undo file's schema (`undo.db`, beside the history file), migrated by `pragma user_version`.

Kept apart from the history's schema: its own file, its own versions, one owner (`UndoCore`)."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: content store, per-folder snapshot index, undo groups and their changes, checkpoints,
    #    and the journal of undos in flight.
    """
    CREATE TABLE blobs(
        hash TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        data BLOB NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE scans(
        folder TEXT PRIMARY KEY,
        started_ns INTEGER NOT NULL
    );
    CREATE TABLE entries(
        folder TEXT NOT NULL,
        path TEXT NOT NULL,
        kind TEXT NOT NULL,
        mode INTEGER NOT NULL,
        hash TEXT,
        target TEXT,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        ctime_ns INTEGER NOT NULL,
        ino INTEGER NOT NULL,
        racy INTEGER NOT NULL,
        PRIMARY KEY(folder, path)
    ) WITHOUT ROWID;
    CREATE TABLE groups(
        id TEXT PRIMARY KEY,
        folder TEXT NOT NULL,
        kind TEXT NOT NULL,
        target TEXT,
        started_at REAL NOT NULL,
        ended_at REAL,
        undone_by TEXT,
        partial INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX groups_by_folder ON groups(folder, ended_at DESC);
    CREATE TABLE group_runs(
        run_id TEXT PRIMARY KEY,
        group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        intent TEXT NOT NULL,
        position INTEGER NOT NULL
    );
    CREATE INDEX group_runs_by_group ON group_runs(group_id, position);
    CREATE TABLE changes(
        group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        before TEXT,
        after TEXT,
        editor_saved INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY(group_id, path)
    ) WITHOUT ROWID;
    CREATE INDEX changes_by_path ON changes(path);
    CREATE TABLE checkpoints(
        id TEXT PRIMARY KEY,
        folder TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE TABLE checkpoint_entries(
        checkpoint_id TEXT NOT NULL REFERENCES checkpoints(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY(checkpoint_id, path)
    ) WITHOUT ROWID;
    CREATE TABLE journal(
        group_id TEXT PRIMARY KEY,
        folder TEXT NOT NULL,
        kind TEXT NOT NULL,
        target TEXT,
        run_id TEXT NOT NULL,
        intent TEXT NOT NULL,
        started_at REAL NOT NULL,
        ops TEXT NOT NULL
    );
    """,
    # 2: the settings each folder was last scanned with, so that the CLI snapshots a folder
    #    with the editor's `undo.exclude` and `undo.maxFileBytes`.
    """
    ALTER TABLE scans ADD COLUMN exclude TEXT;
    ALTER TABLE scans ADD COLUMN max_file_bytes INTEGER;
    """,
    # 3: garbage collection (undo/retention.py): every reference to a blob in one view, and
    #    the blobs a collection found unreferenced, since when.
    """
    CREATE VIEW blob_refs(kind, owner, hash) AS
        SELECT 'index', folder, hash FROM entries
        UNION ALL SELECT 'group', group_id, json_extract(before, '$.h') FROM changes
        UNION ALL SELECT 'group', group_id, json_extract(after, '$.h') FROM changes
        UNION ALL SELECT 'checkpoint', checkpoint_id, json_extract(state, '$.h')
            FROM checkpoint_entries
        UNION ALL SELECT 'journal', group_id, json_extract(op.value ->> 1, '$.h')
            FROM journal, json_each(journal.ops) AS op
        UNION ALL SELECT 'journal', group_id, json_extract(op.value ->> 2, '$.h')
            FROM journal, json_each(journal.ops) AS op;
    CREATE TABLE orphans(
        hash TEXT PRIMARY KEY,
        since REAL NOT NULL
    ) WITHOUT ROWID;
    """,
    # 4: git steps of built-in runs, undone by their recorded git commands (undo/gitsteps.py),
    #    and the git steps an undo in flight still has to run.
    """
    CREATE TABLE git_steps(
        group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        step TEXT NOT NULL,
        PRIMARY KEY(group_id, seq)
    ) WITHOUT ROWID;
    ALTER TABLE journal ADD COLUMN git TEXT NOT NULL DEFAULT '[]';
    """,
    # 5: how many paths the last undo of a group had to leave (a conflict): a run partly undone
    #    stays the folder's undo target, so the next undo returns to it (with --force for them).
    """
    ALTER TABLE groups ADD COLUMN undo_left INTEGER NOT NULL DEFAULT 0;
    """,
    # 6: snapshot groups still open (runs running), with the server that runs them: a group a
    #    crash left open is recorded from its before-snapshot by the next server.
    """
    CREATE TABLE open_groups(
        id TEXT PRIMARY KEY,
        folder TEXT NOT NULL,
        started_at REAL NOT NULL,
        owner TEXT NOT NULL,
        runs TEXT NOT NULL
    );
    """,
    # 7: the files of a folder known by their git blob (undo/snapshot.py) are kept as one
    #    compressed baseline per folder, not a row each (git's index is their stat cache);
    #    `entries` rows override it, kind 'gone' for a baseline path no longer there.
    """
    CREATE TABLE baselines(
        folder TEXT PRIMARY KEY,
        oid_len INTEGER NOT NULL,
        paths BLOB NOT NULL,
        oids BLOB NOT NULL,
        modes BLOB NOT NULL,
        sizes BLOB NOT NULL
    );
    """,
]

VERSION = len(MIGRATIONS)
