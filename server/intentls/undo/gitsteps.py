"""Undoing built-in git steps by the git commands each recorded before it acted.

Snapshots never enter `.git`, so a commit or a stage is undone by its recorded commands, run
newest first, and only while the repository is as the run left it: HEAD (its branch and commit),
the newest stash and, when a step staged, the index. Otherwise nothing is run and the undo says
why, so a commit made or a stash pushed since is never lost. The commands run in a directory
inside the folder, without a shell, with the folder's trust (tools/git.py), and only the git
subcommands the tools record."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import attrs

from intentls.tools.errors import ToolError
from intentls.tools.git import failure, run_git
from intentls.undo.store import digest

SUBCOMMANDS = frozenset({"reset", "update-ref", "rm", "update-index", "stash", "switch", "branch"})
"""What the git tools record (tools/git.py); anything else in a record is refused."""


@attrs.frozen
class GitStep:
    op: dict[str, Any]
    """The recorded inverse operation (`{"op": "git", "cwd", "note", "run", ...}`)."""
    expect: dict[str, str]
    """The repository as the run left it (`repository`)."""

    @property
    def cwd(self) -> Path:
        return Path(str(self.op["cwd"]))

    def to_json(self) -> str:
        return json.dumps({"op": self.op, "expect": self.expect})

    @classmethod
    def from_json(cls, text: str) -> GitStep:
        data = json.loads(text)
        return cls(data["op"], data["expect"])


def repository(cwd: Path, index: bool) -> dict[str, str]:
    """What an undo checks before it runs git commands: HEAD, the stash, maybe the index."""

    def out(argv: list[str]) -> str:
        done = run_git(cwd, argv, trusted=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    state = {
        "branch": out(["symbolic-ref", "-q", "HEAD"]),
        "head": out(["rev-parse", "-q", "--verify", "HEAD"]),
        "stash": out(["rev-parse", "-q", "--verify", "refs/stash"]),
    }
    if index:
        state["index"] = digest(out(["ls-files", "-s"]).encode())
    return state


def recorded(root: Path, ops: list[dict[str, Any]]) -> tuple[list[GitStep], list[str]]:
    """The run's git operations, each with its repository as the run left it, and why any
    is refused (outside the folder, a command the tools never record)."""
    steps: list[GitStep] = []
    refused: list[str] = []
    index = {str(op.get("cwd")) for op in ops if op.get("index")}
    seen: dict[str, dict[str, str]] = {}
    for op in ops:
        reason = _refusal(root, op)
        if reason is not None:
            refused.append(f"«{op.get('note', 'git')}»: {reason}")
            continue
        cwd = str(op["cwd"])
        if cwd not in seen:
            seen[cwd] = repository(Path(cwd), cwd in index)
        steps.append(GitStep(op, seen[cwd]))
    return steps, refused


def _refusal(root: Path, op: dict[str, Any]) -> str | None:
    cwd = os.path.realpath(str(op.get("cwd", "")))
    base = os.path.realpath(root)
    if cwd != base and not cwd.startswith(base + os.sep):
        return f"it ran outside the folder ({cwd})"
    for command in op.get("run", []):
        argv = command.get("argv")
        if not (isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv)):
            return "a command is not a list of words"
        if argv[0] not in SUBCOMMANDS:
            return f"git {argv[0]} is not a command the git tools record"
    return None


def changed_since(steps: list[GitStep]) -> str | None:
    """Why the steps must not run now: how a repository differs from how the run left it."""
    checked: set[Path] = set()
    for step in steps:
        if step.cwd in checked:
            continue
        checked.add(step.cwd)
        try:
            now = repository(step.cwd, "index" in step.expect)
        except ToolError as exc:
            return exc.message
        was = step.expect
        if now["branch"] != was["branch"]:
            return (
                f"HEAD is on {now['branch'] or 'a detached commit'} now; the run left it on "
                f"{was['branch'] or 'a detached commit'}"
            )
        if now["head"] != was["head"]:
            return f"HEAD moved since the run (to {now['head'][:12] or 'no commit'})"
        if now["stash"] != was["stash"]:
            return "the stash changed since the run"
        if now.get("index") != was.get("index"):
            return "the index changed since the run (something was staged or unstaged)"
    return None


def undo(steps: list[GitStep], trusted: bool) -> str | None:
    """Run the steps' commands, newest step first; the reason at the first that fails (the
    steps after it in the run are undone, it and those before it are left)."""
    for step in reversed(steps):
        for command in step.op["run"]:
            argv = list(command["argv"])
            try:
                done = run_git(step.cwd, argv, trusted=trusted, stdin=command.get("stdin"))
            except ToolError as exc:
                return f"{exc.message} (undoing «{step.op.get('note')}»)"
            if done.returncode != 0:
                return f"{failure(argv, done).message} (undoing «{step.op.get('note')}»)"
    return None
