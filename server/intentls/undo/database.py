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


def open_undo_database(path: Path | None) -> apsw.Connection:
    return open_migrated(path, SCHEMA)
