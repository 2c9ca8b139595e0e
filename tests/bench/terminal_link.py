"""The terminal costs what changed (issue 15 item 3): `intentls run '$ true'` in a committed
10k-file git repository, typed in a terminal while an editor's server serves the folder (the
server does the run: its watcher knows what changed) and with no server (this process walks the
folder), each beside `git status` measured in the same run.

As a person meets it: the installed script, a fresh process per call, compiled bytecode (the
timed child may write its .pyc files; the first call, not counted, does), the median of the
calls."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.realrepo import REPEAT, _committed, _git_status_ms, _ms
from tests.bench.server import bench_server
from tests.bench.stats import median, row

SCRIPT = str(Path(sys.executable).with_name("intentls"))
GOAL = 3.0


def _terminal_ms(root: Path, env: dict[str, str]) -> float:
    argv = [SCRIPT, "run", "$ true"]
    _ms(argv, root, env)  # compiles, fills the OS file cache: not counted
    return median([_ms(argv, root, env) for _ in range(REPEAT * 2)])


async def _listening(history: Path) -> None:
    servers = history.with_name(history.name + ".servers")
    deadline = time.monotonic() + 30
    while not list(servers.glob("*.json")):
        if time.monotonic() > deadline:
            raise RuntimeError("the server's terminal link did not open")
        await asyncio.sleep(0.05)


async def main() -> None:
    print("terminal link: intentls run '$ true' in a 10k-file git repo, median of fresh calls")
    with tempfile.TemporaryDirectory(prefix="intentls-bench-link-") as tmp:
        root = Path(tmp) / "ws10k"
        root.mkdir()
        _committed(root, 10_000)
        history = Path(tmp) / "home" / "history.db"
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "INTENTLS_HISTORY": str(history),
        }
        status = _git_status_ms(root)
        bare = median([_ms([sys.executable, "-c", "pass"], root, env) for _ in range(REPEAT)])
        local = _terminal_ms(root, {**env, "INTENTLS_LOCAL": "1"})
        async with bench_server(root, history):
            await _listening(history)
            linked = await asyncio.to_thread(_terminal_ms, root, env)
        row("git status --porcelain (baseline)", f"{status:.0f} ms")
        row("  python -c pass", f"{bare:.0f} ms")
        row(
            "terminal run, an editor's server serves the folder",
            f"{linked:.0f} ms",
            f"(ratio {linked / status:.1f}x) [goal <= {GOAL:.0f}x]",
        )
        row(
            "terminal run, no server (the local walk)",
            f"{local:.0f} ms",
            f"(ratio {local / status:.1f}x)",
        )
    print()


if __name__ == "__main__":
    asyncio.run(main())
