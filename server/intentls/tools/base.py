"""What every built-in tool is: a planner half (validate, confine, describe, rate the risk) and
a runner half (act, recording inverse operations first), and the contexts each half gets."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import attrs

from intentls.tools.confine import ConfinementError, Guard, Roots
from intentls.tools.errors import ToolError

MANY_FILES = 20
"""Touching more files than this makes a step risk 3."""

INLINE_BYTES = 1 << 20
"""Prior contents up to this size go into the inverse operation itself; larger ones are copied
into the trash directory first."""

__all__ = [
    "INLINE_BYTES",
    "MANY_FILES",
    "ConfinementError",
    "InverseLog",
    "PlanContext",
    "Planned",
    "RunContext",
    "Tool",
    "ToolError",
]


@attrs.frozen
class PlanContext:
    folder: Path
    """The request's folder: stored paths are relative to it."""
    cwd: Path
    """What relative paths a person typed are relative to."""
    roots: Roots

    def resolve(self, given: str, follow_last: bool = False) -> Path:
        """A path as typed (relative to `cwd`) → its real absolute path, inside a root."""
        return self.roots.resolve(self.cwd, given, follow_last)

    def rel(self, path: Path | str) -> str:
        return relative(self.folder, path)

    def pattern(self, given: str) -> str:
        """A glob as typed → relative to the folder (or absolute when it is elsewhere)."""
        joined = os.path.normpath(os.path.join(self.cwd, given))
        return relative(self.folder, joined)


def relative(folder: Path, path: Path | str) -> str:
    """`path` relative to `folder` in POSIX form, or absolute when it lies elsewhere (another
    workspace folder)."""
    text = os.fspath(path)
    base = os.fspath(folder)
    if text == base:
        return "."
    if text.startswith(base.rstrip(os.sep) + os.sep):
        return Path(text[len(base.rstrip(os.sep)) + 1 :]).as_posix()
    return text


@attrs.frozen
class Planned:
    title: str
    """The dry-run description: exactly what the step will do."""
    risk: int
    args: dict[str, Any]
    """Normalised arguments, paths relative to the folder, with `reads` and `writes`."""


class InverseLog(Protocol):
    """Where a step's inverse operations go. `record` returns once the operation is stored;
    it is called from the tool's worker thread, before the tool acts."""

    def record(self, op: dict[str, Any]) -> None: ...


@attrs.define
class RunContext:
    folder: Path
    cwd: Path
    roots: Roots
    inverse_log: InverseLog
    trash: Path
    """A directory of this step's own, outside the workspace, for what it removes."""
    emit: Callable[[str], None]
    """One line of output (no newline)."""
    cancelled: Callable[[], bool]
    trusted: bool = True
    changed: set[str] = attrs.Factory(set)
    """Folder-relative paths the step changed."""
    _trash_count: int = 0

    @property
    def guard(self) -> Guard:
        return Guard(self.roots)

    def resolve(self, stored: str, follow_last: bool = False) -> Path:
        """A stored path (relative to the folder) → real path, checked again right now."""
        return self.roots.resolve(self.folder, stored, follow_last)

    def rel(self, path: Path | str) -> str:
        return relative(self.folder, path)

    def next_trash(self, name: str) -> Path:
        """A fresh path in the trash directory."""
        self._trash_count += 1
        self.trash.mkdir(parents=True, exist_ok=True)
        return self.trash / f"{self._trash_count}-{name}"

    def check_cancelled(self) -> None:
        if self.cancelled():
            raise ToolCancelled()

    def touched(self, path: Path | str) -> None:
        self.changed.add(self.rel(path))


class ToolCancelled(Exception):
    """The run was cancelled between two files."""


class Tool(Protocol):
    name: str

    def plan(self, args: dict[str, Any], ctx: PlanContext) -> Planned:
        """Validate and describe; paths as typed are relative to `ctx.cwd`. Raises ToolError."""
        ...

    def run(self, args: dict[str, Any], ctx: RunContext) -> None:
        """Act on the normalised arguments `plan` returned. Raises ToolError."""
        ...


def require_str(args: dict[str, Any], key: str) -> str:
    value = args.get(key)
    if not isinstance(value, str) or not value:
        raise ToolError("invalid", f"{key} must be a non-empty string")
    return value


def require_list(args: dict[str, Any], key: str) -> list[str]:
    value = args.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise ToolError("invalid", f"{key} must be a non-empty list of paths")
    return list(value)
