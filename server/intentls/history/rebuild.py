"""Rollups of a whole recorded history at once (the migration that adds them): the same rows as
`Rollup` keeps run by run (a test checks they are equal), grouped with numpy, since a million
runs one by one in Python would hold the upgrade for minutes."""

from __future__ import annotations

from typing import Any

import apsw
import numpy as np
import numpy.typing as npt

from intentls.history import merging, sketch
from intentls.history.periods import DAY_S, SPANS, period
from intentls.history.rollups import (
    FINISHED,
    RAN,
    UPSERT_FAILURE,
    UPSERT_RUN,
    UPSERT_STEP,
    Rollup,
    StepFact,
)

Ints = npt.NDArray[np.int64]
_IN_FINISHED = f"runs.status IN ({', '.join('?' * len(FINISHED))})"
_FINISH_ORDER = "runs.ended_at, runs.rowid"
"""The order runs were rolled up in as they finished (flips, a failure's newest example)."""


class _Codes:
    """Small integer codes for keys (folder and intent, step title), in first-seen order."""

    def __init__(self) -> None:
        self.index: dict[tuple[str, ...], int] = {}

    def of(self, keys: list[tuple[str, ...]]) -> Ints:
        index = self.index
        return np.fromiter((index.setdefault(k, len(index)) for k in keys), np.int64, len(keys))

    def keys(self) -> list[tuple[str, ...]]:
        return list(self.index)


class _Grouping:
    """Rows grouped by (key code, period) for one grain."""

    def __init__(self, grain: int, codes: Ints, days: Ints) -> None:
        self.grain = grain
        self.periods = np.asarray(period(grain, days), dtype=np.int64)  # type: ignore[arg-type]
        self.base = int(self.periods.min()) if len(days) else 0
        self.unique, self.inverse = np.unique(
            codes * (1 << 32) + (self.periods - self.base), return_inverse=True
        )
        self.size = len(self.unique)

    def code(self, group: int) -> int:
        return int(self.unique[group] >> 32)

    def number(self, group: int) -> int:
        return int(self.unique[group] & 0xFFFFFFFF) + self.base

    def sums(self, values: Any) -> Ints:
        return np.bincount(self.inverse, weights=values, minlength=self.size).astype(np.int64)

    def sketches(self, buckets: Ints) -> list[bytes]:
        width = int(buckets.max()) + 1 if len(buckets) else 1
        keys, counts = np.unique(self.inverse * width + buckets, return_counts=True)
        pairs = np.empty(len(keys), dtype=merging.PAIRS)
        pairs["bucket"], pairs["count"] = keys % width, counts
        bounds = np.searchsorted(keys // width, np.arange(self.size + 1))
        return [pairs[bounds[g] : bounds[g + 1]].tobytes() for g in range(self.size)]


def _buckets(durations: Ints) -> Ints:
    """`sketch.bucket` of each duration (computed once per distinct value, so the buckets are
    those the live path computes)."""
    values, inverse = np.unique(durations, return_inverse=True)
    return np.fromiter((sketch.bucket(int(v)) for v in values), np.int64, len(values))[inverse]


def rebuild(conn: apsw.Connection) -> None:
    runs = _Codes()
    _runs(conn, runs)
    _steps(conn, runs)
    _failures(conn)


def _runs(conn: apsw.Connection, codes: _Codes) -> None:
    rows: list[Any] = conn.execute(
        "SELECT folder, intent, status, started_at, COALESCE(duration_ms, 0), undoable, undone "
        f"FROM runs WHERE {_IN_FINISHED} ORDER BY {_FINISH_ORDER}",
        FINISHED,
    ).fetchall()
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    combo = codes.of(list(zip(columns[0], columns[1], strict=True)))
    status = np.fromiter((FINISHED.index(s) for s in columns[2]), np.int64, len(rows))
    started = np.asarray(columns[3], dtype=np.float64)
    duration = np.asarray(columns[4], dtype=np.int64)
    days = np.floor(started / DAY_S).astype(np.int64)
    hours = (started % DAY_S // 3600).astype(np.int64)
    buckets = _buckets(duration)
    flips = _flips(combo, status == 0)
    _last_outcomes(conn, codes.keys(), combo, status == 0)
    retries, recovered = _retries(conn, codes, len(rows))
    keys = codes.keys()
    for grain in range(len(SPANS)):
        g = _Grouping(grain, combo, days)
        counts = np.bincount(g.inverse * 4 + status, minlength=g.size * 4).reshape(g.size, 4)
        by_hour = np.bincount(g.inverse * 24 + hours, minlength=g.size * 24).reshape(g.size, 24)
        sums = [
            g.sums(v)
            for v in (columns[5], columns[6], retries, recovered, flips, duration)  # same order
        ]
        blobs = g.sketches(buckets)
        conn.executemany(
            UPSERT_RUN,
            [
                (
                    grain,
                    g.number(i),
                    *keys[g.code(i)],
                    *(int(n) for n in counts[i]),
                    *(int(s[i]) for s in sums),
                    blobs[i],
                    by_hour[i].astype("<u4").tobytes(),
                )
                for i in range(g.size)
            ],
        )


def _last_outcomes(
    conn: apsw.Connection, keys: list[tuple[str, ...]], combo: Ints, succeeded: Any
) -> None:
    """Each intent's last outcome, where the live path continues from (`rollups.flip`)."""
    last = {int(c): bool(s) for c, s in zip(combo, succeeded, strict=True)}
    conn.executemany(
        "INSERT OR REPLACE INTO rollup_last(folder, intent, succeeded) VALUES (?, ?, ?)",
        [(*keys[c], s) for c, s in last.items()],
    )


def _flips(combo: Ints, succeeded: npt.NDArray[np.bool_]) -> Ints:
    """Whether each run's outcome differs from the previous run's of its intent (rows are in
    the order they finished)."""
    order = np.argsort(combo, kind="stable")
    same = combo[order][1:] == combo[order][:-1]
    changed = succeeded[order][1:] != succeeded[order][:-1]
    flips = np.zeros(len(combo), dtype=np.int64)
    flips[order[1:]] = same & changed
    return flips


def _retries(conn: apsw.Connection, codes: _Codes, n: int) -> tuple[Ints, Ints]:
    """Per run (in the runs query's order): step attempts beyond the first, and steps that
    succeeded on a later attempt."""
    rows: list[Any] = conn.execute(
        "SELECT ordinal, SUM(attempts - 1), SUM(steps.status = 'succeeded') FROM steps "
        f"JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY {_FINISH_ORDER}) - 1 AS ordinal "
        f"FROM runs WHERE {_IN_FINISHED}) AS r ON r.id = steps.run_id "
        "WHERE attempts > 1 GROUP BY ordinal",
        FINISHED,
    ).fetchall()
    retries, recovered = np.zeros(n, np.int64), np.zeros(n, np.int64)
    for ordinal, extra, succeeded in rows:
        retries[ordinal], recovered[ordinal] = extra, succeeded
    return retries, recovered


def _steps(conn: apsw.Connection, runs: _Codes) -> None:
    placeholders = ", ".join("?" * len(RAN))
    rows: list[Any] = conn.execute(
        "SELECT folder, intent, title, started_at, steps.status = 'failed', steps.duration_ms "
        f"FROM steps JOIN runs ON runs.id = steps.run_id WHERE {_IN_FINISHED} "
        f"AND steps.status IN ({placeholders})",
        (*FINISHED, *RAN),
    ).fetchall()
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    codes = _Codes()
    combo = codes.of(list(zip(columns[0], columns[1], columns[2], strict=True)))
    started = np.asarray(columns[3], dtype=np.float64)
    days = np.floor(started / DAY_S).astype(np.int64)
    duration = np.asarray(columns[5], dtype=np.int64)
    buckets = _buckets(duration)
    keys = codes.keys()
    for grain in range(len(SPANS)):
        g = _Grouping(grain, combo, days)
        runs_, failed, total = (
            np.bincount(g.inverse, minlength=g.size),
            g.sums(columns[4]),
            g.sums(duration),
        )
        blobs = g.sketches(buckets)
        conn.executemany(
            UPSERT_STEP,
            [
                (
                    grain,
                    g.number(i),
                    *keys[g.code(i)],
                    int(runs_[i]),
                    int(failed[i]),
                    int(total[i]),
                    blobs[i],
                )
                for i in range(g.size)
            ],
        )


def _failures(conn: apsw.Connection) -> None:
    """Failures are few: added one by one, newest last (its message is the example)."""
    rollup = Rollup()
    for folder, intent, started, category, message in conn.execute(
        "SELECT folder, intent, started_at, error_category, error_message FROM steps "
        f"JOIN runs ON runs.id = steps.run_id WHERE {_IN_FINISHED} "
        f"AND error_category IS NOT NULL ORDER BY {_FINISH_ORDER}, position",
        FINISHED,
    ):
        rollup.add_failure(folder, intent, started, StepFact("", "", 0, 1, category, message))
    conn.executemany(UPSERT_FAILURE, [(*k, c.count, c.example) for k, c in rollup.failures.items()])
