"""Reading what servers left in the history and undo files, read-only, as the figures need."""

from __future__ import annotations

import contextlib
from pathlib import Path

import apsw


def _open(path: Path) -> apsw.Connection:
    conn = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
    conn.set_busy_timeout(10_000)
    return conn


def corrupt(*paths: Path) -> list[str]:
    """The files whose integrity check does not say ok."""
    bad = []
    for path in paths:
        if not path.exists():
            continue
        try:
            conn = _open(path)
            result = conn.execute("PRAGMA integrity_check").fetchall()
            conn.close()
        except apsw.Error as exc:
            bad.append(f"{path.name}: {exc}")
            continue
        if result != [("ok",)]:
            bad.append(f"{path.name}: {result[:3]}")
    return bad


def run_statuses(history: Path) -> dict[str, str]:
    """Run id → status, every run in the file."""
    if not history.exists():
        return {}
    conn = _open(history)
    try:
        return {str(i): str(s) for i, s in conn.execute("SELECT id, status FROM runs")}
    finally:
        conn.close()


def undo_runs(undo_db: Path) -> set[str]:
    """Run ids that have an undo record."""
    if not undo_db.exists():
        return set()
    conn = _open(undo_db)
    try:
        with contextlib.suppress(apsw.SQLError):
            return {str(r) for (r,) in conn.execute("SELECT run_id FROM group_runs")}
        return set()
    finally:
        conn.close()
