"""File tools: create, write, append, copy, move/rename, delete, mkdir."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from intentls.tools import globs, inverse
from intentls.tools.base import (
    MANY_FILES,
    PlanContext,
    Planned,
    RunContext,
    ToolError,
    require_list,
    require_str,
)
from intentls.tools.errors import EXISTS, INVALID, NOT_FOUND

Resolve = Callable[[str, bool], Path]


def expand(resolve: Resolve, pattern: str) -> list[Path]:
    """A literal path → itself (not required to exist); a glob → what it matches now."""
    if not globs.has_magic(pattern):
        return [resolve(pattern, False)]
    base, parts = globs.split(pattern)
    return globs.expand(resolve(base, True), parts)


def ensure_dir(ctx: RunContext, real: Path) -> None:
    """Create `real` and missing parents, recording an rmdir for each one created first."""
    if real.is_dir() and not real.is_symlink():
        return

    def record(path: Path) -> None:
        ctx.inverse_log.record(inverse.rmdir(path))
        ctx.touched(path)

    ctx.guard.mkdir(real, record)


def _content(args: dict[str, Any], required: bool) -> bytes:
    value = args.get("content", None if required else "")
    if not isinstance(value, str):
        raise ToolError(INVALID, "content must be a string")
    return value.encode("utf-8")


def _size(n: int) -> str:
    return "1 byte" if n == 1 else f"{n} bytes"


def _kind(path: Path) -> str:
    if path.is_symlink():
        return "link"
    if path.is_dir():
        return "folder"
    return "file" if path.exists() else "missing"


def _count_files(path: Path) -> int:
    if path.is_symlink() or not path.is_dir():
        return 1
    return sum(len(files) for _, _, files in os.walk(path))


def _names(ctx: PlanContext, paths: list[Path], limit: int = 5) -> str:
    shown = [ctx.rel(p) for p in paths[:limit]]
    more = f" and {len(paths) - limit} more" if len(paths) > limit else ""
    return ", ".join(shown) + more


# ---- create, write, append, mkdir ------------------------------------------------------------


class FileCreate:
    name = "file.create"

    def plan(self, args: dict[str, Any], ctx: PlanContext) -> Planned:
        real = ctx.resolve(require_str(args, "path"))
        data = _content(args, required=False)
        rel = ctx.rel(real)
        title = f"create file {rel} ({_size(len(data))})" if data else f"create empty file {rel}"
        if os.path.lexists(real):
            title += f" — {rel} exists now, so this will fail"
        normal = {"path": rel, "content": data.decode(), "reads": [], "writes": [rel]}
        return Planned(title, 1, normal)

    def run(self, args: dict[str, Any], ctx: RunContext) -> None:
        real = ctx.resolve(args["path"])
        data = _content(args, required=False)
        if os.path.lexists(real):
            raise ToolError(EXISTS, f"{ctx.rel(real)} already exists; file.create never overwrites")
        _create_new(ctx, real, data)
        ctx.touched(real)
        ctx.emit(f"created {ctx.rel(real)} ({_size(len(data))})")


class FileWrite:
    name = "file.write"

    def plan(self, args: dict[str, Any], ctx: PlanContext) -> Planned:
        real = ctx.resolve(require_str(args, "path"), follow_last=True)
        data = _content(args, required=True)
        rel = ctx.rel(real)
        if real.is_dir():
            raise ToolError(EXISTS, f"{rel} is a folder; file.write writes files")
        exists = real.exists()
        if exists:
            title = f"overwrite {rel} with {_size(len(data))} (was {_size(real.stat().st_size)})"
        else:
            title = f"write {_size(len(data))} to new file {rel}"
        normal = {
            "path": rel,
            "content": data.decode(),
            "overwrite": exists,
            "reads": [rel] if exists else [],
            "writes": [rel],
        }
        return Planned(title, 3 if exists else 2, normal)

    def run(self, args: dict[str, Any], ctx: RunContext) -> None:
        real = ctx.resolve(args["path"], follow_last=True)
        data = _content(args, required=True)
        if ctx.guard.lstat(real) is not None:
            if not args.get("overwrite"):
                raise ToolError(EXISTS, f"{ctx.rel(real)} appeared after planning; not overwritten")
            before, st = ctx.guard.read(real)
            ctx.inverse_log.record(inverse.restore(ctx, real, before, st, data))
            ctx.guard.write(real, data, create=False)
            ctx.emit(f"overwrote {ctx.rel(real)} ({_size(len(data))}, was {_size(len(before))})")
        else:
            _create_new(ctx, real, data)
            ctx.emit(f"wrote {ctx.rel(real)} ({_size(len(data))})")
        ctx.touched(real)


class FileAppend:
    name = "file.append"

    def plan(self, args: dict[str, Any], ctx: PlanContext) -> Planned:
        real = ctx.resolve(require_str(args, "path"), follow_last=True)
        data = _content(args, required=True)
        rel = ctx.rel(real)
        if real.is_dir():
            raise ToolError(EXISTS, f"{rel} is a folder; file.append appends to files")
        title = f"append {_size(len(data))} to {rel}" + ("" if real.exists() else " (new file)")
        normal = {"path": rel, "content": data.decode(), "reads": [rel], "writes": [rel]}
        return Planned(title, 1, normal)

    def run(self, args: dict[str, Any], ctx: RunContext) -> None:
        real = ctx.resolve(args["path"], follow_last=True)
        data = _content(args, required=True)
        st = ctx.guard.lstat(real)
        if st is not None:
            if not stat.S_ISREG(st.st_mode):
                raise ToolError(EXISTS, f"{ctx.rel(real)} is not a regular file")
            ctx.inverse_log.record({"op": "truncate", "path": os.fspath(real), "size": st.st_size})
            ctx.guard.write(real, data, create=False, append=True)
        else:
            _create_new(ctx, real, data)
        ctx.touched(real)
        ctx.emit(f"appended {_size(len(data))} to {ctx.rel(real)}")


class FileMkdir:
    name = "file.mkdir"

    def plan(self, args: dict[str, Any], ctx: PlanContext) -> Planned:
        real = ctx.resolve(require_str(args, "path"))
        rel = ctx.rel(real)
        if os.path.lexists(real) and not real.is_dir():
            raise ToolError(EXISTS, f"{rel} exists and is not a folder")
        title = (
            f"folder {rel} exists already: nothing to do"
            if real.is_dir()
            else f"create folder {rel}"
        )
        return Planned(title, 1, {"path": rel, "reads": [], "writes": [rel]})

    def run(self, args: dict[str, Any], ctx: RunContext) -> None:
        real = ctx.resolve(args["path"])
        if real.is_dir() and not real.is_symlink():
            ctx.emit(f"{ctx.rel(real)} exists already")
            return
        ensure_dir(ctx, real)
        ctx.emit(f"created folder {ctx.rel(real)}")


# ---- delete ------------------------------------------------------------------------------


class FileDelete:
    name = "file.delete"

    def plan(self, args: dict[str, Any], ctx: PlanContext) -> Planned:
        patterns = require_list(args, "paths")
        found = [p for pattern in patterns for p in expand(ctx.resolve, pattern)]
        for real in found:
            if ctx.roots.root_of(os.fspath(real)) == os.fspath(real):
                raise ToolError(INVALID, f"{real} is a workspace folder; it is not deleted")
        rels = [ctx.rel(p) for p in found]
        parts = []
        for real in found[:5]:
            kind = _kind(real)
            if kind == "folder":
                n = _count_files(real)
                parts.append(f"{ctx.rel(real)} (folder, {n} file{'s' * (n != 1)})")
            elif kind == "missing":
                parts.append(f"{ctx.rel(real)} (does not exist now)")
            else:
                parts.append(f"{ctx.rel(real)}" + (" (link)" if kind == "link" else ""))
        more = f" and {len(found) - 5} more" if len(found) > 5 else ""
        what = ", ".join(parts) + more if found else f"whatever matches {', '.join(patterns)}"
        normal = {
            "paths": [ctx.pattern(p) for p in patterns],
            "reads": [],
            "writes": rels,
        }
        # Risky only when something is there now: what does not exist yet can only be what an
        # earlier step of the same run makes, and `delete nonexist` says "nothing to delete"
        # instead of asking for a confirmation first.
        exists = any(_kind(real) != "missing" for real in found)
        return Planned(f"delete {what}", 3 if exists else 1, normal)

    def run(self, args: dict[str, Any], ctx: RunContext) -> None:
        found = [p for pattern in args["paths"] for p in expand(ctx.resolve, pattern)]
        existing = [p for p in found if ctx.guard.lstat(p) is not None]
        if not existing:
            raise ToolError(NOT_FOUND, f"nothing to delete: {', '.join(args['paths'])} not found")
        for real in found:
            ctx.check_cancelled()
            if ctx.guard.lstat(real) is None:
                raise ToolError(NOT_FOUND, f"{ctx.rel(real)} does not exist")
            trash = ctx.next_trash(real.name)
            ctx.inverse_log.record(inverse.untrash(real, trash))
            ctx.guard.to_trash(real, trash)
            ctx.touched(real)
            ctx.emit(f"deleted {ctx.rel(real)}")


# ---- move and copy -----------------------------------------------------------------------


class _Transfer:
    """What move and copy share: sources (globs allowed) and a destination that is the new
    name (one source, destination not a folder) or a folder to put them in."""

    name = ""
    verb = ""

    def plan(self, args: dict[str, Any], ctx: PlanContext) -> Planned:
        patterns = require_list(args, "sources")
        destination = require_str(args, "destination")
        sources = [p for pattern in patterns for p in expand(ctx.resolve, pattern)]
        dest_dir = ctx.resolve(destination, follow_last=True)
        into = (
            destination.endswith("/")
            or dest_dir.is_dir()
            or len(patterns) > 1
            or any(globs.has_magic(p) for p in patterns)
        )
        targets = [dest_dir / s.name for s in sources] if into else [ctx.resolve(destination)]
        for src, dst in zip(sources, targets, strict=True):
            if ctx.roots.root_of(os.fspath(src)) == os.fspath(src):
                raise ToolError(INVALID, f"{src} is a workspace folder; it is not {self.verb}d")
            if dst == src or os.fspath(dst).startswith(os.fspath(src) + os.sep):
                raise ToolError(INVALID, f"cannot {self.verb} {ctx.rel(src)} into itself")
        overwrite = [t for t in targets if os.path.lexists(t)]
        count = sum(_count_files(s) for s in sources) if self.verb == "copy" else len(sources)
        risk = 3 if overwrite or count > MANY_FILES else 2
        title = self._title(ctx, sources, targets, into, dest_dir, patterns)
        if overwrite:
            title += f", replacing {_names(ctx, overwrite)}"
        if into and not dest_dir.exists():
            title += f" (creating {ctx.rel(dest_dir)}/)"
        rel_sources = [ctx.rel(s) for s in sources]
        normal = {
            "sources": [ctx.pattern(p) for p in patterns],
            "destination": ctx.rel(dest_dir) + "/" if into else ctx.rel(targets[0]),
            "into": into,
            "overwrite": bool(overwrite),
            "reads": rel_sources,
            "writes": ([*rel_sources] if self.verb == "move" else [])
            + [ctx.rel(t) for t in targets],
        }
        return Planned(title, risk, normal)

    def _title(
        self,
        ctx: PlanContext,
        sources: list[Path],
        targets: list[Path],
        into: bool,
        dest_dir: Path,
        patterns: list[str],
    ) -> str:
        if not into:
            verb = "rename" if self.verb == "move" else "copy"
            return f"{verb} {ctx.rel(sources[0])} to {ctx.rel(targets[0])}"
        what = _names(ctx, sources) if sources else f"whatever matches {', '.join(patterns)}"
        return f"{self.verb} {what} to {ctx.rel(dest_dir)}/"

    def run(self, args: dict[str, Any], ctx: RunContext) -> None:
        sources = [p for pattern in args["sources"] for p in expand(ctx.resolve, pattern)]
        sources = [s for s in sources if ctx.guard.lstat(s) is not None]
        if not sources:
            raise ToolError(NOT_FOUND, f"nothing to {self.verb}: {', '.join(args['sources'])}")
        destination = args["destination"]
        if args.get("into"):
            dest_dir = ctx.resolve(destination, follow_last=True)
            ensure_dir(ctx, dest_dir)
            targets = [dest_dir / s.name for s in sources]
        else:
            targets = [ctx.resolve(destination)]
            ensure_dir(ctx, targets[0].parent)
        for src, dst in zip(sources, targets, strict=True):
            ctx.check_cancelled()
            if ctx.guard.lstat(dst) is not None:
                if not args.get("overwrite"):
                    raise ToolError(EXISTS, f"{ctx.rel(dst)} appeared after planning; kept")
                trash = ctx.next_trash(dst.name)
                ctx.inverse_log.record(inverse.untrash(dst, trash))
                ctx.guard.to_trash(dst, trash)
            self._one(ctx, src, dst)
            ctx.touched(dst)

    def _one(self, ctx: RunContext, src: Path, dst: Path) -> None:
        raise NotImplementedError


class FileMove(_Transfer):
    name = "file.move"
    verb = "move"

    def _one(self, ctx: RunContext, src: Path, dst: Path) -> None:
        ctx.inverse_log.record(inverse.move(dst, src))
        ctx.guard.rename(src, dst)
        ctx.touched(src)
        ctx.emit(f"moved {ctx.rel(src)} → {ctx.rel(dst)}")


class FileCopy(_Transfer):
    name = "file.copy"
    verb = "copy"

    def _one(self, ctx: RunContext, src: Path, dst: Path) -> None:
        ctx.inverse_log.record(inverse.remove(dst))
        n = ctx.guard.copy(src, dst, lambda _: None)
        ctx.emit(f"copied {ctx.rel(src)} → {ctx.rel(dst)} ({n} file{'s' * (n != 1)})")


def _create_new(ctx: RunContext, real: Path, data: bytes) -> None:
    """A file that did not exist: its removal is recorded before it is written."""
    ensure_dir(ctx, real.parent)
    ctx.inverse_log.record(inverse.remove(real, data))
    ctx.guard.write(real, data, create=True, exclusive=True)
