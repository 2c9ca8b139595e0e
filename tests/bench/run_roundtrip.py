"""`intentls.run "$ true"` through the real server over stdio, against a bare
`asyncio.create_subprocess_exec("true")` (goal: ≤ 2× at the median); then a new folder's beside
one with 1,000 past runs (issue 15: the failure prediction and review read a folder's history on
every run; what a run costs must not grow with it). The server runs compiled bytecode, as an
installed one does."""

from __future__ import annotations

import asyncio
import compileall
import tempfile
import time
from pathlib import Path

from lsprotocol import types as lsp

import intentls
from intentls.history.store import History
from tests.bench.history_writes import write_runs
from tests.bench.server import BenchServer, bench_server
from tests.bench.stats import median, p99, row, timed

REPEAT = 300
PAST = 1000
"""Past runs of the folder in the second measurement."""


async def bare_true() -> None:
    proc = await asyncio.create_subprocess_exec("true")
    await proc.wait()


async def _runs(server: BenchServer) -> list[float]:
    async def run_true() -> None:
        await server.run("$ true")

    return await timed(run_true, REPEAT)


async def _old_folder(tmp: Path) -> tuple[Path, Path]:
    """A folder that already has `PAST` runs in its history (folder, history file)."""
    folder = tmp / "old"
    folder.mkdir()
    path = tmp / "old-history.db"
    history = History(path)
    try:
        await write_runs(history, PAST, folder.as_uri())
    finally:
        history.close()
    return folder, path


async def _alternating(new: BenchServer, old: BenchServer) -> tuple[list[float], list[float]]:
    """Round trips of two servers taken in turn, so that both meet the same machine (another
    run passes between two of one server's, as a person's pace lets its work after an answer
    finish)."""
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(REPEAT):
        for server, kept in zip((new, old), samples, strict=True):
            start = time.perf_counter()
            await server.run("$ true")
            kept.append((time.perf_counter() - start) * 1000)
    return samples


async def main() -> None:
    print(f'run round trip: intentls.run "$ true" vs a bare spawn of true ({REPEAT} each)')
    compileall.compile_dir(Path(intentls.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory(prefix="intentls-bench-") as tmp:
        folder = Path(tmp) / "ws"
        folder.mkdir()
        async with bench_server(folder, Path(tmp) / "history.db") as server:
            list_params = lsp.ExecuteCommandParams("intentls.list", [{}])

            async def list_intents() -> None:
                await server.client.workspace_execute_command_async(list_params)

            baseline = await timed(bare_true, REPEAT)
            lsp_only = await timed(list_intents, REPEAT)
            ours = await _runs(server)
        fresh = Path(tmp) / "new"
        fresh.mkdir()
        old_folder, old_history = await _old_folder(Path(tmp))
        async with (
            bench_server(fresh, Path(tmp) / "new-history.db") as new_server,
            bench_server(old_folder, old_history) as old_server,
        ):
            new, old = await _alternating(new_server, old_server)
    row("bare create_subprocess_exec('true') median", f"{median(baseline):.2f} ms")
    row("bare create_subprocess_exec('true') p99", f"{p99(baseline):.2f} ms")
    row("LSP round trip alone (intentls.list) median", f"{median(lsp_only):.2f} ms")
    row('intentls.run "$ true" median', f"{median(ours):.2f} ms")
    row('intentls.run "$ true" p99', f"{p99(ours):.2f} ms")
    row("ratio, median", f"{median(ours) / median(baseline):.2f}x", "[goal <= 2x]")
    row("ratio, p99", f"{p99(ours) / p99(baseline):.2f}x")
    row("two servers in turn: a new folder, median", f"{median(new):.2f} ms")
    row(f"  and a folder with {PAST:,} past runs, median", f"{median(old):.2f} ms")
    row(
        f"  {PAST:,} past runs ÷ a new folder, median", f"{median(old) / median(new):.2f}x", "[~1x]"
    )
    row(f"  {PAST:,} past runs ÷ a new folder, p99", f"{p99(old) / p99(new):.2f}x")
    print()


if __name__ == "__main__":
    asyncio.run(main())
