"""The suggestions' rows in the history database (migration: history/schema.py), read and
written on the history's own thread."""

from __future__ import annotations

import json

import apsw

from intentls.suggestions.core import Finished

Event = tuple[str, str, str, str, str, str, float]
"""(suggestion id, provider, kind, folder, intent, event, at)."""


def record(conn: apsw.Connection, events: list[Event]) -> None:
    with conn:
        conn.executemany(
            "INSERT INTO suggestion_events(suggestion_id, provider, kind, folder, intent, "
            "event, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            events,
        )


def tallies(conn: apsw.Connection) -> list[tuple[str, str, str, int]]:
    """(provider, kind, event, count): what learning starts from."""
    rows = conn.execute(
        "SELECT provider, kind, event, count(*) FROM suggestion_events "
        "GROUP BY provider, kind, event"
    )
    return [(str(p), str(k), str(e), int(n)) for p, k, e, n in rows]


def offered(conn: apsw.Connection, suggestion_id: str) -> tuple[str, str, str, str] | None:
    """(provider, kind, folder, intent) of a suggestion shown by an earlier session."""
    row = conn.execute(
        "SELECT provider, kind, folder, intent FROM suggestion_events "
        "WHERE suggestion_id = ? AND event = 'shown' LIMIT 1",
        (suggestion_id,),
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]), str(row[2]), str(row[3]))


def recent_runs(conn: apsw.Connection, limit: int) -> list[Finished]:
    """The latest finished runs of every folder, oldest first: a bounded warm-up (the index
    on `started_at` makes it cost `limit` rows whatever the history's size)."""
    rows = conn.execute(
        "SELECT intent, folder, status, ended_at, changed_files FROM runs "
        "WHERE status IN ('succeeded', 'failed') ORDER BY started_at DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [
        Finished(
            intent=str(intent),
            folder=str(folder),
            succeeded=status == "succeeded",
            ended_at=float(ended_at or 0.0),
            changed_files=len(json.loads(str(changed))) if changed else 0,
        )
        for intent, folder, status, ended_at, changed in reversed(rows)
    ]
