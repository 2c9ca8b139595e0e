"""Several servers on one undo.db: every run's record kept, "database is locked" never
raised (each writer its own process, as each server is); a run a crash interrupted recorded
by the next server."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from intentls.settings import UndoSettings
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


def test_a_run_a_crash_interrupted_is_recorded_from_its_before_snapshot(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "kept.txt").write_text("before\n")
    crashed = UndoCore(tmp_path / "undo.db")
    crashed.recording.begin(folder, "r1", "$ edit", UndoSettings(), time.time())
    (folder / "kept.txt").write_text("after\n")
    (folder / "new.txt").write_text("made\n")
    # the server is killed here: no `end`
    nxt = UndoCore(tmp_path / "undo.db")
    try:
        assert nxt.recording.recover_interrupted(lambda owner: False, time.time()) == []
        gone = crashed.recording.owner
        runs = nxt.recording.recover_interrupted(lambda owner: owner == gone, time.time())
        assert runs == ["r1"]
        (group,) = nxt.conn.execute("SELECT group_id FROM group_runs WHERE run_id = 'r1'")
        changes = {c.path: c for c in nxt.queries.changes(str(group[0]))}
        assert sorted(changes) == ["kept.txt", "new.txt"]
        assert changes["new.txt"].before is None
        assert nxt.recording.recover_interrupted(lambda owner: True, time.time()) == []
    finally:
        nxt.close()
        crashed.close()


def test_a_warning_names_a_few_of_many_concurrent_runs() -> None:
    from intentls.undo import overlap

    named = overlap.some([f"«run {n}»" for n in range(200)])
    assert named.endswith("… (195 more)") and len(named) < 100
