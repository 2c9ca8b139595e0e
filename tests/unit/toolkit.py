"""Helpers for the built-in tool tests: plan a tool in a temp workspace, run what was planned,
and see the inverse operations it recorded."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path
from typing import Any

from intentls.tools import registry
from intentls.tools.base import PlanContext, Planned, RunContext
from intentls.tools.confine import Roots


class ListJournal:
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
    journal: ListJournal,
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
        journal=journal,
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
    journal: ListJournal | None = None,
    trusted: bool = True,
) -> Result:
    """Plan, then run what was planned."""
    planned = plan(ws, tool, args)
    journal = journal or ListJournal()
    lines: list[str] = []
    trash = ws.parent / f"{ws.name}-trash"
    registry.run(tool, planned.args, run_ctx(ws, journal, lines, trash, trusted=trusted))
    return Result(planned, journal.ops, lines)


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
    """What the undo issue will do with recorded git operations: newest first."""
    for op in reversed(ops):
        assert op["op"] == "git"
        for command in op["run"]:
            git(Path(op["cwd"]), *command["argv"], stdin=command.get("stdin"))
