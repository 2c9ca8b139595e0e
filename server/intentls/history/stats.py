"""`intentls.stats`: how often runs succeed, how long they take, and what fails most."""

from __future__ import annotations

import apsw
import attrs

from intentls.history.filters import where
from intentls.model import RunStatus

FINISHED = ("succeeded", "failed", "cancelled", "interrupted")
"""Runs that ran to an end; blocked and running ones say nothing about success or duration."""


@attrs.frozen
class Percentiles:
    p50: int
    p95: int
    p99: int


@attrs.frozen
class IntentStats:
    intent: str
    runs: int
    success_rate: float
    p50_ms: int


@attrs.frozen
class FailureStats:
    category: str
    count: int
    example: str


@attrs.frozen
class Stats:
    runs: int
    success_rate: float
    duration_ms: Percentiles
    by_intent: list[IntentStats]
    top_failures: list[FailureStats]


@attrs.frozen
class StatsQuery:
    folder: str | None
    intent: str | None = None
    since: float | None = None


def compute(conn: apsw.Connection, q: StatsQuery) -> Stats:
    where, params = _where(q)
    rows = conn.execute(f"SELECT intent, status, duration_ms FROM runs {where}", params).fetchall()
    durations = sorted(int(r[2] or 0) for r in rows)
    by_intent: dict[str, list[tuple[str, int]]] = {}
    for intent, status, duration in rows:
        by_intent.setdefault(str(intent), []).append((str(status), int(duration or 0)))
    return Stats(
        runs=len(rows),
        success_rate=_rate([str(r[1]) for r in rows]),
        duration_ms=Percentiles(*(_percentile(durations, p) for p in (50, 95, 99))),
        by_intent=sorted(
            (
                IntentStats(
                    intent,
                    len(runs),
                    _rate([s for s, _ in runs]),
                    _percentile(sorted(d for _, d in runs), 50),
                )
                for intent, runs in by_intent.items()
            ),
            key=lambda s: (-s.runs, s.intent),
        ),
        top_failures=_failures(conn, *_where(q)),
    )


def _where(q: StatsQuery) -> tuple[str, tuple[object, ...]]:
    finished = (f"runs.status IN ({', '.join('?' * len(FINISHED))})", FINISHED)
    filters = [("folder", "=", q.folder), ("intent", "=", q.intent), ("started_at", ">=", q.since)]
    return where(filters, [finished])


def _failures(conn: apsw.Connection, where: str, params: tuple[object, ...]) -> list[FailureStats]:
    rows = conn.execute(
        "SELECT steps.error_category, COUNT(*), MAX(steps.error_message) FROM steps "
        f"JOIN runs ON runs.id = steps.run_id {where} "
        "AND steps.error_category IS NOT NULL "
        "GROUP BY steps.error_category ORDER BY COUNT(*) DESC, steps.error_category LIMIT 5",
        params,
    ).fetchall()
    return [FailureStats(str(c), int(n or 0), str(e or "")) for c, n, e in rows]


def _rate(statuses: list[str]) -> float:
    if not statuses:
        return 0.0
    return round(sum(s == RunStatus.SUCCEEDED.value for s in statuses) / len(statuses), 4)


def _percentile(ordered: list[int], pct: int) -> int:
    """Nearest-rank percentile of an ascending list; 0 for no data."""
    if not ordered:
        return 0
    rank = max(1, -(-pct * len(ordered) // 100))
    return ordered[rank - 1]
