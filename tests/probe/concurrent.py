"""Several servers on one history and undo store, each running file-writing runs in its own
folder at once: every run keeps its undo record, and "database is locked" never reaches a
client."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import attrs

from tests.probe import stores
from tests.probe.wire import RawServer

AT_ONCE = 4


@attrs.define
class ConcurrentFigures:
    servers: int = 0
    runs: int = 0
    failed: int = 0
    lost_undo_records: int = 0
    lost_silently: int = 0
    locked_surfaced: int = 0

    def lines(self) -> list[str]:
        each = self.runs // max(self.servers, 1)
        return [
            f"{self.servers} servers x {each} file-writing runs on one "
            f"history and undo store: {self.lost_undo_records} lost undo records "
            f"({self.lost_silently} without a warning), {self.locked_surfaced} 'locked' "
            f"surfaced, {self.failed} runs not succeeded"
        ]


async def _one(server: RawServer, folder: Path, runs: int, sink: list[Any]) -> None:
    queue = list(range(runs))

    async def worker() -> None:
        while queue:
            i = queue.pop()
            try:
                sink.append(
                    await server.command("intentls.run", {"intent": f"$ echo {i} > f{i}.txt"})
                )
            except RuntimeError as exc:
                sink.append({"error": str(exc)})

    await asyncio.gather(*(worker() for _ in range(AT_ONCE)))


async def probe(base: Path, servers: int, runs: int) -> ConcurrentFigures:
    home = base / "home"
    folders = [base / f"project{k}" for k in range(servers)]
    for folder in folders:
        folder.mkdir(parents=True)
    started = [await RawServer.start(home) for _ in folders]
    results: list[Any] = []
    try:
        await asyncio.gather(*(s.initialize([f]) for s, f in zip(started, folders, strict=True)))
        await asyncio.gather(
            *(_one(s, f, runs, results) for s, f in zip(started, folders, strict=True))
        )
    finally:
        await asyncio.gather(*(s.close() for s in started))
    recorded = stores.undo_runs(home / "undo.db")
    figures = ConcurrentFigures(servers, servers * runs)
    for result in results:
        text = json.dumps(result)
        figures.locked_surfaced += "locked" in text
        if result.get("status") != "succeeded":
            figures.failed += 1
            continue
        if not result.get("undoable") or result["runId"] not in recorded:
            figures.lost_undo_records += 1
            figures.lost_silently += not any(
                w.get("kind") == "undo" for w in result.get("warnings") or []
            )
    shown = json.dumps([s.notes for s in started])
    figures.locked_surfaced += shown.count("database is locked")
    return figures
