"""Opening the history file: its schema (intentls.storage migrates it), its SQL functions, and
the read-only fallback for a file written by a newer intentls."""

from __future__ import annotations

from pathlib import Path

import apsw

from intentls.history import rollups, schema
from intentls.storage import NewerSchemaError, Schema, connect, migrate

SCHEMA = Schema("history", schema.MIGRATIONS)


def open_database(path: Path | None) -> tuple[apsw.Connection, str | None]:
    """Returns the connection and, if it had to be opened read-only, why."""
    conn = connect(path)
    rollups.register(conn)
    if path is not None and conn.execute("SELECT 1 FROM sqlite_schema LIMIT 1").fetchone() is None:
        # A new file: pages freed by retention can be handed back (History.compact). WAL mode
        # already wrote its first page, so the setting needs a VACUUM (of nothing) to apply.
        conn.pragma("auto_vacuum", "INCREMENTAL")
        conn.execute("VACUUM")
    try:
        migrate(conn, SCHEMA)
    except NewerSchemaError as exc:
        conn.close()
        reason = f"{exc}; it is opened read-only and new runs are not recorded: upgrade intentls"
        return connect(path, read_only=True), reason
    return conn, None
