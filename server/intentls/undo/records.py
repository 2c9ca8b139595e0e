"""What the undo engine records and answers: changes, an undo's plan (`Prepared`), its outcome,
what recovery finished, and how a change reads (`changedFiles`, blame)."""

from __future__ import annotations

import uuid
from pathlib import Path

import attrs

from intentls.model import Conflict, IntentWarning, UndoResult, UndoStatus
from intentls.undo.gitsteps import GitStep
from intentls.undo.store import State

GIT = ".git"
"""How a run's git steps show among its paths (`changedFiles`, `restored`, conflicts)."""


class UndoError(ValueError):
    """The request names no run or checkpoint that can be undone (-32602)."""


class NotUndone(Exception):
    """An undo, redo or rollback that could not begin (the disk is full): nothing changed."""


@attrs.frozen
class Change:
    path: str
    before: State | None
    after: State | None
    editor_saved: bool = False


@attrs.frozen
class RunChanges:
    changed_files: list[str]
    undoable: bool
    warnings: list[IntentWarning]


@attrs.frozen
class EditorView:
    """What the editor said, as of the undo's start. Paths are absolute."""

    buffers: dict[str, bytes] = attrs.Factory(dict)
    """Open documents' text (UTF-8)."""
    unsaved: frozenset[str] = frozenset()
    """Open documents changed (`didChange`) since their last `didSave`."""
    saves: dict[str, list[float]] = attrs.Factory(dict)
    """When each document was saved (`didSave`), Unix seconds."""


@attrs.frozen
class Want:
    """One path an undo would like to change: to `to`, if it still is `expected`."""

    path: str
    to: State | None
    expected: State | None
    editor_saved: bool = False


@attrs.frozen
class Op:
    path: str
    current: State | None
    to: State | None


@attrs.frozen
class Prepared:
    root: Path
    kind: str
    target: str | None
    """The group undone or redone; the checkpoint rolled back to."""
    run_id: str
    """`UndoResult.runId`."""
    group_id: str
    """The undo's own run."""
    intent: str
    ops: list[Op]
    restored: list[str]
    conflicts: list[Conflict]
    originals: list[str]
    """Runs of the target group (their `undone` flag changes)."""
    whole: bool
    """Every path of the target was selected (no `paths`): the target counts as undone."""
    started_at: float
    git: list[GitStep] = attrs.Factory(list)
    """Built-in git steps to undo by their recorded commands, after the files."""
    trusted: bool = False
    """Whether the folder's git filters may run (the service sets it on the event loop)."""

    @property
    def status(self) -> UndoStatus:
        acts = bool(self.ops or self.restored or self.git)
        if not self.conflicts:
            return UndoStatus.UNDONE if acts else UndoStatus.NOTHING
        return UndoStatus.PARTIAL if acts else UndoStatus.REFUSED


@attrs.frozen
class Applied:
    result: UndoResult
    changed: list[str]
    edits: list[tuple[str, bytes]]
    """Restored files (relative path, content) for the editor's open buffers."""


@attrs.frozen
class Recovered:
    """An undo a crash interrupted, finished at start."""

    root: Path
    run_id: str
    intent: str
    kind: str
    originals: list[str]
    changed: list[str]
    left: list[Conflict]
    started_at: float


@attrs.frozen
class UndoAction:
    """What a code action offers: undo this run (and the runs grouped with it)."""

    title: str
    run_id: str


@attrs.frozen
class BlameEntry:
    run_id: str
    intent: str
    kind: str
    at: float
    what: str
    undone: bool


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def state_json(state: State | None) -> str | None:
    return state.to_json() if state is not None else None


def kinds(change: Change) -> set[str]:
    return {s.kind for s in (change.before, change.after) if s is not None}


def what_changed(before: State | None, after: State | None) -> str:
    if before is None:
        return "created"
    if after is None:
        return "deleted"
    if before.kind != after.kind:
        return f"replaced ({before.kind} → {after.kind})"
    if before.hash == after.hash and before.target == after.target:
        return "mode changed"
    return "modified"


def shown_paths(changes: list[Change]) -> list[str]:
    """`changedFiles`: files and links; a directory only when nothing below it changed (an
    empty directory created or removed, a mode change)."""
    paths = sorted(c.path for c in changes)
    shown = []
    for c in changes:
        if "dir" in kinds(c) and not ({"file", "link"} & kinds(c)):
            prefix = c.path + "/"
            if any(p.startswith(prefix) for p in paths):
                continue
        shown.append(c.path)
    return sorted(shown)
