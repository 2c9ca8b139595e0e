"""The terminal costs what changed (issue 15 item 3): `intentls run '$ true'` in a committed
10k-file git repository, typed in a terminal while an editor's server serves the folder (the
server does the run: its watcher knows what changed) and with no server (this process walks the
folder), each beside `git status --porcelain` measured in the same run.

As a person meets it: the installed script, a fresh process per call, compiled bytecode (the
timed child may write its .pyc files; the first call, not counted, does). Wall time is what the
person waits (median, and best, of the calls); CPU time is printed beside it because it barely
moves when other work shares the machine — for a run through the server, the terminal's own
plus the server's share (from /proc)."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.realrepo import _committed
from tests.bench.server import bench_server
from tests.bench.stats import row

SCRIPT = str(Path(sys.executable).with_name("intentls"))
REPEAT = 15
GOAL = 3.0
TRUE = [SCRIPT, "run", "$ true"]


class Samples:
    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str], server: int = 0):
        """`argv` run REPEAT times (after one uncounted call); `server`: a pid whose CPU time
        during the calls counts too."""
        subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
        self.walls: list[float] = []
        cpus: list[float] = []
        before = _cpu_of(server)
        for _ in range(REPEAT):
            start = time.perf_counter()
            child = subprocess.Popen(
                argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            _, status, usage = os.wait4(child.pid, 0)
            self.walls.append((time.perf_counter() - start) * 1000)
            if os.waitstatus_to_exitcode(status) != 0:
                raise RuntimeError(f"{argv} failed")
            cpus.append((usage.ru_utime + usage.ru_stime) * 1000)
        self.cpu = statistics.median(cpus) + (_cpu_of(server) - before) / REPEAT

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def best(self) -> float:
        return min(self.walls)

    def shown(self) -> str:
        return f"{self.wall:.0f} ms (best {self.best:.0f})"


def _cpu_of(pid: int) -> float:
    """CPU milliseconds process `pid` used so far (0 for none)."""
    if not pid:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


async def _listening(history: Path) -> None:
    servers = history.with_name(history.name + ".servers")
    deadline = time.monotonic() + 30
    while not list(servers.glob("*.json")):
        if time.monotonic() > deadline:
            raise RuntimeError("the server's terminal link did not open")
        await asyncio.sleep(0.05)


async def main() -> None:
    print(f"terminal link: intentls run '$ true' in a 10k-file git repo, {REPEAT} fresh calls")
    with tempfile.TemporaryDirectory(prefix="intentls-bench-link-") as tmp:
        root = Path(tmp) / "ws10k"
        root.mkdir()
        _committed(root, 10_000)
        # The terminal finds the history where a person's is: the user data directory.
        data = Path(tmp) / "data"
        history = data / "intentls" / "history.db"
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("PYTHONDONTWRITEBYTECODE", "INTENTLS_HISTORY")
            },
            "XDG_DATA_HOME": str(data),
        }
        git = Samples(["git", "status", "--porcelain"], root, env)
        bare = Samples([sys.executable, "-c", "pass"], root, env)
        local = Samples(TRUE, root, {**env, "INTENTLS_LOCAL": "1"})
        async with bench_server(root, history) as server:
            await _listening(history)
            linked = await asyncio.to_thread(Samples, TRUE, root, env, server.pid)
        row("git status --porcelain (baseline)", git.shown(), f"CPU {git.cpu:.0f} ms")
        row("  python -c pass", bare.shown(), f"CPU {bare.cpu:.0f} ms")
        for label, each in (
            ("terminal run, an editor's server serves it", linked),
            ("terminal run, no server (local walk)", local),
        ):
            goal = f" [goal <= {GOAL:.0f}x]" if each is linked else ""
            row(
                label,
                each.shown(),
                f"(ratio {each.wall / git.wall:.1f}x, best {each.best / git.best:.1f}x){goal}"
                f" CPU {each.cpu:.0f} ms",
            )
    print()


if __name__ == "__main__":
    asyncio.run(main())
