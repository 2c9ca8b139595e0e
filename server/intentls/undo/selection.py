"""Which paths an undo touches and in what order they may change: the paths asked for, the
directories a restore needs (or that must stay), and a folder that is busy."""

from __future__ import annotations

import os
from pathlib import Path

from intentls.model import Conflict, UndoResult, UndoStatus
from intentls.undo.index import Overlay
from intentls.undo.records import Change, Op, UndoError
from intentls.undo.snapshot import Tree
from intentls.undo.store import State


def keep_parents_of(ops: list[Op], conflicts: list[Conflict], current: Overlay) -> list[Op]:
    """A directory cannot be removed (or replaced) while a path below it stays."""
    removed = {o.path for o in ops if o.to is None}
    kept = []
    for op in ops:
        replaced = op.current is not None and op.current.kind == "dir"
        replaced = replaced and (op.to is None or op.to.kind != "dir")
        prefix = op.path + "/"
        staying = replaced and any(p not in removed for p in current.below(op.path))
        if replaced and any(c.path.startswith(prefix) for c in conflicts):
            conflicts.append(Conflict(op.path, "a path below it is in conflict: left as it is"))
        elif staying:
            conflicts.append(Conflict(op.path, "a directory with paths the run did not make"))
        elif op.to is not None and any(op.path.startswith(c.path + "/") for c in conflicts):
            conflicts.append(Conflict(op.path, "a directory above it is in conflict"))
        else:
            kept.append(op)
    return kept


def with_parents(ops: list[Op], conflicts: list[Conflict], current: Tree, force: bool) -> list[Op]:
    """Directories a restore needs are ops too, so that its record (and a redo) knows: made
    where nothing is; where a file or link now stands, made in its place only when forced (the
    present was stored first, so redo brings it back); otherwise that restore is a conflict."""
    planned = {o.path for o in ops}
    kept: list[Op] = []
    extra: list[Op] = []
    for op in ops:
        parts = op.path.split("/")[:-1] if op.to is not None else []
        parents = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
        needed = [p for p in parents if p not in planned and _not_dir(current.get(p))]
        standing = next((p for p in needed if p in current), None)  # a file or link
        if standing is not None and not (force and current[standing].restorable):
            hint = "too large to keep first" if force else "force replaces it (it is kept)"
            what = current[standing].describe()
            conflicts.append(
                Conflict(op.path, f"{standing} is {what} now, not a directory: {hint}")
            )
            continue
        kept.append(op)
        planned.update(needed)
        extra.extend(Op(p, current.get(p), State("dir", 0o755)) for p in needed)
    return kept + extra


def _not_dir(state: State | None) -> bool:
    return state is None or state.kind != "dir"


def select(
    root: Path, changes: list[Change], paths: list[str] | None
) -> tuple[list[Change], list[Conflict]]:
    """The changes under `paths` (relative or absolute; a directory selects what is below)."""
    if paths is None:
        return changes, []
    wanted = [relative(root, p) for p in paths]
    selected = [
        c for c in changes if any(w in ("", c.path) or c.path.startswith(w + "/") for w in wanted)
    ]
    unknown = [
        Conflict(w, "the run did not change this path")
        for w in wanted
        if not any(c.path == w or c.path.startswith(w + "/") or w == "" for c in changes)
    ]
    return selected, unknown


def relative(root: Path, path: str) -> str:
    if path.startswith("file:"):
        from intentls.folders import to_path

        path = os.fspath(to_path(path, "paths"))
    if os.path.isabs(path):  # noqa: PTH117
        path = os.path.relpath(path, root)
    path = os.path.normpath(path).replace(os.sep, "/")
    if path.startswith(".."):
        raise UndoError(f"paths: {path!r} is outside the folder {root}")
    return "" if path == "." else path


def busy(run_id: str) -> UndoResult:
    return UndoResult(
        run_id,
        UndoStatus.REFUSED,
        conflicts=[Conflict(".", "a run is running in this folder: undo once it has ended")],
    )
