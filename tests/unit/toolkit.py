"""Helpers for the built-in tool tests: plan a tool in a temp workspace, run what was planned,
and see the inverse operations it recorded."""

from __future__ import annotations

import base64
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from intentls.history.store import InverseOp
from intentls.tools import registry
from intentls.tools.base import PlanContext, Planned, RunContext, ToolError
from intentls.tools.confine import Roots
from intentls.undo.core import UndoCore
from intentls.undo.records import RunChanges


class ListInverseLog:
    """Keeps the operations; `on_record` sees each one before the tool goes on."""

    def __init__(self, on_record: Any = None) -> None:
        self.ops: list[dict[str, Any]] = []
        self.on_record = on_record

    def record(self, op: dict[str, Any]) -> None:
        self.ops.append(op)
        if self.on_record is not None:
            self.on_record(op)


def context(ws: Path, cwd: Path | None = None, roots: list[Path] | None = None) -> PlanContext:
    return PlanContext(ws, cwd or ws, Roots.of(roots or [ws]))


def plan(ws: Path, tool: str, args: dict[str, Any], **kw: Any) -> Planned:
    return registry.plan(tool, args, context(ws, **kw))


def run_ctx(
    ws: Path,
    inverse_log: ListInverseLog,
    lines: list[str],
    trash: Path,
    roots: list[Path] | None = None,
    cancelled: Any = None,
    trusted: bool = True,
) -> RunContext:
    return RunContext(
        folder=ws,
        cwd=ws,
        roots=Roots.of(roots or [ws]),
        inverse_log=inverse_log,
        trash=trash,
        emit=lines.append,
        cancelled=cancelled or (lambda: False),
        trusted=trusted,
    )


class Result:
    def __init__(self, planned: Planned, ops: list[dict[str, Any]], lines: list[str]) -> None:
        self.planned = planned
        self.ops = ops
        self.lines = lines


def do(
    ws: Path,
    tool: str,
    args: dict[str, Any],
    inverse_log: ListInverseLog | None = None,
    trusted: bool = True,
) -> Result:
    """Plan, then run what was planned."""
    planned = plan(ws, tool, args)
    inverse_log = inverse_log or ListInverseLog()
    lines: list[str] = []
    trash = ws.parent / f"{ws.name}-trash"
    registry.run(tool, planned.args, run_ctx(ws, inverse_log, lines, trash, trusted=trusted))
    return Result(planned, inverse_log.ops, lines)


def tree(root: Path) -> dict[str, Any]:
    """Everything under `root`: file → (bytes, mode), link → ('->', target), dir → 'dir'."""
    out: dict[str, Any] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                out[rel] = ("->", os.readlink(path))
            elif path.is_dir():
                out[rel] = "dir"
            else:
                out[rel] = (path.read_bytes(), path.stat().st_mode & 0o777)
    return out


def content(op: dict[str, Any]) -> bytes:
    return base64.b64decode(op["content"])


def git(repo: Path, *argv: str, stdin: str | None = None) -> str:
    return subprocess.run(
        ["git", *argv], cwd=repo, check=True, capture_output=True, text=True, input=stdin
    ).stdout


def init_repo(repo: Path) -> None:
    repo.mkdir(exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Test")
    git(repo, "config", "user.email", "test@example.com")
    git(repo, "config", "commit.gpgsign", "false")


def apply_git_ops(ops: list[dict[str, Any]]) -> None:
    """Recorded git operations applied by hand, newest first (the undo runs them the same way,
    after checking the repository)."""
    for op in reversed(ops):
        assert op["op"] == "git"
        for command in op["run"]:
            git(Path(op["cwd"]), *command["argv"], stdin=command.get("stdin"))


class BuiltinRuns:
    """Runs built-in tool steps the way the engine does (an inverse log per step, a trash per step,
    the inverse operations in recording order) and records each run in `core` by them."""

    def __init__(self, core: UndoCore, ws: Path, trash: Path, roots: list[Path] | None = None):
        self.core = core
        self.ws = ws
        self.trash = trash
        self.roots = roots
        self.count = 0

    def begin(self, intent: str = "built-in") -> str:
        self.count += 1
        run_id = f"builtin{self.count}"
        self.core.recording.begin_builtin(self.ws, run_id, intent, time.time())
        return run_id

    def steps(self, run_id: str, steps: list[tuple[str, dict[str, Any]]]) -> BuiltinSteps:
        """Run the steps (a failing one fails alone, as in the engine with no dependencies)."""
        done = BuiltinSteps()
        for n, (tool, args) in enumerate(steps):
            step_id = f"s{n}"
            inverse_log = ListInverseLog()
            try:
                planned = plan(self.ws, tool, args, roots=self.roots)
                ctx = run_ctx(self.ws, inverse_log, [], self.trash / run_id / step_id, self.roots)
                registry.run(tool, planned.args, ctx)
                done.succeeded.add(step_id)
            except ToolError as exc:
                done.errors.append(exc.message)
            done.ops += [InverseOp(step_id, seq, op) for seq, op in enumerate(inverse_log.ops)]
        return done

    def end(self, run_id: str, done: BuiltinSteps) -> RunChanges:
        return self.core.recording.record_builtin(run_id, done.ops, done.succeeded, {}, time.time())

    def run(self, *steps: tuple[str, dict[str, Any]]) -> RunChanges:
        run_id = self.begin()
        return self.end(run_id, self.steps(run_id, list(steps)))


class BuiltinSteps:
    def __init__(self) -> None:
        self.ops: list[InverseOp] = []
        self.succeeded: set[str] = set()
        self.errors: list[str] = []


def write(path: Path, data: bytes | str = b"x", mode: int | None = None) -> Path:
    """A file with its parents, and a mode if given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    if mode is not None:
        path.chmod(mode)
    return path
