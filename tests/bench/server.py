"""A real `intentls serve` under a pygls client, for benchmarks."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient


class BenchServer:
    def __init__(self, client: LanguageClient) -> None:
        self.client = client

    @property
    def pid(self) -> int:
        assert self.client._server is not None
        return self.client._server.pid

    async def command(self, name: str, args: dict[str, Any]) -> Any:
        params = lsp.ExecuteCommandParams(name, [args])
        return await self.client.workspace_execute_command_async(params)

    async def run(self, intent: str) -> Any:
        result = await self.command("intentls.run", {"intent": intent})
        assert result["status"] == "succeeded", result
        return result


@asynccontextmanager
async def bench_server(
    folder: Path, history: Path, options: dict[str, Any] | None = None
) -> AsyncIterator[BenchServer]:
    client = LanguageClient("bench", "1")
    for method in (
        "intentls/runStarted",
        "intentls/runFinished",
        "intentls/output",
        "window/logMessage",
    ):
        client.feature(method)(lambda params: None)
    env = {**os.environ, "INTENTLS_HISTORY": str(history)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # timed as installed: from compiled bytecode
    await client.start_io(sys.executable, "-m", "intentls", "serve", env=env)
    await client.initialize_async(
        lsp.InitializeParams(
            capabilities=lsp.ClientCapabilities(),
            initialization_options={"trusted": True, **(options or {})},
            workspace_folders=[lsp.WorkspaceFolder(folder.as_uri(), folder.name)],
        )
    )
    client.initialized(lsp.InitializedParams())
    try:
        yield BenchServer(client)
    finally:
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()  # type: ignore[no-untyped-call]
