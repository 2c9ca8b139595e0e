"""What a terminal run without a running server pays to snapshot a folder (issue 15 item 3: "a
walk costs no more than git's"): a new process loads the folder's persisted index (its own rows
and the baseline of files known by their git blob), walks the folder once comparing tracked
files with git's index, as `git status` does. Measured inside a fresh child process (compiled
bytecode; its interpreter start and imports are the terminal's start, benchmarked apart in
"cli start"), beside `git status` and a bare walk (`lstat` of every path) in the same tree."""

from __future__ import annotations

import compileall
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import intentls
from intentls.undo.core import UndoCore
from tests.bench.realrepo import SETTINGS, _committed, _git_status_ms
from tests.bench.stats import median, row

REPEAT = 5

CHILD = """
import json, os, sys, time
from pathlib import Path
from intentls.undo.core import UndoCore
root, db = Path(sys.argv[1]), Path(sys.argv[2])
start = time.perf_counter()
core = UndoCore(db)
report = core.snapshots.scan(root, [], 10 * 1024 * 1024)
took = (time.perf_counter() - start) * 1000
core.close()
count = 0
start = time.perf_counter()
stack = [os.open(root, os.O_RDONLY | os.O_DIRECTORY)]
while stack:
    fd = stack.pop()
    with os.scandir(fd) as it:
        for entry in it:
            if entry.name == ".git":
                continue
            entry.stat(follow_symlinks=False)
            count += 1
            if entry.is_dir(follow_symlinks=False):
                stack.append(os.open(entry.name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd))
    os.close(fd)
bare = (time.perf_counter() - start) * 1000
print(json.dumps({"scan": took, "bare": bare, "read": report.read, "paths": len(report.tree)}))
"""


def _child(root: Path, db: Path, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), str(db)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def _walk(tmp: Path, files: int) -> None:
    root = tmp / f"ws{files}"
    root.mkdir()
    _committed(root, files)
    (root / "notes.txt").write_text("untracked\n")
    db = tmp / f"undo{files}.db"
    core = UndoCore(db)  # the editor's server (or an earlier terminal run) was here before
    core.snapshots.scan(root, [], SETTINGS.max_file_bytes)
    core.close()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runs = [_child(root, db, env) for _ in range(REPEAT)]
    status = _git_status_ms(root)
    scan = median([r["scan"] for r in runs])
    bare = median([r["bare"] for r in runs])
    print(f"  {files} committed files; a new process, its index persisted by an earlier one")
    row("git status --porcelain", f"{status:.0f} ms")
    row(
        "snapshot: load the index, walk once",
        f"{scan:.0f} ms",
        f"(ratio {scan / status:.1f}x; read {runs[-1]['read']:.0f} files) [goal ~ 1x]",
    )
    row("  a bare walk (lstat every path)", f"{bare:.0f} ms", f"(ratio {bare / status:.1f}x)")


async def main() -> None:
    print("terminal walk (issue 15 item 3): a new process's snapshot beside git status")
    compileall.compile_dir(Path(intentls.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory(prefix="intentls-bench-walk-") as tmp:
        _walk(Path(tmp), 10_000)
    print()
