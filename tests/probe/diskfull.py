"""A full disk: the server's files and the workspace on a 2 MB tmpfs (its own mount namespace,
`unshare -m`, or `-rm` when not root), runs that fill it. Nothing may be reported finished that
the history does not hold so, and no row may stay `running`. Then a built-in `rename` on the
full disk: it says the disk is full, or it renames with an undo record; never one half."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import attrs

from intentls.history.store import History
from tests.probe import stores
from tests.probe.wire import SERVER, RawServer

SIZE = "2m"
SCRIPT = (
    'mnt="$1"; out="$2"; shift 2; mount -t tmpfs -o size=' + SIZE + ' tmpfs "$mnt" || exit 97; '
    'mkdir -p "$mnt/home" "$mnt/project"; "$@"; code=$?; cp -a "$mnt/." "$out/"; exit $code'
)
RENAMED = ("rename-me.txt", "renamed.txt")
FILL = "$ head -c 4000000 /dev/zero > fill.bin"
RUNS = [
    "$ head -c 300000 /dev/zero | tr '\\\\0' x > big{i}.txt",
    "$ seq 1 30000",
    "$ echo small > s{i}.txt",
]


@attrs.define
class DiskFigures:
    how: str = ""
    runs: int = 0
    reported: int = 0
    reported_unrecorded: int = 0
    told_unrecorded: int = 0
    left_running: int = 0
    said_full: bool = False
    said_sqlite: int = 0
    """Messages in SQLite's words ("database or disk is full") instead of plain ones."""
    rename: str = ""
    """What became of the rename on the full disk."""
    rename_halved: bool = False
    """Renamed without an undo record, or said so and renamed anyway."""
    undo: str = ""
    """What an undo on the full disk answered."""
    corrupt: list[str] = attrs.Factory(list)

    def lines(self) -> list[str]:
        if not self.runs:
            return [f"disk full: not measured ({self.how})"]
        return [
            f"disk full ({self.how}): {self.runs} runs, {self.reported} reported finished, "
            f"{self.reported_unrecorded} of them not recorded so without a word "
            f"({self.told_unrecorded} said what the history kept); rows left running after "
            f"the next start: {self.left_running}; {len(self.corrupt)} corrupt; the client was "
            f"told the disk is full: {'yes' if self.said_full else 'no'}, in SQLite's words "
            f"{self.said_sqlite} times",
            f"  rename on the full disk: {self.rename}"
            + ("; LOST ITS UNDO RECORD OR HALF DONE" if self.rename_halved else ""),
            f"  undo on the full disk: {self.undo}",
        ]


def _namespace() -> list[str] | None:
    if shutil.which("unshare") is None:
        return None
    flags = "-m" if os.geteuid() == 0 else "-rm"
    probe = subprocess.run(
        [
            "unshare",
            flags,
            "sh",
            "-c",
            "mount -t tmpfs tmpfs /mnt 2>/dev/null || mount -t tmpfs tmpfs /tmp",
        ],
        capture_output=True,
        check=False,
    )
    return ["unshare", flags] if probe.returncode == 0 else None


async def probe(base: Path, rounds: int = 12) -> DiskFigures:
    namespace = _namespace()
    if namespace is None:
        return DiskFigures(how="cannot make a small filesystem here: no mount namespace")
    mnt, out = base / "mnt", base / "out"
    mnt.mkdir(parents=True)
    out.mkdir()
    argv = [*namespace, "sh", "-c", SCRIPT, "sh", str(mnt), str(out), *SERVER]
    figures = DiskFigures(how=f"tmpfs size={SIZE} in `{' '.join(namespace)}`")
    server = await RawServer.start(mnt / "home", argv=argv, logs=base)
    try:
        await server.initialize([mnt / "project"])
        results = [await server.command("intentls.run", {"intent": f"$ echo kept > {RENAMED[0]}"})]
        for i in range(rounds):
            for template in RUNS:
                figures.runs += 1
                try:
                    results.append(
                        await server.command("intentls.run", {"intent": template.format(i=i)})
                    )
                except RuntimeError as exc:
                    results.append({"error": str(exc)})
        results.append(await server.command("intentls.run", {"intent": FILL}))
        renamed = await server.command(
            "intentls.run", {"intent": "rename {} to {}".format(*RENAMED)}
        )
        results.append(renamed)
        try:
            undone = await server.command("intentls.undo", {})
            figures.undo = f"{undone['status']}, {len(undone['restored'])} restored"
        except RuntimeError as exc:
            figures.undo = str(exc)
        results.append({"undo": figures.undo})
    finally:
        await server.close()
    _rename_outcome(renamed, out / "project", figures)
    # A run whose result says the history could not keep it was not reported as recorded.
    told = {
        r["runId"]
        for r in [*results, *server.notes_of("intentls/runFinished")]
        if any(w.get("kind") == "history" for w in r.get("warnings") or [])
    }
    finished = {p["runId"]: p["status"] for p in server.notes_of("intentls/runFinished")}
    for result in results:
        if "runId" in result:
            finished[result["runId"]] = result["status"]
    figures.reported = len(finished)
    figures.told_unrecorded = len(told)
    history = out / "home" / "history.db"
    _next_start(history)
    statuses = stores.run_statuses(history)
    figures.reported_unrecorded = sum(
        1 for r, s in finished.items() if statuses.get(r) != s and r not in told
    )
    figures.left_running = sum(1 for s in statuses.values() if s == "running")
    said = json.dumps([results, server.notes]).lower()
    figures.said_full = "disk is full" in said or "no space" in said
    figures.said_sqlite = said.count("database or disk is full")
    figures.corrupt = stores.corrupt(history, out / "home" / "undo.db")
    return figures


def _rename_outcome(result: dict[str, Any], project: Path, figures: DiskFigures) -> None:
    """Renamed with an undo record, or not renamed with a failure that says why."""
    moved = (project / RENAMED[1]).exists() and not (project / RENAMED[0]).exists()
    kept = (project / RENAMED[0]).exists() and not (project / RENAMED[1]).exists()
    if result["status"] == "succeeded":
        figures.rename = "renamed, " + ("undoable" if result.get("undoable") else "NOT undoable")
        figures.rename_halved = not (moved and result.get("undoable"))
        return
    (error,) = [s["error"]["message"] for s in result["steps"] if s.get("error")]
    figures.rename = f"not renamed: {error}"
    figures.rename_halved = not kept


def _next_start(history: Path) -> None:
    """What the next server does on opening the (copied out, no longer full) history: the
    rows of the gone server that were still running end `interrupted`, pending ends aside."""
    if history.exists():
        History(history).close()
