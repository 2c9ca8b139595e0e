"""Built-in runs beside snapshot groups: what separates their changes, and how a path both
changed is said."""

from __future__ import annotations

import os

from intentls.model import IntentWarning, WarningKind
from intentls.undo.records import Change

WORKTREE_AFTER_FILES = (
    "git stash or a branch switch changed the work tree after file tools of this run had "
    "changed files, so their earlier states cannot be told apart: not undoable"
)


def worktree_after_files(ops: list[dict[str, object]]) -> bool:
    """A git step that changed the work tree after a file step: the files' states at the run's
    end are not what the file steps left (undo restores files first, then runs git)."""
    files_seen = False
    for op in ops:
        if op.get("op") != "git":
            files_seen = True
        elif files_seen and op.get("worktree"):
            return True
    return False


def saved_during(
    saves: dict[str, list[float]], folder: str, rel: str, started: float, ended: float
) -> bool:
    """Whether the editor saved the document at `rel` while the run ran."""
    return any(started <= t <= ended for t in saves.get(os.path.join(folder, rel), []))  # noqa: PTH118


def separated(
    changes: list[Change], builtins: list[tuple[str, list[Change]]]
) -> tuple[list[Change], dict[str, list[str]]]:
    """A snapshot group's changes without those of built-in runs that ran meanwhile
    (`(intent, changes)`): a path whose before and after are exactly a built-in run's is that
    run's alone; one that differs was changed by the group's runs too and stays (returned by
    the built-in run's intent), so undoing the group restores it to before both."""
    theirs = {c.path: (intent, c) for intent, cs in builtins for c in cs}
    remaining: list[Change] = []
    shared: dict[str, list[str]] = {}
    for change in changes:
        found = theirs.get(change.path)
        if found is not None and (found[1].before, found[1].after) == (
            change.before,
            change.after,
        ):
            continue
        remaining.append(change)
        if found is not None:
            shared.setdefault(found[0], []).append(change.path)
    return remaining, shared


def shared_warning(paths: list[str], who: str) -> IntentWarning:
    return IntentWarning(
        WarningKind.UNDO_GROUP,
        f"changed by {who} (they ran at the same time): {some(paths)}; they are in both "
        "records: the first undo restores them, the second finds them changed",
    )


def some(items: list[str], limit: int = 5, joint: str = ", ") -> str:
    """The first `limit` items, and how many more: a message stays short whatever the count."""
    more = f"{joint}… ({len(items) - limit:,} more)" if len(items) > limit else ""
    return joint.join(items[:limit]) + more
