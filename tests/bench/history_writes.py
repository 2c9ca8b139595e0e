"""The history's cost per run (start + finish records, on a real file; goal ≤ 0.5 ms) and how
long the event loop stalls meanwhile (writes happen on the history's own thread)."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from intentls.history.store import History, RunStart
from intentls.model import PlanStep, RunResult, RunStatus, StepResult, StepStatus
from tests.bench.stats import row

RUNS = 500


async def _loop_stalls(stop: asyncio.Event, stalls: list[float]) -> None:
    tick = 0.001
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(tick)
        stalls.append((time.perf_counter() - before - tick) * 1000)


async def main() -> None:
    print(f"history writes: {RUNS} runs of one step each, on a real SQLite file (WAL)")
    with tempfile.TemporaryDirectory(prefix="intentls-bench-") as tmp:
        history = History(Path(tmp) / "history.db")
        step = PlanStep("s1", "true", "shell", {"command": "true", "cwd": "."})
        baseline: list[float] = []
        stop = asyncio.Event()
        ticker = asyncio.create_task(_loop_stalls(stop, baseline))
        await asyncio.sleep(0.3)
        stop.set()
        await ticker
        stalls: list[float] = []
        stop = asyncio.Event()
        ticker = asyncio.create_task(_loop_stalls(stop, stalls))
        start = time.perf_counter()
        for n in range(RUNS):
            run_id = f"bench{n}"
            await history.record_started(
                RunStart(run_id, "$ true", "file:///ws", "/ws", None, time.time())
            )
            result = RunResult(
                run_id,
                "$ true",
                "file:///ws",
                RunStatus.SUCCEEDED,
                1,
                [StepResult("s1", "true", StepStatus.SUCCEEDED, 1, 1, 0)],
            )
            await history.record_finished(result, [step], {"s1": "output tail\n" * 20}, time.time())
        per_run = (time.perf_counter() - start) * 1000 / RUNS
        stop.set()
        await ticker
        history.close()
    row("history write cost per run (start + finish)", f"{per_run:.3f} ms", "[goal <= 0.5 ms]")
    row("event-loop stall, idle baseline (max)", f"{max(baseline):.2f} ms")
    row("event-loop stall while writing (max)", f"{max(stalls):.2f} ms")
    print()
