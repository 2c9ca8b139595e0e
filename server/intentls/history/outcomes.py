"""Finished runs of a folder as failure analysis reads them: outcome, first error, what changed.

Runs on the history thread (`History.outcomes`, `History.outcome`)."""

from __future__ import annotations

import json

import apsw
import attrs

FINISHED = ("succeeded", "failed", "cancelled", "interrupted")


@attrs.frozen
class PastRun:
    run_id: str
    intent: str
    folder: str
    cwd: str
    status: str
    started_at: float
    ended_at: float
    duration_ms: int
    changed_files: list[str]
    category: str | None = None
    """The first failed step's error category."""
    message: str | None = None
    output_tail: str = ""
    """The first failed step's output tail (or, for a success, its last step's)."""
    edited_before: list[str] = attrs.Factory(list)
    """Paths its snapshot saw edited since the folder's previous snapshot."""
    env: dict[str, str] | None = None
    """Its environment's fingerprint (names, keyed hashes of values); None: not recorded."""
    attempts: int = 1
    """Attempts of the step above (more than one: retried after transient failures)."""

    @property
    def failed(self) -> bool:
        return self.status == "failed"


_COLUMNS = (
    "r.id, r.intent, r.folder, r.cwd, r.status, r.started_at, "
    "COALESCE(r.ended_at, r.started_at), COALESCE(r.duration_ms, 0), r.changed_files, "
    "s.error_category, s.error_message, "
    "COALESCE(s.output_tail, ''), r.edited_before, e.entries, COALESCE(s.attempts, 1)"
)
_FROM = (
    "FROM runs r LEFT JOIN env_sets e ON e.hash = r.env_set "
    "LEFT JOIN steps s ON s.run_id = r.id AND s.step_id = ("
    "  SELECT step_id FROM steps WHERE run_id = r.id "
    "  ORDER BY status = 'failed' DESC, position DESC LIMIT 1) "
)
_SELECT = f"SELECT {_COLUMNS} {_FROM}"
_KEYED = f"SELECT {_COLUMNS}, r.rowid {_FROM}"
"""With the run's place in the folder's order: (started_at, rowid)."""
_KEYED_NO_TAIL = _KEYED.replace("COALESCE(s.output_tail, '')", "''")
"""The same without the output tail (up to 64 KiB a run: not for what is kept in memory)."""

Key = tuple[float, int]
"""Where a run stands in its folder's history: runs are ordered by start, then by rowid."""


def recent_keyed(
    conn: apsw.Connection, folder: str, limit: int, tails: bool = True
) -> list[tuple[Key, PastRun]]:
    """The folder's last `limit` finished runs, oldest first, each with its `Key` (`tails`
    False: their `output_tail` left empty). Served by the index `runs_by_folder` read
    backwards (no sort of the folder's runs)."""
    marks = ", ".join("?" * len(FINISHED))
    rows = conn.execute(
        f"{_KEYED if tails else _KEYED_NO_TAIL} WHERE r.folder = ? AND r.status IN ({marks}) "
        "ORDER BY r.started_at DESC, r.rowid DESC LIMIT ?",
        (folder, *FINISHED, limit),
    ).fetchall()
    return [_keyed(row) for row in reversed(rows)]


def recent(conn: apsw.Connection, folder: str, limit: int) -> list[PastRun]:
    """The folder's last `limit` finished runs, oldest first."""
    return [run for _, run in recent_keyed(conn, folder, limit)]


def one_keyed(conn: apsw.Connection, run_id: str, tails: bool = True) -> tuple[Key, PastRun] | None:
    """A run, whatever its status, with its `Key`."""
    query = f"{_KEYED if tails else _KEYED_NO_TAIL} WHERE r.id = ?"
    row = conn.execute(query, (run_id,)).fetchone()
    return None if row is None else _keyed(row)


def one(conn: apsw.Connection, run_id: str) -> PastRun | None:
    """A run, whatever its status."""
    found = one_keyed(conn, run_id)
    return None if found is None else found[1]


def failures(conn: apsw.Connection, folder: str | None, limit: int) -> list[PastRun]:
    """Failed runs, newest first; `folder` None: every folder."""
    rows = conn.execute(
        f"{_SELECT} WHERE r.status = 'failed' AND (?1 IS NULL OR r.folder = ?1) "
        "ORDER BY r.started_at DESC, r.rowid DESC LIMIT ?2",
        (folder, limit),
    ).fetchall()
    return [_past(row) for row in rows]


@attrs.frozen
class RetryCounts:
    """Steps tried again after transient failures (for `intentls.stats`)."""

    retried: int
    """Steps that ran more than once."""
    recovered: int
    """Of those, the ones whose last attempt succeeded."""
    attempts: int
    """Every attempt of those steps."""


def retry_counts(conn: apsw.Connection, folder: str | None, since: float | None) -> RetryCounts:
    """Retried and recovered steps of runs started since `since` (None: all), in `folder`
    (None: every folder)."""
    row = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(s.status = 'succeeded'), 0), COALESCE(SUM(s.attempts), 0) "
        "FROM steps s JOIN runs r ON r.id = s.run_id WHERE s.attempts > 1 "
        "AND (?1 IS NULL OR r.folder = ?1) AND (?2 IS NULL OR r.started_at >= ?2)",
        (folder, since),
    ).fetchone()
    assert row is not None
    return RetryCounts(int(row[0]), int(row[1]), int(row[2]))


def newest_failed(conn: apsw.Connection, folder: str) -> str | None:
    row = conn.execute(
        "SELECT id FROM runs WHERE folder = ? AND status = 'failed' "
        "ORDER BY started_at DESC, rowid DESC LIMIT 1",
        (folder,),
    ).fetchone()
    return None if row is None else str(row[0])


def _keyed(row: tuple[object, ...]) -> tuple[Key, PastRun]:
    run = _past(row[:-1])
    return (run.started_at, int(row[-1])), run  # type: ignore[call-overload]


def _past(row: tuple[object, ...]) -> PastRun:
    (
        run_id,
        intent,
        folder,
        cwd,
        status,
        started,
        ended,
        duration,
        changed,
        category,
        message,
        tail,
        edited,
        env,
        attempts,
    ) = row
    return PastRun(
        run_id=str(run_id),
        intent=str(intent),
        folder=str(folder),
        cwd=str(cwd),
        status=str(status),
        started_at=float(started),  # type: ignore[arg-type]
        ended_at=float(ended),  # type: ignore[arg-type]
        duration_ms=int(duration),  # type: ignore[call-overload]
        changed_files=list(json.loads(str(changed))),
        category=None if category is None else str(category),
        message=None if message is None else str(message),
        output_tail=str(tail),
        edited_before=list(json.loads(str(edited))),
        env=None if env is None else dict(json.loads(str(env))),
        attempts=int(attempts),  # type: ignore[call-overload]
    )
