"""Preparing an undo, a redo or a rollback: which paths it would change, from what to what,
and which it must leave (changed since, unsaved in the editor, content not kept). The present is
snapshotted first, its content stored, so even a forced undo loses nothing. Nothing on disk
changes here: undo/commit.py applies what was prepared."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import apsw
import attrs

from intentls.model import Conflict, UndoResult, UndoStatus
from intentls.settings import UndoSettings
from intentls.undo import gitsteps, inverses
from intentls.undo.index import Overlay
from intentls.undo.queries import TARGET_KINDS, Queries
from intentls.undo.recording import Recording
from intentls.undo.records import GIT, Change, EditorView, Op, Prepared, UndoError, Want, new_id
from intentls.undo.selection import busy, keep_parents_of, relative, select, with_parents
from intentls.undo.snapshot import Tree, diff
from intentls.undo.store import BlobStore, State, digest

NO_GIT_REDO = (
    "a run with git steps is not redone: git cannot make the same commit, stash or branch "
    "again; run it again instead"
)


class Preparing:
    def __init__(
        self, conn: apsw.Connection, blobs: BlobStore, recording: Recording, queries: Queries
    ) -> None:
        self.conn = conn
        self.blobs = blobs
        self.recording = recording
        self.queries = queries

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
            found = self.queries.group_of_run(run_id)
            if found is None:
                raise UndoError(
                    f"run {run_id!r} has no undo record: it changed no files, ran with undo "
                    "disabled or in the background, or is not in this history"
                )
            group_id, kind, folder, undone_by, undo_left = found
            if kind not in TARGET_KINDS:
                raise UndoError(
                    f"run {run_id!r} is itself an {kind}: to re-apply what an undo undid, use "
                    "intentls.redo with the original run's runId"
                )
            root = Path(folder)
            if undone_by is not None and not undo_left and not force and paths is None:
                return UndoResult(run_id, UndoStatus.NOTHING)
        else:
            target = self.queries.newest_target(os.fspath(root))
            if target is None:
                return UndoResult("", UndoStatus.NOTHING)
            group_id = target
            run_id = self.queries.runs(group_id)[-1][0]
        if self.recording.running(root):
            return busy(run_id)
        selected, unknown = select(root, self.queries.changes(group_id), paths)
        git = self.queries.git_steps(group_id)
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
            f"undo {self.queries.label(group_id)}",
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
            found = self.queries.group_of_run(run_id)
            if found is None or found[1] not in TARGET_KINDS:
                raise UndoError(f"run {run_id!r} is not an undone run: nothing to redo")
            group_id, _, folder, _, _ = found
            root = Path(folder)
        else:
            newest = self.queries.newest_undone(os.fspath(root))
            if newest is None:
                return UndoResult("", UndoStatus.NOTHING)
            group_id = newest
            run_id = self.queries.runs(group_id)[-1][0]
        # Every undo of the run since its last redo (paths A, then paths B, then the rest):
        # the redo gives back what each of them took.
        undos = self.queries.undos_since_redo(os.fspath(root), group_id)
        if not undos:
            return UndoResult(run_id, UndoStatus.NOTHING)
        if self.recording.running(root):
            return busy(run_id)
        if self.queries.git_steps(group_id):
            return UndoResult(run_id, UndoStatus.REFUSED, conflicts=[Conflict(GIT, NO_GIT_REDO)])
        wants = [Want(c.path, c.before, c.after) for c in self.queries.taken(undos)]
        return self._prepare(
            root,
            "redo",
            group_id,
            run_id,
            f"redo {self.queries.label(group_id)}",
            lambda _: wants,
            False,
            editor,
            settings,
            True,
            [],
        )

    def prepare_rollback(
        self,
        checkpoint_id: str,
        paths: list[str] | None,
        force: bool,
        editor: EditorView,
        settings: UndoSettings,
    ) -> Prepared | UndoResult:
        root, name = self.queries.checkpoint(checkpoint_id)
        run_id = new_id()
        if self.recording.running(root):
            return busy(run_id)
        saved = self.queries.checkpoint_tree(checkpoint_id)

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
        current_tree = Overlay(self.recording.scan(root, settings).tree)
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
        originals = [] if kind == "rollback" else [r for r, _ in self.queries.runs(str(target))]
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
