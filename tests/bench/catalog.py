"""`intentls.list` through the real server over stdio on a workspace with 200 make targets and
100 npm scripts: cold (the server's first list, every file read) and warm (cached; goal ≤ 20 ms),
and after an edit of the Makefile (one re-detection). The same request on an empty folder is
the baseline: the LSP round trip alone."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

from tests.bench.stats import median, p99, row, timed

TARGETS = 200
SCRIPTS = 100
REPEAT = 300
EDITS = 30


def workspace(folder: Path) -> None:
    folder.mkdir()
    rules = [".PHONY: " + " ".join(f"target-{n}" for n in range(TARGETS))]
    for n in range(TARGETS):
        rules.append(f"target-{n}: ## Target number {n}\n\t@echo {n}")
    (folder / "Makefile").write_text("\n".join(rules) + "\n", encoding="utf-8")
    scripts = {f"script-{n}": f"echo {n}" for n in range(SCRIPTS)}
    (folder / "package.json").write_text(
        json.dumps({"name": "bench", "scripts": scripts}, indent=2), encoding="utf-8"
    )
    (folder / "package-lock.json").write_text("{}", encoding="utf-8")


async def main() -> None:
    print(f"catalog: intentls.list with {TARGETS} make targets and {SCRIPTS} npm scripts")
    with tempfile.TemporaryDirectory(prefix="intentls-bench-") as tmp:
        folder = Path(tmp) / "ws"
        workspace(folder)
        empty = Path(tmp) / "empty"
        empty.mkdir()
        client = LanguageClient("bench", "1")
        client.feature("window/logMessage")(lambda params: None)
        env = {**os.environ, "INTENTLS_HISTORY": str(Path(tmp) / "history.db")}
        await client.start_io(sys.executable, "-m", "intentls", "serve", env=env)
        await client.initialize_async(
            lsp.InitializeParams(
                capabilities=lsp.ClientCapabilities(),
                initialization_options={"trusted": True},
                workspace_folders=[
                    lsp.WorkspaceFolder(folder.as_uri(), "ws"),
                    lsp.WorkspaceFolder(empty.as_uri(), "empty"),
                ],
            )
        )
        client.initialized(lsp.InitializedParams())
        params = lsp.ExecuteCommandParams("intentls.list", [{}])
        empty_params = lsp.ExecuteCommandParams("intentls.list", [{"cwd": str(empty)}])

        async def list_nothing() -> None:
            await client.workspace_execute_command_async(empty_params)

        async def list_intents() -> int:
            result = await client.workspace_execute_command_async(params)
            return len(result)

        start = time.perf_counter()
        count = await list_intents()
        cold = (time.perf_counter() - start) * 1000
        assert count >= TARGETS + SCRIPTS, count
        warm = await timed(list_intents, REPEAT)
        baseline = await timed(list_nothing, REPEAT)
        makefile = folder / "Makefile"
        edited = []
        for n in range(EDITS):
            os.utime(makefile, ns=(n + 1, n + 1))
            start = time.perf_counter()
            await list_intents()
            edited.append((time.perf_counter() - start) * 1000)
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    row(f"intentls.list, {count} intents, cold (first call)", f"{cold:.2f} ms")
    row("intentls.list, warm, median", f"{median(warm):.2f} ms", "[goal <= 20 ms]")
    row("intentls.list, warm, p99", f"{p99(warm):.2f} ms")
    row("baseline: intentls.list of an empty folder, median", f"{median(baseline):.2f} ms")
    row("intentls.list after a Makefile edit, median", f"{median(edited):.2f} ms")
    print()
