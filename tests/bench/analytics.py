"""`intentls.stats` over a million generated runs from the rollups (goal <= 10 ms, all folders
and one intent) beside the naive full scan it replaced, measured in the same run; what rollups
add to a run's write (goal <= 0.3 ms); and the file's bytes per run."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

import apsw

from intentls.history import rebuild
from intentls.history.database import open_database
from intentls.history.rollups import FINISHED
from intentls.history.stats import StatsQuery
from intentls.history.store import History, RunStart
from intentls.model import PlanStep, RunResult, RunStatus, StepResult, StepStatus
from tests.bench.stats import median, row, timed
from tests.generated_history import generate

RUNS = int(os.environ.get("INTENTLS_BENCH_RUNS", "1000000"))
WRITES = 400


def naive(conn: apsw.Connection, intent: str | None) -> tuple[int, list[int]]:
    """What `intentls.stats` did before rollups: every matching row into Python, sorted."""
    where = f"status IN ({', '.join('?' * len(FINISHED))})"
    params: tuple[object, ...] = FINISHED
    if intent is not None:
        where, params = f"{where} AND intent = ?", (*params, intent)
    rows = conn.execute(f"SELECT intent, status, duration_ms FROM runs WHERE {where}", params)
    durations: dict[str, list[int]] = {}
    for name, _, ms in rows:
        durations.setdefault(name, []).append(int(ms or 0))
    everything = sorted(d for ds in durations.values() for d in ds)
    n = len(everything)
    by_intent = [sorted(ds)[len(ds) // 2] for ds in durations.values()]
    return n, [everything[min(n - 1, n * p // 100)] for p in (50, 95, 99)] + by_intent


async def _writes(path: Path, rollups: bool) -> float:
    """Milliseconds per run (start + finish of a three-step run)."""
    history = History(path)
    if not rollups:
        history._roll_up = lambda result: None  # type: ignore[method-assign]
    steps = [PlanStep(f"s{i}", f"step {i}", "shell", {"command": "true"}) for i in range(3)]
    start = time.perf_counter()
    for n in range(WRITES):
        run_id = f"w{rollups}{n}"
        await history.record_started(
            RunStart(run_id, f"intent{n % 7}", "file:///ws", "/ws", None, time.time())
        )
        result = RunResult(
            run_id,
            f"intent{n % 7}",
            "file:///ws",
            RunStatus.SUCCEEDED,
            30 + n % 50,
            [StepResult(s.id, s.title, StepStatus.SUCCEEDED, 10 + n % 13, 1, 0) for s in steps],
        )
        await history.record_finished(result, steps, {}, time.time())
    per_run = (time.perf_counter() - start) * 1000 / WRITES
    history.close()
    return per_run


async def main() -> None:
    print(f"analytics: {RUNS:,} generated runs (8 folders x 25 intents, 180 days), real file")
    with tempfile.TemporaryDirectory(prefix="intentls-bench-") as tmp:
        path = Path(tmp) / "history.db"
        conn, _ = open_database(path)
        start = time.perf_counter()
        generate(conn, RUNS, time.time())
        row("generate runs (bulk insert, one transaction)", f"{time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        with conn:
            for table in ("rollup_runs", "rollup_steps", "rollup_failures", "rollup_last"):
                conn.execute(f"DELETE FROM {table}")
            rebuild.rebuild(conn)
        row("rebuild rollups (the migration)", f"{time.perf_counter() - start:.1f} s")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = path.stat().st_size
        (rollup_bytes,) = conn.execute(
            "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'rollup%'"
        ).fetchone()
        history = History(path)
        for label, intent in (("all folders", None), ("one intent", "intent3")):
            query = StatsQuery(None, intent)
            fast = median(await timed(lambda q=query: history.stats(q), repeat=15, warmup=2))
            scan = median(await timed(lambda i=intent: asyncio.to_thread(naive, conn, i), 3, 1))
            row(f"intentls.stats, {label}", f"{fast:.2f} ms", "[goal <= 10 ms]")
            row(f"naive full scan, {label}", f"{scan:.0f} ms", f"({scan / fast:.0f}x slower)")
        history.close()
        conn.close()
        row("database bytes per run (runs, steps, rollups)", f"{size / RUNS:.0f} B")
        row("rollup bytes per run", f"{rollup_bytes / RUNS:.1f} B")
        with_rollups = await _writes(Path(tmp) / "w1.db", rollups=True)
        without = await _writes(Path(tmp) / "w0.db", rollups=False)
        row("write cost per run, with rollups", f"{with_rollups:.3f} ms", "[goal <= 0.3 ms]")
        row("write cost per run, rollups off (baseline)", f"{without:.3f} ms")
        row("rollups' share of a write", f"{with_rollups - without:.3f} ms")
    print()
