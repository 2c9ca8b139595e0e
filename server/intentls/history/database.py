"""Opening the history file: its schema (intentls.storage migrates it), its SQL functions, and
the read-only fallbacks: for a file written by a newer intentls, and for a file this process
may read but not write (a read-only directory or file, another user's history)."""

from __future__ import annotations

from pathlib import Path

import apsw

from intentls.history import rollups, schema
from intentls.storage import (
    NewerSchemaError,
    Schema,
    connect,
    migrate,
    not_writable,
    open_read_only,
)

SCHEMA = Schema("history", schema.MIGRATIONS)

NOT_RECORDED = "earlier runs are shown, new runs are not recorded"


def open_database(path: Path | None) -> tuple[apsw.Connection, str | None]:
    """Returns the connection and, if it had to be opened read-only, why."""
    why = None if path is None or not path.exists() else not_writable(path)
    if path is not None and why is not None:
        return _read_only(path, f"history file {path} cannot be written ({why})")
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
        assert path is not None  # a new file in memory is never newer
        return open_read_only(path), reason
    return conn, None


def _read_only(path: Path, why: str) -> tuple[apsw.Connection, str]:
    conn = open_read_only(path)
    version = conn.pragma("user_version")
    if isinstance(version, int) and version < SCHEMA.version:
        conn.close()
        raise apsw.ReadOnlyError(
            f"{why}, and it was written by an older intentls (schema {version}): it must be "
            "upgraded by an intentls that may write it"
        )
    return conn, f"{why}: it is opened read-only; {NOT_RECORDED}"
