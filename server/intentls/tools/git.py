"""git tools, through the git CLI run in the request's directory: status, stage, commit, stash,
branch (create or switch). git runs through `intentls.safegit`: never a hook, fsmonitor or
filter, and in an untrusted folder none of the programs a downloaded `.git/config` could name."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from intentls.safegit import GitError, SafeGit
from intentls.tools.base import PlanContext, Planned, RunContext, ToolError, require_str
from intentls.tools.errors import GIT, INVALID


def run_git(
    cwd: Path, argv: list[str], *, trusted: bool, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """git through the safe runner (`intentls.safegit`); git that cannot run is a ToolError,
    a failing command is the caller's to judge (`failure`)."""
    try:
        return SafeGit(cwd, trusted=trusted).run(argv, stdin)
    except GitError as exc:
        raise ToolError(GIT, exc.message) from None


def failure(argv: list[str], done: subprocess.CompletedProcess[str]) -> ToolError:
    last = (done.stderr or done.stdout).strip().splitlines()
    return ToolError(GIT, f"git {argv[0]} failed: {last[-1] if last else done.returncode}")


def _git(
    ctx: RunContext,
    argv: list[str],
    *,
    check: bool = True,
    stdin: str | None = None,
    show: bool = False,
) -> str:
    done = run_git(ctx.cwd, argv, trusted=ctx.trusted, stdin=stdin)
    if show:
        for line in (done.stdout + done.stderr).splitlines():
            ctx.emit(line)
    if check and done.returncode != 0:
        raise failure(argv, done)
    return done.stdout


def _head(ctx: RunContext) -> str | None:
    out = _git(ctx, ["rev-parse", "-q", "--verify", "HEAD"], check=False).strip()
    return out or None


def _branch(ctx: RunContext) -> str | None:
    out = _git(ctx, ["symbolic-ref", "-q", "--short", "HEAD"], check=False).strip()
    return out or None


def _op(
    ctx: RunContext,
    note: str,
    *commands: dict[str, Any],
    index: bool = False,
    worktree: bool = False,
) -> dict[str, Any]:
    """`index`: the undo rewrites index entries; `worktree`: the undo changes work-tree files
    (the undo checks the index, and orders work-tree changes, by these)."""
    op: dict[str, Any] = {"op": "git", "cwd": os.fspath(ctx.cwd), "note": note}
    op["run"] = list(commands)
    if index:
        op["index"] = True
    if worktree:
        op["worktree"] = True
    return op


class GitStatus:
    name = "git.status"

    def plan(self, args: dict[str, Any], ctx: PlanContext) -> Planned:
        return Planned("show git status", 0, {"reads": ["."], "writes": []})

    def run(self, args: dict[str, Any], ctx: RunContext) -> None:
        _git(ctx, ["status", "--short", "--branch"], show=True)


class GitStage:
    name = "git.stage"

    def plan(self, args: dict[str, Any], ctx: PlanContext) -> Planned:
        paths = args.get("paths") or ["."]
        if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
            raise ToolError(INVALID, "paths must be a list of paths")
        rels = [ctx.rel(ctx.resolve(p)) for p in paths]
        title = "stage all changes" if rels == ["."] else f"stage {', '.join(rels)}"
        return Planned(title, 1, {"paths": rels, "reads": rels, "writes": [".git/index"]})

    def run(self, args: dict[str, Any], ctx: RunContext) -> None:
        paths = [os.fspath(ctx.resolve(p)) for p in args["paths"]]
        before = _git(ctx, ["ls-files", "-s", "--", *paths])
        ctx.inverse_log.record(
            _op(
                ctx,
                "put the index entries of these paths back as they were",
                {"argv": ["rm", "--cached", "-r", "-q", "--ignore-unmatch", "--", *paths]},
                {"argv": ["update-index", "--index-info"], "stdin": before},
                index=True,
            )
        )
        _git(ctx, ["add", "--", *paths], show=True)
        ctx.emit(f"staged {', '.join(args['paths'])}")


class GitCommit:
    name = "git.commit"

    def plan(self, args: dict[str, Any], ctx: PlanContext) -> Planned:
        message = require_str(args, "message")
        first = message.splitlines()[0]
        return Planned(
            f"commit the staged changes with message {first!r}",
            1,
            {"message": message, "reads": [".git/index"], "writes": [".git/HEAD"]},
        )

    def run(self, args: dict[str, Any], ctx: RunContext) -> None:
        head = _head(ctx)
        if head is None:
            branch = _branch(ctx) or "HEAD"
            undo = {"argv": ["update-ref", "-d", f"refs/heads/{branch}"]}
            ctx.inverse_log.record(_op(ctx, "remove the first commit, keeping the index", undo))
        else:
            undo = {"argv": ["reset", "-q", "--soft", head]}
            ctx.inverse_log.record(_op(ctx, "move HEAD back, keeping the index", undo))
        _git(ctx, ["commit", "-q", "-m", args["message"]])
        ctx.emit(_git(ctx, ["log", "-1", "--format=%h %s"]).strip())


class GitStash:
    name = "git.stash"

    def plan(self, args: dict[str, Any], ctx: PlanContext) -> Planned:
        message = args.get("message")
        if message is not None and not isinstance(message, str):
            raise ToolError(INVALID, "message must be a string")
        title = "stash the uncommitted changes" + (f" as {message!r}" if message else "")
        normal: dict[str, Any] = {"reads": ["."], "writes": ["."]}
        if message:
            normal["message"] = message
        return Planned(title, 2, normal)

    def run(self, args: dict[str, Any], ctx: RunContext) -> None:
        if not _git(ctx, ["status", "--porcelain", "--untracked-files=no"]).strip():
            ctx.emit("no local changes to stash")
            return
        ctx.inverse_log.record(
            _op(
                ctx,
                "apply the stash back",
                {"argv": ["stash", "pop", "-q", "--index"]},
                worktree=True,
            )
        )
        message = args.get("message")
        _git(ctx, ["stash", "push", "-q", *(["-m", message] if message else [])], show=True)
        ctx.emit("stashed the uncommitted changes" + (f" as {message!r}" if message else ""))


class GitBranch:
    name = "git.branch"

    def plan(self, args: dict[str, Any], ctx: PlanContext) -> Planned:
        name = require_str(args, "name")
        create = args.get("create", False)
        if not isinstance(create, bool):
            raise ToolError(INVALID, "create must be true or false")
        if name.startswith("-") or any(c in name for c in " ~^:?*[\\") or ".." in name:
            raise ToolError(INVALID, f"{name!r} is not a valid branch name")
        title = f"create branch {name} and switch to it" if create else f"switch to branch {name}"
        normal = {"name": name, "create": create, "reads": ["."], "writes": [".git/HEAD"]}
        return Planned(title, 1 if create else 2, normal)

    def run(self, args: dict[str, Any], ctx: RunContext) -> None:
        name, create = args["name"], args["create"]
        _git(ctx, ["check-ref-format", "--branch", name])
        back = _branch(ctx)
        if back is not None:
            switch_back = {"argv": ["switch", "-q", back]}
        else:
            head = _head(ctx)
            if head is None:
                raise ToolError(GIT, "no commit yet: nothing to switch from")
            switch_back = {"argv": ["switch", "-q", "--detach", head]}
        if create:
            delete = {"argv": ["branch", "-q", "-d", name]}
            ctx.inverse_log.record(_op(ctx, f"switch back and delete {name}", switch_back, delete))
            _git(ctx, ["switch", "-q", "-c", name], show=True)
            ctx.emit(f"created branch {name} and switched to it")
        else:
            ctx.inverse_log.record(
                _op(
                    ctx,
                    f"switch back to {back or 'the previous commit'}",
                    switch_back,
                    worktree=True,
                )
            )
            _git(ctx, ["switch", "-q", name], show=True)
            ctx.emit(f"switched to branch {name}")
