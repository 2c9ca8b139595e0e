"""Recording what runs change: a snapshot before and after each run (runs of one folder that
overlap in time are one *group*: snapshots cannot tell their writes apart), or, for a run of
built-in tools only, the inverse operations its tools recorded (undo/inverses.py,
undo/gitsteps.py), taken out of the snapshot groups it overlapped. Checkpoints are recorded
here too: a snapshot kept under a name."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

import apsw
import attrs

from intentls.execution.orphans import owner_mark
from intentls.model import IntentWarning, WarningKind
from intentls.settings import UndoSettings
from intentls.undo import gitsteps, inverses, overlap
from intentls.undo.bounds import NotSnapshotted
from intentls.undo.gitsteps import GitStep
from intentls.undo.queries import Queries
from intentls.undo.records import GIT, Change, RunChanges, new_id, shown_paths
from intentls.undo.retention import Held
from intentls.undo.snapshot import ScanReport, Snapshots
from intentls.undo.store import BlobStore, State

if TYPE_CHECKING:
    from intentls.history.store import InverseOp


class _OpenGroup:
    def __init__(self, group_id: str, root: Path, started_at: float) -> None:
        self.id = group_id
        self.root = root
        self.started_at = started_at
        self.before: dict[str, State | None] = {}
        """Each path changed since the group began, as it was when it began."""
        self.runs: list[tuple[str, str]] = []
        self.active: set[str] = set()
        self.separated: list[tuple[str, list[Change]]] = []
        """Built-in runs that ran meanwhile and ended first (intent, changes): their changes
        are taken out of the group's when it ends."""


@attrs.define
class _BuiltinRun:
    """A run of built-in tools in progress: no snapshot, its inverse operations will tell."""

    root: Path
    intent: str
    started_at: float
    groups: list[_OpenGroup] = attrs.Factory(list)
    """Snapshot groups of the folder open while it ran."""


class Recording:
    def __init__(
        self, conn: apsw.Connection, blobs: BlobStore, snapshots: Snapshots, queries: Queries
    ) -> None:
        self.conn = conn
        self.blobs = blobs
        self.snapshots = snapshots
        self.queries = queries
        self._open: dict[str, _OpenGroup] = {}
        """Groups with runs still running, by folder path."""
        self._groups_of_runs: dict[str, _OpenGroup] = {}
        self._builtin: dict[str, _BuiltinRun] = {}
        """Runs of built-in tools still running, by run id."""
        self.owner = owner_mark()
        """Who runs this process's open groups (`recover_interrupted` tells a crashed one)."""
        self._warmed_edits: dict[str, set[str]] = {}
        """Paths a warm-up saw edited since the folder's previous snapshot, by folder: the next
        run's `begin` reports them as its own scan would have."""

    def begin(
        self, root: Path, run_id: str, intent: str, settings: UndoSettings, now: float
    ) -> list[str]:
        """Before a run: snapshot, unless a run of the folder is running (then: same group).
        Returns the paths the snapshot saw changed since the folder's previous one: edited
        between runs (failure analysis compares runs by them)."""
        key = os.fspath(root)
        group = self._open.get(key)
        edited: list[str] = []
        if group is None:
            changes = self.scan(root, settings).changes
            edited = sorted(changes.keys() | self._warmed_edits.pop(key, set()))
            group = _OpenGroup(new_id(), root, now)
            self._open[key] = group
            self._overlapping(group)
        group.runs.append((run_id, intent))
        group.active.add(run_id)
        self._groups_of_runs[run_id] = group
        self._persist_open(group)
        return edited

    def _persist_open(self, group: _OpenGroup) -> None:
        """The open group and its server, so that a crash leaves a group to recover: the index
        holds its before-snapshot until the next scan of the folder."""
        with self.conn:
            self.conn.execute(
                "INSERT OR REPLACE INTO open_groups(id, folder, started_at, owner, runs) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    group.id,
                    os.fspath(group.root),
                    group.started_at,
                    self.owner,
                    json.dumps(group.runs),
                ),
            )

    def recover_interrupted(self, gone: Callable[[str], bool], now: float) -> list[str]:
        """Record the groups that servers which are gone (`gone(owner)`) left open: what
        changed since their before-snapshot (the folder's index, untouched since) is theirs,
        added to what they recorded before the crash. Returns the runs now undoable."""
        rows = self.conn.execute(
            "SELECT id, folder, started_at, owner, runs FROM open_groups"
        ).fetchall()
        recovered: list[str] = []
        for group_id, folder, started_at, owner, runs_json in rows:
            if not gone(str(owner)):
                continue
            runs = [(str(r), str(i)) for r, i in json.loads(str(runs_json))]
            changes = self._since_crash(str(group_id), Path(str(folder)))
            with self.conn:
                self.conn.execute("DELETE FROM open_groups WHERE id = ?", (group_id,))
                if changes is not None:
                    write_group(
                        self.conn,
                        self.blobs,
                        str(group_id),
                        str(folder),
                        "run",
                        None,
                        cast(float, started_at),
                        now,
                        changes,
                    )
                    write_runs(self.conn, str(group_id), runs)
            if changes:
                recovered += [r for r, _ in runs]
        return recovered

    def _since_crash(self, group_id: str, root: Path) -> list[Change] | None:
        """A crashed group's changes: those it recorded, then the folder's since the index."""
        if not root.is_dir():
            return None
        rules = self.snapshots.rules(root)
        defaults = UndoSettings()
        exclude = list(rules.exclude) if rules else defaults.exclude
        limit = rules.max_file_bytes if rules else defaults.max_file_bytes
        try:
            report = self.snapshots.scan(root, exclude, limit)
        except (NotSnapshotted, OSError):
            return None
        kept = {c.path: c for c in self.queries.changes(group_id)}
        for path, (was, now) in report.changes.items():
            before = kept[path].before if path in kept else was
            kept[path] = Change(path, before, now)
        return [c for c in kept.values() if c.before != c.after]

    def end(
        self, run_id: str, settings: UndoSettings, saves: dict[str, list[float]], now: float
    ) -> RunChanges:
        """After a run: snapshot again; what differs from before the group began changed."""
        group = self._groups_of_runs[run_id]
        key = os.fspath(group.root)
        try:
            after = self.scan(group.root, settings).tree
        except NotSnapshotted as exc:
            self._close(run_id, group)
            return RunChanges(
                [], False, [IntentWarning(WarningKind.UNDO, f"not undoable: {exc.reason}")]
            )
        paths = sorted(p for p, was in group.before.items() if after.get(p) != was)
        changes = [
            Change(
                p,
                group.before[p],
                after.get(p),
                overlap.saved_during(saves, key, p, group.started_at, now),
            )
            for p in paths
        ]
        changes, shared = overlap.separated(changes, group.separated)
        with self.conn:
            gone = write_group(
                self.conn, self.blobs, group.id, key, "run", None, group.started_at, now, changes
            )
            write_runs(self.conn, group.id, group.runs)
        self._close(run_id, group)  # only now: a busy file leaves the group to try `end` again
        lost = [c.path for c in changes if c.before is not None and not c.before.restorable]
        warnings = []
        vanished = [c.path for c in changes if c.before is not None and c.before.hash in gone]
        if vanished:
            lost += vanished
            warnings.append(
                IntentWarning(
                    WarningKind.UNDO,
                    "git no longer has the content these files had before the run (their "
                    "snapshot named git blobs): " + ", ".join(vanished[:5]),
                )
            )
        if lost:
            warnings.append(
                IntentWarning(
                    WarningKind.UNDO,
                    f"{len(lost)} changed file(s) were larger than undo.maxFileBytes "
                    f"({settings.max_file_bytes} bytes) before the run and cannot be restored: "
                    + ", ".join(lost[:5])
                    + (", …" if len(lost) > 5 else ""),
                )
            )
        if len(group.runs) > 1:
            others = [f"«{i}»" for r, i in group.runs if r != run_id]
            warnings.append(
                IntentWarning(
                    WarningKind.UNDO_GROUP,
                    "ran at the same time as " + overlap.some(others) + " in this folder: "
                    "their changes cannot be told apart and are undone together",
                )
            )
        warnings += [overlap.shared_warning(p, f"this run and «{i}»") for i, p in shared.items()]
        return RunChanges(shown_paths(changes), bool(changes) and not lost, warnings)

    def warm(self, root: Path, settings: UndoSettings) -> int:
        """Snapshot a folder before any run needs it (a server warming up when a folder
        opens): the walk, the watches and the first reading are paid now, so the first run's
        snapshot costs what changed. Returns how many paths the folder's index holds."""
        report = self.scan(root, settings)
        self._warmed_edits.setdefault(os.fspath(root), set()).update(report.changes)
        return len(report.tree)

    def _close(self, run_id: str, group: _OpenGroup) -> None:
        self._groups_of_runs.pop(run_id, None)
        group.active.discard(run_id)
        if not group.active:
            self._open.pop(os.fspath(group.root), None)
            with self.conn:
                self.conn.execute("DELETE FROM open_groups WHERE id = ?", (group.id,))

    def scan(self, root: Path, settings: UndoSettings) -> ScanReport:
        """Snapshot the folder; what changed counts for the group of runs running there."""
        report = self.snapshots.scan(root, settings.exclude, settings.max_file_bytes)
        group = self._open.get(os.fspath(root))
        if group is not None:
            for path, (was, _) in report.changes.items():
                group.before.setdefault(path, was)
        return report

    def abandon(self, run_id: str) -> None:
        """A run whose `end` will never come (its snapshot failed)."""
        self._builtin.pop(run_id, None)
        group = self._groups_of_runs.get(run_id)
        if group is not None:
            self._close(run_id, group)

    # ---- runs of built-in tools -------------------------------------------------------------

    def begin_builtin(self, root: Path, run_id: str, intent: str, now: float) -> None:
        """Before a run of built-in tools only: no snapshot (its inverse operations will say
        what it changed), but undo waits for it, and a snapshot group it overlaps leaves it out."""
        run = _BuiltinRun(root, intent, now)
        group = self._open.get(os.fspath(root))
        if group is not None:
            run.groups.append(group)
        self._builtin[run_id] = run

    def _overlapping(self, group: _OpenGroup) -> None:
        for run in self._builtin.values():
            if run.root == group.root:
                run.groups.append(group)

    def record_builtin(
        self,
        run_id: str,
        ops: Sequence[InverseOp],
        succeeded: set[str],
        saves: dict[str, list[float]],
        now: float,
    ) -> RunChanges:
        """After a run of built-in tools: its record from the inverse operations they recorded
        (in recording order), taken out of the snapshot groups it overlapped. A git step that
        failed is not undone: its recorded commands were never needed."""
        run = self._builtin[run_id]
        key = os.fspath(run.root)
        kept = [o.op for o in ops if o.op.get("op") != "git" or o.step_id in succeeded]
        if overlap.worktree_after_files(kept):
            del self._builtin[run_id]
            return RunChanges(
                [], False, [IntentWarning(WarningKind.UNDO, overlap.WORKTREE_AFTER_FILES)]
            )
        files = [op for op in kept if op.get("op") != "git"]
        git_ops = [op for op in kept if op.get("op") == "git"]
        git, refused = gitsteps.recorded(run.root, git_ops)
        group_id = new_id()
        with self.conn:
            derived = inverses.derive(run.root, files, self.blobs)
            changes = [
                Change(p, before, after, overlap.saved_during(saves, key, p, run.started_at, now))
                for p, (before, after) in derived.changes.items()
            ]
            write_group(
                self.conn, self.blobs, group_id, key, "run", None, run.started_at, now, changes, git
            )
            write_runs(self.conn, group_id, [(run_id, run.intent)])
            shared = self._separate(run, changes)
        del self._builtin[run_id]  # only now: a busy file leaves it to be recorded again
        warnings = [overlap.shared_warning(p, f"«{i}» too") for i, p in shared.items()]
        if run.groups:
            others = overlap.some([f"«{i}»" for g in run.groups for _, i in g.runs], joint=" + ")
            warnings.append(
                IntentWarning(
                    WarningKind.UNDO_GROUP,
                    f"ran at the same time as {others} in this folder: it is undone on its own, "
                    "by the inverse operations its tools recorded",
                )
            )
        left_out = [f"{p} ({why})" for p, why in derived.unknown.items()]
        left_out += [f"{p} (outside this folder)" for p in derived.outside] + refused
        if left_out:
            warnings.append(
                IntentWarning(WarningKind.UNDO, "not undoable: " + overlap.some(left_out))
            )
        shown = sorted([*shown_paths(changes), *([GIT] if git else [])])
        return RunChanges(shown, bool(changes or git) and not left_out, warnings)

    def _separate(self, run: _BuiltinRun, changes: list[Change]) -> dict[str, list[str]]:
        """Take the run's changes out of the snapshot groups it overlapped: now from a group
        already recorded, at its end from one still open. Returns, by the group's label, the
        paths a recorded group keeps since its own runs changed them too."""
        kept: dict[str, list[str]] = {}
        for group in run.groups:
            if self._open.get(os.fspath(group.root)) is group:
                group.separated.append((run.intent, changes))
                continue
            recorded = self.queries.changes(group.id)
            label = self.queries.label(group.id)
            remaining, shared = overlap.separated(recorded, [(run.intent, changes)])
            gone = {c.path for c in recorded} - {c.path for c in remaining}
            self.conn.executemany(
                "DELETE FROM changes WHERE group_id = ? AND path = ?",
                [(group.id, p) for p in sorted(gone)],
            )
            if not remaining:
                self.conn.execute("DELETE FROM groups WHERE id = ?", (group.id,))
            if shared:
                kept[label] = shared[run.intent]
        return kept

    def running(self, root: Path) -> bool:
        """Whether a run of the folder is running (an undo waits for it)."""
        key = os.fspath(root)
        return key in self._open or any(os.fspath(r.root) == key for r in self._builtin.values())

    def held(self, running: dict[str, float]) -> Held:
        """What retention must keep (`running`: the history's runs still running and when each
        began), with what this process's runs and indexes hold."""
        before = [s for g in self._open.values() for s in g.before.values() if s is not None]
        return Held(
            frozenset(running.keys() | self._groups_of_runs.keys()),
            min(running.values(), default=None),
            frozenset({s.hash for s in before if s.hash} | self.snapshots.held()),
        )

    def checkpoint(self, root: Path, name: str, settings: UndoSettings, now: float) -> str:
        tree = self.scan(root, settings).tree
        checkpoint_id = new_id()
        with self.conn:
            self.blobs.keep(s.hash for s in tree.values())
            self.conn.execute(
                "INSERT INTO checkpoints(id, folder, name, created_at) VALUES (?, ?, ?, ?)",
                (checkpoint_id, os.fspath(root), name, now),
            )
            self.conn.executemany(
                "INSERT INTO checkpoint_entries(checkpoint_id, path, state) VALUES (?, ?, ?)",
                [(checkpoint_id, p, s.to_json()) for p, s in tree.items()],
            )
        return checkpoint_id


def write_group(
    conn: apsw.Connection,
    blobs: BlobStore,
    group_id: str,
    folder: str,
    kind: str,
    target: str | None,
    started_at: float,
    ended_at: float,
    changes: list[Change],
    git: Sequence[GitStep] = (),
) -> set[str]:
    """A group's record (a run's, an undo's, …), replacing any of the same id; a run that
    changed nothing has none. Inside the caller's transaction. The git blobs its states name
    are copied into the store; returns those git no longer has (`BlobStore.keep`)."""
    conn.execute("DELETE FROM groups WHERE id = ?", (group_id,))
    if not changes and not git and kind == "run":
        return set()
    gone = blobs.keep(s.hash for c in changes for s in (c.before, c.after) if s)
    conn.execute(
        "INSERT INTO groups(id, folder, kind, target, started_at, ended_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (group_id, folder, kind, target, started_at, ended_at),
    )
    conn.executemany(
        "INSERT INTO changes(group_id, path, before, after, editor_saved) VALUES (?, ?, ?, ?, ?)",
        [
            (
                group_id,
                c.path,
                c.before.to_json() if c.before else None,
                c.after.to_json() if c.after else None,
                int(c.editor_saved),
            )
            for c in changes
        ],
    )
    conn.executemany(
        "INSERT INTO git_steps(group_id, seq, step) VALUES (?, ?, ?)",
        [(group_id, n, step.to_json()) for n, step in enumerate(git)],
    )
    return gone


def write_runs(conn: apsw.Connection, group_id: str, runs: list[tuple[str, str]]) -> None:
    """Which runs (run id, intent) a recorded group is the record of."""
    if conn.execute("SELECT 1 FROM groups WHERE id = ?", (group_id,)).fetchone():
        conn.executemany(
            "INSERT OR REPLACE INTO group_runs(run_id, group_id, intent, position) "
            "VALUES (?, ?, ?, ?)",
            [(r, group_id, i, n) for n, (r, i) in enumerate(runs)],
        )
