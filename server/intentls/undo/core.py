"""The undo engine's domain, synchronous and owned by one thread (`UndoService` runs it).

A run's undo record is a *group*: the runs of one folder that overlapped in time (snapshots
cannot tell their writes apart), with, per changed path, its state before the first began and
after the last ended. An undo, a redo and a rollback are groups too (kinds `undo`, `redo`,
`rollback`), recorded like runs, so redo is undoing the undo and a rollback can be undone.
Before touching a file an undo writes its plan to the journal; `recover` finishes a journal
that a crash left behind.

A run of built-in tools only is not snapshotted: its record comes from the inverse operations
its tools recorded (`record_builtin`, undo/inverses.py and undo/gitsteps.py), so it is undone on
its own even when a shell run of the folder ran at the same time."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from intentls.model import Conflict, UndoResult, UndoStatus, Warning
from intentls.settings import UndoSettings
from intentls.undo import fs, gitsteps, inverses, overlap
from intentls.undo.apply import Applier
from intentls.undo.bounds import NotSnapshotted
from intentls.undo.database import open_undo_database
from intentls.undo.gitsteps import GitStep
from intentls.undo.index import Overlay
from intentls.undo.records import (
    GIT,
    Applied,
    BlameEntry,
    Change,
    EditorView,
    Op,
    Prepared,
    Recovered,
    RunChanges,
    UndoAction,
    UndoError,
    Want,
    kinds,
    new_id,
    shown_paths,
    state_json,
    what_changed,
)
from intentls.undo.retention import Collected, Held, Policy, collect
from intentls.undo.selection import busy, keep_parents_of, relative, select, with_parents
from intentls.undo.snapshot import ScanReport, Snapshots, Tree, diff
from intentls.undo.store import BlobStore, MissingBlob, State, digest

if TYPE_CHECKING:
    from intentls.history.store import InverseOp

log = logging.getLogger(__name__)

TARGET_KINDS = ("run", "rollback")
"""Groups an undo without `runId` may pick: not undos, not redos."""

NO_GIT_REDO = (
    "a run with git steps is not redone: git cannot make the same commit, stash or branch "
    "again; run it again instead"
)


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


class UndoCore:
    def __init__(self, path: Path | None) -> None:
        self.conn = open_undo_database(path)
        self.blobs = BlobStore(self.conn)
        self.snapshots = Snapshots(self.conn, self.blobs)
        self._open: dict[str, _OpenGroup] = {}
        """Groups with runs still running, by folder path."""
        self._groups_of_runs: dict[str, _OpenGroup] = {}
        self._applier = Applier(self.blobs.get)
        self._builtin: dict[str, _BuiltinRun] = {}
        """Runs of built-in tools still running, by run id."""

    def close(self) -> None:
        self.snapshots.close()
        self.conn.close()

    # ---- runs ------------------------------------------------------------------------------

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
            edited = sorted(self._scan(root, settings).changes)
            group = _OpenGroup(new_id(), root, now)
            self._open[key] = group
            self._overlapping(group)
        group.runs.append((run_id, intent))
        group.active.add(run_id)
        self._groups_of_runs[run_id] = group
        return edited

    def end(
        self, run_id: str, settings: UndoSettings, saves: dict[str, list[float]], now: float
    ) -> RunChanges:
        """After a run: snapshot again; what differs from before the group began changed."""
        group = self._groups_of_runs.pop(run_id)
        group.active.discard(run_id)
        key = os.fspath(group.root)
        try:
            after = self._scan(group.root, settings).tree
        except NotSnapshotted as exc:
            if not group.active:
                self._open.pop(key, None)
            return RunChanges([], False, [Warning("undo", f"not undoable: {exc.reason}")])
        if not group.active:
            self._open.pop(key, None)
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
            self._record_group(group.id, key, "run", None, group.started_at, now, changes)
            self._record_runs(group.id, group.runs)
        lost = [c.path for c in changes if c.before is not None and not c.before.restorable]
        warnings = []
        if lost:
            warnings.append(
                Warning(
                    "undo",
                    f"{len(lost)} changed file(s) were larger than undo.maxFileBytes "
                    f"({settings.max_file_bytes} bytes) before the run and cannot be restored: "
                    + ", ".join(lost[:5])
                    + (", …" if len(lost) > 5 else ""),
                )
            )
        if len(group.runs) > 1:
            others = [f"«{i}»" for r, i in group.runs if r != run_id]
            warnings.append(
                Warning(
                    "undoGroup",
                    "ran at the same time as " + ", ".join(others) + " in this folder: "
                    "their changes cannot be told apart and are undone together",
                )
            )
        warnings += [overlap.shared_warning(p, f"this run and «{i}»") for i, p in shared.items()]
        return RunChanges(shown_paths(changes), bool(changes) and not lost, warnings)

    def _scan(self, root: Path, settings: UndoSettings) -> ScanReport:
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
        group = self._groups_of_runs.pop(run_id, None)
        if group is not None:
            group.active.discard(run_id)
            if not group.active:
                self._open.pop(os.fspath(group.root), None)

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
        run = self._builtin.pop(run_id)
        key = os.fspath(run.root)
        kept = [o.op for o in ops if o.op.get("op") != "git" or o.step_id in succeeded]
        if overlap.worktree_after_files(kept):
            return RunChanges([], False, [Warning("undo", overlap.WORKTREE_AFTER_FILES)])
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
            self._record_group(group_id, key, "run", None, run.started_at, now, changes, git)
            self._record_runs(group_id, [(run_id, run.intent)])
            shared = self._separate(run, changes)
        warnings = [overlap.shared_warning(p, f"«{i}» too") for i, p in shared.items()]
        if run.groups:
            others = " + ".join(f"«{i}»" for g in run.groups for _, i in g.runs)
            warnings.append(
                Warning(
                    "undoGroup",
                    f"ran at the same time as {others} in this folder: it is undone on its own, "
                    "by the inverse operations its tools recorded",
                )
            )
        left_out = [f"{p} ({why})" for p, why in derived.unknown.items()]
        left_out += [f"{p} (outside this folder)" for p in derived.outside] + refused
        if left_out:
            warnings.append(Warning("undo", "not undoable: " + overlap.some(left_out)))
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
            recorded = self.changes(group.id)
            label = self._label(group.id)
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

    def _record_group(
        self,
        group_id: str,
        folder: str,
        kind: str,
        target: str | None,
        started_at: float,
        ended_at: float,
        changes: list[Change],
        git: Sequence[GitStep] = (),
    ) -> None:
        self.conn.execute("DELETE FROM groups WHERE id = ?", (group_id,))
        if not changes and not git and kind == "run":
            return
        self.conn.execute(
            "INSERT INTO groups(id, folder, kind, target, started_at, ended_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (group_id, folder, kind, target, started_at, ended_at),
        )
        self.conn.executemany(
            "INSERT INTO changes(group_id, path, before, after, editor_saved) "
            "VALUES (?, ?, ?, ?, ?)",
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
        self.conn.executemany(
            "INSERT INTO git_steps(group_id, seq, step) VALUES (?, ?, ?)",
            [(group_id, n, step.to_json()) for n, step in enumerate(git)],
        )

    def _record_runs(self, group_id: str, runs: list[tuple[str, str]]) -> None:
        if self.conn.execute("SELECT 1 FROM groups WHERE id = ?", (group_id,)).fetchone():
            self.conn.executemany(
                "INSERT OR REPLACE INTO group_runs(run_id, group_id, intent, position) "
                "VALUES (?, ?, ?, ?)",
                [(r, group_id, i, n) for n, (r, i) in enumerate(runs)],
            )

    # ---- lookups ---------------------------------------------------------------------------

    def _group_of_run(self, run_id: str) -> tuple[str, str, str, str | None] | None:
        """(group id, kind, folder, undone_by)."""
        row = self.conn.execute(
            "SELECT g.id, g.kind, g.folder, g.undone_by FROM group_runs r "
            "JOIN groups g ON g.id = r.group_id WHERE r.run_id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            return None
        return str(row[0]), str(row[1]), str(row[2]), row[3]

    def _runs(self, group_id: str) -> list[tuple[str, str]]:
        return [
            (str(r), str(i))
            for r, i in self.conn.execute(
                "SELECT run_id, intent FROM group_runs WHERE group_id = ? ORDER BY position",
                (group_id,),
            )
        ]

    def changes(self, group_id: str) -> list[Change]:
        return [
            Change(str(p), State.from_json(b), State.from_json(a), bool(s))
            for p, b, a, s in self.conn.execute(
                "SELECT path, before, after, editor_saved FROM changes WHERE group_id = ? "
                "ORDER BY path",
                (group_id,),
            )
        ]

    def _git_steps(self, group_id: str) -> list[GitStep]:
        return [
            GitStep.from_json(str(step))
            for (step,) in self.conn.execute(
                "SELECT step FROM git_steps WHERE group_id = ? ORDER BY seq", (group_id,)
            )
        ]

    def _newest_target(self, folder: str, path: str | None = None) -> str | None:
        """The newest group not undone that changed `path` (None: any file, or git)."""
        kinds = ", ".join("?" * len(TARGET_KINDS))
        changed = "EXISTS(SELECT 1 FROM changes c WHERE c.group_id = id"
        params: list[object] = [folder, *TARGET_KINDS]
        if path is not None:
            changed += " AND c.path = ?)"
            params.append(path)
        else:
            changed += ") OR EXISTS(SELECT 1 FROM git_steps s WHERE s.group_id = id)"
        sql = (
            f"SELECT id FROM groups WHERE folder = ? AND kind IN ({kinds}) "
            f"AND undone_by IS NULL AND ({changed}) ORDER BY ended_at DESC, rowid DESC LIMIT 1"
        )
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else str(row[0])

    def _label(self, group_id: str) -> str:
        return " + ".join(f"«{i}»" for _, i in self._runs(group_id))

    # ---- undo, redo ------------------------------------------------------------------------

    def prepare_undo(
        self,
        root: Path,
        run_id: str | None,
        paths: list[str] | None,
        force: bool,
        editor: EditorView,
        settings: UndoSettings,
    ) -> Prepared | UndoResult:
        if run_id is not None:
            found = self._group_of_run(run_id)
            if found is None:
                raise UndoError(
                    f"run {run_id!r} has no undo record: it changed no files, ran with undo "
                    "disabled or in the background, or is not in this history"
                )
            group_id, kind, folder, undone_by = found
            if kind not in TARGET_KINDS:
                raise UndoError(
                    f"run {run_id!r} is itself an {kind}: to re-apply what an undo undid, use "
                    "intentls.redo with the original run's runId"
                )
            root = Path(folder)
            if undone_by is not None and not force and paths is None:
                return UndoResult(run_id, UndoStatus.NOTHING)
        else:
            target = self._newest_target(os.fspath(root))
            if target is None:
                return UndoResult("", UndoStatus.NOTHING)
            group_id = target
            run_id = self._runs(group_id)[-1][0]
        if self._running(root):
            return busy(run_id)
        selected, unknown = select(root, self.changes(group_id), paths)
        git = self._git_steps(group_id)
        if git and paths is not None:
            unknown = [c for c in unknown if c.path != GIT]
            if not any(relative(root, p) in ("", GIT) for p in paths):
                git = []
        wants = [Want(c.path, c.before, c.after, c.editor_saved) for c in selected]
        prepared = self._prepare(
            root,
            "undo",
            group_id,
            run_id,
            f"undo {self._label(group_id)}",
            lambda _: wants,
            force,
            editor,
            settings,
            paths is None,
            unknown,
        )
        if not git:
            return prepared
        reason = gitsteps.changed_since(git)
        if reason is not None:
            left = Conflict(GIT, f"{reason}: the git steps are left as they are")
            return attrs.evolve(prepared, conflicts=[*prepared.conflicts, left])
        return attrs.evolve(prepared, git=git)

    def prepare_redo(
        self, root: Path, run_id: str | None, editor: EditorView, settings: UndoSettings
    ) -> Prepared | UndoResult:
        if run_id is not None:
            found = self._group_of_run(run_id)
            if found is None or found[1] not in TARGET_KINDS:
                raise UndoError(f"run {run_id!r} is not an undone run: nothing to redo")
            group_id, _, folder, undo_id = found
            root = Path(folder)
            if undo_id is None:
                return UndoResult(run_id, UndoStatus.NOTHING)
        else:
            row = self.conn.execute(
                "SELECT o.id, o.undone_by FROM groups o JOIN groups u ON u.id = o.undone_by "
                "WHERE o.folder = ? ORDER BY u.ended_at DESC, u.rowid DESC LIMIT 1",
                (os.fspath(root),),
            ).fetchone()
            if row is None:
                return UndoResult("", UndoStatus.NOTHING)
            group_id, undo_id = str(row[0]), str(row[1])
            run_id = self._runs(group_id)[-1][0]
        if self._running(root):
            return busy(run_id)
        if self._git_steps(group_id):
            return UndoResult(run_id, UndoStatus.REFUSED, conflicts=[Conflict(GIT, NO_GIT_REDO)])
        wants = [Want(c.path, c.before, c.after) for c in self.changes(str(undo_id))]
        return self._prepare(
            root,
            "redo",
            group_id,
            run_id,
            f"redo {self._label(group_id)}",
            lambda _: wants,
            False,
            editor,
            settings,
            True,
            [],
        )

    # ---- checkpoints -----------------------------------------------------------------------

    def checkpoint(self, root: Path, name: str, settings: UndoSettings, now: float) -> str:
        tree = self._scan(root, settings).tree
        checkpoint_id = new_id()
        with self.conn:
            self.conn.execute(
                "INSERT INTO checkpoints(id, folder, name, created_at) VALUES (?, ?, ?, ?)",
                (checkpoint_id, os.fspath(root), name, now),
            )
            self.conn.executemany(
                "INSERT INTO checkpoint_entries(checkpoint_id, path, state) VALUES (?, ?, ?)",
                [(checkpoint_id, p, s.to_json()) for p, s in tree.items()],
            )
        return checkpoint_id

    def checkpoints(self, root: Path | None) -> list[tuple[str, str, Path, float, int]]:
        """(id, name, folder, created at, paths) of `root`'s checkpoints (every folder's when
        None), newest first."""
        rows = self.conn.execute(
            "SELECT c.id, c.name, c.folder, c.created_at, "
            "(SELECT COUNT(*) FROM checkpoint_entries e WHERE e.checkpoint_id = c.id) "
            "FROM checkpoints c WHERE ?1 IS NULL OR c.folder = ?1 "
            "ORDER BY c.created_at DESC, c.rowid DESC",
            (None if root is None else os.fspath(root),),
        ).fetchall()
        return [
            (str(i), str(n), Path(str(f)), float(at), int(count))  # type: ignore[arg-type]
            for i, n, f, at, count in rows
        ]

    def checkpoint_folder(self, checkpoint_id: str) -> Path:
        row = self.conn.execute(
            "SELECT folder FROM checkpoints WHERE id = ?", (checkpoint_id,)
        ).fetchone()
        if row is None:
            raise UndoError(f"no checkpoint {checkpoint_id!r}")
        return Path(str(row[0]))

    def prepare_rollback(
        self,
        checkpoint_id: str,
        paths: list[str] | None,
        force: bool,
        editor: EditorView,
        settings: UndoSettings,
    ) -> Prepared | UndoResult:
        row = self.conn.execute(
            "SELECT folder, name FROM checkpoints WHERE id = ?", (checkpoint_id,)
        ).fetchone()
        if row is None:
            raise UndoError(f"no checkpoint {checkpoint_id!r}")
        root, name = Path(str(row[0])), str(row[1])
        run_id = new_id()
        if self._running(root):
            return busy(run_id)
        saved: Tree = {
            str(p): State.from_json(s)  # type: ignore[misc]
            for p, s in self.conn.execute(
                "SELECT path, state FROM checkpoint_entries WHERE checkpoint_id = ?",
                (checkpoint_id,),
            )
        }

        def wants(current: Tree) -> list[Want]:
            changes = [Change(p, saved.get(p), current.get(p)) for p in diff(saved, current)]
            selected, _ = select(root, changes, paths)
            return [Want(c.path, c.before, c.after) for c in selected]

        return self._prepare(
            root,
            "rollback",
            checkpoint_id,
            run_id,
            f"rollback to «{name}»",
            wants,
            force,
            editor,
            settings,
            True,
            [],
            group_id=run_id,
        )

    # ---- the common path -------------------------------------------------------------------

    def _prepare(
        self,
        root: Path,
        kind: str,
        target: str,
        run_id: str,
        intent: str,
        wants_for: Callable[[Tree], list[Want]],
        force: bool,
        editor: EditorView,
        settings: UndoSettings,
        whole: bool,
        unknown: list[Conflict],
        group_id: str | None = None,
    ) -> Prepared:
        started = time.time()
        # The present is snapshotted (and its content stored) before anything is touched: even
        # a forced undo loses nothing, and the undo's own record can be undone (redo).
        current_tree = Overlay(self._scan(root, settings).tree)
        wants = wants_for(current_tree)
        self._beyond_snapshots(root, current_tree, wants)
        ops: list[Op] = []
        restored: list[str] = []
        conflicts = list(unknown)
        for want in wants:
            current = current_tree.get(want.path)
            if current == want.to:
                restored.append(want.path)
                continue
            reason = self._conflict(root, want, current, force, editor)
            if reason is not None:
                conflicts.append(Conflict(want.path, reason))
            else:
                ops.append(Op(want.path, current, want.to))
        ops = keep_parents_of(ops, conflicts, current_tree)
        ops = with_parents(ops, conflicts, current_tree, force)
        originals = [] if kind == "rollback" else [r for r, _ in self._runs(str(target))]
        return Prepared(
            root,
            kind,
            target,
            run_id,
            group_id or new_id(),
            intent,
            ops,
            restored,
            conflicts,
            originals,
            whole,
            started,
        )

    def _beyond_snapshots(self, root: Path, tree: Overlay, wants: list[Want]) -> None:
        """Add to `tree` the paths a snapshot does not see exactly (ignored, excluded, larger
        than undo.maxFileBytes) that a record names exactly — a built-in run's does —, and their
        parents, read from disk with their content stored: the undo checks them like any path,
        and its own record (the redo) can restore them."""
        with self.conn:
            for want in wants:
                seen = tree.get(want.path)
                exact = want.expected is None or want.expected.restorable
                if not exact or (seen is not None and seen.restorable):
                    continue
                parts = want.path.split("/")
                for n in range(1, len(parts) + 1):
                    rel = "/".join(parts[:n])
                    if rel in tree and tree[rel].restorable:
                        continue
                    state = inverses.stored_state(self.blobs, root, rel)
                    if state is None:
                        break
                    tree[rel] = state

    def _running(self, root: Path) -> bool:
        key = os.fspath(root)
        return key in self._open or any(os.fspath(r.root) == key for r in self._builtin.values())

    def _conflict(
        self, root: Path, want: Want, current: State | None, force: bool, editor: EditorView
    ) -> str | None:
        to = want.to
        if to is not None and not to.restorable:
            return (
                f"its earlier content ({to.size} bytes) was larger than undo.maxFileBytes and "
                "was not kept"
            )
        if to is not None and to.kind == "file" and not self.blobs.has(str(to.hash)):
            return "its earlier content is no longer in the store"
        if current is not None and not current.restorable and current != want.expected:
            return (
                "its present content is larger than undo.maxFileBytes and could not be kept "
                "first: move it away to undo"
            )
        if force:
            return None
        full = os.path.join(root, want.path)  # noqa: PTH118
        buffer = editor.buffers.get(full)
        if full in editor.unsaved and buffer is not None:
            on_disk = current.hash if current is not None and current.kind == "file" else None
            if digest(buffer) != on_disk:
                return "open in the editor with unsaved changes"
        if want.editor_saved:
            return "saved in the editor while the run ran"
        if current != want.expected:
            now = current.describe() if current else "absent"
            was = want.expected.describe() if want.expected else "absent"
            return f"changed after the run: it is {now} now, the run left {was}"
        return None

    def commit(self, prepared: Prepared, open_paths: frozenset[str]) -> Applied:
        """Journal, apply, record: the files change here."""
        p = prepared
        self.journal(p)
        done, failed = self._applier.apply(p.root, p.ops)
        git_left = _undo_git(p.git, p.trusted)
        git_done = [GIT] if p.git and not git_left else []
        self._finish(p, done, time.time(), bool(git_done))
        edits = []
        for op in done:
            full = os.path.join(p.root, op.path)  # noqa: PTH118
            if full in open_paths and op.to is not None and op.to.kind == "file":
                with contextlib.suppress(MissingBlob):
                    edits.append((op.path, self.blobs.get(str(op.to.hash))))
        conflicts = [*p.conflicts, *failed, *git_left]
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

    def _finish(self, p: Prepared, done: list[Op], now: float, git_done: bool) -> None:
        folder = os.fspath(p.root)
        with self.conn:
            self.conn.execute("DELETE FROM journal WHERE group_id = ?", (p.group_id,))
            changes = [Change(o.path, o.current, o.to) for o in done]
            self._record_group(p.group_id, folder, p.kind, p.target, p.started_at, now, changes)
            self._record_runs(p.group_id, [(p.group_id, p.intent)])
            if not (done or p.restored or git_done):
                return
            if p.kind == "undo" and p.whole:
                self.conn.execute(
                    "UPDATE groups SET undone_by = ? WHERE id = ?", (p.group_id, p.target)
                )
            elif p.kind == "redo":
                self.conn.execute("UPDATE groups SET undone_by = NULL WHERE id = ?", (p.target,))

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
            runs = [] if kind == "rollback" or target is None else self._runs(str(target))
            originals = [r for r, _ in runs]
            self._finish(prepared, done, time.time(), bool(git_done))
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

    # ---- retention -------------------------------------------------------------------------

    def collect(self, policy: Policy, running: dict[str, float], now: float) -> Collected:
        """Retention and garbage collection (`running`: the history's runs still running and
        when each began); what this process's runs and indexes hold is kept."""
        before = [s for g in self._open.values() for s in g.before.values() if s is not None]
        held = Held(
            frozenset(running.keys() | self._groups_of_runs.keys()),
            min(running.values(), default=None),
            frozenset({s.hash for s in before if s.hash} | self.snapshots.held()),
        )
        return collect(self.conn, policy, held, now)

    # ---- code actions and provenance -------------------------------------------------------

    def action(self, root: Path, rel: str | None) -> UndoAction | None:
        """Undo the newest not-undone run of the folder (that changed `rel`, if given)."""
        group_id = self._newest_target(os.fspath(root), rel)
        if group_id is None:
            return None
        changes = self.changes(group_id)
        files = len([c for c in changes if "dir" not in kinds(c)]) or len(changes)
        what = f"{files} file" + ("s" if files != 1 else "")
        if self._git_steps(group_id):
            what = f"{what} and git" if changes else "git"
        return UndoAction(f"Undo {self._label(group_id)} ({what})", self._runs(group_id)[-1][0])

    def blame(self, root: Path, rel: str) -> list[BlameEntry]:
        rows = self.conn.execute(
            "SELECT r.run_id, r.intent, g.kind, g.ended_at, c.before, c.after, g.undone_by "
            "FROM changes c JOIN groups g ON g.id = c.group_id "
            "JOIN group_runs r ON r.group_id = g.id "
            "WHERE g.folder = ? AND c.path = ? ORDER BY g.ended_at DESC, r.position",
            (os.fspath(root), rel),
        ).fetchall()
        return [
            BlameEntry(
                str(run_id),
                str(intent),
                str(kind),
                float(ended),  # type: ignore[arg-type]
                what_changed(State.from_json(before), State.from_json(after)),  # type: ignore[arg-type]
                undone is not None,
            )
            for run_id, intent, kind, ended, before, after, undone in rows
        ]


def _undo_git(steps: list[GitStep], trusted: bool) -> list[Conflict]:
    """Run the git steps' recorded commands if the repository is still as the run left it."""
    if not steps:
        return []
    reason = gitsteps.changed_since(steps)
    if reason is not None:
        return [Conflict(GIT, f"{reason}: the git steps are left as they are")]
    failed = gitsteps.undo(steps, trusted)
    return [] if failed is None else [Conflict(GIT, failed)]
