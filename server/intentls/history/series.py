"""Stats over time from the day rollups: per intent and day, runs, success rate and median
duration (for the terminal's sparklines and the HTML report's charts)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import apsw

from intentls.history.periods import DAY_S, day_of
from intentls.history.rollups import select
from intentls.history.stats import Groups
from intentls.history.stats_shapes import IntentSeries, Point, StatsQuery

MAX_INTENTS = 8
"""The intents with most runs get a series; the rest would be noise on a chart."""


def daily(
    conn: apsw.Connection, q: StatsQuery, max_intents: int = MAX_INTENTS
) -> list[IntentSeries]:
    """One point per day with runs, oldest first, for the intents with most runs in the span
    (all intents together under the name `*` first)."""
    first = -(2**62) if q.since is None else day_of(q.since)
    sql, params = select(
        "rollup_runs",
        "period, intent, succeeded, failed, cancelled, interrupted, sketch",
        [(0, first, None)],
        q.folder,
        q.intent,
    )
    fetched: list[Any] = conn.execute(sql, params).fetchall()
    totals: dict[str, int] = {}
    for row in fetched:
        totals[row[1]] = totals.get(row[1], 0) + sum(row[2:6])
    chosen = sorted(totals, key=lambda i: (-totals[i], i))[:max_intents]
    keys = [(r[1], r[0]) for r in fetched] + [("*", r[0]) for r in fetched]
    groups = Groups(keys, [r[2:6] for r in fetched] * 2, [r[6] for r in fetched] * 2)
    points: dict[str, list[Point]] = {}
    for i, ((intent, day), counts) in enumerate(zip(groups.keys, groups.counts, strict=True)):
        runs = int(counts.sum())
        p50, p95 = groups.percentiles(i, [50, 95])
        rate = round(int(counts[0]) / runs, 4) if runs else 0.0
        points.setdefault(intent, []).append(Point(_date(day), runs, rate, p50, p95))
    return [
        IntentSeries(intent, sum(p.runs for p in points[intent]), sorted(points[intent], key=_day))
        for intent in (["*"] if fetched else []) + chosen
    ]


def _day(point: Point) -> str:
    return point.day


def _date(day: int) -> str:
    return datetime.fromtimestamp(day * DAY_S, UTC).date().isoformat()
