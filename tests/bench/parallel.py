"""Parallel execution through the real server: 4 sleeps at once vs in sequence, 8 CPU-bound
steps on this machine's cores, scheduling overhead per step, and the server's peak memory
during a 50-step plan."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.server import bench_server
from tests.bench.stats import row

CPU = f"{sys.executable} -c 'sum(i * i for i in range(6_000_000))'"


async def _timed(coro: object) -> float:
    start = time.perf_counter()
    await coro  # type: ignore[misc]
    return time.perf_counter() - start


async def _bare_cpu(n: int, at_once: int) -> float:
    """The machine's own ceiling: the same commands as plain processes, `at_once` at a time."""
    gate = asyncio.Semaphore(at_once)

    async def one() -> None:
        async with gate:
            proc = await asyncio.create_subprocess_exec("/bin/sh", "-c", CPU)
            await proc.wait()

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(n)))
    return time.perf_counter() - start


async def _bare_steps(n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        proc = await asyncio.create_subprocess_exec("/bin/sh", "-c", "true")
        await proc.wait()
    return time.perf_counter() - start


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def main() -> None:
    cores = os.cpu_count() or 2
    print(f"parallel execution ({cores} cores)")
    with tempfile.TemporaryDirectory(prefix="intentls-bench-") as tmp:
        folder = Path(tmp) / "ws"
        folder.mkdir()
        async with bench_server(folder, Path(tmp) / "h.db", {"maxParallel": 4}) as server:
            sleeps = ["$ sleep 1"] * 4
            seq = await _timed(server.run(" then ".join(sleeps)))
            par = await _timed(server.run(" and ".join(sleeps)))
            row("4 x sleep 1: in sequence", f"{seq:.2f} s")
            row("4 x sleep 1: with and", f"{par:.2f} s")
            row("speed-up", f"{seq / par:.2f}x", "[goal >= 3.8x]")
        async with bench_server(folder, Path(tmp) / "h.db") as server:
            cpu = [f"$ {CPU}"] * 8
            bare_seq, bare_par = await _bare_cpu(8, 1), await _bare_cpu(8, cores)
            seq = await _timed(server.run(" then ".join(cpu)))
            par = await _timed(server.run(" and ".join(cpu)))
            row(
                "8 CPU-bound plain processes, 1 / cores at once",
                f"{bare_seq:.2f} / {bare_par:.2f} s",
            )
            row("  the machine's own speed-up (baseline)", f"{bare_seq / bare_par:.2f}x")
            row("8 CPU-bound steps: in sequence", f"{seq:.2f} s")
            row(f"8 CPU-bound steps: maxParallel={cores}", f"{par:.2f} s")
            row("speed-up", f"{seq / par:.2f}x", "[goal >= 1.8x on 2 cores]")
            n = 50
            bare = await _bare_steps(n)
            chained = await _timed(server.run(" then ".join(["$ true"] * n)))
            overhead = (chained - bare) / n * 1000
            row(f"{n} chained '$ true' steps vs {n} bare spawns", f"{chained:.2f} / {bare:.2f} s")
            row("scheduling overhead per step", f"{overhead:.2f} ms", "[goal <= 1 ms]")
            wide = " and ".join([f"$ {sys.executable} -c 'print(1)'"] * n)
            await server.run(wide)
            before = _peak_rss_mb(server.pid)
            ten = " then ".join([f"$ {sys.executable} -c 'print(1)'"] * 5)
            await asyncio.gather(*(server.run(f"{ten} then $ echo {i}") for i in range(10)))
            row(
                "server peak RSS: before / after 10 concurrent 6-step runs",
                f"{before:.0f} / {_peak_rss_mb(server.pid):.0f} MB",
            )
            row(f"server peak RSS after a {n}-step plan", f"{before:.0f} MB", "[goal <= 100 MB]")
    print()
