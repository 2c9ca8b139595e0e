"""Several servers on one undo.db: every run's record kept, "database is locked" never
raised. Each writer is its own process, as each server is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from intentls.undo.core import UndoCore

WRITERS = 4
RUNS = 40
WRITER = """
import sys, time
from pathlib import Path
from intentls.settings import UndoSettings
from intentls.undo.core import UndoCore
db, folder, runs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
core = UndoCore(db)
settings = UndoSettings()
for i in range(runs):
    run_id = f"{folder.name}-{i}"
    core.recording.begin(folder, run_id, "$ write", settings, time.time())
    (folder / f"f{i}.txt").write_text(str(i))
    assert core.recording.end(run_id, settings, {}, time.time()).undoable
core.close()
"""


def test_servers_sharing_undo_db_lose_no_record(tmp_path: Path) -> None:
    db = tmp_path / "undo.db"
    writers = []
    for k in range(WRITERS):
        folder = tmp_path / f"p{k}"
        folder.mkdir()
        for j in range(100):
            (folder / f"old{j}.txt").write_text("x" * j)
        argv = [sys.executable, "-c", WRITER, str(db), str(folder), str(RUNS)]
        writers.append(subprocess.Popen(argv, stderr=subprocess.PIPE, text=True))
    failures = [w.communicate()[1] for w in writers if w.wait() != 0]
    assert failures == []
    check = UndoCore(db)
    rows = check.conn.execute("SELECT count(*) FROM group_runs").fetchone()
    check.close()
    assert rows == (WRITERS * RUNS,)
