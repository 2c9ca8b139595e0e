"""Rollups kept as runs finish: per folder, intent (and step title, and failure category) and
period (day, week, eight weeks; see periods.py) — counts by status, retries, undo, flips and a
duration sketch — so that stats over any span merge a few hundred rows instead of every run.

`Rollup` adds up finished runs in the run's own transaction; rebuild.py builds the same rows
for a history recorded before rollups existed. Rollups are never deleted: retention drops
runs, not what they added up to.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from operator import add
from typing import Any

import apsw
import attrs

from intentls.history import sketch
from intentls.history.periods import DAY_S, Range, day_of, periods

FINISHED = ("succeeded", "failed", "cancelled", "interrupted")
"""Runs that ran to an end; blocked and running ones say nothing about success or duration."""
STATUSES = FINISHED
RAN = ("succeeded", "failed")
"""Steps whose duration says how long the step takes (not skipped, cancelled or running)."""
_HOURS = struct.Struct("<24I")
NO_HOURS = _HOURS.pack(*[0] * 24)


@attrs.frozen
class StepFact:
    title: str
    status: str
    duration_ms: int
    attempts: int
    category: str | None = None
    message: str | None = None


@attrs.frozen
class RunFact:
    """What one finished run adds to the rollups."""

    folder: str
    intent: str
    status: str
    started_at: float
    duration_ms: int
    undoable: bool = False
    undone: bool = False
    flipped: bool = False
    """Its outcome (succeeded or not) differs from the previous finished run's of the intent."""
    steps: tuple[StepFact, ...] = ()


@attrs.define
class _RunCell:
    counts: dict[str, int] = attrs.Factory(dict)
    undoable: int = 0
    undone: int = 0
    retries: int = 0
    recovered: int = 0
    flips: int = 0
    total_ms: int = 0
    durations: dict[int, int] = attrs.Factory(dict)
    hours: list[int] = attrs.Factory(lambda: [0] * 24)


@attrs.define
class _StepCell:
    runs: int = 0
    failed: int = 0
    total_ms: int = 0
    durations: dict[int, int] = attrs.Factory(dict)


@attrs.define
class _FailureCell:
    count: int = 0
    example: str = ""


class Rollup:
    """Additions to the rollup tables, keyed like their rows, written by `save`."""

    def __init__(self) -> None:
        self.runs: dict[tuple[int, int, str, str], _RunCell] = {}
        self.steps: dict[tuple[int, int, str, str, str], _StepCell] = {}
        self.failures: dict[tuple[int, int, str, str, str], _FailureCell] = {}

    def add(self, run: RunFact) -> None:
        hour = int(run.started_at % DAY_S // 3600)
        for grain, number in periods(day_of(run.started_at)):
            key = (grain, number, run.folder, run.intent)
            cell = self.runs.setdefault(key, _RunCell())
            cell.counts[run.status] = cell.counts.get(run.status, 0) + 1
            cell.undoable += run.undoable
            cell.undone += run.undone
            cell.flips += run.flipped
            cell.total_ms += run.duration_ms
            _count(cell.durations, run.duration_ms)
            cell.hours[hour] += 1
            for step in run.steps:
                self._add_step(key, cell, step)

    def later(
        self, folder: str, intent: str, started_at: float, undone: int = 0, undoable: int = 0
    ) -> None:
        """A run undone (+1) or redone (-1), or found undoable (+1), after it was rolled up."""
        for grain, number in periods(day_of(started_at)):
            cell = self.runs.setdefault((grain, number, folder, intent), _RunCell())
            cell.undone += undone
            cell.undoable += undoable

    def _add_step(self, key: tuple[int, int, str, str], run: _RunCell, step: StepFact) -> None:
        if step.attempts > 1:
            run.retries += step.attempts - 1
            run.recovered += step.status == "succeeded"
        if step.status in RAN:
            cell = self.steps.setdefault((*key, step.title), _StepCell())
            cell.runs += 1
            cell.failed += step.status == "failed"
            cell.total_ms += step.duration_ms
            _count(cell.durations, step.duration_ms)
        self._add_failure(key, step)

    def add_failure(self, folder: str, intent: str, started_at: float, step: StepFact) -> None:
        """Only a step's failure (the migration adds the rest of a history with numpy)."""
        for grain, number in periods(day_of(started_at)):
            self._add_failure((grain, number, folder, intent), step)

    def _add_failure(self, key: tuple[int, int, str, str], step: StepFact) -> None:
        if step.category is not None:
            failure = self.failures.setdefault((*key, step.category), _FailureCell())
            failure.count += 1
            failure.example = step.message or failure.example

    def save(self, conn: apsw.Connection) -> None:
        """Adds to the rows (inside the caller's transaction)."""
        conn.executemany(UPSERT_RUN, [_run_row(k, c) for k, c in self.runs.items()])
        conn.executemany(
            UPSERT_STEP,
            [
                (*k, c.runs, c.failed, c.total_ms, sketch.encode(c.durations))
                for k, c in self.steps.items()
            ],
        )
        conn.executemany(
            UPSERT_FAILURE, [(*k, c.count, c.example) for k, c in self.failures.items()]
        )


def _count(counts: dict[int, int], ms: int) -> None:
    index = sketch.bucket(ms)
    counts[index] = counts.get(index, 0) + 1


def _run_row(key: tuple[int, int, str, str], c: _RunCell) -> tuple[object, ...]:
    return (
        *key,
        *(c.counts.get(s, 0) for s in STATUSES),
        c.undoable,
        c.undone,
        c.retries,
        c.recovered,
        c.flips,
        c.total_ms,
        sketch.encode(c.durations),
        _HOURS.pack(*c.hours),
    )


UPSERT_RUN = f"""
INSERT INTO rollup_runs(grain, period, folder, intent, {", ".join(STATUSES)}, undoable, undone,
    retries, recovered, flips, total_ms, sketch, hours)
VALUES ({", ".join("?" * (16))})
ON CONFLICT(grain, period, folder, intent) DO UPDATE SET
    {", ".join(f"{s} = {s} + excluded.{s}" for s in STATUSES)},
    undoable = undoable + excluded.undoable, undone = undone + excluded.undone,
    retries = retries + excluded.retries, recovered = recovered + excluded.recovered,
    flips = flips + excluded.flips, total_ms = total_ms + excluded.total_ms,
    sketch = sketch_merge(sketch, excluded.sketch), hours = hours_merge(hours, excluded.hours)
"""
UPSERT_STEP = """
INSERT INTO rollup_steps(grain, period, folder, intent, title, runs, failed, total_ms, sketch)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(grain, period, folder, intent, title) DO UPDATE SET
    runs = runs + excluded.runs, failed = failed + excluded.failed,
    total_ms = total_ms + excluded.total_ms, sketch = sketch_merge(sketch, excluded.sketch)
"""
UPSERT_FAILURE = """
INSERT INTO rollup_failures(grain, period, folder, intent, category, count, example)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(grain, period, folder, intent, category) DO UPDATE SET
    count = count + excluded.count,
    example = CASE WHEN excluded.example = '' THEN example ELSE excluded.example END
"""


def hours_merge(a: bytes, b: bytes) -> bytes:
    return _HOURS.pack(*map(add, _HOURS.unpack(a), _HOURS.unpack(b)))


def register(conn: apsw.Connection) -> None:
    """The SQL functions the upserts use (on every connection that writes rollups)."""
    functions: dict[str, Any] = {"sketch_merge": sketch.merge, "hours_merge": hours_merge}
    for name, fn in functions.items():
        conn.create_scalar_function(name, fn, 2, deterministic=True)


def flip(conn: apsw.Connection, folder: str, intent: str, status: str) -> bool:
    """Whether a run's outcome (succeeded or not) differs from that of the intent's run that
    finished before it; the intent's last outcome is kept in `rollup_last`."""
    succeeded = status == "succeeded"
    last = conn.execute(
        "SELECT succeeded FROM rollup_last WHERE folder = ? AND intent = ?", (folder, intent)
    ).fetchone()
    conn.execute(
        "INSERT OR REPLACE INTO rollup_last(folder, intent, succeeded) VALUES (?, ?, ?)",
        (folder, intent, succeeded),
    )
    return last is not None and bool(last[0]) != succeeded


def select(
    table: str, columns: str, ranges: Sequence[Range], folder: str | None, intent: str | None
) -> tuple[str, list[object]]:
    """One SELECT per range of periods (each a range scan of the primary key), in one query.
    `table` and `columns` are constants of the callers; values are bound."""
    parts: list[str] = []
    params: list[object] = []
    for grain, first, last in ranges:
        clauses = ["grain = ?", "period >= ?"]
        params += [grain, first]
        if last is not None:
            clauses.append("period <= ?")
            params.append(last)
        for column, value in (("folder", folder), ("intent", intent)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        parts.append(f"SELECT {columns} FROM {table} WHERE {' AND '.join(clauses)}")
    return " UNION ALL ".join(parts), params


SCHEMA = """
CREATE TABLE rollup_runs(
    grain INTEGER NOT NULL,
    period INTEGER NOT NULL,
    folder TEXT NOT NULL,
    intent TEXT NOT NULL,
    succeeded INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    cancelled INTEGER NOT NULL,
    interrupted INTEGER NOT NULL,
    undoable INTEGER NOT NULL,
    undone INTEGER NOT NULL,
    retries INTEGER NOT NULL,
    recovered INTEGER NOT NULL,
    flips INTEGER NOT NULL,
    total_ms INTEGER NOT NULL,
    sketch BLOB NOT NULL,
    hours BLOB NOT NULL,
    PRIMARY KEY(grain, period, folder, intent)
) WITHOUT ROWID;
CREATE TABLE rollup_steps(
    grain INTEGER NOT NULL,
    period INTEGER NOT NULL,
    folder TEXT NOT NULL,
    intent TEXT NOT NULL,
    title TEXT NOT NULL,
    runs INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    total_ms INTEGER NOT NULL,
    sketch BLOB NOT NULL,
    PRIMARY KEY(grain, period, folder, intent, title)
) WITHOUT ROWID;
CREATE TABLE rollup_last(
    folder TEXT NOT NULL,
    intent TEXT NOT NULL,
    succeeded INTEGER NOT NULL,
    PRIMARY KEY(folder, intent)
) WITHOUT ROWID;
CREATE TABLE rollup_failures(
    grain INTEGER NOT NULL,
    period INTEGER NOT NULL,
    folder TEXT NOT NULL,
    intent TEXT NOT NULL,
    category TEXT NOT NULL,
    count INTEGER NOT NULL,
    example TEXT NOT NULL,
    PRIMARY KEY(grain, period, folder, intent, category)
) WITHOUT ROWID;
"""
