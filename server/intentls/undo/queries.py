"""What `undo.db` answers without changing it: a run's group, a group's runs, changes and git
steps, the newest group an undo would pick, the code action, blame, and the checkpoints."""

from __future__ import annotations

import os
from pathlib import Path

import apsw

from intentls.undo.gitsteps import GitStep
from intentls.undo.records import (
    BlameEntry,
    Change,
    UndoAction,
    UndoError,
    kinds,
    what_changed,
)
from intentls.undo.snapshot import Tree
from intentls.undo.store import State

TARGET_KINDS = ("run", "rollback")
"""Groups an undo without `runId` may pick: not undos, not redos."""

_NOT_REDONE = (
    "AND NOT EXISTS(SELECT 1 FROM groups r WHERE r.folder = u.folder AND r.kind = 'redo' "
    "AND r.target = u.target AND (r.ended_at, r.rowid) > (u.ended_at, u.rowid))"
)
"""An undo (`u`) that no redo of its target followed."""


class Queries:
    def __init__(self, conn: apsw.Connection) -> None:
        self.conn = conn

    def group_of_run(self, run_id: str) -> tuple[str, str, str, str | None, int] | None:
        """(group id, kind, folder, undone_by, paths its last undo left)."""
        row = self.conn.execute(
            "SELECT g.id, g.kind, g.folder, g.undone_by, g.undo_left FROM group_runs r "
            "JOIN groups g ON g.id = r.group_id WHERE r.run_id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            return None
        return str(row[0]), str(row[1]), str(row[2]), row[3], int(row[4])

    def runs(self, group_id: str) -> list[tuple[str, str]]:
        """The group's runs (run id, intent), in the order they began."""
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

    def git_steps(self, group_id: str) -> list[GitStep]:
        return [
            GitStep.from_json(str(step))
            for (step,) in self.conn.execute(
                "SELECT step FROM git_steps WHERE group_id = ? ORDER BY seq", (group_id,)
            )
        ]

    def newest_target(self, folder: str, path: str | None = None) -> str | None:
        """The newest group not undone, or undone only in part, that changed `path` (None: any
        file, or git)."""
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
            f"AND (undone_by IS NULL OR undo_left > 0) AND ({changed}) "
            "ORDER BY ended_at DESC, rowid DESC LIMIT 1"
        )
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else str(row[0])

    def newest_undone(self, folder: str) -> str | None:
        """The group of the folder's most recent undo that changed something (files, or git
        steps a redo refuses) and has not been redone since (a whole undo or one of some
        paths)."""
        row = self.conn.execute(
            f"SELECT u.target FROM groups u WHERE u.folder = ? AND u.kind = 'undo' {_NOT_REDONE} "
            "AND (EXISTS(SELECT 1 FROM changes c WHERE c.group_id = u.id) "
            "OR EXISTS(SELECT 1 FROM git_steps s WHERE s.group_id = u.target)) "
            "ORDER BY u.ended_at DESC, u.rowid DESC LIMIT 1",
            (folder,),
        ).fetchone()
        return None if row is None else str(row[0])

    def undos_since_redo(self, folder: str, group_id: str) -> list[str]:
        """The undos of `group_id` since its last redo, oldest first."""
        return [
            str(undo_id)
            for (undo_id,) in self.conn.execute(
                "SELECT u.id FROM groups u WHERE u.folder = ? AND u.kind = 'undo' "
                f"AND u.target = ? {_NOT_REDONE} ORDER BY u.ended_at, u.rowid",
                (folder, group_id),
            ).fetchall()
        ]

    def taken(self, undo_ids: list[str]) -> list[Change]:
        """What undos took (`undo_ids` oldest first), merged: each path from the state before
        the first of them changed it (what a redo restores) to the state the latest one left
        (what it must still be)."""
        merged: dict[str, Change] = {}
        for undo_id in undo_ids:
            for change in self.changes(undo_id):
                first = merged.get(change.path)
                merged[change.path] = (
                    change if first is None else Change(change.path, first.before, change.after)
                )
        return list(merged.values())

    def label(self, group_id: str) -> str:
        return " + ".join(f"«{i}»" for _, i in self.runs(group_id))

    # ---- code actions and provenance -------------------------------------------------------

    def action(self, root: Path, rel: str | None) -> UndoAction | None:
        """Undo the newest not-undone run of the folder (that changed `rel`, if given)."""
        group_id = self.newest_target(os.fspath(root), rel)
        if group_id is None:
            return None
        changes = self.changes(group_id)
        files = len([c for c in changes if "dir" not in kinds(c)]) or len(changes)
        what = f"{files} file" + ("s" if files != 1 else "")
        if self.git_steps(group_id):
            what = f"{what} and git" if changes else "git"
        return UndoAction(f"Undo {self.label(group_id)} ({what})", self.runs(group_id)[-1][0])

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

    # ---- checkpoints -----------------------------------------------------------------------

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

    def checkpoint(self, checkpoint_id: str) -> tuple[Path, str]:
        """A checkpoint's folder and name."""
        row = self.conn.execute(
            "SELECT folder, name FROM checkpoints WHERE id = ?", (checkpoint_id,)
        ).fetchone()
        if row is None:
            raise UndoError(f"no checkpoint {checkpoint_id!r}")
        return Path(str(row[0])), str(row[1])

    def checkpoint_folder(self, checkpoint_id: str) -> Path:
        return self.checkpoint(checkpoint_id)[0]

    def checkpoint_tree(self, checkpoint_id: str) -> Tree:
        return {
            str(p): State.from_json(s)  # type: ignore[misc]
            for p, s in self.conn.execute(
                "SELECT path, state FROM checkpoint_entries WHERE checkpoint_id = ?",
                (checkpoint_id,),
            )
        }
