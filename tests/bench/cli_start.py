"""The terminal's cold start: `intentls --version`, `intentls list` in an empty folder and
`intentls history` (a history of 200 runs), each a fresh interpreter, beside `python -c pass`
measured in the same run. The CLI's own cost is the difference (goal: ≤ 150 ms).

Cold as a person meets it: the installed `intentls` script, a new process each time (the OS
file cache is warm after the first call, as it is for someone who typed a command a minute
ago), with compiled bytecode as an installed wheel has it (this package is compiled first, and
PYTHONDONTWRITEBYTECODE is dropped for the children so that what they import stays compiled).
Wall time is what the person waits; CPU time (user + system, from the child's rusage) is
printed beside it because it barely moves when other work shares the machine. Both are the
best of the samples."""

from __future__ import annotations

import asyncio
import compileall
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import intentls
from intentls.history.store import History, RunStart
from intentls.model import RunResult, RunStatus
from tests.bench.stats import row

REPEAT = 15
GOAL_MS = 150.0
RUNS = 200
SCRIPT = str(Path(sys.executable).with_name("intentls"))
COMMANDS = {
    "intentls --version": [SCRIPT, "--version"],
    "intentls list (empty folder)": [SCRIPT, "list"],
    "intentls history (200 runs)": [SCRIPT, "history"],
}


def samples(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Best wall and best CPU milliseconds of REPEAT runs of `argv`."""
    walls, cpus = [], []
    for n in range(REPEAT + 1):
        start = time.perf_counter()
        child = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = (time.perf_counter() - start) * 1000
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise RuntimeError(f"{argv} exited {child.returncode}")
        if n:  # the first call fills the OS file cache: not counted
            walls.append(wall)
            cpus.append((usage.ru_utime + usage.ru_stime) * 1000)
    return min(walls), min(cpus)


async def fill(path: Path, folder: Path) -> None:
    history = History(path)
    try:
        for n in range(RUNS):
            run_id = f"run{n}"
            history.record_started(RunStart(run_id, "test", folder.as_uri(), str(folder), "b", n))
            result = RunResult(run_id, "test", folder.as_uri(), RunStatus.SUCCEEDED, 5, [])
            await history.record_finished(result, [], {}, n + 0.005)
    finally:
        history.close()


async def main() -> None:
    print(f"cli start: a fresh process per call, best of {REPEAT} (wall, CPU)")
    with tempfile.TemporaryDirectory(prefix="intentls-bench-") as tmp:
        folder = Path(tmp) / "empty"
        folder.mkdir()
        (folder / ".git").mkdir()  # the project folder, so that nothing above it is read
        history = Path(tmp) / "history.db"
        await fill(history, folder)
        compileall.compile_dir(Path(intentls.__file__).parent, quiet=1)
        env = {**os.environ, "INTENTLS_HISTORY": str(history)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        base_wall, base_cpu = samples([sys.executable, "-c", "pass"], folder, env)
        row("python -c pass (baseline)", f"{base_wall:.0f} ms", f"CPU {base_cpu:.0f} ms")
        for label, argv in COMMANDS.items():
            wall, cpu = samples(argv, folder, env)
            own = wall - base_wall
            verdict = "ok" if own <= GOAL_MS else "over"
            row(
                label,
                f"{wall:.0f} ms",
                f"CPU {cpu:.0f} ms; own {own:+.0f} ms wall, {cpu - base_cpu:+.0f} ms CPU "
                f"[goal ≤ {GOAL_MS:.0f}: {verdict}]",
            )
    print()


if __name__ == "__main__":
    asyncio.run(main())
