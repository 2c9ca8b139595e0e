"""`intentls.stats` from the rollups: how often runs succeed, how long they take, what fails,
what got slower, what flips, when people run things. Counts are exact; percentiles are within
`sketch.RELATIVE_ERROR` of the exact ones. A span of days is a few rows per intent and grain
(periods.py), so the answer costs the same at a thousand runs or a million.

`since` counts whole UTC days: the rollups start at the day `since` falls in.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, SupportsInt

import apsw
import numpy as np

from intentls.history import merging
from intentls.history.periods import Range, cover, day_of, period
from intentls.history.rollups import STATUSES, select
from intentls.history.stats_shapes import (
    FailureStats,
    Flaky,
    IntentStats,
    Percentiles,
    RetryStats,
    SlowIntent,
    SlowStep,
    Stats,
    StatsQuery,
    Trend,
    UndoStats,
    Window,
)

TOP = 5
"""How many slowest intents and steps, failures, flaky intents and trends are listed."""
FLAKY_FLIP_RATE = 0.2
"""An intent whose outcome changes from one run to the next this often is flaky..."""
FLAKY_MIN_RUNS = 5
"""...given this many runs in the span."""
SLOWER = 1.2
"""A trend is `slower` when this week's median exceeds the four weeks before by 20 %..."""
FAILING_MORE = 0.1
"""...and `failingMore` when its success rate fell by 10 points."""


_RUN_COLUMNS = (*STATUSES, "undoable", "undone", "retries", "recovered", "flips", "total_ms")
_SUCCEEDED, _UNDOABLE, _UNDONE, _RETRIES, _RECOVERED, _FLIPS = (0, 4, 5, 6, 7, 8)


class Groups:
    """Rows grouped by a key: summed counts and merged sketches per group."""

    def __init__(self, keys: list[tuple[Any, ...]], counts: list[Any], blobs: list[Any]) -> None:
        index: dict[tuple[Any, ...], int] = {}
        rows = [index.setdefault(k, len(index)) for k in keys]
        self.keys = list(index)
        width = len(index)
        self.counts = np.zeros((width, len(counts[0]) if counts else 0), dtype=np.int64)
        if rows:
            np.add.at(self.counts, rows, np.asarray(counts, dtype=np.int64))
        self.sketches = merging.totals(blobs, rows, width) if rows else np.zeros((0, 1), np.int64)

    def percentiles(self, row: int, pcts: Sequence[int]) -> list[int]:
        return merging.percentiles(self.sketches[row], pcts)


def compute(conn: apsw.Connection, q: StatsQuery) -> Stats:
    now = time.time() if q.now is None else q.now
    ranges = cover(None if q.since is None else day_of(q.since))
    rows, hours = _runs(conn, ranges, q)
    total = rows.counts.sum(axis=0) if len(rows.keys) else np.zeros(len(_RUN_COLUMNS), np.int64)
    runs = int(total[: len(STATUSES)].sum())
    overall = rows.sketches.sum(axis=0) if len(rows.keys) else np.zeros(1, np.int64)
    by_intent = [
        IntentStats(
            key[0], _runs_of(c), _rate(c[_SUCCEEDED], _runs_of(c)), rows.percentiles(i, [50])[0]
        )
        for i, (key, c) in enumerate(zip(rows.keys, rows.counts, strict=True))
    ]
    by_hour = _by_hour(hours)
    return Stats(
        runs=runs,
        success_rate=_rate(total[_SUCCEEDED], runs),
        duration_ms=Percentiles(*merging.percentiles(overall, [50, 95, 99])),
        by_intent=sorted(by_intent, key=lambda s: (-s.runs, s.intent)),
        top_failures=_failures(conn, ranges, q),
        undo=UndoStats(
            int(total[_UNDONE]), int(total[_UNDOABLE]), _rate(total[_UNDONE], total[_UNDOABLE])
        ),
        retries=RetryStats(int(total[_RETRIES]), int(total[_RECOVERED])),
        slowest_intents=_slowest_intents(rows),
        slowest_steps=_slowest_steps(conn, ranges, q),
        trends=_trends(conn, q, now),
        flaky=_flaky(rows),
        by_hour=by_hour,
        busiest_hours=sorted((h for h in range(24) if by_hour[h]), key=lambda h: -by_hour[h])[:3],
    )


def _runs(
    conn: apsw.Connection, ranges: Sequence[Range], q: StatsQuery
) -> tuple[Groups, list[bytes]]:
    """Run rollups by intent, and each row's runs by hour."""
    columns = f"intent, {', '.join(_RUN_COLUMNS)}, sketch, hours"
    sql, params = select("rollup_runs", columns, ranges, q.folder, q.intent)
    fetched: list[Any] = conn.execute(sql, params).fetchall()
    groups = Groups(
        [(r[0],) for r in fetched], [r[1:-2] for r in fetched], [r[-2] for r in fetched]
    )
    return groups, [r[-1] for r in fetched]


def _runs_of(counts: Any) -> int:
    return int(sum(counts[: len(STATUSES)]))


def _by_hour(hours: list[bytes]) -> list[int]:
    if not hours:
        return [0] * 24
    utc = np.frombuffer(b"".join(hours), dtype="<u4").reshape(-1, 24).sum(axis=0)
    offset = round(time.localtime().tm_gmtoff / 3600)
    return [int(n) for n in np.roll(utc, offset)]


def _slowest_intents(rows: Groups) -> list[SlowIntent]:
    slow = []
    for i, (key, c) in enumerate(zip(rows.keys, rows.counts, strict=True)):
        p50, p95 = rows.percentiles(i, [50, 95])
        slow.append(SlowIntent(key[0], _runs_of(c), p50, p95))
    return sorted(slow, key=lambda s: (-s.p50_ms, s.intent))[:TOP]


def _slowest_steps(conn: apsw.Connection, ranges: Sequence[Range], q: StatsQuery) -> list[SlowStep]:
    sql, params = select(
        "rollup_steps", "intent, title, runs, failed, sketch", ranges, q.folder, q.intent
    )
    fetched: list[Any] = conn.execute(sql, params).fetchall()
    steps = Groups(
        [(r[0], r[1]) for r in fetched], [r[2:4] for r in fetched], [r[4] for r in fetched]
    )
    slow = []
    for i, ((intent, title), (runs, failed)) in enumerate(
        zip(steps.keys, steps.counts, strict=True)
    ):
        p50, p95 = steps.percentiles(i, [50, 95])
        slow.append(SlowStep(intent, title, int(runs), _rate(failed, runs), p50, p95))
    return sorted(slow, key=lambda s: (-s.p50_ms, s.intent, s.title))[:TOP]


def _failures(conn: apsw.Connection, ranges: Sequence[Range], q: StatsQuery) -> list[FailureStats]:
    sql, params = select("rollup_failures", "category, count, example", ranges, q.folder, q.intent)
    rows = conn.execute(
        f"SELECT category, SUM(count), MAX(example) FROM ({sql}) "
        f"GROUP BY category ORDER BY SUM(count) DESC, category LIMIT {TOP}",
        params,
    ).fetchall()
    return [FailureStats(str(c), int(n or 0), str(e or "")) for c, n, e in rows]


def _trends(conn: apsw.Connection, q: StatsQuery, now: float) -> list[Trend]:
    """This calendar week (UTC, from Monday) against the four weeks before it, per intent."""
    week = period(1, day_of(now))
    sql, params = select(
        "rollup_runs",
        f"period, intent, {', '.join(_RUN_COLUMNS)}, sketch",
        [(1, week - 4, week)],
        q.folder,
        q.intent,
    )
    fetched: list[Any] = conn.execute(sql, params).fetchall()
    keys = [("now" if r[0] == week else "before", r[1]) for r in fetched]
    weeks = Groups(keys, [r[2:-1] for r in fetched], [r[-1] for r in fetched])
    windows = {key: _window(weeks, i) for i, key in enumerate(weeks.keys)}
    trends = []
    for (when, intent), this in windows.items():
        before = windows.get(("before", intent))
        if when != "now" or before is None:
            continue
        slower = this.p50_ms > before.p50_ms * SLOWER
        failing = this.success_rate < before.success_rate - FAILING_MORE
        trends.append(Trend(intent, this, before, slower, failing))
    return sorted(trends, key=_trend_order)[:TOP]


def _trend_order(t: Trend) -> tuple[int, float, str]:
    """Flagged trends first, then by how much slower."""
    change = (t.this_week.p50_ms + 1) / (t.last_four_weeks.p50_ms + 1)
    return (-(t.failing_more or t.slower), -change, t.intent)


def _window(groups: Groups, row: int) -> Window:
    counts = groups.counts[row]
    runs = _runs_of(counts)
    return Window(runs, _rate(counts[_SUCCEEDED], runs), groups.percentiles(row, [50])[0])


def _flaky(rows: Groups) -> list[Flaky]:
    flaky = []
    for key, c in zip(rows.keys, rows.counts, strict=True):
        runs, flips = _runs_of(c), int(c[_FLIPS])
        if runs >= FLAKY_MIN_RUNS and flips / runs >= FLAKY_FLIP_RATE:
            flaky.append(Flaky(key[0], runs, flips, _rate(flips, runs), int(c[_RECOVERED])))
    return sorted(flaky, key=lambda f: (-f.flip_rate, f.intent))[:TOP]


def _rate(part: SupportsInt, whole: SupportsInt) -> float:
    return round(int(part) / int(whole), 4) if int(whole) else 0.0
