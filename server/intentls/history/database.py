"""Opening the history file: APSW best practice, migrations, and the read-only fallback for a
file written by a newer intentls."""

from __future__ import annotations

import logging
from pathlib import Path

import apsw
import apsw.bestpractice

from intentls.history import rollups, schema

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
"""Two editors and the CLI share one file: wait for a writer rather than fail."""

apsw.bestpractice.apply(apsw.bestpractice.recommended)


class NewerSchemaError(Exception):
    """The file has a schema this version does not know."""


def open_database(path: Path | None) -> tuple[apsw.Connection, str | None]:
    """Returns the connection and, if it had to be opened read-only, why."""
    if path is None:
        conn = apsw.Connection(":memory:")
        rollups.register(conn)
        migrate(conn)
        return conn, None
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = apsw.Connection(str(path))
    conn.set_busy_timeout(BUSY_TIMEOUT_MS)
    # In WAL mode NORMAL is still safe against a crash of any process; only a power cut can
    # lose the last commits. FULL would fsync on every run's two writes.
    conn.pragma("synchronous", "NORMAL")
    rollups.register(conn)
    try:
        migrate(conn)
    except NewerSchemaError as exc:
        conn.close()
        conn = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
        conn.set_busy_timeout(BUSY_TIMEOUT_MS)
        return conn, str(exc)
    return conn, None


def migrate(conn: apsw.Connection) -> None:
    with conn:
        version = _user_version(conn)
        if version > schema.VERSION:
            raise NewerSchemaError(
                f"history file has schema version {version}, newer than this intentls "
                f"understands ({schema.VERSION}); it is opened read-only and new runs are "
                "not recorded: upgrade intentls"
            )
        for number in range(version, schema.VERSION):
            log.info("migrating history schema to version %d", number + 1)
            migration = schema.MIGRATIONS[number]
            if isinstance(migration, str):
                conn.execute(migration)
            else:
                migration(conn)
            conn.pragma("user_version", number + 1)


def _user_version(conn: apsw.Connection) -> int:
    value = conn.pragma("user_version")
    return int(value) if isinstance(value, int) else 0
