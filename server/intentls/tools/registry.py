"""Every built-in tool by name, and the two entry points the planner and the executor use."""

from __future__ import annotations

from typing import Any

from intentls.tools.base import PlanContext, Planned, RunContext, Tool, ToolError
from intentls.tools.errors import INVALID
from intentls.tools.files import (
    FileAppend,
    FileCopy,
    FileCreate,
    FileDelete,
    FileMkdir,
    FileMove,
    FileWrite,
)
from intentls.tools.git import GitBranch, GitCommit, GitStage, GitStash, GitStatus
from intentls.tools.text import TextReplace

TOOLS: dict[str, Tool] = {
    t.name: t
    for t in (
        FileCreate(),
        FileWrite(),
        FileAppend(),
        FileCopy(),
        FileMove(),
        FileDelete(),
        FileMkdir(),
        TextReplace(),
        GitStatus(),
        GitStage(),
        GitCommit(),
        GitStash(),
        GitBranch(),
    )
}


def get(name: str) -> Tool:
    tool = TOOLS.get(name)
    if tool is None:
        raise ToolError(INVALID, f"unknown built-in tool {name!r}")
    return tool


def plan(name: str, args: dict[str, Any], ctx: PlanContext) -> Planned:
    return get(name).plan(args, ctx)


def run(name: str, args: dict[str, Any], ctx: RunContext) -> None:
    get(name).run(args, ctx)
