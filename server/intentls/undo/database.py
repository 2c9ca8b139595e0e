"""Opening `undo.db`: its own schema and versions beside the history's (intentls.storage)."""

from __future__ import annotations

from pathlib import Path

import apsw

from intentls.storage import Schema, open_migrated
from intentls.undo import schema

FILE_NAME = "undo.db"
SCHEMA = Schema("undo", schema.MIGRATIONS)


def undo_path(history_path: Path | None) -> Path | None:
    """`undo.db` beside the history file; None (in memory) beside an in-memory history."""
    return None if history_path is None else history_path.parent / FILE_NAME


BUSY_TIMEOUT_MS = 60_000
"""Another server's scan holds the write lock while it walks its folder (bounded: 30 s, see
bounds.py): wait it out rather than lose a run's record."""


def open_undo_database(path: Path | None) -> apsw.Connection:
    """Every transaction takes the write lock when it begins (IMMEDIATE): one that read first
    and wrote later would fail at once ("database is locked", no waiting) whenever another
    server had written in between."""
    conn = open_migrated(path, SCHEMA)
    conn.transaction_mode = "IMMEDIATE"
    conn.set_busy_timeout(BUSY_TIMEOUT_MS)
    return conn
