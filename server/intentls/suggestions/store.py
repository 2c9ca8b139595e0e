"""The suggestions' rows in the history database (migration: history/schema.py), read and
written on the history's own thread."""

from __future__ import annotations

import json

import apsw

from intentls.suggestions.core import Finished
from intentls.suggestions.learning import Acceptance, Learning

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


def acceptance(conn: apsw.Connection) -> Acceptance:
    """Acceptance overall, per provider and per kind, from every recorded event: for
    `intentls.stats` (`await history.read_with(store.acceptance)`) in the server or a terminal."""
    learning = Learning()
    learning.load(tallies(conn))
    return learning.acceptance()


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
