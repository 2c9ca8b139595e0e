"""Opening `undo.db`: the history's APSW best practice (applied on import of
`intentls.history.database`), with the undo file's own migrations."""

from __future__ import annotations

import logging
from pathlib import Path

import apsw

from intentls.history.database import BUSY_TIMEOUT_MS
from intentls.undo import schema

log = logging.getLogger(__name__)

FILE_NAME = "undo.db"


class NewerUndoSchemaError(Exception):
    """The undo file was written by a newer intentls."""


def undo_path(history_path: Path | None) -> Path | None:
    """`undo.db` beside the history file; None (in memory) beside an in-memory history."""
    return None if history_path is None else history_path.parent / FILE_NAME


def open_undo_database(path: Path | None) -> apsw.Connection:
    if path is None:
        conn = apsw.Connection(":memory:")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = apsw.Connection(str(path))
        conn.set_busy_timeout(BUSY_TIMEOUT_MS)
        conn.pragma("synchronous", "NORMAL")
    migrate(conn)
    return conn


def migrate(conn: apsw.Connection) -> None:
    with conn:
        value = conn.pragma("user_version")
        version = int(value) if isinstance(value, int) else 0
        if version > schema.VERSION:
            raise NewerUndoSchemaError(
                f"undo file has schema version {version}, newer than this intentls understands "
                f"({schema.VERSION}): upgrade intentls"
            )
        for number in range(version, schema.VERSION):
            log.info("migrating undo schema to version %d", number + 1)
            conn.execute(schema.MIGRATIONS[number])
            conn.pragma("user_version", number + 1)
