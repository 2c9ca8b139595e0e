"""Committing a prepared undo, and finishing after a crash: the plan goes to the journal before
a file changes, then the files change, then the undo's own group is recorded (so a redo can
undo it) and the journal entry goes. `recover` finishes a journal a crash left behind."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from pathlib import Path

import apsw

from intentls.model import Conflict, UndoResult, UndoStatus
from intentls.undo import fs, gitsteps
from intentls.undo.apply import Applier
from intentls.undo.gitsteps import GitStep
from intentls.undo.queries import Queries
from intentls.undo.recording import write_group, write_runs
from intentls.undo.records import (
    GIT,
    Applied,
    Change,
    Op,
    Prepared,
    Recovered,
    shown_paths,
    state_json,
)
from intentls.undo.store import BlobStore, MissingBlob, State

log = logging.getLogger(__name__)


class Commits:
    def __init__(self, conn: apsw.Connection, blobs: BlobStore, queries: Queries) -> None:
        self.conn = conn
        self.blobs = blobs
        self.queries = queries
        self._applier = Applier(blobs.get)

    def commit(self, prepared: Prepared, open_paths: frozenset[str]) -> Applied:
        """Journal, apply, record: the files change here."""
        p = prepared
        self.journal(p)
        done, failed = self._applier.apply(p.root, p.ops)
        git_left = _undo_git(p.git, p.trusted)
        git_done = [GIT] if p.git and not git_left else []
        conflicts = [*p.conflicts, *failed, *git_left]
        self._finish(p, done, time.time(), bool(git_done), len(conflicts))
        edits = []
        for op in done:
            full = os.path.join(p.root, op.path)  # noqa: PTH118
            if full in open_paths and op.to is not None and op.to.kind == "file":
                with contextlib.suppress(MissingBlob):
                    edits.append((op.path, self.blobs.get(str(op.to.hash))))
        restored = sorted([*p.restored, *(o.path for o in done), *git_done])
        if not conflicts:
            status = UndoStatus.UNDONE
        else:
            status = UndoStatus.PARTIAL if restored else UndoStatus.REFUSED
        result = UndoResult(
            run_id=p.run_id,
            status=status,
            restored=restored,
            conflicts=conflicts,
            undo_run_id=None if p.kind == "rollback" else p.group_id,
        )
        changed = sorted([*shown_paths([Change(o.path, o.current, o.to) for o in done]), *git_done])
        return Applied(result, changed, edits)

    def journal(self, p: Prepared) -> None:
        """Write the plan down before a file changes: `recover` finishes it after a crash."""
        ops_json = json.dumps([[o.path, state_json(o.current), state_json(o.to)] for o in p.ops])
        with self.conn:
            self.blobs.keep(s.hash for o in p.ops for s in (o.current, o.to) if s)
            self.conn.execute(
                "INSERT INTO journal(group_id, folder, kind, target, run_id, intent, started_at, "
                "ops, git) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    p.group_id,
                    os.fspath(p.root),
                    p.kind,
                    p.target,
                    p.run_id,
                    p.intent,
                    p.started_at,
                    ops_json,
                    json.dumps([step.to_json() for step in p.git]),
                ),
            )

    def _finish(self, p: Prepared, done: list[Op], now: float, git_done: bool, left: int) -> None:
        """Record the undo, redo or rollback; an undo that had to `left` paths keeps its target
        the folder's next undo target."""
        folder = os.fspath(p.root)
        with self.conn:
            self.conn.execute("DELETE FROM journal WHERE group_id = ?", (p.group_id,))
            changes = [Change(o.path, o.current, o.to) for o in done]
            write_group(
                self.conn,
                self.blobs,
                p.group_id,
                folder,
                p.kind,
                p.target,
                p.started_at,
                now,
                changes,
            )
            write_runs(self.conn, p.group_id, [(p.group_id, p.intent)])
            if not (done or p.restored or git_done):
                return
            if p.kind == "undo" and p.whole:
                self.conn.execute(
                    "UPDATE groups SET undone_by = ?, undo_left = ? WHERE id = ?",
                    (p.group_id, left, p.target),
                )
            elif p.kind == "redo":
                self.conn.execute(
                    "UPDATE groups SET undone_by = NULL, undo_left = 0 WHERE id = ?", (p.target,)
                )

    # ---- crash recovery --------------------------------------------------------------------

    def recover(self) -> list[Recovered]:
        """Finish the undos a crash interrupted: each path still as it was, or already as the
        undo wanted, is brought to where the undo wanted it; a path changed since is left."""
        rows = self.conn.execute(
            "SELECT group_id, folder, kind, target, run_id, intent, started_at, ops, git "
            "FROM journal"
        ).fetchall()
        recovered = []
        for group_id, folder, kind, target, run_id, intent, started_at, ops_json, git in rows:
            root = Path(str(folder))
            ops = [
                Op(str(path), State.from_json(current), State.from_json(to))
                for path, current, to in json.loads(str(ops_json))
            ]
            pending: list[Op] = []
            left: list[Conflict] = []
            for op in ops:
                now_state = self.state_of(root, op.path)
                if now_state in (op.to, op.current) or self._cut_short(root, op):
                    pending.append(op)
                else:
                    left.append(Conflict(op.path, "changed while the undo was interrupted"))
            self._applier.stall = None
            done, failed = self._applier.apply(root, pending)
            steps = [GitStep.from_json(step) for step in json.loads(str(git))]
            git_left = _undo_git(steps, False)
            git_done = [GIT] if steps and not git_left else []
            prepared = Prepared(
                root,
                str(kind),
                None if target is None else str(target),
                str(run_id),
                str(group_id),
                str(intent),
                ops,
                [],
                [],
                [],
                True,
                float(started_at),  # type: ignore[arg-type]
            )
            runs = [] if kind == "rollback" or target is None else self.queries.runs(str(target))
            originals = [r for r, _ in runs]
            self._finish(
                prepared, done, time.time(), bool(git_done), len(left) + len(failed + git_left)
            )
            recovered.append(
                Recovered(
                    root,
                    str(group_id),
                    str(intent),
                    str(kind),
                    originals,
                    sorted(
                        [*shown_paths([Change(o.path, o.current, o.to) for o in done]), *git_done]
                    ),
                    [*left, *failed, *git_left],
                    float(started_at),  # type: ignore[arg-type]
                )
            )
            log.warning("finished %s %s interrupted by a crash", kind, group_id)
        return recovered

    def _cut_short(self, root: Path, op: Op) -> bool:
        """A file whose in-place rewrite a crash interrupted (`fs.is_mix`)."""
        if op.to is None or op.current is None or {op.to.kind, op.current.kind} != {"file"}:
            return False
        found = fs.read_state(root, op.path)
        if found is None or found[1] is None:
            return False
        try:
            return fs.is_mix(
                found[1], self.blobs.get(str(op.current.hash)), self.blobs.get(str(op.to.hash))
            )
        except MissingBlob:
            return False

    def state_of(self, root: Path, rel: str) -> State | None:
        """One path's state now, read without the index and without following links."""
        found = fs.read_state(root, rel)
        return None if found is None else found[0]


def _undo_git(steps: list[GitStep], trusted: bool) -> list[Conflict]:
    """Run the git steps' recorded commands if the repository is still as the run left it."""
    if not steps:
        return []
    reason = gitsteps.changed_since(steps)
    if reason is not None:
        return [Conflict(GIT, f"{reason}: the git steps are left as they are")]
    failed = gitsteps.undo(steps, trusted)
    return [] if failed is None else [Conflict(GIT, failed)]
