"""kill -9 at random points: file-writing runs in flight, the server killed, the next server
started on the same files. Nothing may be corrupt, nothing reported that is not recorded, every
interrupted run that changed files undoable, and no process of the killed server left."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import attrs

from intentls.execution import orphans
from tests.probe import stores
from tests.probe.wire import RawServer

FINISHED = "intentls/runFinished"
STARTED = "intentls/runStarted"


@attrs.define
class CrashFigures:
    trials: int = 0
    runs_sent: int = 0
    corrupt: list[str] = attrs.Factory(list)
    finished_seen: int = 0
    reported_unrecorded: int = 0
    started_seen: int = 0
    started_without_row: int = 0
    interrupted: int = 0
    interrupted_not_undoable: int = 0
    orphans_left: int = 0

    def lines(self) -> list[str]:
        return [
            f"kill -9 at {self.trials} random points ({self.runs_sent} file-writing runs sent): "
            f"{len(self.corrupt)} corrupt {self.corrupt or ''}".rstrip(),
            f"  reported finished {self.finished_seen}, of them not recorded so: "
            f"{self.reported_unrecorded}; started {self.started_seen}, without a row: "
            f"{self.started_without_row}",
            f"  interrupted runs that wrote a file: {self.interrupted}, not undoable: "
            f"{self.interrupted_not_undoable}; processes of killed servers left: "
            f"{self.orphans_left}",
        ]


@attrs.frozen
class _Trial:
    server_pid: int
    started: set[str]
    finished: dict[str, str]
    wrote: dict[str, Path]


async def _trial(server: RawServer, folder: Path, n: int, runs: int, rng: random.Random) -> _Trial:
    sent = []
    for i in range(runs):
        name = f"t{n}-{i}.txt"
        intent = f"$ echo {n}-{i} > {name}; sleep {rng.choice(['0', '0.05', '0.3', '5'])}"
        params = {"command": "intentls.run", "arguments": [{"intent": intent}]}
        sent.append(server.request_nowait("workspace/executeCommand", params))
    await asyncio.sleep(rng.uniform(0.05, 1.5))
    server.kill()
    await server.proc.wait()
    await server.closed.wait()
    started = {p["runId"]: p for p in server.notes_of(STARTED) if "$ echo" in p.get("intent", "")}
    finished = {p["runId"]: p["status"] for p in server.notes_of(FINISHED)}
    for msg_id in sent:
        result = server.answers.get(msg_id, {}).get("result")
        if isinstance(result, dict) and "runId" in result:
            finished[result["runId"]] = result["status"]
    wrote = {}
    for run_id, note in started.items():
        target = note.get("intent", "").split("> ")[-1].split(";")[0]
        if target and (folder / target).exists():
            wrote[run_id] = folder / target
    return _Trial(server.proc.pid, set(started), finished, wrote)


async def probe(base: Path, trials: int, runs: int = 6, seed: int = 16) -> CrashFigures:
    rng = random.Random(seed)
    home, folder = base / "home", base / "project"
    folder.mkdir(parents=True)
    figures = CrashFigures()
    previous: _Trial | None = None
    for n in range(trials + 1):
        server = await RawServer.start(home)
        await server.initialize([folder])
        if previous is not None:
            await _check(server, home, previous, figures)
        if n == trials:
            await server.close()
            break
        previous = await _trial(server, folder, n, runs, rng)
        figures.trials += 1
        figures.runs_sent += runs
    figures.corrupt = stores.corrupt(home / "history.db", home / "undo.db")
    return figures


async def _check(server: RawServer, home: Path, trial: _Trial, figures: CrashFigures) -> None:
    """After a kill: what the client saw against what the files say, the killed server's
    processes, and an undo of every interrupted run that wrote its file."""
    await server.command("intentls.history", {"limit": 1})  # the server is up and has reaped
    statuses = stores.run_statuses(home / "history.db")
    figures.finished_seen += len(trial.finished)
    figures.reported_unrecorded += sum(
        1 for run_id, status in trial.finished.items() if statuses.get(run_id) != status
    )
    figures.started_seen += len(trial.started)
    figures.started_without_row += sum(1 for r in trial.started if r not in statuses)
    await asyncio.sleep(0.5)
    figures.orphans_left += sum(1 for o in orphans.find() if o.owner_pid == trial.server_pid)
    for run_id, path in trial.wrote.items():
        if statuses.get(run_id) != "interrupted":
            continue
        figures.interrupted += 1
        try:
            result = await server.command("intentls.undo", {"runId": run_id})
        except RuntimeError:
            result = {"status": "error"}
        if result.get("status") not in ("undone", "partial") and path.exists():
            figures.interrupted_not_undoable += 1
