"""The history's cost per run (start + finish records, on a real file; goal ≤ 0.5 ms) and how
long the event loop stalls meanwhile (writes happen on the history's own thread)."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path

from intentls.history.store import History, RunStart
from intentls.model import PlanStep, RunResult, RunStatus, StepResult, StepStatus
from tests.bench.stats import p99, row

RUNS = 500


async def _loop_stalls(stop: asyncio.Event, stalls: list[float]) -> None:
    tick = 0.001
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(tick)
        stalls.append((time.perf_counter() - before - tick) * 1000)


async def stalls_during(work: Awaitable[object]) -> list[float]:
    """How late a 1 ms timer fires, each time, while `work` runs (ms)."""
    stalls: list[float] = []
    stop = asyncio.Event()
    ticker = asyncio.create_task(_loop_stalls(stop, stalls))
    await work
    stop.set()
    await ticker
    return stalls


async def write_runs(history: History, runs: int = RUNS, folder: str = "file:///ws") -> None:
    """`runs` runs of one step recorded (start and finish), one after another."""
    step = PlanStep("s1", "true", "shell", {"command": "true", "cwd": "."})
    for n in range(runs):
        run_id = f"bench{n}-{time.monotonic_ns()}"
        await history.record_started(RunStart(run_id, "$ true", folder, "/ws", None, time.time()))
        result = RunResult(
            run_id,
            "$ true",
            folder,
            RunStatus.SUCCEEDED,
            1,
            [StepResult("s1", "true", StepStatus.SUCCEEDED, 1, 1, 0)],
        )
        await history.record_finished(result, [step], {"s1": "output tail\n" * 20}, time.time())


def stall_rows(label: str, stalls: list[float]) -> None:
    row(f"event-loop stall {label} (max)", f"{max(stalls):.2f} ms", f"(p99 {p99(stalls):.2f})")


async def main() -> None:
    print(f"history writes: {RUNS} runs of one step each, on a real SQLite file (WAL)")
    with tempfile.TemporaryDirectory(prefix="intentls-bench-") as tmp:
        history = History(Path(tmp) / "history.db")
        baseline = await stalls_during(asyncio.sleep(0.3))
        start = time.perf_counter()
        stalls = await stalls_during(write_runs(history))
        per_run = (time.perf_counter() - start) * 1000 / RUNS
        history.close()
    row("history write cost per run (start + finish)", f"{per_run:.3f} ms", "[goal <= 0.5 ms]")
    stall_rows("idle baseline", baseline)
    stall_rows("while writing", stalls)
    print()
