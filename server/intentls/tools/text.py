"""text.replace: a literal or regular-expression replacement across the files a glob matches,
with counts per file and in total. Binary (or not UTF-8) files and symbolic links are skipped."""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

from intentls.tools import inverse
from intentls.tools.base import MANY_FILES, PlanContext, Planned, RunContext, ToolError
from intentls.tools.errors import INVALID, NOT_FOUND
from intentls.tools.files import expand

MAX_BYTES = 10 << 20
"""Larger files are skipped."""


def _decode(data: bytes) -> str | None:
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


class TextReplace:
    name = "text.replace"

    def _compile(self, args: dict[str, Any]) -> tuple[re.Pattern[str], str]:
        find, replace, regex = args.get("find"), args.get("replace"), args.get("regex", False)
        if not isinstance(find, str) or not find:
            raise ToolError(INVALID, "find must be a non-empty string")
        if not isinstance(replace, str):
            raise ToolError(INVALID, "replace must be a string")
        if not isinstance(regex, bool):
            raise ToolError(INVALID, "regex must be true or false")
        if not regex:
            return re.compile(re.escape(find)), replace.replace("\\", "\\\\")
        try:
            pattern = re.compile(find, re.MULTILINE)
            pattern.sub(replace, "")  # a bad group reference fails here, not halfway
        except re.error as exc:
            raise ToolError(INVALID, f"bad regular expression {find!r}: {exc}") from None
        return pattern, replace

    def _files(self, found: list[Path]) -> list[Path]:
        return [p for p in found if not p.is_symlink() and p.is_file()]

    def plan(self, args: dict[str, Any], ctx: PlanContext) -> Planned:
        pattern, _ = self._compile(args)
        glob = args.get("glob")
        if not isinstance(glob, str) or not glob:
            raise ToolError(INVALID, "glob must be a non-empty string such as src/**/*.py")
        files = self._files(expand(ctx.resolve, glob))
        hits: dict[str, int] = {}
        for path in files:
            if path.stat().st_size > MAX_BYTES:
                continue
            text = _decode(path.read_bytes())
            if text is not None and (n := len(pattern.findall(text))):
                hits[ctx.rel(path)] = n
        kind = "regex" if args.get("regex") else "text"
        title = (
            f"replace {kind} {args['find']!r} with {args['replace']!r} in {glob}: "
            f"{sum(hits.values())} matches in {len(hits)} of {len(files)} files now"
        )
        normal = {
            "find": args["find"],
            "replace": args["replace"],
            "glob": ctx.pattern(glob),
            "regex": bool(args.get("regex")),
            "reads": [ctx.rel(p) for p in files],
            "writes": sorted(hits),
        }
        return Planned(title, 3 if len(hits) > MANY_FILES else 2, normal)

    def run(self, args: dict[str, Any], ctx: RunContext) -> None:
        pattern, replacement = self._compile(args)
        found = expand(ctx.resolve, args["glob"])
        if not found:
            raise ToolError(NOT_FOUND, f"no file matches {args['glob']}")
        total = changed = 0
        for path in found:
            ctx.check_cancelled()
            st = ctx.guard.lstat(path)
            if st is None or not stat.S_ISREG(st.st_mode):
                if st is not None and stat.S_ISLNK(st.st_mode):
                    ctx.emit(f"{ctx.rel(path)}: skipped (symbolic link)")
                continue
            if st.st_size > MAX_BYTES:
                ctx.emit(f"{ctx.rel(path)}: skipped (larger than {MAX_BYTES >> 20} MiB)")
                continue
            data, st = ctx.guard.read(path)
            text = _decode(data)
            if text is None:
                ctx.emit(f"{ctx.rel(path)}: skipped (binary)")
                continue
            new, n = pattern.subn(replacement, text)
            if not n:
                continue
            after = new.encode("utf-8")
            ctx.inverse_log.record(inverse.restore(ctx, path, data, st, after))
            ctx.guard.write(path, after, create=False)
            ctx.touched(path)
            ctx.emit(f"{ctx.rel(path)}: {n} replacement{'s' * (n != 1)}")
            total += n
            changed += 1
        plural = "s" * (total != 1), "s" * (changed != 1)
        ctx.emit(f"total: {total} replacement{plural[0]} in {changed} file{plural[1]}")
