"""`intentls.run "$ true"` through the real server over stdio, against a bare
`asyncio.create_subprocess_exec("true")` (goal: ≤ 3× at the median)."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

from tests.bench.stats import median, p99, row, timed

REPEAT = 300


async def bare_true() -> None:
    proc = await asyncio.create_subprocess_exec("true")
    await proc.wait()


async def main() -> None:
    print(f'run round trip: intentls.run "$ true" vs a bare spawn of true ({REPEAT} each)')
    with tempfile.TemporaryDirectory(prefix="intentls-bench-") as tmp:
        folder = Path(tmp) / "ws"
        folder.mkdir()
        client = LanguageClient("bench", "1")
        for method in (
            "intentls/runStarted",
            "intentls/runFinished",
            "intentls/output",
            "window/logMessage",
        ):
            client.feature(method)(lambda params: None)
        env = {**os.environ, "INTENTLS_HISTORY": str(Path(tmp) / "history.db")}
        await client.start_io(sys.executable, "-m", "intentls", "serve", env=env)
        await client.initialize_async(
            lsp.InitializeParams(
                capabilities=lsp.ClientCapabilities(),
                initialization_options={"trusted": True},
                workspace_folders=[lsp.WorkspaceFolder(folder.as_uri(), "ws")],
            )
        )
        client.initialized(lsp.InitializedParams())
        params = lsp.ExecuteCommandParams("intentls.run", [{"intent": "$ true"}])

        async def run_true() -> None:
            result = await client.workspace_execute_command_async(params)
            assert result["status"] == "succeeded", result

        list_params = lsp.ExecuteCommandParams("intentls.list", [{}])

        async def list_intents() -> None:
            await client.workspace_execute_command_async(list_params)

        baseline = await timed(bare_true, REPEAT)
        lsp_only = await timed(list_intents, REPEAT)
        ours = await timed(run_true, REPEAT)
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    row("bare create_subprocess_exec('true') median", f"{median(baseline):.2f} ms")
    row("bare create_subprocess_exec('true') p99", f"{p99(baseline):.2f} ms")
    row("LSP round trip alone (intentls.list) median", f"{median(lsp_only):.2f} ms")
    row('intentls.run "$ true" median', f"{median(ours):.2f} ms")
    row('intentls.run "$ true" p99', f"{p99(ours):.2f} ms")
    row("ratio, median", f"{median(ours) / median(baseline):.2f}x", "[goal <= 3x]")
    row("ratio, p99", f"{p99(ours) / p99(baseline):.2f}x")
    print()
