"""How long the event loop stalls (issue 15: ≤ 2 ms) while 500 runs write history — the
history alone, then runs through the whole engine: each planned, spawned, snapshotted for
undo, recorded, fed to the suggestions and shown as the LSP face shows it (every event
converted to the wire and to JSON). Beside them, the idle loop's stall measured in the same
run, before and after: on a shared machine that is the floor no code goes below.

A stall is how late a 1 ms timer fires. Beside each, the most CPU time the loop's own thread
spent between two ticks: what our code held the loop for. A stall longer than that was spent
waiting — for the GIL (held by a worker thread) or for a CPU (held by other programs)."""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from intentls.engine import ActiveRun, RunRequest
from intentls.folders import Folder
from intentls.model import PlanStep, RunResult, StepResult
from intentls.services import Options, Services
from intentls.wire import to_wire
from tests.bench.history_writes import write_runs
from tests.bench.stats import p99, row

RUNS = 500
FILES = 300
IDLE_S = 0.5
TICK_S = 0.001


async def sampled(work: Awaitable[object]) -> tuple[list[float], list[float]]:
    """While `work` runs: how late a 1 ms timer fires each time, and the loop thread's CPU
    time over each tick (both ms)."""
    late: list[float] = []
    cpu: list[float] = []
    done = asyncio.ensure_future(work)
    while not done.done():
        before, used = time.perf_counter(), time.thread_time()
        await asyncio.sleep(TICK_S)
        late.append((time.perf_counter() - before - TICK_S) * 1000)
        cpu.append((time.thread_time() - used) * 1000)
    await done
    return late, cpu


class WireListener:
    """What the LSP face does with a run's events, minus the pipe: each one to the wire, then
    JSON."""

    async def prepare(self) -> None:
        return None

    def _send(self, method: str, params: Any) -> None:
        json.dumps({"jsonrpc": "2.0", "method": method, "params": to_wire(params)})

    def run_started(self, run: ActiveRun) -> None:
        self._send("intentls/runStarted", run.snapshot())

    def run_finished(self, result: RunResult) -> None:
        self._send("intentls/runFinished", result)

    def step_started(self, step: PlanStep) -> None:
        self._send("$/progress", {"step": step})

    def step_output(self, step_id: str, stream: str, text: str) -> None:
        self._send("intentls/output", {"stepId": step_id, "stream": stream, "text": text})

    def step_finished(self, result: StepResult, output_tail: str) -> None:
        self._send("$/progress", {"step": result})


async def run_all(services: Services, request: RunRequest, runs: int) -> None:
    for _ in range(runs):
        result = await services.engine.run(request, WireListener())
        assert result.status.value == "succeeded", result


def stall_row(label: str, late: list[float], cpu: list[float], idle: list[float]) -> None:
    row(
        f"event-loop stall {label} (max)",
        f"{max(late):.2f} ms",
        f"(p99 {p99(late):.2f}; loop's own CPU per tick max {max(cpu):.2f}; "
        f"÷ idle max {max(late) / max(max(idle), 0.01):.1f}x) [goal ≤ 2 ms]",
    )


async def main() -> None:
    print(f"event loop: stalls while {RUNS} runs write history (a 1 ms timer's lateness)")
    with tempfile.TemporaryDirectory(prefix="intentls-bench-") as tmp:
        folder = Path(tmp) / "ws"
        folder.mkdir()
        for n in range(FILES):
            (folder / f"file{n}.txt").write_text(f"{n}\n")
        services = Services.open(Options(Path(tmp) / "history.db", True, 4))
        services.start()  # as the server does at initialize
        try:
            idle, _ = await sampled(asyncio.sleep(IDLE_S))
            bare = await sampled(write_runs(services.history, RUNS))  # the history alone
            await services.undo.warm(Folder.from_path(folder))
            request = RunRequest("$ true", Folder.from_path(folder), folder)
            await run_all(services, request, 5)  # the first runs load what runs need
            start = time.perf_counter()
            engine = await sampled(run_all(services, request, RUNS))
            per_run = (time.perf_counter() - start) * 1000 / RUNS
        finally:
            services.close()
        idle += (await sampled(asyncio.sleep(IDLE_S)))[0]
    row(
        "event-loop stall idle (max): the machine's jitter",
        f"{max(idle):.2f} ms",
        f"(p99 {p99(idle):.2f})",
    )
    stall_row(f"while {RUNS} runs write history", *bare, idle)
    stall_row(f"while {RUNS} runs run end to end", *engine, idle)
    row("one run end to end (engine, no LSP pipe)", f"{per_run:.2f} ms")
    print()
